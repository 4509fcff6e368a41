"""Module 0: ``Module`` and ``Parameter``, the containers every model is built from.

A ``Module`` holds ``Parameter``s (the numbers training changes) and other ``Module``s (its
children), each under an attribute name. Assigning ``self.w = Parameter(...)`` or
``self.layer = Linear(...)`` registers it, so ``named_parameters()`` can later list every
parameter of the whole tree with a dotted path such as ``"layer.w"``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple


class Parameter:
    """A value a Module trains: a Scalar, a Tensor, or a plain number.

    When the value supports it, ``Parameter`` switches on its gradient tracking
    (``value.requires_grad_(True)``) and gives it the parameter's name, so that graphs and
    error messages show ``"w"`` rather than an id.
    """

    def __init__(self, x: Any = None, name: Optional[str] = None) -> None:
        self.name = name
        self.value = x
        self._adopt(x)

    def update(self, x: Any) -> None:
        """Replace the value (as an optimizer step does), keeping name and gradient tracking."""
        self.value = x
        self._adopt(x)

    def _adopt(self, x: Any) -> None:
        if hasattr(x, "requires_grad_"):
            x.requires_grad_(True)
            if self.name:
                x.name = self.name

    def __repr__(self) -> str:
        return repr(self.value)

    def __str__(self) -> str:
        return str(self.value)


class Module:
    """Base class of every model: override ``forward``; call the module like a function.

    Attributes:
        training: True in training mode (the default), False after ``eval()``. Layers such
            as dropout read it. ``train()`` and ``eval()`` set it on the whole tree.

    Subclasses must call ``super().__init__()`` before assigning parameters or modules.
    """

    # Set in __init__ straight into __dict__ (see __setattr__); declared for readers and type checkers.
    _modules: Dict[str, "Module"]
    _parameters: Dict[str, Parameter]
    training: bool

    def __init__(self) -> None:
        self.__dict__["_modules"] = {}
        self.__dict__["_parameters"] = {}
        self.__dict__["training"] = True

    # ## The tree

    def modules(self) -> List["Module"]:
        """The direct children of this module, in the order they were assigned."""
        ### BEGIN SOLUTION task-0.4
        return list(self.__dict__["_modules"].values())
        ### END SOLUTION

    def _all_modules(self) -> List["Module"]:
        """This module and every descendant (depth first, parents before children)."""
        ### BEGIN SOLUTION task-0.4
        found: List[Module] = []
        stack = [self]
        while stack:
            m = stack.pop()
            found.append(m)
            # reversed, so that children come off the stack in assignment order
            stack.extend(reversed(m.modules()))
        return found
        ### END SOLUTION

    def train(self) -> None:
        """Put this module and all its descendants in training mode."""
        ### BEGIN SOLUTION task-0.4
        for m in self._all_modules():
            m.__dict__["training"] = True
        ### END SOLUTION

    def eval(self) -> None:
        """Put this module and all its descendants in evaluation mode."""
        ### BEGIN SOLUTION task-0.4
        for m in self._all_modules():
            m.__dict__["training"] = False
        ### END SOLUTION

    def named_parameters(self) -> Sequence[Tuple[str, Parameter]]:
        """Every parameter of the tree as ``(dotted_name, Parameter)``.

        This module's own parameters come first (``"p1"``), then each child's, prefixed by
        the child's attribute name (``"b.c.p3"`` is parameter ``p3`` of child ``c`` of
        child ``b``).
        """
        ### BEGIN SOLUTION task-0.4
        named: List[Tuple[str, Parameter]] = list(self.__dict__["_parameters"].items())
        for child_name, child in self.__dict__["_modules"].items():
            named.extend((f"{child_name}.{name}", p) for name, p in child.named_parameters())
        return named
        ### END SOLUTION

    def parameters(self) -> Sequence[Parameter]:
        """Every parameter of the tree, in the order of ``named_parameters()``."""
        ### BEGIN SOLUTION task-0.4
        return [p for _, p in self.named_parameters()]
        ### END SOLUTION

    def add_parameter(self, k: str, v: Any) -> Parameter:
        """Register value ``v`` as parameter ``k`` (named ``k``) and return the new Parameter."""
        if not isinstance(k, str) or not k.isidentifier():
            raise ValueError(f"a parameter name must be a Python identifier, got {k!r}")
        p = Parameter(v, k)
        self._register(k, p)
        return p

    # ## Attribute routing: Parameters and Modules go into their own dicts

    def _register(self, key: str, val: Any) -> None:
        """Store a Parameter or Module under ``key``, replacing whatever had that name."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {key!r} before Module.__init__() has run: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        self._forget(key)
        self.__dict__.pop(key, None)
        if isinstance(val, Parameter):
            self.__dict__["_parameters"][key] = val
        else:
            self.__dict__["_modules"][key] = val

    def _forget(self, key: str) -> None:
        # One name, one place: a new value under an old name must not leave the old one listed.
        for store in ("_parameters", "_modules"):
            d = self.__dict__.get(store)
            if d is not None:
                d.pop(key, None)

    def __setattr__(self, key: str, val: Any) -> None:
        if isinstance(val, (Parameter, Module)):
            self._register(key, val)
        else:
            self._forget(key)
            super().__setattr__(key, val)

    def __getattr__(self, key: str) -> Any:
        # Only called when normal lookup fails, i.e. for registered Parameters and Modules.
        # Read the dicts through __dict__: during unpickling or before __init__ they may not exist.
        for store in ("_parameters", "_modules"):
            d = self.__dict__.get(store)
            if d is not None and key in d:
                return d[key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def __delattr__(self, key: str) -> None:
        for store in ("_parameters", "_modules"):
            d = self.__dict__.get(store)
            if d is not None and key in d:
                del d[key]
                return
        super().__delattr__(key)

    # ## Running and printing

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of this module: override it in every subclass."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        """What to print inside the parentheses besides the children: here, own parameter names."""
        return ", ".join(self.__dict__["_parameters"])

    def __repr__(self) -> str:
        # As PyTorch prints modules: one "(name): Child(...)" line per child, indented by depth.
        lines = []
        extra = self.extra_repr()
        children = self.__dict__["_modules"]
        if not children:
            return f"{type(self).__name__}({extra})"
        if extra:
            lines.append(extra)
        for name, child in children.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {child_repr}")
        body = "".join(f"\n  {line}" for line in lines)
        return f"{type(self).__name__}({body}\n)"
