"""Module 1: the one backpropagation engine, shared by ``Scalar`` and ``Tensor``.

The engine knows nothing about numbers or arrays. It walks any graph whose nodes satisfy
the small ``Variable`` protocol below, so the same ~40 lines backpropagate a ``Scalar``
expression and a ``Tensor`` expression. Both walks are iterative (an explicit stack, no
recursion), so a chain of 20,000 operations is no problem.
"""

from __future__ import annotations

import contextlib
import itertools
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Protocol, Tuple

# ## Task 1.1: central differences


def central_difference(f: Callable[..., Any], *vals: Any, arg: int = 0, epsilon: float = 1e-6) -> float:
    r"""Approximate the derivative of ``f`` with respect to argument ``arg`` at ``vals``.

    f'_arg(vals) ~= (f(..., x + eps, ...) - f(..., x - eps, ...)) / (2 eps)
    """
    ### BEGIN SOLUTION task-1.1
    up = list(vals)
    down = list(vals)
    up[arg] = up[arg] + epsilon
    down[arg] = down[arg] - epsilon
    return (f(*up) - f(*down)) / (2.0 * epsilon)
    ### END SOLUTION


# ## The Variable protocol


class Variable(Protocol):
    """What the engine needs from a node of the computation graph."""

    def accumulate_derivative(self, x: Any) -> None:
        """Add ``x`` to this leaf's stored derivative."""

    @property
    def unique_id(self) -> int:
        """An id that is unique among all live variables."""

    def is_leaf(self) -> bool:
        """True for a variable created by the user (no Function made it)."""

    def is_constant(self) -> bool:
        """True for a variable that takes no derivative (no history at all)."""

    @property
    def parents(self) -> Iterable["Variable"]:
        """The inputs of the Function that made this variable."""

    def chain_rule(self, d_output: Any) -> Iterable[Tuple["Variable", Any]]:
        """Pairs (input, d_output * d self / d input) for each input."""


# Ids come from a counter, not from ``id()``: ids of freed objects get reused, and a
# counter also makes graphs print the same way in every run.
_ids = itertools.count(1)


def next_unique_id() -> int:
    """A fresh id for a new Scalar or Tensor."""
    return next(_ids)


# ## Task 1.4: topological sort and backpropagation


def topological_sort(variable: Variable, constants: bool = False) -> List[Variable]:
    """Every non-constant variable reachable from ``variable``, each after all nodes that use it.

    The first element is ``variable`` itself; leaves come late. Depth-first search with an
    explicit stack: a node is emitted once all of its parents have been emitted (post-order),
    and the post-order is then reversed. With ``constants=True`` the constants are listed too
    (the graph pictures draw them; backpropagation skips them).
    """
    ### BEGIN SOLUTION task-1.4
    order: List[Variable] = []
    visited = set()
    stack: List[Tuple[Variable, Iterator[Variable]]] = []

    def push(v: Variable) -> None:
        visited.add(v.unique_id)
        stack.append((v, iter(v.parents) if not v.is_leaf() else iter(())))

    if variable.is_constant() and not constants:
        return order
    push(variable)
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent.unique_id not in visited and (constants or not parent.is_constant()):
                push(parent)
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order
    ### END SOLUTION


class BackwardStep(NamedTuple):
    """One step of backpropagation: ``node`` has received its total ``derivative``; for a node
    made by a Function, ``sent`` holds the pairs (input, derivative) its ``chain_rule`` sent
    on (constants left out). ``pending``: what every node still waiting has received so far
    (a live view: it changes at the next step).

    A named tuple (read-only, like a frozen dataclass): one is made per node at every
    ``backward()``, and a tuple is made in a third of a frozen dataclass's time."""

    node: Variable
    derivative: Any
    sent: Tuple[Tuple[Variable, Any], ...]
    pending: Mapping[int, Any]


