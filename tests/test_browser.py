"""The course as students and lecturers see it, in a real browser (``make test-browser``).

Playwright drives the system's Chromium (``/usr/bin/chromium``; `.ci/run` installs it with apt-get).
JupyterLab is started from this checkout as ``make lab`` starts it (the course's notebooks trusted
first), on a copy of the notebooks so that nothing a test runs is saved into the course:

- every saved SVG output is drawn as a picture (``.jp-RenderedSVG img``), none as bare text;
- Run All goes through every notebook, and only the cells tagged ``raises-exception`` show an error;
- each widget renders after Run All and changes its picture after one interaction;
- Chromium draws every saved picture as cairosvg (PDF/PNG converters) does: the same amount of ink;
- jupyterlab-rise presents a notebook inside Lab with no request leaving the Lab server;
- every slide deck built by ``make slides`` starts with all network requests blocked, shows its math
  typeset (no raw ``$``) and has no slide taller than the 1280 x 720 deck.

A failing test saves a screenshot under build/browser-failures/.
"""

from __future__ import annotations

import base64
import contextlib
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import browser as lab  # noqa: E402  (tools/browser.py: the lab server and Chromium launcher)

pytestmark = pytest.mark.browser
NOTEBOOKS = lab.course_notebooks()
SHOTS = ROOT / "build" / "browser-failures"
DECK_W, DECK_H = 1280, 720


def cells(path: pathlib.Path) -> list:
    return json.loads(path.read_text())["cells"]


def saved_svg_count(path: pathlib.Path) -> int:
    return sum("image/svg+xml" in out.get("data", {}) for c in cells(path) for out in c.get("outputs", []))


def tagged_raising(path: pathlib.Path) -> list:
    """Positions, among the code cells, of those tagged raises-exception."""
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    return [i for i, c in enumerate(code) if "raises-exception" in c.get("metadata", {}).get("tags", [])]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = lab.launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def lab_url():
    with lab.lab_server() as url:
        yield url


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "_failed", False)
    if failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    context.close()


@contextlib.contextmanager
def shot_on_failure(page, request):
    """Marks the test failed for the `page` fixture, which then saves the screenshot."""
    try:
        yield
    except BaseException:
        request.node._failed = True
        raise


# ---------------------------------------------------------------- JupyterLab
def _rel(path: pathlib.Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


def _picture_of(explorer) -> str:
    return explorer.locator(".widget-image").first.get_attribute("src") or ""


def _interact(page, explorer, kind: str) -> None:
    if kind == "backprop-stepper":
        explorer.locator("button", has_text="step").click()
    elif kind in ("strides-explorer", "training-playground"):  # another choice in the first drop-down
        select = explorer.locator("select").first
        options = select.locator("option").all_text_contents()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        select.select_option(label=next(o for o in options if o != current))
    elif kind == "broadcast-explorer":
        box = explorer.locator("input[type='text']").nth(1)
        box.fill("4, 1, 1")  # broadcasts with any 1- or 2-D first shape
        box.press("Enter")
    else:  # pragma: no cover - a new explorer needs its interaction here
        raise AssertionError(f"no interaction known for a {kind}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_in_jupyterlab(page, lab_url, path, request) -> None:
    with shot_on_failure(page, request):
        lab.open_notebook(page, lab_url, _rel(path))
        # 1. every saved picture is drawn: the notebook is trusted, as `make lab` leaves it
        expected = saved_svg_count(path)
        page.wait_for_function(f"() => document.querySelectorAll('.jp-RenderedSVG img').length >= {expected}",
                               timeout=30_000)
        imgs = page.locator(".jp-RenderedSVG img")
        assert imgs.count() == expected
        assert all(imgs.nth(k).evaluate("i => i.complete && i.naturalWidth > 0") for k in range(imgs.count()))
        assert page.locator("text=/^<Diagram /").count() == 0  # no picture shown as its text form
        # 2. Run All reaches the end; errors only in the tagged cells
        lab.run_all(page)
        code = page.locator(".jp-Notebook .jp-CodeCell")
        errors = [i for i in range(code.count())
                  if code.nth(i).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
                  .count()]
        assert errors == tagged_raising(path)
        # 3. each widget is live and answers one interaction with a new picture
        uses_widgets = any(m in "".join(c["source"]) for c in cells(path) for m in ("diagrams.widgets", "diagrams.playground"))
        explorers = page.locator(".diagrams-explorer")
        assert (explorers.count() > 0) == uses_widgets
        for k in range(explorers.count()):
            e = explorers.nth(k)
            e.scroll_into_view_if_needed()
            kind = e.evaluate("e => [...e.classList].find(c => c.startsWith('diagrams-') && c !== 'diagrams-explorer')")
            before = _picture_of(e)
            assert before.startswith("blob:") or before.startswith("data:"), f"{kind}: no picture"
            _interact(page, e, kind[len("diagrams-"):])
            page.wait_for_function("([e, b]) => e.querySelector('.widget-image').getAttribute('src') !== b",
                                   arg=[e.element_handle(), before], timeout=30_000)


# ---------------------------------------------------------------- pictures: Chromium vs cairosvg
def _ink(png: bytes) -> float:
    """Mean darkness of a picture on white (0 white .. 1 black): the same lines give the same ink in
    any renderer, however each one antialiases them."""
    import io

    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGBA")
    pagebg = Image.new("RGBA", im.size, "white")
    pagebg.alpha_composite(im)
    return float(1 - np.asarray(pagebg.convert("L"), dtype=float).mean() / 255)


def test_chromium_and_cairosvg_draw_every_saved_picture_alike(page, request) -> None:
    import cairosvg

    from test_svg_render import SVGS

    assert SVGS
    with shot_on_failure(page, request):
        for where, svg in SVGS:
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            page.set_content(f'<body style="margin:0;background:white"><img id="p" '
                             f'src="data:image/svg+xml;base64,{data}"></body>')
            page.wait_for_function("() => document.getElementById('p').complete")
            chrome = _ink(page.locator("#p").screenshot())
            cairo = _ink(cairosvg.svg2png(bytestring=svg.encode("utf-8")))
            assert abs(chrome - cairo) <= 0.01 + 0.15 * max(chrome, cairo), \
                f"{where}: Chromium ink {chrome:.3f}, cairosvg {cairo:.3f}"


# ---------------------------------------------------------------- slide decks
@pytest.fixture(scope="session")
def decks() -> list:
    out = ROOT / "build" / "slides"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_slides.py"), "--out", str(out),
                    *map(str, NOTEBOOKS)], check=True, capture_output=True)
    found = sorted(out.glob("*.html"))
    assert len(found) == len(NOTEBOOKS)
    return found


