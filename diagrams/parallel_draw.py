"""Module 3 pictures for the CPU side: how ``prange`` shares a loop among threads, where the fast
kernels skip index arithmetic, and why matrix multiply gets a kernel of its own (the memory of the
broadcast product, the blocked loop).

Every picture takes its sizes as arguments and names its cells, so tests (and curious students) can
read it back with ``diagrams.probe``:

- ``prange_split``: cells ``("out", i)``, thread labels ``("thread", t)``;
- ``aligned_diagram``: storage cells ``("a", i)`` and ``("out", i)``;
- ``runs_diagram``: output cells ``("out", i, j)``, run starts ``("start", i, r)``;
- ``product_memory_diagram``: the product block's cubes ``("prod", k, i, j)``, ``("out", 0, i, j)``;
- ``blocked_matmul_diagram``: ``("a", i, k)``, ``("b", k, j)``, ``("out", i, j)``.

Colours: thread (or task) t gets colour t of the value ramp spread out (as the CUDA pictures colour
their blocks), pale enough for text on it.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from chalk import Diagram, circle, concat, hcat, vcat

from diagrams import cuda_draw, drawing
from diagrams.drawing import arrow_opts, latex, papaya, teal, value_text, white
from diagrams.tensor_draw import _check_size, cell, tensor

__all__ = ["prange_split", "aligned_diagram", "runs_diagram", "product_memory_diagram",
           "blocked_matmul_diagram", "worker_color"]


def worker_color(t: int) -> Any:
    """The colour of thread (or parallel task) ``t``: the ramp's colours spread out (0, 3, 6, 9, 1, ...)
    and mixed with white so that numbers on them stay readable: the colours of the CUDA pictures' blocks."""
    return cuda_draw._block_color(t)


def _title(text: str, d: Diagram, size: float = 0.42) -> Diagram:
    return drawing.label_above(text, d.center_xy(), gap=0.3, size=size).center_xy()


def _caption(text: str, d: Diagram, size: float = 0.34) -> Diagram:
    return drawing.label_below(text, d.center_xy(), gap=0.3, size=size).center_xy()


def _chunks(size: int, threads: int) -> List[Tuple[int, int]]:
    """[start, end) of each thread's share of ``range(size)``: contiguous pieces whose lengths differ
    by at most one, the first ones longer (the static schedule numba's ``prange`` uses)."""
    base, extra = divmod(size, threads)
    out, start = [], 0
    for t in range(threads):
        end = start + base + (1 if t < extra else 0)
        out.append((start, end))
        start = end
    return out


def prange_split(size: int = 12, threads: int = 3) -> Diagram:
    """``for i in prange(size)`` on ``threads`` threads: the positions 0..size-1 of the output, each
    filled with the colour of the thread that computes it. Each thread gets one contiguous piece
    (lengths differ by at most one); a thread with no position left is drawn idle."""
    size, threads = _check_size("prange_split size", size), _check_size("prange_split threads", threads)
    pieces = _chunks(size, threads)
    row = []
    for t, (start, end) in enumerate(pieces):
        for i in range(start, end):
            row.append(cell(worker_color(t), str(i), size=0.9).named(("out", i)))
    cells = hcat(row).center_xy()
    labels = []
    for t, (start, end) in enumerate(pieces):
        width = 0.9 * max(end - start, 1)
        text = value_text(f"thread {t}" if end > start else f"thread {t}: idle", 0.26)
        if end == start:
            width = text.get_envelope().width + 0.4  # an idle thread's tag sits apart: as wide as its text
        elif text.get_envelope().width > width - 0.3:  # a piece of one or two cells: shrink the text to fit
            text = text.scale((width - 0.3) / text.get_envelope().width)
        tag = drawing.box(width - 0.1, 0.55, worker_color(t), radius=0.1) + text
        labels.append(tag.named(("thread", t)))
    busy = [lab for lab, (s, e) in zip(labels, pieces) if e > s]
    idle = [lab for lab, (s, e) in zip(labels, pieces) if e == s]
    tags = hcat(busy).center_xy()
    body = vcat([cells, tags], 0.25).center_xy()
    if idle:
        body = vcat([body, hcat(idle, 0.2).center_xy()], 0.25).center_xy()
    each = "one piece each" if size >= threads else "at most one piece each"
    return _title(f"prange({size}) on {threads} threads: {each}", body)


def _strip(name: str, n: int, label: str) -> Diagram:
    """n numbered storage cells named ``(name, i)``, cell i at x = 0.8 i, the label left of cell 0
    (at a fixed place, so strips with labels of other lengths stay lined up)."""
    cells = concat([cell(white, f"{i}", size=0.8).named((name, i)).translate(0.8 * i, 0) for i in range(n)])
    tag = value_text(label, 0.32)
    width = tag.get_envelope().width
    return cells + tag.translate(-0.4 - 0.3 - width / 2, 0)


def aligned_diagram(n: int = 8) -> Diagram:
    """The fast path of map and zip: output and inputs have the same shape and are contiguous, so
    element i sits at storage position i in every one of them. The kernel walks the storages as one
    long row: ``out[i] = f(a[i])``, no ``to_index``, no strides (an arrow per position)."""
    n = _check_size("aligned_diagram n", n)
    a = _strip("a", n, "a storage")
    out = _strip("out", n, "out storage")
    d = vcat([a, out], 1.0).center_xy()
    for i in range(n):
        d = d.connect_outside(("a", i), ("out", i), arrow_opts(color=teal))
    return _caption("same shape, both contiguous: position i in both, no index arithmetic",
                    _title("out[i] = f(a[i])", d))