def backward_steps(variable: Variable, deriv: Any) -> Iterator[BackwardStep]:
    """Backpropagation from ``variable`` one node at a time, in ``topological_sort`` order.

    ``deriv`` is d(final output)/d(variable). Each step takes the next node's total derivative
    (derivatives of shared sub-expressions are summed before they are passed on, which is why
    the nodes are visited in topological order) and sends it through the node's
    ``chain_rule`` to its inputs. Nothing is stored on the leaves: ``backpropagate`` does that;
    the step-by-step pictures (``diagrams.backprop_step``) only look.
    """
    ### BEGIN SOLUTION task-1.4
    derivatives: Dict[int, Any] = {variable.unique_id: deriv}
    pending = MappingProxyType(derivatives)
    for node in topological_sort(variable):
        d = derivatives.pop(node.unique_id, None)
        if d is None:
            continue
        sent: List[Tuple[Variable, Any]] = []
        if not node.is_leaf():
            for parent, d_parent in node.chain_rule(d):
                if parent.is_constant():
                    continue
                key = parent.unique_id
                derivatives[key] = derivatives[key] + d_parent if key in derivatives else d_parent
                sent.append((parent, d_parent))
        yield BackwardStep(node, d, tuple(sent), pending)
    ### END SOLUTION


def backpropagate(variable: Variable, deriv: Any, retain_graph: bool = True) -> None:
    """Run the chain rule from ``variable`` back to the leaves (``backward_steps``): each leaf
    receives its total derivative through ``accumulate_derivative``.

    With ``retain_graph=False`` each node's saved values (its ``history.ctx``) are freed as soon
    as its backward has run: what a training step wants (PyTorch's default, and Tensor's).
    """
    for step in backward_steps(variable, deriv):
        node = step.node
        if not retain_graph:  # (a leaf has no ctx: nothing to free)
            ctx = getattr(getattr(node, "history", None), "ctx", None)
            if isinstance(ctx, Context):
                ctx.free()
        ### BEGIN SOLUTION task-1.4
        if node.is_leaf():
            node.accumulate_derivative(step.derivative)
        ### END SOLUTION


# ## Context: what a Function's forward leaves for its backward


class _EveryInput:
    """``needs_input_grad`` of a Context that no ``apply`` filled (forward and backward called
    by hand, as MiniTorch's tests do): every input is taken to want its gradient."""

    def __getitem__(self, index: int) -> bool:
        return True

    def __repr__(self) -> str:
        return "every input"


class Context:
    """Scratch space a Function's ``forward`` fills for its ``backward``.

    With ``no_grad=True`` nothing is kept: no backward will ever run. ``free()`` (called by a
    ``backward(retain_graph=False)`` once this node's backward has run) drops the saved values;
    reading them afterwards is a clear error instead of a wrong gradient.

    ``needs_input_grad`` (PyTorch's name): one bool per tensor input, True where that input
    wants a gradient (``Function.apply`` sets it). A backward may skip the work for the others
    and return None in their place, as ``Mul``'s does for a constant factor.
    """

    needs_input_grad: Any = _EveryInput()

    def __init__(self, no_grad: bool = False) -> None:
        self.no_grad = no_grad
        self._saved: Tuple[Any, ...] = ()
        self._freed = False

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for backward (they come back as ``saved_values``)."""
        if self.no_grad:
            return
        self._saved = values

    @property
    def saved_values(self) -> Tuple[Any, ...]:
        if self._freed:
            raise RuntimeError(
                "this part of the graph was freed by an earlier backward(): call backward(retain_graph=True) "
                "the first time to backpropagate through the same graph again"
            )
        return self._saved

    @saved_values.setter
    def saved_values(self, values: Tuple[Any, ...]) -> None:
        self._saved = tuple(values)

    @property
    def saved_tensors(self) -> Tuple[Any, ...]:
        """The same as ``saved_values`` (the name PyTorch users expect)."""
        return self.saved_values

    def free(self) -> None:
        """Drop the saved values (their memory can go); later reads raise RuntimeError."""
        self._saved = ()
        self._freed = True

    def __repr__(self) -> str:
        state = "freed" if self._freed else f"saved_values={self._saved!r}"
        return f"Context(no_grad={self.no_grad}, {state})"


# ## Switching gradient tracking off


_grad_enabled = True


def is_grad_enabled() -> bool:
    """False inside a ``with no_grad():`` block."""
    return _grad_enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, operations record no history (as ``torch.no_grad``)."""
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous
