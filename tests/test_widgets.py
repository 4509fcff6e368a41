"""The explorers of diagrams.widgets: each control changes the picture, bad input gets a message that
says what is wrong, and the saved form (static picture + short text) is the same in every run."""

from __future__ import annotations

import pytest

import diagrams
from autograd import index_to_position, shape_broadcast, tensor
from diagrams import widgets


def svg(e: widgets.Explorer) -> str:
    return bytes(e.picture.value).decode("utf-8")


def test_strides_explorer_reads_the_position_the_library_computes() -> None:
    e = widgets.strides_explorer((2, 3), (1, 0), (2, 1))
    p = tensor([float(k) for k in range(6)]).view(2, 3).permute(1, 0)
    assert p.strides == (1, 3)
    pos = index_to_position((2, 1), p.strides)
    assert f"index (2, 1) reads storage position {pos}" in e.message.value
    before = svg(e)
    e.index_sliders[1].value = 0
    assert "index (2, 0) reads storage position 2" in e.message.value
    assert svg(e) != before


def test_strides_explorer_new_shape_gives_new_permutations_and_index() -> None:
    e = widgets.strides_explorer()
    e.shape_box.value = "2, 2, 3"
    assert len(e.order_box.options) == 6 and len(e.index_sliders) == 3
    e.order_box.value = (2, 0, 1)
    assert [s.max for s in e.index_sliders] == [2, 1, 1]
    assert "strides (1, 6, 3)" in e.message.value


@pytest.mark.parametrize("text, says", [("x", "whole numbers"), ("2, 0", "at least 1"), ("5, 6", "24 cells")])
def test_strides_explorer_bad_shape_says_why_and_keeps_the_last_picture(text: str, says: str) -> None:
    e = widgets.strides_explorer()
    before = svg(e)
    e.shape_box.value = text
    assert says in e.message.value
    assert svg(e) == before and e.shape == (2, 3)


def test_broadcast_explorer_result_or_the_error_naming_both() -> None:
    b = widgets.broadcast_explorer((2, 3), (3,))
    assert "broadcast to (2, 3)" in b.message.value
    before = svg(b)
    b.b_box.value = "2, 1"
    assert f"broadcast to {shape_broadcast((2, 3), (2, 1))}" in b.message.value and svg(b) != before
    b.b_box.value = "2"
    assert "(2, 3)" in b.message.value and "(2,)" in b.message.value
    assert b.picture.layout.display == "none"
    b.b_box.value = "1, 3"
    assert b.picture.layout.display is None


def test_backprop_stepper_one_press_one_node() -> None:
    x, w = tensor([1.0, 2.0]), tensor([3.0, -1.0])
    x.name, w.name = "x", "w"
    out = (x * w).sum()
    s = widgets.backprop_stepper(out)
    pictures = [svg(s)]
    for _ in range(s.steps):
        s.step()
        pictures.append(svg(s))
    assert len(set(pictures)) == s.steps + 1  # every press drew a new state
    assert pictures[-1] == diagrams.to_svg(diagrams.backprop_step(out, s.steps))
    assert s.step_button.disabled and "x stores its gradient" in s.message.value
    s.step()  # past the end: nothing changes
    assert svg(s) == pictures[-1]
    s.reset()
    assert svg(s) == pictures[0] and not s.step_button.disabled


def test_backprop_stepper_keeps_stepping_after_backward_frees_the_graph() -> None:
    # the Auto-Grad notebook calls out.backward() in the next cell; Run All, then step, must still draw
    x, w = tensor([1.0, 2.0]), tensor([3.0, -1.0])
    out = (x * w).sum()
    s = widgets.backprop_stepper(out)
    expected = [diagrams.to_svg(diagrams.backprop_step(out, k)) for k in range(s.steps + 1)]
    out.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        diagrams.backprop_step(out, 1)  # the graph really is freed now
    for k in range(1, s.steps + 1):
        s.step()
        assert svg(s) == expected[k]
    assert s.message.value.startswith(f"step {s.steps} of {s.steps}")


def test_saved_form_is_the_first_state_picture_and_short_text() -> None:
    e = widgets.strides_explorer((2, 3))
    bundle = e._repr_mimebundle_()
    assert bundle["text/plain"] == "<strides explorer: shape (2, 3)>"
    assert bundle["image/svg+xml"] == svg(e)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert widgets.strides_explorer((2, 3))._repr_mimebundle_()["image/svg+xml"] == bundle["image/svg+xml"]
