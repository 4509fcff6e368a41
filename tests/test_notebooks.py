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
        expects_error = "# NBVAL_RAISES_EXCEPTION" in source(cell)
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
