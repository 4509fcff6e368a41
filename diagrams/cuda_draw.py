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