def runs_diagram(shape: Sequence[int] = (3, 8), run: int = 4) -> Diagram:
    """The general path: the output (``shape``, 2-D here) is cut into *runs* of at most ``run``
    elements along its last dimension. The multi-index and the storage positions are worked out
    once, at the start of each run (papaya dot), and the run itself steps through memory with
    constant strides. Each run is a task of the ``prange`` (its own colour)."""
    if len(shape) != 2:
        raise ValueError(f"runs_diagram draws a 2-D output, got shape {tuple(shape)}")
    rows, cols = (_check_size("runs_diagram shape", s) for s in shape)
    run = _check_size("runs_diagram run", run)
    per_row = -(-cols // run)
    lines = []
    for i in range(rows):
        cells = []
        for j in range(cols):
            r = j // run
            c = cell(worker_color(i * per_row + r), size=0.8).named(("out", i, j))
            if j % run == 0:
                dot = circle(0.13).fill_color(papaya).line_width(0).named(("start", i, r))
                c = c + dot
            cells.append(c)
        lines.append(hcat(cells))
    grid = vcat(lines).center_xy()
    caption = (f"{rows * per_row} runs of up to {run}: index arithmetic {rows * per_row} times, "
               f"not {rows * cols}")
    return _caption(caption, _title(f"out {rows} x {cols}, cut into runs", grid))


def product_memory_diagram(n: int = 2, m: int = 3, p: int = 2) -> Diagram:
    """``a @ b`` as zip-then-reduce: the zip fills an (n, m, p) block with every product
    a[i, k] * b[k, j] (m slices of n x p, drawn as a stack of cubes) before the reduce sums the m
    slices into the (n, p) output. The labels count the numbers each holds, and the bytes for two
    1000 x 1000 matrices."""
    n, m, p = (_check_size("product_memory_diagram size", s) for s in (n, m, p))
    if n * m * p > 200:
        raise ValueError(f"product_memory_diagram: draw small sizes (n*m*p <= 200), got {n}*{m}*{p}")
    prod = tensor(0.5, m, n, p, "prod", colormap=lambda k, i, j: drawing._mix(teal, white, 0.5))
    out = tensor(0.5, 1, n, p, "out", colormap=lambda k, i, j: white)
    left = _caption(f"zip: n*m*p = {n * m * p} numbers", prod)
    right = _caption(f"reduce over k: n*p = {n * p} numbers", out)
    arrow = vcat([latex("$\\sum_k$", 0.45).center_xy(), latex("$\\rightarrow$", 0.9).center_xy()], 0.1).center_xy()
    row = hcat([left, arrow, right], 0.6).center_xy()
    note = value_text("1000 x 1000 @ 1000 x 1000:  the product block is 10^9 numbers (8 GB), the output 10^6 (8 MB)",
                      0.3).center_xy()
    return vcat([_title("a @ b as a zip, then a reduce", row), note], 0.5).center_xy()


def blocked_matmul_diagram(n: int = 8, m: int = 6, p: int = 6, rows: int = 4, tile: int = 3) -> Diagram:
    """The blocked CPU matrix multiply, in the classic layout (``a`` left of ``out``, ``b`` above it).

    The output's rows are cut into blocks of ``rows``: each block is one parallel task (its colour).
    Inside a task the sum over k goes in tiles of ``tile`` rows of ``b``: the tinted rows of ``b``
    (and the matching columns of ``a``'s block) are the tile in use, small enough to stay in the
    cache while every row of the block adds its share of them to its running sums.
    """
    n, m, p = (_check_size("blocked_matmul_diagram size", s) for s in (n, m, p))
    rows = _check_size("blocked_matmul_diagram rows", rows)
    tile = _check_size("blocked_matmul_diagram tile", tile)
    tint = drawing._mix(papaya, white, 0.45)

    def grid(name: str, r: int, c: int, fill) -> Diagram:
        return vcat([hcat([cell(fill(i, j), size=0.7).named((name, i, j)) for j in range(c)]) for i in range(r)])

    k1 = min(tile, m)
    out = grid("out", n, p, lambda i, j: worker_color(i // rows))
    a = grid("a", n, m, lambda i, k: tint if (i < rows and k < k1) else
             (worker_color(0) if i < rows else white))
    b = grid("b", m, p, lambda k, j: tint if k < k1 else white)
    w = 0.7
    out = out.center_xy()
    a = a.center_xy().translate(-(p * w / 2 + 0.6 + m * w / 2), 0)
    b = b.center_xy().translate(0, -(n * w / 2 + 0.6 + m * w / 2))
    la = value_text("a", 0.4).translate(-(p * w / 2 + 0.6 + m * w / 2), n * w / 2 + 0.45)
    lb = value_text("b", 0.4).translate(p * w / 2 + 0.4, -(n * w / 2 + 0.6 + m * w / 2))
    blocks = -(-n // rows)
    tags = []
    for t in range(blocks):
        first, last = t * rows, min(n, (t + 1) * rows) - 1
        y = ((first + last) / 2 - (n - 1) / 2) * w
        tags.append(value_text(f"task {t}: rows {first}-{last}", 0.28).translate(p * w / 2 + 1.6, y))
    d = concat([out, a, b, la, lb, *tags])
    caption = (f"each task: {rows} rows of out; k in tiles of {tile} rows of b (tinted: the tile in use)")
    return _caption(caption, _title("blocked matrix multiply", d))
