"""Fill each ``{code-cell}`` that names a snippet section with that section's code.

A page writes an empty cell with the option ``:snippet: two_knobs#dense-weights``;
this extension replaces the empty body with the section ``# %% dense-weights`` of
``snippets/two_knobs.py`` before MyST-NB reads the page. So the code lives in
one place, runs as a plain script, and its text is part of the notebook that
jupyter-cache hashes: editing a snippet re-executes the pages that use it
(``:load:`` alone does not, executablebooks/MyST-NB#621). The snippet file is
also registered as a dependency so that Sphinx re-reads the page.

The other files that executing the page reads (the helpers it imports, its
claims, their data: ``execution_inputs``) are dependencies too, and their
hash goes into the page's kernelspec, which jupyter-cache also hashes: so
editing a helper re-executes exactly the pages that import it.
"""

from __future__ import annotations

import re

from keras_guide.sections import execution_inputs, inputs_digest, read_sections, snippet_path
from sphinx.util import logging

SNIPPET_CELL = re.compile(
    r"(?P<head>^```\{code-cell\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?"
    r":snippet: (?P<file>\w+)#(?P<section>[a-z0-9-]+)\n"
    r"(?::[\w-]+:[^\n]*\n)*)(?P<body>.*?)^```[ \t]*$",
    re.M | re.S,
)
KERNELSPEC = re.compile(r"\A(---\n(?:.*\n)*?kernelspec:\n)", re.M)

logger = logging.getLogger(__name__)


def fill_snippet_cells(app, docname: str, source: list[str]) -> None:
    def fill(match: re.Match) -> str:
        path = snippet_path(match["file"])
        where = f"{app.env.doc2path(docname)}: snippet {match['file']}#{match['section']}"
        if match["body"].strip():
            logger.warning(f"{where}: the cell must be empty, its code comes from the snippet")
        if not path.is_file():
            logger.warning(f"{where}: no file {path}")
            return match[0]
        app.env.note_dependency(str(path))
        sections = read_sections(path)
        if match["section"] not in sections:
            logger.warning(f"{where}: no section '# %% {match['section']}' in {path.name}")
            return match[0]
        return match["head"] + sections[match["section"]] + "```"

    source[0] = SNIPPET_CELL.sub(fill, source[0])
    pages = {match["file"] for match in SNIPPET_CELL.finditer(source[0])} - {""}
    pages = {page for page in pages if snippet_path(page).is_file()}
    for page in sorted(pages):
        for path in execution_inputs(page):
            app.env.note_dependency(str(path))
    if pages:
        digest = "-".join(inputs_digest(page) for page in sorted(pages))
        source[0] = KERNELSPEC.sub(rf"\1  execution_inputs: {digest}\n", source[0], count=1)


def setup(app):
    app.connect("source-read", fill_snippet_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
