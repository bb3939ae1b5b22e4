"""The notebook of each executed page, for readers to run on their own versions.

A page's notebook is its executed notebook, made to run anywhere that has the
public packages the page imports (Keras, TensorFlow, ...), such as Colab:

* a first cell installs this guide's helpers, the wheel of ``snippets/`` at the
  version of the build (it declares no dependency, so it leaves the reader's
  Keras, TensorFlow and NumPy alone), and starts ``keras_guide.reader``: a claim
  that does not hold is reported (✘) instead of stopping the notebook;
* each cell that measures the cell above (its ``claim`` and ``glue`` calls) is
  folded in Colab and Jupyter, titled with what it checks;
* the prose is Jupyter's Markdown: a claim's ✔ links to its proof on the site,
  a number the build computed is named, not written (the cell that computes it
  prints it on the reader's machine; the build's machine may compute other
  digits), and links point at the site;
* a last cell shows every claim of the page, whether it held on the reader's
  versions, and what the site found on the nearest stack it ran (the wheel
  carries the site's results).

The site offers each page's notebook with the build's outputs (its download
menu); ``notebooks/`` in the repository holds them without outputs, for Colab.
``python -m guide_build.notebooks`` copies them there from a build;
``tests/site/test_notebooks.py`` checks that they are current.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import nbformat

from guide_build.pages import PAGES, ROOT, SNIPPETS, executed_pages

PUBLISHED = ROOT / "notebooks"

GLUE = re.compile(
    r"\{glue:text\}`(?:(?P<doc>[\w.]+)\.md::)?(?P<key>[^`:]+)(?::(?P<fmt>[^`]*))?`"
)
CLAIM = re.compile(r"\{claim\}`(?P<id>[^`]+)`")
CLAIM_SCOPE = re.compile(r"\{claim-scope\}`(?P<id>[^`]+)`")
# {term}`text <target>`, {term}`text`, {ref}`text <label>`: their text; a
# {source}`path` of the repository, its path.
TERM = re.compile(r"\{(?:term|ref|source)\}`(?P<text>[^`<]+?)\s*(?:<[^`]*>)?`")
LINK = re.compile(r"\]\((?P<page>[\w]+)\.md(?P<anchor>#[\w-]+)?\)")
SAME_PAGE_LINK = re.compile(r"\]\((?P<anchor>#[\w-]+)\)")
TARGET = re.compile(r"^\([\w-]+\)=\n", re.M)
COLON_FENCE = re.compile(r"^:::.*\n", re.M)
DIRECTIVE = re.compile(
    r"^```\{(?P<name>[\w-]+)\} ?(?P<argument>[^\n]*)\n(?P<options>.*?)^```$",
    re.M | re.S,
)
PYOBJECT = re.compile(r":pyobject: (?P<name>\w+)")


def notebook_pages() -> list[str]:
    """The executed pages that prove claims; a page about this build (its status)
    has no notebook for readers.

    >>> "two_knobs" in notebook_pages(), "status" in notebook_pages()
    (True, False)
    """
    return [page for page in executed_pages() if PAGES[page].prefix]


def page_of_claim(claim_id: str) -> str:
    """The page that proves a claim, from its ID's prefix.

    >>> page_of_claim("FINETUNE-RECIPE-PORTABLE")
    'fine_tuning'
    """
    return next(
        page.name
        for page in PAGES.values()
        if page.prefix and claim_id.startswith(f"{page.prefix}-")
    )


def python_object(path: Path, name: str) -> str:
    """The source of a function or class defined at the top of a Python file."""
    text = path.read_text(encoding="utf-8")
    node = next(
        node for node in ast.parse(text).body if getattr(node, "name", None) == name
    )
    return ast.get_source_segment(text, node)


def directive_text(match: re.Match, page: str, site: str) -> str:
    """A directive of the page's Markdown, in Jupyter: the code a
    ``literalinclude`` of a helper shows, or a link to what the site shows."""
    included = PYOBJECT.search(match["options"])
    if match["name"] == "literalinclude" and included:
        code = python_object(ROOT / "docs" / match["argument"], included["name"])
        return f"```python\n{code}\n```"
    return f"[Shown on the site]({site}{page}.html)"


def jupyter_markdown(
    text: str,
    page: str,
    site: str,
    glued: Callable[[str, str, str], str],
    scope: Callable[[str], str],
) -> str:
    """A Markdown cell of a page, as Jupyter shows it: MyST's roles become text
    and links, and links to pages point at the site.

    >>> glued = lambda page, key, fmt: f"<{page}:{key}:{fmt}>"
    >>> jupyter_markdown(
    ...     "It held {claim}`KNOBS-DROPOUT-TRAINING`, {glue:text}`rate:.2f` of "
    ...     "{glue:text}`faq.md::runs`; see [Two knobs](two_knobs.md#a) and "
    ...     "[above](#b), {term}`training mode <mode>`.",
    ...     "faq", "https://site/", glued, lambda claim_id: "every stack",
    ... )
    'It held [✔](https://site/two_knobs.html#claim-KNOBS-DROPOUT-TRAINING), \
<faq:rate:.2f> of <faq:runs:>; see [Two knobs](https://site/two_knobs.html#a) \
and [above](https://site/faq.html#b), training mode.'
    """
    text = TARGET.sub("", COLON_FENCE.sub("", text))
    text = DIRECTIVE.sub(lambda m: directive_text(m, page, site), text)
    text = GLUE.sub(lambda m: glued(m["doc"] or page, m["key"], m["fmt"] or ""), text)
    text = CLAIM_SCOPE.sub(lambda m: scope(m["id"]), text)
    text = CLAIM.sub(
        lambda m: f"[✔]({site}{page_of_claim(m['id'])}.html#claim-{m['id']})", text
    )
    text = TERM.sub(lambda m: m["text"], text)
    text = LINK.sub(lambda m: f"]({site}{m['page']}.html{m['anchor'] or ''})", text)
    return SAME_PAGE_LINK.sub(lambda m: f"]({site}{page}.html{m['anchor']})", text)


def helpers_project() -> tuple[str, str]:
    """The helpers' wheel's name and version in this checkout
    (snippets/pyproject.toml).

    >>> helpers_project()
    ('keras-trainable-guide', '...')
    """
    text = (SNIPPETS / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    return project["name"], project["version"]


def helpers_requirement() -> str:
    """What a notebook's first cell installs: the helpers at that version."""
    return "==".join(helpers_project())