def _slides(page) -> list:
    """[(h, v)] of every slide (vertical ones under their horizontal slide)."""
    return page.evaluate("""() => Reveal.getHorizontalSlides().flatMap((h, i) => {
        const vs = h.querySelectorAll(':scope > section');
        return vs.length ? [...vs].map((_, j) => [i, j]) : [[i, 0]];
    })""")


def test_slide_decks_offline(page, decks, request) -> None:
    typeset = 0
    too_tall = []  # (deck, h, v, px, first words) over every deck: one run names them all
    with shot_on_failure(page, request):
        for deck in decks:
            asked = []

            def block(route):
                if route.request.url.startswith(("file:", "data:", "blob:")):
                    route.continue_()
                else:  # the network: refused, and remembered
                    asked.append(route.request.url)
                    route.abort()

            page.route("**/*", block)
            page.set_viewport_size({"width": DECK_W, "height": DECK_H})
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=20_000)
            assert asked == [], f"{deck.name} asked the network for {asked[:3]}"
            config = page.evaluate("() => [Reveal.getConfig().width, Reveal.getConfig().height]")
            assert config == [DECK_W, DECK_H]
            text = page.evaluate("() => [...document.querySelectorAll('.jp-MarkdownOutput')].map(e => e.innerText).join(' ')")
            assert "$" not in text, f"{deck.name}: raw math left: {text[text.index('$') - 40:text.index('$') + 40]!r}"
            typeset += page.locator("img.math").count()
            for h, v in _slides(page):
                page.evaluate(f"Reveal.slide({h}, {v}, 999)")  # every fragment shown: the fullest state
                height = page.evaluate("() => Reveal.getCurrentSlide().scrollHeight")
                broken = page.evaluate("() => [...Reveal.getCurrentSlide().querySelectorAll('img')]"
                                       ".filter(i => !(i.complete && i.naturalWidth > 0)).length")
                assert broken == 0, f"{deck.name} slide {h}/{v}: {broken} pictures did not load"
                if height > DECK_H:
                    words = page.evaluate("() => Reveal.getCurrentSlide().innerText.trim().slice(0, 50)")
                    too_tall.append((deck.name, h, v, height, words))
            page.unroute("**/*")
        assert too_tall == [], f"slides taller than {DECK_H} px (deck, h, v, px, text): {too_tall}"
        assert typeset > 0  # the course's markdown has math: it must have become pictures


def test_rise_presents_inside_jupyterlab_offline(page, lab_url, request) -> None:
    # jupyterlab-rise: Alt+R opens the notebook as reveal.js slides in a Lab panel. Nothing may come
    # from anywhere but the Lab server; the saved pictures carry the slides (widgets do not render there).
    path = ROOT / "notebooks" / "module2" / "4-autograd.ipynb"
    outside = []

    def block(route):
        if route.request.url.startswith((lab_url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with shot_on_failure(page, request):
        page.context.route("**/*", block)
        lab.open_notebook(page, lab_url, _rel(path))
        page.locator(".jp-Notebook").first.click()
        page.keyboard.press("Escape")  # command mode, where RISE's shortcut lives
        page.keyboard.press("Alt+r")
        frame = page.frame_locator("iframe[src*='/rise/']")
        frame.locator(".reveal .slides").wait_for(timeout=90_000)
        expected = saved_svg_count(path)
        page.wait_for_function(
            """n => [...document.querySelectorAll("iframe")].some(f => f.src.includes('/rise/') &&
                     f.contentDocument.querySelectorAll('.jp-RenderedSVG img').length >= n)""",
            arg=expected, timeout=90_000)
        assert outside == []
