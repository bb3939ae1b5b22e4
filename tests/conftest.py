"""Shared paths and readers for the tests.

The site tests read what ``nox -s docs`` built and executed; they never
re-execute a page. ``nox -s tests`` runs the docs session first.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
EXECUTED = BUILD / "jupyter_execute"

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
