"""Fill each code cell that names a snippet section with that section's code.

A page writes an empty cell with the option ``:snippet: two_knobs#dense-weights``;
this extension puts the section ``# %% dense-weights`` of ``snippets/two_knobs.py``
into it before MyST-NB reads the page. The calls that end the section and
measure it (``claim``, ``glue``) go into a cell of their own below, its code
folded, with the option ``:measures: two_knobs#dense-weights``
(``guide_build.copyable``). So the code lives in one place, runs
outside Jupyter, and its text is part of the notebook that jupyter-cache hashes:
editing a snippet re-executes the pages that use it (``:load:`` alone does not,
executablebooks/MyST-NB#621). The snippet file is also registered as a
dependency, so that Sphinx reads the page again. The code's folder is the config
value ``snippet_folder`` (by default the repository's ``snippets/``).

A ``{snippet-block}`` directive shows sections of a page's code as one block
that a reader copies whole, such as the landing page's recipe; the tests run
each such block alone, in a new Python.

The page is parsed as MyST-NB parses it: the cells, their options and their
lines come from its Markdown parser, and the front matter from YAML. The other
files the page's execution reads (``guide_build.inputs``) are dependencies too,
and their digest goes into the kernelspec, which jupyter-cache also hashes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from markdown_it.renderer import RendererHTML
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from guide_build.copyable import joined_sections, measurement_split
from guide_build.inputs import execution_inputs, inputs_digest
from guide_build.pages import SNIPPETS, read_sections, snippet_path
from keras_guide.registry import ClaimSyntaxError, claims_in

logger = logging.getLogger(__name__)
CODE_CELL = "{code-cell}"


def top_level_tokens(text: str, config: MdParserConfig) -> list:
    """The page's block-level tokens, parsed as MyST-NB parses a notebook."""
    blocks_only = dataclasses.replace(config, disable_syntax=["inline"])
    return create_md_parser(blocks_only, RendererHTML).parse(text + "\n")


def fill_snippet_cells(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if not text.startswith("---"):
        return
    config = app.env.myst_config
    notebook = read_myst_markdown_notebook(text, config)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not any("snippet" in cell.metadata for cell in code_cells):
        return
    path = app.env.doc2path(docname)
    snippets = Path(app.config.snippet_folder)
    tokens = top_level_tokens(text, config)
    if "kernelspec" not in notebook.metadata or tokens[0].type != "front_matter":
        logger.warning(f"{path}: a page with snippet cells needs a kernelspec")
        return
    fences = [
        token
        for token in tokens
        if token.type == "fence"
        and token.level == 0
        and token.info.startswith(CODE_CELL)
    ]
    lines = text.splitlines(keepends=True)
    pages = set()
    for cell, fence in reversed(list(zip(code_cells, fences, strict=True))):
        if "snippet" not in cell.metadata:
            continue
        page, _, name = cell.metadata["snippet"].partition("#")
        where = f"{path}:{fence.map[0] + 1}: snippet {page}#{name}"
        if cell.source.strip():
            logger.warning(
                f"{where}: the cell must be empty, its code comes from the snippet"
            )
            continue
        snippet = snippet_path(page, snippets)
        if not snippet.is_file():
            logger.warning(f"{where}: no file {snippet}")
            continue
        sections = read_sections(snippet)
        if name not in sections:
            logger.warning(f"{where}: no section '# %% {name}' in {snippet.name}")
            continue
        pages.add(page)
        start, end = fence.map  # the opening and closing fence lines, end exclusive
        options = fence.content  # an empty cell's content is its options
        code, measurement = measurement_split(sections[name].code)
        cells = [lines[start], options, code, lines[end - 1]]
        if measurement:  # in a cell of its own, its code folded
            folded = f":measures: {page}#{name}\n:tags: [hide-input]\n"
            cells += ["\n", lines[start], folded, measurement]
            cells.append(lines[end - 1])
        lines[start:end] = cells

    if not pages:
        return
    for page in sorted(pages):
        try:  # the build reads every claim from the code before it runs
            claims_in(snippet_path(page, snippets))
        except ClaimSyntaxError as error:
            logger.warning(str(error))
        app.env.note_dependency(str(snippet_path(page, snippets)))
        for input_path in execution_inputs(page, snippets):
            app.env.note_dependency(str(input_path))
    front_matter = yaml.safe_load(tokens[0].content)
    digest = "-".join(inputs_digest(page, snippets) for page in sorted(pages))
    front_matter["kernelspec"]["execution_inputs"] = digest
    front_end = tokens[0].map[1]
    dumped = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    source[0] = "---\n" + dumped + "---\n" + "".join(lines[front_end:])


class SnippetBlock(SphinxDirective):
    """```{snippet-block} PAGE
    :sections: NAME NAME ...
    ```"""

    required_arguments = 1
    option_spec = {"sections": directives.unchanged_required}

    def run(self):
        page, names = self.arguments[0], self.options["sections"].split()
        snippets = Path(self.config.snippet_folder)
        sections = read_sections(snippet_path(page, snippets))
        missing = [name for name in names if name not in sections]
        if missing:
            raise self.error(f"no section {missing} in {page}.py")
        self.env.note_dependency(str(snippet_path(page, snippets)))
        code = joined_sections(page, names, snippets)
        return [nodes.literal_block(code, code, language="python")]


def setup(app):
    app.add_directive("snippet-block", SnippetBlock)
    # A folder as str: Sphinx pickles its config.
    app.add_config_value("snippet_folder", str(SNIPPETS), rebuild="env", types=[str])
    app.connect("source-read", fill_snippet_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
