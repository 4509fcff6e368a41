"""The scalar half of the course (primer, Module 0, Module 1): what each notebook must contain.

The general conventions (execution counts, slide metadata, raising cells, hidden drawing code) are
checked for every notebook by tests/test_notebooks.py; the outputs themselves by nbval.
"""

from __future__ import annotations

import pathlib

import pytest

from notebook_cells import cells, outputs_text, text

ROOT = pathlib.Path(__file__).resolve().parents[1]
PART1 = {
    "primer/1-linear-models": [],
    "primer/2-loss-and-fitting": [],
    "primer/3-hidden-layer": [],
    "module0/1-operators": ["0.1", "0.2"],
    "module0/2-functional": ["0.3"],
    "module0/3-modules": ["0.4"],
    "module1/1-derivatives": ["1.1"],
    "module1/2-scalars": ["1.2"],
    "module1/3-chain-rule": ["1.3"],
    "module1/4-backpropagation": ["1.4"],
    "module1/5-training": ["1.5"],
}




@pytest.mark.parametrize("name", PART1)
def test_opens_with_what_you_will_learn(name: str) -> None:
    first = cells(name)[0]
    assert first["cell_type"] == "markdown" and "What you will learn" in text(first)


@pytest.mark.parametrize("name", PART1)
def test_has_pictures_and_a_check_yourself(name: str) -> None:
    nb = cells(name)
    pictures = sum("image/svg+xml" in o.get("data", {}) for c in nb for o in c.get("outputs", []))
    assert pictures >= 3, f"{name}: only {pictures} pictures"
    assert any(c["cell_type"] == "markdown" and "## Check yourself" in text(c) for c in nb)


@pytest.mark.parametrize("name", [n for n, tasks in PART1.items() if tasks])
def test_each_task_has_its_tagged_exercise_cell_and_it_passed(name: str) -> None:
    nb = cells(name)
    for task in PART1[name]:
        tagged = [c for c in nb if f"task-{task}" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1, f"{name}: {len(tagged)} cells tagged task-{task}"
        cell = tagged[0]
        if f'check("{task}")' in text(cell):
            assert f"Task {task} " in outputs_text(cell) and ": pass" in outputs_text(cell), \
                f"{name}: the saved check of task {task} did not pass"


def test_the_property_test_shows_its_shrunk_counter_example() -> None:
    # the textbook sigmoid overflows below about -709.78; hypothesis shrinks the failure to -710
    found = [outputs_text(c) for c in cells("module0/1-operators") if "test_sigmoid_between_0_and_1()" in text(c)]
    assert found and "OverflowError" in found[0] and "x=-710.0" in found[0]


def test_check_yourself_answers_are_not_printed_in_the_question_cell() -> None:
    # the questions are markdown: their answers come from cells the reader runs afterwards
    for name in PART1:
        for c in cells(name):
            if "Check yourself" in text(c):
                assert c["cell_type"] == "markdown", f"{name}: a check-yourself question in a code cell"


def test_readme_lists_every_part1_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in PART1:
        assert f"(notebooks/{name}.ipynb)" in readme, f"README's course table lacks {name}"
