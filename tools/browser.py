"""The course in a real browser: JupyterLab started from this checkout, driven by Playwright through
the system's Chromium (Debian's ``chromium``; Playwright's own browser download is not used).

Used by ``tests/test_browser.py`` and for the README's screenshot:

    python tools/browser.py screenshot docs/jupyterlab.png

`lab_server` starts JupyterLab as ``make lab`` does (after ``make trust``, which ``make lab`` runs
first) but on a free port, with no token, its own Jupyter config/data/runtime folders (so the
user's trust database and settings are not touched) and nothing that reaches the network (no news,
no update check). Notebooks are rendered whole (``windowingMode: none``) so every output is in the
page, not only those scrolled into view.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import socket
import subprocess
import sys
import shutil
import tempfile
import time
import urllib.request
from typing import Iterator, List, Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# --no-sandbox: CI runs as root; the rest: this machine's network is closed, so Chromium must not try
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-gpu"]


def course_notebooks() -> List[pathlib.Path]:
    return sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(playwright):
    """Chromium from the system, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def lab_server(notebook_dir: Optional[pathlib.Path] = None, trust: bool = True) -> Iterator[str]:
    """JupyterLab serving a copy of the course's notebooks (or ``notebook_dir`` itself); yields its
    base URL. ``trust`` runs ``jupyter trust`` on the course's notebooks first, as ``make lab`` does
    (trust is a signature of the content, so the copies are trusted with them)."""
    with tempfile.TemporaryDirectory(prefix="lab-") as tmp:
        home = pathlib.Path(tmp)
        if notebook_dir is None:
            notebook_dir = home / "notebooks"
            shutil.copytree(ROOT / "notebooks", notebook_dir)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_PLATFORM_DIRS="1")
        settings = home / "settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        news = home / "settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        docs = home / "settings" / "@jupyterlab" / "docmanager-extension"
        docs.mkdir(parents=True)  # a test's Run All must never be saved over the course's notebooks
        (docs / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
        if trust:  # exactly what `make lab` runs first (the venv is made already: make is quick)
            subprocess.run(["make", "-s", "trust"], cwd=str(ROOT), env=env, check=True, capture_output=True)
        port = free_port()
        log = open(home / "lab.log", "w")
        proc = subprocess.Popen(
            [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--notebook-dir={notebook_dir}", "--allow-root", "--IdentityProvider.token=",
             "--ServerApp.password=", f"--LabApp.user_settings_dir={home / 'settings'}",
             f"--LabApp.workspaces_dir={home / 'workspaces'}", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(notebook_dir))
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while True:
                try:
                    urllib.request.urlopen(url + "/api/status", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError("JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:])
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def open_notebook(page, url: str, rel: str) -> None:
    """Open ``rel`` (relative to the notebook folder) in a clean layout; wait for an idle kernel."""
    page.goto(f"{url}/lab/tree/{rel}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    wait_idle(page)


def wait_idle(page, timeout: float = 120_000) -> None:
    """Until the kernel has started and is idle (the status bar says "| Idle")."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)
    page.wait_for_function("() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')",
                           timeout=timeout)


def run_all(page, timeout: float = 300_000) -> None:
    """Run > Run All Cells, then wait until the kernel is idle with every code cell run."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    page.wait_for_function(
        """() => {
            const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent);
            return p.length && p.every(t => /\\[\\d+\\]/.test(t));
        }""", timeout=timeout)
    wait_idle(page, timeout)


def screenshot(target: str, rel: str = "module2/4-autograd.ipynb", cell_text: str = "backprop_step(out, 2)") -> None:
    """A picture of the course in JupyterLab for the README: ``rel`` open, scrolled to the cell
    holding ``cell_text``."""
    from playwright.sync_api import sync_playwright

    with lab_server() as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        open_notebook(page, url, rel)
        page.locator(".jp-CodeCell", has_text=cell_text).first.scroll_into_view_if_needed()
        page.locator(".jp-CodeCell", has_text=cell_text).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        page.screenshot(path=target)
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "screenshot":
        screenshot(sys.argv[2])
    else:
        raise SystemExit("usage: python tools/browser.py screenshot OUT.png")
