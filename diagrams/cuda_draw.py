"""GPU programming pictures (MiniTorch's ``mt_diagrams.cuda_draw``): threads, blocks, local and shared
memory, thread and block ids, and a map kernel.

A thread is a cell with a squiggly arrow (a running instruction stream); a block is a coloured tile of
threads (block b gets colour b of the value ramp, so blocks stay apart); memory is a strip of white
cells: a thread's own local memory under it, a block's shared memory as a strip all its threads reach,
global memory as the long arrays a kernel reads and writes.

MiniTorch's pages call these without arguments; ours take optional sizes (documented on each). Names:
threads ``("thread", b, t)`` (block b, thread t; in a 2-D block ``("thread", b, x, y)``), memory cells
``("local", t, k)``, ``("shared", b, k)``, ``("in", i)``, ``("out", i)``, blocks ``("block", b)``.
"""

from __future__ import annotations

from typing import Any, List, Optional

from chalk import Diagram, concat, hcat, vcat

from diagrams import drawing
from diagrams.drawing import arrow_opts, black, grey, latex, light_grey, papaya, ramp, value_text, white
from diagrams.tensor_draw import _check_size, cell

__all__ = ["image_thread", "image_localmem", "image_block1d", "image_block", "image_threadid",
           "image_sharedmem", "image_blockid", "image_map"]

_THREAD = 0.9   # a thread cell


def _block_color(b: int) -> Any:
    # spread blocks over the ramp (0, 3, 6, 9, 1, ...) and keep them pale enough for the text on them
    return drawing._mix(ramp[(3 * b) % len(ramp)], white, 0.35)


def _thread(label: str = "", fill: Any = white, highlight: bool = False) -> Diagram:
    """One thread: a cell with a squiggly arrow, and its index under the arrow if ``label``."""
    box = drawing.box(_THREAD, _THREAD, fill, radius=0.12)
    if highlight:
        box = box.line_color(papaya).line_width(0.25)
    glyph = latex("$\\rightsquigarrow$", 0.55).center_xy().rotate_by(-0.25)  # pointing down: it runs
    if label:
        return box + glyph.translate(0, -0.14) + value_text(label, 0.26).translate(0, 0.28)
    return box + glyph


def _strip(n: int, name: str, index: Optional[int] = None, values: bool = True, size: float = 0.7) -> Diagram:
    """n memory cells named ``(name, [index,] k)``, numbered under each."""
    cells = []
    for k in range(n):
        key = (name, k) if index is None else (name, index, k)
        c = cell(white, size=size).named(key)
        if values:
            c = c / drawing.spacer(height=0.08) / value_text(str(k), 0.22, grey)
        cells.append(c)
    return hcat(cells).center_xy()


def _caption(text: str, d: Diagram, size: float = 0.38) -> Diagram:
    return drawing.label_below(text, d.center_xy(), gap=0.25, size=size).center_xy()


def _title(text: str, d: Diagram) -> Diagram:
    return drawing.label_above(text, d.center_xy(), gap=0.3, size=0.45).center_xy()


def _block(b: int, threads: int, label: str = "block", highlight: Optional[int] = None,
           numbers: bool = True) -> Diagram:
    """A tile of ``threads`` threads in a row, coloured as block ``b``, named ``("block", b)``."""
    row = hcat([_thread(str(t) if numbers else "", white, highlight == t).named(("thread", b, t))
                for t in range(threads)], 0.15).center_xy()
    env = row.get_envelope()
    tile = drawing.box(env.width + 0.5, env.height + 0.5, _block_color(b), radius=0.2)
    inner = tile + row
    if label:
        inner = drawing.label_above(label, inner, gap=0.2, size=0.36).center_xy()
    return inner.named(("block", b))


