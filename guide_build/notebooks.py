"""The notebook of each executed page, for readers to run on their own versions.

A page's notebook is its executed notebook, made to run anywhere that has the
public packages the page imports (Keras, TensorFlow, ...), such as Colab:

* a first cell writes the ``keras_guide`` helpers the page imports, the data
  they read and the site's results for the page's claims into a folder of its
  own, and starts ``keras_guide.reader``: a claim that does not hold is reported
  (✘) instead of stopping the notebook;
* the prose is Jupyter's Markdown: a claim's ✔ links to its proof on the site,
  a number the build computed is named, not written (the cell that computes it
  prints it on the reader's machine; the build's machine may compute other
  digits), and links point at the site;
* a last cell shows every claim of the page, whether it held on the reader's
  versions, and what the site found on the nearest stack it ran.

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
from collections.abc import Callable
from pathlib import Path

import nbformat

from guide_build.inputs import execution_inputs, imported_helpers
from guide_build.pages import PAGES, ROOT, SNIPPETS, executed_pages, snippet_path
from keras_guide.registry import claims_in
from keras_guide.stacks import STACKS

PUBLISHED = ROOT / "notebooks"
# The folder the first cell writes into, beside the notebook; it holds the
# repository's layout (snippets/keras_guide, docs/_data), which the helpers expect.
FILES = "keras_guide_files"
HELPERS = SNIPPETS / "keras_guide"

GLUE = re.compile(
    r"\{glue:text\}`(?:(?P<doc>[\w.]+)\.md::)?(?P<key>[^`:]+)(?::(?P<fmt>[^`]*))?`"
)
CLAIM = re.compile(r"\{claim\}`(?P<id>[^`]+)`")
CLAIM_SCOPE = re.compile(r"\{claim-scope\}`(?P<id>[^`]+)`")
# {term}`text <target>`, {term}`text`, {ref}`text <label>`: their text; a
# {source}`path` of the repository, its path (the first cell writes the helpers).
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


def helper_files(page: str) -> dict[str, str]:
    """The files the first cell writes: the helpers the page and the reader's
    report import, and the data they read, by path under ``FILES``."""
    modules = {"__init__", "reader"}
    todo = {"reader"}
    while todo:
        module = todo.pop()
        new = imported_helpers(HELPERS / f"{module}.py") - modules
        modules |= new
        todo |= new
    paths = {HELPERS / f"{module}.py" for module in modules}
    paths |= set(execution_inputs(page))
    return {path.relative_to(ROOT).as_posix(): compact(path) for path in sorted(paths)}


def compact(path: Path) -> str:
    """A file's text; JSON without the spaces that indent it."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.dumps(json.loads(text), separators=(",", ":"))
    return text


def stack_keras(versions: dict[str, str]) -> str:
    """The version of the Keras a stack ran: Keras 3, or tf-keras on Keras 2's."""
    for distribution in ("keras", "keras-nightly", "tf-keras"):
        if distribution in versions:
            return versions[distribution]
    raise ValueError(f"no Keras in {versions}")


def site_results(page: str, results: dict[str, dict]) -> dict:
    """What the site found for the page's claims on every stack it ran."""
    claim_ids = [c.claim_id for c in claims_in(snippet_path(page))]
    return {
        "claims": claim_ids,
        "stacks": [
            {
                "id": stack_id,
                "label": result["label"],
                "keras": stack_keras(result["versions"]),
                "backend": STACKS[stack_id].backend,
                "versions": ", ".join(
                    f"{name} {version}" for name, version in result["versions"].items()
                ),
                "claims": {
                    claim_id: {"status": result["claims"][claim_id]["status"]}
                    for claim_id in claim_ids
                    if claim_id in result["claims"]
                },
            }
            for stack_id, result in results.items()
        ],
    }


def setup_cell(page: str, results: dict[str, dict]) -> nbformat.NotebookNode:
    files = helper_files(page)
    files[f"{HELPERS.relative_to(ROOT).as_posix()}/site_results.json"] = json.dumps(
        site_results(page, results), sort_keys=True
    )
    source = "\n".join(
        [
            "# Set-up: this page's helpers, written beside the notebook into",
            f"# {FILES}/. They measure and check; the Keras you would copy is in",
            "# the cells below. A claim that does not hold on your versions shows ✘,",
            "# and the last cell compares them all with what the site found.",
            "import os",
            "import sys",
            "from pathlib import Path",
            "",
            'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow, quiet',
            f"FILES = {files!r}",
            "for name, text in FILES.items():",
            f'    path = Path("{FILES}", name)',
            "    path.parent.mkdir(parents=True, exist_ok=True)",
            '    path.write_text(text, encoding="utf-8")',
            f'helpers = str(Path("{FILES}", "snippets").resolve())',
            "sys.path.insert(0, helpers)",
            "# The processes that a page starts find them too.",
            'os.environ["PYTHONPATH"] = os.pathsep.join(',
            '    [helpers, *filter(None, [os.environ.get("PYTHONPATH")])]',
            ")",
            "from keras_guide.reader import start_reading",
            "",
            "start_reading()",
        ]
    )
    cell = nbformat.v4.new_code_cell(source)
    # Collapsed in Jupyter and Colab: a reader opens it to read the helpers.
    cell.metadata = {"jupyter": {"source_hidden": True}, "cellView": "form"}
    return cell


def closing_cells() -> list[nbformat.NotebookNode]:
    return [
        nbformat.v4.new_markdown_cell(
            "## Your versions\n\n"
            "Every claim of this page: whether it held here, and what the site "
            "found on the Keras it ran that is nearest to yours."
        ),
        nbformat.v4.new_code_cell(
            "from keras_guide.reader import claims_table\n\nclaims_table()"
        ),
    ]


def published_notebook(
    executed: nbformat.NotebookNode,
    page: str,
    site: str,
    glued: Callable[[str, str, str], str],
    scope: Callable[[str], str],
    results: dict[str, dict],
) -> nbformat.NotebookNode:
    """The page's notebook for readers, with the build's outputs."""
    cells = [setup_cell(page, results)]
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
        cells.append(code)
    cells += closing_cells()
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