def setup_cell() -> nbformat.NotebookNode:
    source = "\n".join(
        [
            "# @title Install this guide's helpers (they measure and check)",
            "# No dependency: your Keras, TensorFlow and NumPy stay as they are.",
            f"%pip install -q --no-deps {helpers_requirement()}",
            "import os",
            "",
            'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow, quiet',
            "from keras_guide.reader import start_reading",
            "",
            "# A claim that does not hold on your versions shows ✘ and the notebook",
            "# goes on; the last cell compares them all with what the site found.",
            "start_reading()",
        ]
    )
    return nbformat.v4.new_code_cell(source)


def measuring_title(source: str) -> str:
    """The title of a folded cell that measures: the claims it checks.

    >>> measuring_title('claim("A-B", "One " "holds.", observed=1, expected=1)')
    'Checks: One holds.'
    >>> measuring_title('claim("A-B", "One.", observed=1, expected=1)\\n' * 2)
    'Checks 2 claims: One. …'
    >>> measuring_title('glue("rate", 0.5)')
    'Shows the numbers the text names'
    >>> measuring_title("from keras_guide.page import start_page")
    "The guide's helpers this page uses"
    """
    statements = [
        node.args[1].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "claim"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
    ]
    if len(statements) == 1:
        return f"Checks: {statements[0]}"
    if statements:
        return f"Checks {len(statements)} claims: {statements[0]} …"
    if "glue(" in source:
        return "Shows the numbers the text names"
    return "The guide's helpers this page uses"


def closing_cells(page: str) -> list[nbformat.NotebookNode]:
    return [
        nbformat.v4.new_markdown_cell(
            "## Your versions\n\n"
            "Every claim of this page: whether it held here, and what the site "
            "found on the Keras it ran that is nearest to yours."
        ),
        nbformat.v4.new_code_cell(
            "from keras_guide.reader import claims_table\n\n"
            f'claims_table("{PAGES[page].prefix}")'
        ),
    ]


def published_notebook(
    executed: nbformat.NotebookNode,
    page: str,
    site: str,
    glued: Callable[[str, str, str], str],
    scope: Callable[[str], str],
) -> nbformat.NotebookNode:
    """The page's notebook for readers, with the build's outputs."""
    cells = [setup_cell()]
    for cell in executed.cells:
        if cell.cell_type == "markdown":
            text = jupyter_markdown(cell.source, page, site, glued, scope)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        code = nbformat.v4.new_code_cell(cell.source)
        code.outputs = [
            output
            for output in cell.get("outputs", [])
            if "scrapbook" not in output.get("metadata", {})  # glued values
        ]
        if tags := cell.metadata.get("tags"):
            code.metadata["tags"] = tags
        if "measures" in cell.metadata:  # folded in Colab (a form) and Jupyter
            code.source = f"# @title {measuring_title(cell.source)}\n{cell.source}"
            code.metadata.update(cellView="form", jupyter={"source_hidden": True})
        cells.append(code)
    cells += closing_cells(page)
    for number, cell in enumerate(cells):  # stable IDs: the repository keeps them
        cell.id = f"cell-{number}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python"},
    }
    return notebook


def without_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    stripped = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in stripped.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return stripped


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    """A notebook as the repository keeps it: without outputs."""
    return nbformat.writes(without_outputs(notebook), version=4) + "\n"


def main(built: Path = ROOT / "docs" / "_build" / "html" / "_sources") -> None:
    """Copy every page's notebook from the last build into ``notebooks/``."""
    PUBLISHED.mkdir(exist_ok=True)
    for page in notebook_pages():
        notebook = nbformat.read(built / f"{page}.ipynb", as_version=4)
        (PUBLISHED / f"{page}.ipynb").write_text(
            notebook_text(notebook), encoding="utf-8"
        )
        print(f"notebooks/{page}.ipynb", file=sys.stderr)


if __name__ == "__main__":
    main()
