"""The code a reader copies, apart from the code that measures it.

* ``measurement_split``: a section of a page's code ends with the calls that
  measure it (``claim`` and ``glue``; the first section, with the imports of the
  project's helpers and ``start_page()``); the build shows them in a cell of
  their own, folded, so that the cell above holds only what the section is about.
* ``joined_sections``: sections of a page's code in one block, such as the
  landing page's recipe (the ``{snippet-block}`` directive), which a reader
  pastes whole; ``snippet_blocks`` finds them in the prose, and each runs alone
  in a new Python (``guide_build.records``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from guide_build.sections import DOCS, SNIPPETS, read_sections, snippet_path

BLOCK = re.compile(
    r"^```\{snippet-block\} (?P<page>\w+)\n:sections: (?P<names>.+)$", re.M
)

# The project's calls that measure, and the one that starts a page.
MEASURES = {"claim", "glue", "start_page"}


def measures(statement: ast.stmt) -> bool:
    """A call of ``claim``, ``glue`` or ``start_page``, a loop that only makes such
    calls, or an import of the project's helpers."""
    if isinstance(statement, ast.For):
        return all(measures(inner) for inner in statement.body)
    if isinstance(statement, ast.ImportFrom):
        return (statement.module or "").split(".")[0] == "keras_guide"
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id in MEASURES
    )


def measurement_split(code: str) -> tuple[str, str]:
    """A section's code, and the measurement that ends it ("" if none, or if the
    section is nothing but measurement).

    >>> keras, measurement = measurement_split(
    ...     "x = 1\\nprint(x)\\n\\nglue('x', x)\\n"
    ...     "claim('A', 'S.', observed=x, expected=1)\\n"
    ... )
    >>> keras
    'x = 1\\nprint(x)\\n'
    >>> measurement
    "glue('x', x)\\nclaim('A', 'S.', observed=x, expected=1)\\n"
    >>> measurement_split("glue('x', 1)\\n")
    ("glue('x', 1)\\n", '')
    >>> keras, setup = measurement_split(
    ...     "import keras\\n\\nfrom keras_guide.page import start_page\\n"
    ...     "\\nstart_page()\\n"
    ... )
    >>> keras
    'import keras\\n'
    >>> setup
    'from keras_guide.page import start_page\\n\\nstart_page()\\n'
    """
    body = ast.parse(code).body
    first = len(body)
    while first > 0 and measures(body[first - 1]):
        first -= 1
    if first in (0, len(body)):
        return code, ""
    lines = code.splitlines(keepends=True)
    cut = body[first].lineno - 1
    return "".join(lines[:cut]).rstrip() + "\n", "".join(lines[cut:])


def joined_sections(page: str, names: list[str], snippets: Path = SNIPPETS) -> str:
    """Sections of a page's code, in the order named, as one block of code."""
    sections = read_sections(snippet_path(page, snippets))
    return "\n".join(sections[name].code for name in names)


def snippet_blocks(docs: Path = DOCS) -> list[tuple[str, str, list[str]]]:
    """Each ``{snippet-block}`` of the prose: the page that shows it, the page
    whose code it joins, and the sections it joins."""
    return [
        (path.stem, match["page"], match["names"].split())
        for path in sorted(docs.glob("*.md"))
        for match in BLOCK.finditer(path.read_text(encoding="utf-8"))
    ]
