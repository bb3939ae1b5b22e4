"""Fixtures of the tests of the built site; what they read lives in ``site_files``.

These tests read what the build wrote and executed; they execute no page.
``nox -s tests`` builds the site first. The browser tests serve the built site
on localhost and open it in the distribution's Chromium (``chromium``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright
from site_files import HTML, SITE_PATH, built_pages, executed_pages

from guide_build.chromium import MISSING, find_chromium

CHROMIUM = find_chromium()  # nox installs it first where it can
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


@pytest.fixture(params=executed_pages())
def page(request) -> str:
    return request.param


@pytest.fixture(params=built_pages())
def built_page(request) -> str:
    return request.param


class DeployedSite(SimpleHTTPRequestHandler):
    """The built site as its host serves it: under SITE_PATH, and a missing
    page answered with the site's 404 page."""

    def translate_path(self, path: str) -> str:
        if not urlsplit(path).path.startswith(SITE_PATH):
            return str(HTML / "no such file")
        return super().translate_path("/" + path.removeprefix(SITE_PATH))

    def send_error(self, code, message=None, explain=None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        body = (HTML / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site() -> str:
    """The URL of the built site, served on localhost while the tests run."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(DeployedSite, directory=HTML)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}{SITE_PATH}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM, MISSING
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
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
    """Open a page of the site in a fresh browser context.

    Requests that leave localhost are blocked.
    """
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
        opened.page.on(
            "console",
            lambda message: (
                message.type == "error" and opened.console_errors.append(message.text)
            ),
        )
        opened.page.on(
            "pageerror", lambda error: opened.console_errors.append(str(error))
        )
        opened.page.on(
            "requestfailed",
            lambda request: opened.failed_requests.append(
                f"{request.url}: {request.failure}"
            ),
        )
        opened.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and opened.failed_requests.append(f"{response.url}: {response.status}")
            ),
        )
        opened.page.goto(site + path, wait_until="networkidle")
        return opened

    yield open_page
    for context in contexts:
        context.close()
