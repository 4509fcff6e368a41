"""Module 0: Module and Parameter."""

import pytest

from autograd import Module, Parameter, Scalar


class Leaf(Module):
    def __init__(self):
        super().__init__()
        self.p3 = Parameter(3.0)
        self.add_parameter("p4", 4.0)


class Middle(Module):
    def __init__(self):
        super().__init__()
        self.p2 = Parameter(2.0)
        self.c = Leaf()


class Top(Module):
    def __init__(self):
        super().__init__()
        self.p1 = Parameter(1.0)
        self.a = Leaf()
        self.b = Middle()
        self.not_a_parameter = 10.0

    def forward(self, x):
        return x + self.p1.value


def test_named_parameters_use_dotted_paths():
    named = dict(Top().named_parameters())
    assert {k: p.value for k, p in named.items()} == {
        "p1": 1.0,
        "a.p3": 3.0,
        "a.p4": 4.0,
        "b.p2": 2.0,
        "b.c.p3": 3.0,
        "b.c.p4": 4.0,
    }


def test_own_parameters_come_before_the_childrens():
    names = [name for name, _ in Top().named_parameters()]
    assert names == ["p1", "a.p3", "a.p4", "b.p2", "b.c.p3", "b.c.p4"]


def test_parameters_lists_the_same_objects():
    top = Top()
    assert [id(p) for p in top.parameters()] == [id(p) for _, p in top.named_parameters()]
    assert all(isinstance(p, Parameter) for p in top.parameters())


def test_modules_are_the_direct_children():
    top = Top()
    assert top.modules() == [top.a, top.b]
    assert top.b.modules() == [top.b.c]
    assert top.a.modules() == []


def test_plain_attributes_are_not_parameters():
    top = Top()
    assert top.not_a_parameter == 10.0
    assert "not_a_parameter" not in dict(top.named_parameters())


def test_train_and_eval_reach_every_descendant():
    top = Top()
    everyone = [top, top.a, top.b, top.b.c]
    assert all(m.training for m in everyone)
    top.eval()
    assert not any(m.training for m in everyone)
    top.train()
    assert all(m.training for m in everyone)
    # Switching a subtree leaves the rest alone.
    top.b.eval()
    assert [m.training for m in everyone] == [True, True, False, False]


def test_call_runs_forward():
    assert Top()(5.0) == 6.0


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Leaf must define forward"):
        Leaf()(1.0)


def test_add_parameter_returns_the_named_parameter():
    m = Module()
    p = m.add_parameter("w", 2.5)
    assert isinstance(p, Parameter)
    assert p.name == "w" and p.value == 2.5
    assert m.w is p
    assert dict(m.named_parameters()) == {"w": p}


def test_add_parameter_refuses_a_dotted_name():
    with pytest.raises(ValueError, match="'a.b'"):
        Module().add_parameter("a.b", 1.0)


def test_reassigning_a_name_replaces_the_old_entry():
    top = Top()
    top.p1 = 5.0  # no longer a Parameter
    assert top.p1 == 5.0
    assert "p1" not in dict(top.named_parameters())
    top.a = Parameter(7.0)  # was a Module
    assert top.modules() == [top.b]
    assert dict(top.named_parameters())["a"].value == 7.0


def test_deleting_a_parameter_or_module_unregisters_it():
    top = Top()
    del top.p1
    del top.a
    assert [n for n, _ in top.named_parameters()] == ["b.p2", "b.c.p3", "b.c.p4"]
    with pytest.raises(AttributeError):
        top.p1


def test_missing_attribute_error_names_class_and_attribute():
    with pytest.raises(AttributeError, match="'Top' object has no attribute 'nope'"):
        Top().nope


def test_assigning_before_init_says_to_call_super_init():
    class Forgetful(Module):
        def __init__(self):
            self.w = Parameter(1.0)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_repr_nests_children_like_pytorch():
    assert repr(Top()) == (
        "Top(\n"
        "  p1\n"
        "  (a): Leaf(p3, p4)\n"
        "  (b): Middle(\n"
        "    p2\n"
        "    (c): Leaf(p3, p4)\n"
        "  )\n"
        ")"
    )
    assert repr(Module()) == "Module()"


# ## Parameter


def test_parameter_makes_a_scalar_a_named_leaf():
    x = Scalar(2.0, back=None)  # a constant: it would not receive a derivative
    p = Parameter(x, name="w")
    assert p.value is x
    assert x.is_leaf()
    assert x.name == "w"


def test_parameter_update_keeps_tracking_and_name():
    p = Parameter(Scalar(1.0), name="w")
    new = Scalar(5.0, back=None)
    p.update(new)
    assert p.value is new
    assert new.is_leaf() and new.name == "w"


def test_parameter_holds_plain_values_and_prints_them():
    p = Parameter(3.5)
    assert p.value == 3.5 and p.name is None
    assert repr(p) == "3.5" and str(p) == "3.5"
    assert repr(Parameter(Scalar(2.0))) == "Scalar(2.000000)"


def test_module_with_scalar_parameters_trains_by_backprop():
    class Line(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(Scalar(3.0))
            self.b = Parameter(Scalar(-1.0))

        def forward(self, x):
            return self.w.value * x + self.b.value

    line = Line()
    out = line(2.0)
    assert out.data == 5.0
    out.backward()
    grads = {name: p.value.derivative for name, p in line.named_parameters()}
    assert grads == {"w": 2.0, "b": 1.0}
