"""Conventions that keep the notebooks honest under nbval (the outputs themselves are checked by
`pytest --nbval notebooks`, which `make test` runs)."""

from __future__ import annotations

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
COURSE = ["module2/1-tensors", "module2/2-broadcasting", "module2/3-operations", "module2/4-autograd"]


def cells(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code_cells(path: pathlib.Path) -> list[dict]:
    return [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]


def test_every_course_page_has_its_notebook() -> None:
    have = {str(p.relative_to(ROOT / "notebooks").with_suffix("")) for p in NOTEBOOKS}
    assert set(COURSE) <= have


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_from_one_fresh_run_top_to_bottom(path: pathlib.Path) -> None:
    # nbval silently skips a code cell without a saved run; counts 1, 2, 3, ... show that
    # the notebook was run once, in order, from a fresh kernel.
    counts = [c["execution_count"] for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_slide_metadata(path: pathlib.Path) -> None:
    for i, cell in enumerate(cells(path)):
        slide_type = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"{path.name} cell {i}: slide_type {slide_type!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ignored_outputs_say_why(path: pathlib.Path) -> None:
    for cell in code_cells(path):
        lines = [line.strip() for line in source(cell).splitlines()]
        if "# NBVAL_IGNORE_OUTPUT" in lines:
            reasons = [line for line in lines if line.startswith("#") and "NBVAL" not in line]
            assert reasons and len(reasons[0].split()) >= 4, f"{path.name}: say why the output is ignored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_warnings_or_stray_errors_in_outputs(path: pathlib.Path) -> None:
    for cell in code_cells(path):
        expects_error = "# NBVAL_RAISES_EXCEPTION" in source(cell) and "raises-exception" in tags(cell)
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"{path.name}: stderr output {''.join(out['text'])[:200]}"
            if out["output_type"] == "error":
                assert expects_error, f"{path.name}: unexpected error {out['ename']}: {out['evalue']}"


def test_autograd_page_shows_the_seed_outputs() -> None:
    nb = cells(ROOT / "notebooks" / "module2" / "4-autograd.ipynb")
    texts = []
    svgs = 0
    for cell in nb:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts.append("".join(data.get("text/plain", "")))
            svgs += "image/svg+xml" in data
    for expected in ["(1.0, 1.0, 1.0)", "[1.00 1.00 1.00]", "(3,)"]:
        assert expected in texts, f"seed output {expected} missing"
    assert svgs >= 3


RAISES = "# NBVAL_RAISES_EXCEPTION"


def tags(cell: dict) -> list:
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_raising_cells_carry_the_tag_and_the_marker(path: pathlib.Path) -> None:
    # nbval reads the comment, JupyterLab's Run All the tag: with only one, either `make test` or Run All
    # stops at the first deliberate error.
    for i, cell in enumerate(code_cells(path)):
        marker = RAISES in [line.strip() for line in source(cell).splitlines()]
        tag = "raises-exception" in tags(cell)
        assert marker == tag, f"{path.name} code cell {i}: marker {marker}, tag {tag}: {source(cell)[:60]!r}"
        if tag:
            assert any(o["output_type"] == "error" for o in cell.get("outputs", [])), \
                f"{path.name} code cell {i} is marked as raising but its saved output has no error"


def _has_picture(cell: dict) -> bool:
    return any("image/svg+xml" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_long_drawing_code_is_hidden_on_slides(path: pathlib.Path) -> None:
    # A slide shows the picture, not the dozen lines that draw it (tools/build_slides.py drops the input
    # of cells tagged hide-input); a few lines that make the data stay visible.
    for i, cell in enumerate(code_cells(path)):
        if _has_picture(cell) and len(source(cell).strip().splitlines()) > 5:
            assert "hide-input" in tags(cell), f"{path.name} code cell {i}: tag the drawing code hide-input"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widgets_are_saved_as_static_pictures(path: pathlib.Path) -> None:
    # a saved widget view is a random model id that shows "model not found" without its kernel
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"]
    for cell in code_cells(path):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                assert "image/svg+xml" not in data, f"{path.name}: save the picture without the view"


def test_each_module2_explorer_is_used_in_its_notebook() -> None:
    used = {"1-tensors": "strides_explorer(", "2-broadcasting": "broadcast_explorer(",
            "4-autograd": "backprop_stepper("}
    for stem, call in used.items():
        cell = next((c for c in code_cells(ROOT / "notebooks" / "module2" / f"{stem}.ipynb") if call in source(c)),
                    None)
        assert cell is not None, f"{stem} does not use {call}"
        assert _has_picture(cell), f"{stem}: the {call} cell has no saved picture of its first state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_slides_are_1280_by_720_in_jupyterlab_too(path: pathlib.Path) -> None:
    rise = json.loads(path.read_text())["metadata"].get("rise", {})
    assert (rise.get("width"), rise.get("height")) == (1280, 720)