def image_thread() -> Diagram:
    """One thread: a single stream of instructions running the kernel's code, with its own
    variables (``x = a[i] * 2``, as in a kernel body)."""
    body = vcat([value_text("i = 3", 0.3).center_xy(), value_text("x = a[i] * 2", 0.3).center_xy(),
                 value_text("out[i] = x", 0.3).center_xy()], 0.15)
    code = drawing.box(2.6, 1.5, white, radius=0.1) + body.center_xy()
    return _title("a thread", hcat([_thread().scale(1.4), code], 0.6).center_xy())


def image_localmem(n: int = 4) -> Diagram:
    """A thread and its local memory: ``n`` cells only this thread reads and writes (registers,
    ``cuda.local.array(n, ...)``), fast and private."""
    n = _check_size("image_localmem n", n)
    mem = _caption("local memory", _strip(n, "local", 0))
    d = vcat([_thread().scale(1.2).named(("thread", 0, 0)), mem], 0.6).center_xy()
    d = d.connect_outside(("thread", 0, 0), ("local", 0, 0), arrow_opts())
    return _title("a thread and its local memory", d)


def image_block1d(threads: int = 8) -> Diagram:
    """A 1-D block: ``threads`` threads side by side (``threadsperblock = threads``), numbered by
    ``cuda.threadIdx.x`` from 0. They run the same code at the same time."""
    threads = _check_size("image_block1d threads", threads)
    return _caption(f"blockDim.x = {threads}", _block(0, threads, "a block of threads"))


def image_block(cols: int = 4, rows: int = 3) -> Diagram:
    """A 2-D block: ``rows`` x ``cols`` threads (``threadsperblock = (cols, rows)``); thread (x, y) has
    ``threadIdx.x = x`` (across) and ``threadIdx.y = y`` (down). Named ``("thread", 0, x, y)``."""
    cols, rows = _check_size("image_block cols", cols), _check_size("image_block rows", rows)
    grid = vcat([hcat([_thread(f"{x},{y}").named(("thread", 0, x, y)) for x in range(cols)], 0.15)
                 for y in range(rows)], 0.15).center_xy()
    env = grid.get_envelope()
    tile = (drawing.box(env.width + 0.5, env.height + 0.5, _block_color(0), radius=0.2) + grid).named(("block", 0))
    right = latex("threadIdx.x $\\rightarrow$", 0.36).center_xy()
    down = latex("threadIdx.y $\\rightarrow$", 0.36).center_xy().rotate_by(-0.25)
    body = vcat([right, hcat([down, tile], 0.25).center_xy()], 0.2).center_xy()
    return _title(f"a {cols} x {rows} block", body)


def image_threadid(threads: int = 8, which: int = 3) -> Diagram:
    """A 1-D block with one thread outlined in papaya: the thread whose ``cuda.threadIdx.x`` is
    ``which``. Every thread runs the same code; the id is how each finds its own data."""
    threads = _check_size("image_threadid threads", threads)
    if not 0 <= which < threads:
        raise ValueError(f"image_threadid: which must be from 0 to {threads - 1}, got {which}")
    d = _block(0, threads, "", highlight=which)
    return _title(f"cuda.threadIdx.x = {which}", d)


def image_sharedmem(threads: int = 4) -> Diagram:
    """A block with its shared memory: one strip of ``threads`` cells (``cuda.shared.array``) that every
    thread of the block can read and write, and beside each thread its own local memory cell. Thread t
    writes shared cell t; after ``cuda.syncthreads()`` any thread may read any cell."""
    threads = _check_size("image_sharedmem threads", threads)
    cols = []
    for t in range(threads):
        local = cell(white, size=0.45).named(("local", t, 0))
        if t == 0:
            local = local + value_text("local", 0.24).translate(0, -0.45)
        cols.append(hcat([_thread(str(t)).named(("thread", 0, t)), local], 0.1))
    row = hcat(cols, 0.6).center_xy()
    shared = _caption("shared memory", _strip(threads, "shared", 0, size=0.9), 0.34)
    inner = vcat([row, shared], 1.1).center_xy()
    for t in range(threads):
        inner = inner.connect_outside(("thread", 0, t), ("shared", 0, t), arrow_opts(color=grey))
    env = inner.get_envelope()
    tile = drawing.box(env.width + 0.6, env.height + 0.6, _block_color(0), radius=0.2)
    body = (tile + inner.center_xy()).named(("block", 0))
    return _title("a block: each thread's local memory, and the block's shared memory", body)


