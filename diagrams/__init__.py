"""Pictures for the course, drawn with chalk-diagrams.

``import diagrams`` (or any ``from diagrams... import``) also sets how every chalk diagram shows in a
notebook: one SVG plus the short text ``<Diagram W×H>``, identical in every run, drawn at a fixed scale
(45 px a cell; ``diagrams.set_scale(px)`` for all pictures, ``diagrams.sized(d, px)`` for one; see
diagrams.display).

Modules:
- drawing: palette (papaya, the teal -> papaya value ramp), ``latex`` math labels, arrows, layout;
- tensor_draw: ``matrix``, ``tensor``, ``left_arrow``/``right_arrow``, ``tensor_to_diagram``, strides,
  permute, view and broadcasting pictures;
- ops_draw: forward and backward data flow of each op family, and ``draw_op`` for any tensor Function;
- autodiff_draw: computation graphs of Scalar / Tensor expressions and step-by-step backprop;
- MiniTorch's ``mt_diagrams`` names (its course pages run with ``mt_diagrams`` -> ``diagrams``): show_expression
  (``make_graph``), plots (``plot_function``), mlprimer_draw (the ML primer), cuda_draw (threads, blocks, memory);
- probe: read a picture back by cell name (fill, text, position), for tests and self-checks;
- make_docs: ``python -m diagrams.make_docs docs/`` regenerates the README pictures.
"""

from diagrams import display as _display

_display.install()  # before anything below builds an arrow: arrow heads are made when an arrow is built

from diagrams.autodiff_draw import backprop_step, backprop_steps, graph_diagram  # noqa: E402
from diagrams.display import save_svg, set_scale, short_text, sized, to_svg  # noqa: E402
from diagrams.drawing import latex, papaya  # noqa: E402
from diagrams.ops_draw import draw_op  # noqa: E402
from diagrams import cuda_draw, mlprimer_draw, plots, show_expression  # noqa: E402,F401
from diagrams.plots import plot_function  # noqa: E402
from diagrams.show_expression import make_graph  # noqa: E402
from diagrams.tensor_draw import (  # noqa: E402
    broadcast_diagram,
    left_arrow,
    matrix,
    permute_diagram,
    right_arrow,
    strides_diagram,
    tensor,
    tensor_to_diagram,
    view_diagram,
)

__all__ = [
    "latex", "papaya", "matrix", "tensor", "left_arrow", "right_arrow", "tensor_to_diagram",
    "strides_diagram", "permute_diagram", "view_diagram", "broadcast_diagram", "draw_op",
    "graph_diagram", "backprop_step", "backprop_steps", "to_svg", "save_svg", "short_text",
    "sized", "set_scale", "make_graph", "plot_function",
]
