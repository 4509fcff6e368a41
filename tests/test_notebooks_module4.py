"""Module 4's notebooks: what each must contain (the general conventions are checked for every notebook
by tests/test_notebooks.py, the outputs by strict nbval)."""

from __future__ import annotations

import pathlib
import re

import pytest

import notebook_cells
from notebook_cells import outputs_text, text

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULE4 = {
    "1-convolution": ["4.1", "4.2"],
    "2-pooling": ["4.3", "4.4"],
    "3-softmax": ["4.4"],
    "4-networks": ["4.5"],
    "5-text-and-playground": [],
}


def cells(name: str) -> list:
    return notebook_cells.cells(f"module4/{name}")


def pictures(cell: dict) -> int:
    return sum("image/svg+xml" in o.get("data", {}) for o in cell.get("outputs", []))


def test_every_module4_notebook_is_there() -> None:
    have = {p.stem for p in (ROOT / "notebooks" / "module4").glob("*.ipynb")}
    assert have == set(MODULE4)


@pytest.mark.parametrize("name", MODULE4)
def test_opens_with_what_you_will_learn_and_ends_with_questions(name: str) -> None:
    nb = cells(name)
    assert nb[0]["cell_type"] == "markdown" and "What you will learn" in text(nb[0])
    questions = [c for c in nb if "## Check yourself" in text(c)]
    assert questions and all(c["cell_type"] == "markdown" for c in questions)  # answers are not printed
    assert sum(pictures(c) for c in nb) >= 3, f"{name}: fewer than 3 pictures"


@pytest.mark.parametrize("name", [n for n, tasks in MODULE4.items() if tasks])
def test_each_task_has_tagged_cells_and_its_saved_check_passed(name: str) -> None:
    nb = cells(name)
    for task in MODULE4[name]:
        tagged = [c for c in nb if f"task-{task}" in c["metadata"].get("tags", [])]
        assert tagged, f"{name}: no cell tagged task-{task}"
        for cell in tagged:
            if f'check("{task}")' in text(cell):
                assert f"Task {task} " in outputs_text(cell) and ": pass" in outputs_text(cell)


def test_every_task_4_x_is_checked_somewhere() -> None:
    checked = {m for name in MODULE4 for c in cells(name) for m in re.findall(r'check\("(4\.\d)"\)', text(c))}
    assert checked == {"4.1", "4.2", "4.3", "4.4", "4.5"}


def test_the_convolution_pictures_are_all_there() -> None:
    nb = cells("1-convolution")
    for call in ["conv_diagram(", "unroll_diagram(", "channels_diagram(", 'wrt="weight"', "image_grid("]:
        drawn = [c for c in nb if call in text(c) and pictures(c)]
        assert drawn, f"no saved picture from {call}"
    backward = [c for c in nb if "conv_backward_diagram(" in text(c) and pictures(c)]
    assert len(backward) == 2  # the gradient of the input and of the weight


def test_pooling_is_drawn_forward_and_backward() -> None:
    nb = cells("2-pooling")
    drawn = [text(c) for c in nb if "pool_diagram(" in text(c) and pictures(c)]
    assert any('"avg"' in t and "backward=True" in t for t in drawn)
    assert any('"max"' in t and "backward=True" in t for t in drawn)
    assert any("tile_diagram(" in text(c) and pictures(c) for c in nb)


def test_logsoftmax_stability_is_shown_on_real_numbers() -> None:
    outs = "\n".join(outputs_text(c) for c in cells("3-softmax"))
    assert "textbook softmax   [[nan nan nan]]" in outs
    table = [line.split() for line in outs.splitlines() if re.match(r"\s*(1|10|100|1000|10000)\s+\S+\s+\S+$", line)]
    assert [row[0] for row in table] == ["1", "10", "100", "1000", "10000"]
    assert [row[1] == "nan" for row in table] == [False, False, False, True, True]
    assert all(row[2] != "nan" for row in table)
    assert all(row[1] == row[2] for row in table[:3])  # where the textbook formula works, both agree


def test_the_digits_network_learns_and_its_progress_bar_is_not_compared() -> None:
    nb = cells("4-networks")
    training = next(c for c in nb if "history = train(" in text(c))
    assert "# NBVAL_IGNORE_OUTPUT" in text(training) and "progress" not in text(training).split("train(")[1]
    lines = re.findall(r"epoch (\d)  loss ([\d.]+)  training accuracy ([\d.]+)  test accuracy ([\d.]+)",
                       "\n".join(outputs_text(c) for c in nb))
    assert len(lines) == 5
    losses = [float(x[1]) for x in lines]
    assert losses == sorted(losses, reverse=True) and float(lines[-1][3]) > 0.85
    for call in ["loss_curve(", "misclassified(", "image_grid("]:
        assert any(call in text(c) and pictures(c) for c in nb), f"no saved picture from {call}"


def test_the_text_model_and_the_playground() -> None:
    nb = cells("5-text-and-playground")
    found = re.findall(r"window of (\d) words?\s*: loss [\d.]+, test accuracy ([\d.]+)",
                       "\n".join(outputs_text(c) for c in nb))
    assert [w for w, _ in found] == ["1", "2"] and float(found[1][1]) > float(found[0][1])
    cell = next(c for c in nb if "playground(" in text(c) and "import" not in text(c))
    assert pictures(cell) == 1 and "<training playground: Xor" in outputs_text(cell)