def image_blockid(blocks: int = 3, threads: int = 4, which: tuple = (1, 2)) -> Diagram:
    """A grid of ``blocks`` 1-D blocks of ``threads`` threads; the thread ``which = (block, thread)`` is
    outlined, with its global position ``i = blockIdx.x * blockDim.x + threadIdx.x`` worked out."""
    blocks, threads = _check_size("image_blockid blocks", blocks), _check_size("image_blockid threads", threads)
    b, t = which
    if not (0 <= b < blocks and 0 <= t < threads):
        raise ValueError(f"image_blockid: which must be (block < {blocks}, thread < {threads}), got {which}")
    row = hcat([_block(k, threads, f"blockIdx.x = {k}", highlight=t if k == b else None) for k in range(blocks)],
               0.5).center_xy()
    sum_ = value_text(f"i = blockIdx.x * blockDim.x + threadIdx.x = {b} * {threads} + {t} = {b * threads + t}", 0.36)
    return vcat([row, sum_.center_xy()], 0.6).center_xy()


def image_map(size: int = 10, threads: int = 4) -> Diagram:
    """A map kernel, ``out[i] = fn(in[i])``: global memory ``in`` (top) and ``out`` (bottom), and
    between them enough blocks of ``threads`` threads to cover ``size`` positions, thread i under
    ``in[i]``. Thread ``i = blockIdx.x * blockDim.x + threadIdx.x`` reads ``in[i]`` and writes
    ``out[i]``; threads with ``i >= size`` are grey: the kernel's ``if i < size`` keeps them idle."""
    size, threads = _check_size("image_map size", size), _check_size("image_map threads", threads)
    blocks = -(-size // threads)
    parts: List[Diagram] = []
    for b in range(blocks):  # tiles side by side, one unit a thread, so thread i sits at x = i
        tile = drawing.box(threads * 1.0, 1.3, _block_color(b), radius=0.15)
        parts.append(tile.named(("block", b)).translate(b * threads + (threads - 1) / 2, 0.0))
        for t in range(threads):
            i = b * threads + t
            th = _thread(str(i), white if i < size else light_grey).scale(0.85)
            parts.append(th.named(("thread", b, t)).translate(i, 0.0))
    for i in range(size):
        for name, y in (("in", -2.4), ("out", 2.4)):
            c = cell(white).named((name, i)) + value_text(f"{name}[{i}]", 0.21)
            parts.append(c.translate(i, y))
    parts.append(value_text("in (global memory)", 0.36).translate((size - 1) / 2, -3.3))
    parts.append(value_text("out (global memory)", 0.36).translate((size - 1) / 2, 3.3))
    d = concat(parts)
    for i in range(size):
        b, t = divmod(i, threads)
        d = d.connect_outside(("in", i), ("thread", b, t), arrow_opts(color=grey))
        d = d.connect_outside(("thread", b, t), ("out", i), arrow_opts(color=black))
    return _title("map: thread i computes out[i] = fn(in[i])", d.center_xy())


# ---------------------------------------------------------------- Module 3 notebooks: reduction, 2-D grids, tiles
__all__ += ["image_reduce", "image_grid2d", "image_tiled_matmul"]


def image_reduce(values: Optional[List[float]] = None, size: int = 8) -> Diagram:
    """A block's shared-memory sum: ``size`` threads (a power of two) each copy one number into the
    shared strip; then at each step with stride ``s = size/2, size/4, ... 1`` thread ``t < s`` adds
    cell ``t + s`` into cell ``t`` (papaya: the threads at work; arrows: what they add), with a
    ``cuda.syncthreads()`` between steps. Cell 0 ends with the sum.

    ``values`` (default 1, 2, ..., size) are the numbers summed; every strip shows the partial sums
    a real run holds after that step. Shared cells are named ``("shared", step, k)``.
    """
    if values is None:
        size = _check_size("image_reduce size", size)
        values = [float(k + 1) for k in range(size)]
    values = [float(v) for v in values]
    size = len(values)
    if size < 2 or size & (size - 1):
        raise ValueError(f"image_reduce: the block size must be a power of two >= 2, got {size} values")
    cache = list(values)
    strips: List[Diagram] = []
    notes: List[str] = ["load: shared[t] = a[t]"]
    states = [list(cache)]
    active: List[List[int]] = [[]]
    s = size // 2
    while s > 0:
        for t in range(s):
            cache[t] = cache[t] + cache[t + s]
        states.append(list(cache))
        active.append(list(range(s)))
        who = "thread 0 adds" if s == 1 else f"threads 0..{s - 1} add"
        notes.append(f"s = {s}: {who} shared[t + {s}]")
        s //= 2
    for step, state in enumerate(states):
        cells = []
        for k in range(size):
            live = step == 0 or k < (size >> step)
            fill = white if live else light_grey
            c = cell(fill, _fmt_number(state[k]) if live else "", size=0.8)
            if step > 0 and k in active[step]:
                c = c + drawing.box(0.8, 0.8, white).fill_opacity(0).line_color(papaya).line_width(0.25)
            cells.append(c.named(("shared", step, k)))
        strip = hcat(cells).center_xy()
        strips.append(hcat([strip, value_text(notes[step], 0.28).center_xy()], 0.5))
    d = vcat(strips, 0.75)
    for step in range(1, len(states)):
        s = size >> step
        for t in range(s):
            d = d.connect_outside(("shared", step - 1, t + s), ("shared", step, t),
                                  arrow_opts(color=papaya))
    return _title(f"a shared-memory sum over one block of {size} threads", d.center_xy())


def _fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e6 else f"{v:.2f}"


def image_grid2d(rows: int = 6, cols: int = 8, block: tuple = (4, 3)) -> Diagram:
    """A 2-D launch over a ``rows`` x ``cols`` output: one thread per cell, blocks of
    ``block = (threads across, threads down)`` as coloured tiles. Block ``(bx, by)`` covers columns
    ``bx * block[0] ...`` and rows ``by * block[1] ...``; threads past the edge (grey) do nothing.
    Cells are named ``("out", i, j)`` (row i, column j), tiles ``("block", bx, by)``."""
    rows, cols = _check_size("image_grid2d rows", rows), _check_size("image_grid2d cols", cols)
    bw, bh = (_check_size("image_grid2d block", s) for s in block)
    gx, gy = -(-cols // bw), -(-rows // bh)
    sx, sy = 0.3, 0.6  # gaps between the tiles (the vertical one holds the tile's label)

    def at(i: int, j: int) -> tuple:  # where thread (row i, column j) is drawn
        return j + (j // bw) * sx, i + (i // bh) * sy

    parts: List[Diagram] = []
    for by in range(gy):
        for bx in range(gx):
            k = by * gx + bx
            x0, y0 = at(by * bh, bx * bw)
            x, y = x0 + (bw - 1) / 2, y0 + (bh - 1) / 2
            tile = drawing.box(bw, bh, _block_color(k), radius=0.12)
            parts.append(tile.named(("block", bx, by)).translate(x, y))
            parts.append(value_text(f"block ({bx}, {by})", 0.26).translate(x, y0 - 0.8))
    for i in range(gy * bh):
        for j in range(gx * bw):
            inside = i < rows and j < cols
            th = _thread("", white if inside else light_grey).scale(0.72)
            parts.append((th.named(("out", i, j)) if inside else th).translate(*at(i, j)))
    d = concat(parts)
    caption = (f"i = blockIdx.y * {bh} + threadIdx.y,  j = blockIdx.x * {bw} + threadIdx.x:  "
               f"{gx} x {gy} blocks of {bw} x {bh} threads")
    return _caption(caption, _title(f"a 2-D grid over a {rows} x {cols} output", d.center_xy()), 0.3)


def image_tiled_matmul(size: int = 6, tile: int = 3, block: tuple = (0, 0), step: int = 0) -> Diagram:
    """The shared-memory matrix multiply, ``out = a @ b`` for ``size`` x ``size`` matrices, in the
    classic layout (``a`` left of ``out``, ``b`` above it).

    The output is cut into ``tile`` x ``tile`` tiles, one block of threads each (coloured tiles).
    At step ``step`` the block ``block = (bx, by)`` (outlined) copies the tile of ``a`` in its rows
    and the tile of ``b`` in its columns at position ``step`` along k into shared memory (the two
    strips on the right), synchronises, and every thread adds ``tile`` products to its own sum.
    Cells are named ``("a", i, k)``, ``("b", k, j)``, ``("out", i, j)``, and the shared tiles
    ``("a_shared", r, c)``, ``("b_shared", r, c)``.
    """
    size, tile = _check_size("image_tiled_matmul size", size), _check_size("image_tiled_matmul tile", tile)
    tiles = -(-size // tile)
    bx, by = block
    if not (0 <= bx < tiles and 0 <= by < tiles):
        raise ValueError(f"image_tiled_matmul: block must be (bx, by) with each < {tiles}, got {block}")
    if not 0 <= step < tiles:
        raise ValueError(f"image_tiled_matmul: step must be from 0 to {tiles - 1}, got {step}")
    here = _block_color(by * tiles + bx)
    w = 0.62

    def grid(name: str, fill) -> Diagram:
        return vcat([hcat([cell(fill(i, j), size=w).named((name, i, j)) for j in range(size)])
                     for i in range(size)]).center_xy()

    def in_tile(i: int, j: int, ti: int, tj: int) -> bool:
        return i // tile == ti and j // tile == tj

    out = grid("out", lambda i, j: _block_color((i // tile) * tiles + j // tile))
    a = grid("a", lambda i, k: here if in_tile(i, k, by, step) else white)
    b = grid("b", lambda k, j: here if in_tile(k, j, step, bx) else white)
    span = size * w
    outline = drawing.box(tile * w, tile * w, white).fill_opacity(0).line_color(papaya).line_width(0.3)
    out = out + outline.translate((bx * tile + (tile - 1) / 2) * w - (span - w) / 2,
                                  (by * tile + (tile - 1) / 2) * w - (span - w) / 2)
    gap = 0.7
    a = drawing.label_below("a", a, gap=0.2, size=0.36).translate(-(span + gap), 0)
    b = hcat([b, value_text("b", 0.36).center_xy()], 0.25).translate(0, -(span + gap))
    picture = concat([out, a, b])

    def shared(name: str, label: str) -> Diagram:
        g = vcat([hcat([cell(here, size=w).named((name, r, c)) for c in range(tile)]) for r in range(tile)])
        return drawing.label_below(label, g.center_xy(), gap=0.2, size=0.3).center_xy()

    mem = vcat([shared("a_shared", "a tile in shared memory"), shared("b_shared", "b tile in shared memory")],
               0.5).center_xy()
    strip = drawing.box(mem.get_envelope().width + 0.5, mem.get_envelope().height + 0.5,
                        drawing._mix(here, white, 0.7), radius=0.15) + mem
    strip = drawing.label_above(f"shared memory of block ({bx}, {by})", strip, gap=0.2, size=0.3).center_xy()
    body = hcat([picture.center_xy(), strip], 1.0).center_xy()
    caption = (f"block ({bx}, {by}), k-step {step} (of 0..{tiles - 1}): copy a tile of a and a tile of b, "
               f"syncthreads, add {tile} products per thread")
    return _caption(caption, _title("tiled matrix multiply with shared memory", body), 0.3)
