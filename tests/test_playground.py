"""The training playground: each control trains again and changes the picture; bad input gets a
message naming what is wrong (and hides the stale picture); the saved form is its first picture."""

from __future__ import annotations

import pytest

from autograd import datasets
from diagrams import to_svg
from diagrams.playground import MAX_EPOCHS, playground, train_points

# small settings: every change trains again
SMALL = dict(dataset="Xor", hidden=4, lr=0.5, epochs=10)


def svg(p) -> str:
    return bytes(p.picture.value).decode("utf-8")


@pytest.fixture
def play():
    return playground(**SMALL)


def test_first_picture_is_the_trained_network(play) -> None:
    model, data, history = train_points("Xor", 4, 0.5, 10)
    assert history.epochs == 10 and play.history.loss == history.loss  # seeded: the same training
    assert f"loss {history.loss[0]:.3f} \u2192 {history.loss[-1]:.3f}" in play.message.value
    assert "Xor: 4 hidden units, learning rate 0.5, 10 epochs" in play.message.value
    assert play.picture.layout.display is None and "<svg" in svg(play)


@pytest.mark.parametrize("control, value", [
    ("dataset_box", "Circle"), ("hidden_box", 9), ("lr_box", "2"), ("epochs_box", "25"),
])
def test_each_control_changes_the_picture(play, control: str, value) -> None:
    before = svg(play), play.message.value
    getattr(play, control).value = value
    assert svg(play) != before[0] and play.message.value != before[1]


def test_settings_reach_the_training(play) -> None:
    play.epochs_box.value = "12"
    assert play.history.epochs == 12
    play.dataset_box.value = "Split"
    assert play.message.value.startswith("Split: 4 hidden units")
    play.hidden_box.value = 7
    assert play.history.loss == train_points("Split", 7, 0.5, 12)[2].loss


@pytest.mark.parametrize("control, text, says", [
    ("lr_box", "fast", "learning rate 'fast': type a number"),
    ("lr_box", "0", "learning rate 0: must be between"),
    ("lr_box", "-1", "learning rate -1: must be between"),
    ("epochs_box", "2.5", "epochs '2.5': type a whole number"),
    ("epochs_box", "0", f"epochs 0: must be between 1 and {MAX_EPOCHS}"),
    ("epochs_box", str(MAX_EPOCHS + 1), "must be between 1 and"),
])
def test_bad_input_says_what_is_wrong_and_hides_the_picture(play, control: str, text: str, says: str) -> None:
    getattr(play, control).value = text
    assert says in play.message.value
    assert play.picture.layout.display == "none"
    getattr(play, control).value = "0.5" if control == "lr_box" else "10"  # fixed: the picture is back
    assert play.picture.layout.display is None and "<b>" not in play.message.value


def test_unknown_data_set_names_the_choices() -> None:
    with pytest.raises(ValueError, match="no data set 'Moons'.*Xor"):
        playground(dataset="Moons")
    assert set(playground(**SMALL).dataset_box.options) == set(datasets)


def test_saved_form_is_the_first_picture_and_short_text(play) -> None:
    bundle = play._repr_mimebundle_()
    assert bundle["text/plain"] == "<training playground: Xor, hidden 4, lr 0.5, 10 epochs>"
    assert bundle["image/svg+xml"] == svg(play) == to_svg(play.diagram)
    assert playground(**SMALL)._repr_mimebundle_()["image/svg+xml"] == bundle["image/svg+xml"]
