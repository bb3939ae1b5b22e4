"""Shared paths, readers and fixtures for the tests.

The site tests read what ``nox -s docs`` built and executed; they never
re-execute a page. ``nox -s tests`` runs the docs session first. The browser
tests serve the built site on localhost and open it in Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
EXECUTED = BUILD / "jupyter_execute"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# What Chromium needs to run headless as root, without calling home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sys.path.insert(0, str(DOCS / "_ext"))


def notebook_pages() -> list[str]:
    """The pages that are notebooks, executed at build time."""
    return sorted(
        path.stem
        for path in DOCS.glob("*.md")
        if re.search(r"^file_format: mystnb$", path.read_text(encoding="utf-8"), re.M)
    )


def all_pages() -> list[str]:
    return sorted(path.stem for path in DOCS.glob("*.md"))


def built_pages() -> list[str]:
    """Every HTML page of the built site, as its path without ``.html``."""
    return sorted(
        path.relative_to(HTML).with_suffix("").as_posix()
        for path in HTML.rglob("*.html")
        if not path.relative_to(HTML).parts[0].startswith("_")
    )


@cache
def executed_notebook(page: str) -> dict:
    path = EXECUTED / f"{page}.ipynb"
    assert path.is_file(), f"{path} is missing: build the site first (nox -s docs)"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def built_html(page: str) -> BeautifulSoup:
    path = HTML / f"{page}.html"
    assert path.is_file(), f"{path} is missing: build the site first (nox -s docs)"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def claims_on_page(page: str) -> dict[str, str]:
    return {div["data-claim-id"]: div["data-claim-status"] for div in built_html(page).select("div.claim")}


def code_cells(page: str) -> list[dict]:
    return [cell for cell in executed_notebook(page)["cells"] if cell["cell_type"] == "code"]


def run_snippet(name: str, *, prelude: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``snippets/<name>.py`` as a plain script, after ``prelude``, in a fresh interpreter."""
    script = f"{prelude}\nimport runpy\nrunpy.run_path({str(SNIPPETS / f'{name}.py')!r}, run_name='__main__')\n"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg", **(env or {})},
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(params=notebook_pages())
def page(request) -> str:
    return request.param


@pytest.fixture(params=built_pages())
def built_page(request) -> str:
    return request.param


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site() -> str:
    """The URL of the built site, served on localhost while the tests run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=HTML))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page opened in the browser, and what went wrong while it loaded."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser, site):
    """Open a page of the site in a fresh browser context; requests that leave localhost are blocked."""
    contexts = []

    def open_page(path: str, **context_options) -> Visit:
        context = browser.new_context(**context_options)
        contexts.append(context)
        opened = Visit(context.new_page())

        def only_localhost(route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                opened.outside_requests.append(route.request.url)
                route.abort()

        context.route("**/*", only_localhost)
        opened.page.on("console", lambda message: message.type == "error" and opened.console_errors.append(message.text))
        opened.page.on("pageerror", lambda error: opened.console_errors.append(str(error)))
        opened.page.on("requestfailed", lambda request: opened.failed_requests.append(f"{request.url}: {request.failure}"))
        opened.page.on("response", lambda response: response.status >= 400 and opened.failed_requests.append(f"{response.url}: {response.status}"))
        opened.page.goto(site + path, wait_until="networkidle")
        return opened

    yield open_page
    for context in contexts:
        context.close()
