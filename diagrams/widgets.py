"""Explorers for the Module 2 notebooks (ipywidgets): change an input, the picture follows.

- `strides_explorer()`: a shape, a permutation of its dims and an index; the picture shows the grid
  over its storage, the arrow from the index to the storage position it reads (both outlined) and
  the sum ``index · strides`` that finds it;
- `broadcast_explorer()`: two shapes; the picture is how they broadcast and the result shape, or the
  library's own error, which names both shapes;
- `backprop_stepper(out)`: one press of *step* = one node of the backward pass, in the engine's own
  order, each gradient drawn as it is accumulated (`diagrams.autodiff_draw.backprop_step`).

Pictures are drawn with ``diagrams`` and autograd's own rules (``Tensor.permute``,
``index_to_position``, ``shape_broadcast``, the engine's ``topological_sort``), never copies of them.

Saved notebooks. A widget's live view needs a running kernel; a saved notebook, nbconvert's slides
and nbval have none. So each explorer also displays as a static picture of its current state: its
output carries ``image/svg+xml`` (the picture as the cell first drew it) and a short, stable
``text/plain`` besides the widget view. ``tools/run_notebooks.py`` saves only those two, so the saved
notebook shows the first state as a picture everywhere, strict nbval compares that picture (it never
compares the random widget model ids), and running the cell in JupyterLab brings the live widget.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Callable, List, Optional, Tuple

import ipywidgets as w
from chalk import Diagram, rectangle, vcat

from diagrams import drawing
from diagrams.autodiff_draw import backprop_steps
from diagrams.display import to_svg
from diagrams.tensor_draw import broadcast_diagram, strides_diagram

__all__ = ["Explorer", "StridesExplorer", "BroadcastExplorer", "BackpropStepper",
           "strides_explorer", "broadcast_explorer", "backprop_stepper", "parse_shape"]

#: the most cells an explorer draws (a picture must stay readable on a slide)
MAX_CELLS = 24


def parse_shape(text: str, what: str = "shape") -> Tuple[int, ...]:
    """``"2, 3"`` (or ``"(2, 3)"``, ``"2 3"``) -> ``(2, 3)``; ValueError saying what is wrong."""
    cleaned = text.strip().strip("()[]").replace(",", " ").split()
    if not cleaned:
        raise ValueError(f"{what}: type sizes such as 2, 3")
    try:
        shape = tuple(int(s) for s in cleaned)
    except ValueError:
        raise ValueError(f"{what} {text.strip()!r}: sizes must be whole numbers, e.g. 2, 3") from None
    if any(n < 1 for n in shape):
        raise ValueError(f"{what} {shape}: every size must be at least 1")
    return shape


class Explorer(w.VBox):
    """A column of controls over a picture (an ``ipywidgets.Image`` holding the SVG) and a message line.

    Subclasses set up their controls and implement `draw`, which returns the chalk picture of the
    current state (or raises ValueError with a message for the reader). ``diagram`` is the picture now
    shown, ``message.value`` the text under it.
    """

    kind = "explorer"

    def __init__(self, controls: List[w.Widget]) -> None:
        self.picture = w.Image(format="svg+xml", layout=w.Layout(max_width="100%"))
        self.message = w.HTML()
        self.diagram: Optional[Diagram] = None
        super().__init__(controls + [self.picture, self.message])
        self.add_class("diagrams-explorer")
        self.add_class("diagrams-" + self.kind.replace(" ", "-"))  # e.g. diagrams-strides-explorer
        self.redraw()

    def draw(self) -> Tuple[Diagram, str]:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def redraw(self, *_: Any) -> None:
        """Draw the current state (called by every control's change)."""
        try:
            d, text = self.draw()
        except ValueError as exc:  # the reader typed something that has no picture: say why
            self.message.value = f"<b>{_escape(str(exc))}</b>"
            self.picture.layout.display = "none"
            return
        self.diagram = d
        self.picture.layout.display = None
        svg = to_svg(d)
        # the picture's own size (an <img> in a widget would otherwise stretch to the column's width)
        size = re.search(r'<svg [^>]*?\bwidth="(\d+)"', svg)
        self.picture.width = size.group(1) if size else ""
        self.picture.value = svg.encode("utf-8")
        self.message.value = _escape(text)

    def summary(self) -> str:
        return f"<{self.kind}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.summary()
        if self.diagram is not None:
            data["image/svg+xml"] = to_svg(self.diagram)
        return data


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _observe(widgets: List[w.Widget], fn: Callable[..., None]) -> None:
    for x in widgets:
        x.observe(fn, names="value")


# ---------------------------------------------------------------- strides
class StridesExplorer(Explorer):
    """Shape, permutation and index -> the storage position the index reads, and why."""

    kind = "strides explorer"

    def __init__(self, shape: Tuple[int, ...] = (2, 3), order: Optional[Tuple[int, ...]] = None,
                 index: Optional[Tuple[int, ...]] = None) -> None:
        self.shape_box = w.Text(value=", ".join(map(str, shape)), description="shape", continuous_update=False)
        self.order_box = w.Dropdown(description="permute")
        self.index_box = w.HBox()
        self._building = True
        self._set_shape(shape, order, index)
        self.shape_box.observe(self._shape_changed, names="value")
        self.order_box.observe(self._order_changed, names="value")
        self._building = False
        super().__init__([self.shape_box, self.order_box, self.index_box])

    def _set_shape(self, shape: Tuple[int, ...], order: Optional[Tuple[int, ...]] = None,
                   index: Optional[Tuple[int, ...]] = None) -> None:
        self.shape = shape
        orders = list(itertools.permutations(range(len(shape))))
        self.order_box.options = [(", ".join(map(str, o)), o) for o in orders]
        self.order_box.value = tuple(order) if order is not None else orders[0]
        self._make_index(index)

    def _view_shape(self) -> Tuple[int, ...]:
        return tuple(self.shape[k] for k in self.order_box.value)

    def _make_index(self, index: Optional[Tuple[int, ...]] = None) -> None:
        shape = self._view_shape()
        index = index or (0,) * len(shape)
        self.index_sliders = [w.IntSlider(value=min(i, n - 1), min=0, max=n - 1, description=f"index[{k}]",
                                          continuous_update=False)
                              for k, (i, n) in enumerate(zip(index, shape))]
        _observe(self.index_sliders, self.redraw)
        self.index_box.children = self.index_sliders

    def _shape_changed(self, change: dict) -> None:
        try:
            shape = parse_shape(change["new"])
            self._check(shape)
        except ValueError as exc:
            self.message.value = f"<b>{_escape(str(exc))}</b>"
            return
        self._building = True
        self._set_shape(shape)
        self._building = False
        self.redraw()

    def _order_changed(self, change: dict) -> None:
        if not self._building:
            self._make_index()
            self.redraw()

    @staticmethod
    def _check(shape: Tuple[int, ...]) -> None:
        size = 1
        for n in shape:
            size *= n
        if len(shape) > 3 or size > MAX_CELLS:
            raise ValueError(f"shape {shape}: the picture holds up to 3 dims and {MAX_CELLS} cells")

    def draw(self) -> Tuple[Diagram, str]:
        from autograd import index_to_position, tensor

        size = 1
        for n in self.shape:
            size *= n
        t = tensor([float(k) for k in range(size)], requires_grad=False).view(*self.shape)
        p = t.permute(*self.order_box.value)  # the library's own view: same storage, new strides
        idx = tuple(s.value for s in self.index_sliders)
        pos = index_to_position(idx, p.strides)
        d = strides_diagram(p, "t", arrows=[idx], digits=0)
        d = d + _outline(d, ("t", *idx)) + _outline(d, ("t", "storage", pos))
        terms = " + ".join(f"{i}\\cdot{s}" for i, s in zip(idx, p.strides))
        sum_text = f"$\\mathrm{{position}} = {terms} = {pos}$"
        d = vcat([d.center_xy(), drawing.latex(sum_text, 0.5).center_xy()], 0.6)
        return d, (f"t.permute{tuple(self.order_box.value)} has shape {p.shape} and strides {p.strides}: "
                   f"index {idx} reads storage position {pos}")

    def summary(self) -> str:
        return f"<strides explorer: shape {self.shape}>"


def _outline(d: Diagram, name: Any) -> Diagram:
    """A thick black frame over the cell called ``name`` in ``d`` (drawn on top, the same size as a cell)."""
    p = d.get_subdiagram(name).get_location()
    frame = rectangle(1, 1).line_color(drawing.black).line_width(0.3).fill_opacity(0)
    return frame.translate(float(p.x), float(p.y))


def strides_explorer(shape: Tuple[int, ...] = (2, 3), order: Optional[Tuple[int, ...]] = None,
                     index: Optional[Tuple[int, ...]] = None) -> StridesExplorer:
    """A `StridesExplorer` starting at ``shape`` (permuted by ``order``, at ``index``)."""
    return StridesExplorer(tuple(shape), order, index)


# ---------------------------------------------------------------- broadcasting
class BroadcastExplorer(Explorer):
    """Two shapes -> the shape they broadcast to, with its picture, or the error naming both."""

    kind = "broadcast explorer"

    def __init__(self, a: Tuple[int, ...] = (2, 3), b: Tuple[int, ...] = (3,)) -> None:
        self.a_box = w.Text(value=", ".join(map(str, a)), description="a", continuous_update=False)
        self.b_box = w.Text(value=", ".join(map(str, b)), description="b", continuous_update=False)
        super().__init__([w.HBox([self.a_box, self.b_box])])
        _observe([self.a_box, self.b_box], self.redraw)

    def draw(self) -> Tuple[Diagram, str]:
        from autograd import IndexingError, shape_broadcast

        a, b = parse_shape(self.a_box.value, "shape a"), parse_shape(self.b_box.value, "shape b")
        try:
            out = shape_broadcast(a, b)
        except IndexingError as exc:  # the library's own message names both shapes
            raise ValueError(str(exc)) from None
        return broadcast_diagram(a, b), f"{a} and {b} broadcast to {out}"

    def summary(self) -> str:
        return f"<broadcast explorer: {self.a_box.value!r} and {self.b_box.value!r}>"


def broadcast_explorer(a: Tuple[int, ...] = (2, 3), b: Tuple[int, ...] = (3,)) -> BroadcastExplorer:
    """A `BroadcastExplorer` starting with shapes ``a`` and ``b``."""
    return BroadcastExplorer(tuple(a), tuple(b))


# ---------------------------------------------------------------- backprop
class BackpropStepper(Explorer):
    """The backward pass from ``out``, one node per press of *step*; *reset* starts again.

    Step ``k`` is `diagrams.autodiff_draw.backprop_step` ``(out, k)``: the nodes in the engine's own
    topological order, finished gradients papaya, gradients accumulated so far light papaya.

    Every step's picture is drawn when the stepper is made: a notebook calls ``out.backward()``
    right after it, which frees the graph's saved values, and the buttons must keep working."""

    kind = "backprop stepper"

    def __init__(self, out: Any, d_out: Any = None) -> None:
        from autograd.autodiff import topological_sort

        self.out, self.d_out = out, d_out
        self.order = topological_sort(out)
        self.k = 0
        # all drawn now, before a backward() frees the graph's saved values (notebooks call it next)
        self.pictures = backprop_steps(out, d_out)
        self.messages = [self._message(k) for k in range(len(self.order) + 1)]
        self.step_button = w.Button(description="step", icon="step-forward")
        self.reset_button = w.Button(description="reset", icon="undo")
        self.step_button.on_click(self.step)
        self.reset_button.on_click(self.reset)
        super().__init__([w.HBox([self.step_button, self.reset_button])])

    @property
    def steps(self) -> int:
        return len(self.order)

    def step(self, *_: Any) -> None:
        """One node of the backward pass (nothing after the last)."""
        if self.k < self.steps:
            self.k += 1
            self.redraw()

    def reset(self, *_: Any) -> None:
        self.k = 0
        self.redraw()

    def draw(self) -> Tuple[Diagram, str]:
        self.step_button.disabled = self.k >= self.steps
        return self.pictures[self.k], self.messages[self.k]

    def _message(self, k: int) -> str:
        if k == 0:
            return f"{self.steps} steps: press step to send the gradient back through one node"
        node = self.order[k - 1]
        if node.is_leaf():
            return f"step {k} of {self.steps}: {_name(node)} stores its gradient"
        fn = node.history.last_fn
        return f"step {k} of {self.steps}: {_name(node)} sent its gradient back through " \
               f"{fn.__name__ if isinstance(fn, type) else type(fn).__name__}"

    def summary(self) -> str:
        return f"<backprop stepper: {self.steps} steps>"


def _name(v: Any) -> str:
    name = getattr(v, "name", None)
    # unnamed variables are named by their unique_id, a number that says nothing to the reader
    return name if isinstance(name, str) and name and name != str(v.unique_id) else "the result"


def backprop_stepper(out: Any, d_out: Any = None) -> BackpropStepper:
    """A `BackpropStepper` over the graph that made ``out``."""
    return BackpropStepper(out, d_out)
