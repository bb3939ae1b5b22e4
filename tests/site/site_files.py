"""What the build wrote, read for the tests: executed notebooks and HTML pages.

The tests read what ``nox -s docs`` built and executed; they never re-execute a
page in Jupyter. Claims and glued values are read from the executed notebooks,
where the cells left them as data.
"""

from __future__ import annotations

import json
import os
from functools import cache
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from guide_build.pages import DOCS, SNIPPETS, executed_pages
from keras_guide.claims import CLAIM_MIME

__all__ = ["DOCS", "SNIPPETS", "executed_pages"]

BUILD = DOCS / "_build"
HTML = BUILD / "html"
EXECUTED = BUILD / "jupyter_execute"
SCREENSHOTS = BUILD / "screenshots"
# The path the site is deployed under: "/" unless the build was for a deployed
# URL (GUIDE_SITE_URL, as GitHub Pages' workflow builds it: /<repository>/).
SITE_PATH = urlsplit(os.environ.get("GUIDE_SITE_URL", "")).path or "/"


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


def code_cells(page: str) -> list[dict]:
    cells = executed_notebook(page)["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def section_cells(page: str) -> dict[str, list[dict]]:
    """The code cells of each section of the page's code, by section: the cell
    of its Keras and, when it ends with measurement, the folded cell of that."""
    sections: dict[str, list[dict]] = {}
    for cell in code_cells(page):
        metadata = cell["metadata"]
        name = metadata.get("snippet") or metadata.get("measures")
        sections.setdefault(name, []).append(cell)
    return sections


def proved_claims(page: str) -> dict[str, dict]:
    """The claims the page's executed cells proved, from the data they left:
    ID -> {"id", "statement", "observed", "cell"} (cell: index among code cells)."""
    claims = {}
    for index, cell in enumerate(code_cells(page)):
        for output in cell["outputs"]:
            data = output.get("data", {}).get(CLAIM_MIME)
            if data is not None:
                claims[data["id"]] = {**data, "cell": index}
    return claims


def built_glue(page: str) -> dict[str, str]:
    """The values the build glued on a page, as the text it shows."""
    path = EXECUTED / f"{page}.glue.json"
    if not path.exists():
        return {}
    glued = json.loads(path.read_text(encoding="utf-8"))
    return {name: output["data"]["text/plain"] for name, output in glued.items()}
