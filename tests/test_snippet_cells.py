"""The extension that fills a page's cells from its code, in sandbox projects.

Each test writes a small Sphinx project in a temporary folder: a page, the code
its cells name (``snippets/demo.py``) and the ``keras_guide`` helpers that code
imports. It builds the project with MyST-NB and ``snippet_cells``, execution
off, and reads the notebook MyST-NB made of each page (``jupyter_execute/``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences

CONF = """\
from pathlib import Path

extensions = ["myst_nb", "snippet_cells"]
nb_execution_mode = "off"
snippet_folder = str(Path(__file__).parents[1] / "snippets")
"""
DEMO_CODE = """\
from keras_guide.shapes import square

# %% setup
x = square(3)

y = x + 1


# %% show
print(x, y)
"""
HELPERS = {
    "shapes.py": "from keras_guide.numbers import ONE\n\n\ndef square(n):\n"
    "    return n * n * ONE\n",
    "numbers.py": "ONE = 1\n",
    "unrelated.py": "ZERO = 0\n",
}
FRONT_MATTER = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---
"""


def cell(options: str, code: str = "") -> str:
    return f"```{{code-cell}} ipython3\n{options}{code}```\n"


PAGE = (
    FRONT_MATTER
    + "# Demo\n\n"
    + cell(":snippet: demo#setup\n")
    + "\nProse.\n\n"
    + cell("", "z = 0\n")
    + "\n"
    + cell(":snippet: demo#show\n:tags: [hide-output]\n")
)


def write_project(root: Path, pages: dict[str, str]) -> None:
    files = {
        "docs/conf.py": CONF,
        **{f"docs/{name}.md": text for name, text in pages.items()},
        "snippets/demo.py": DEMO_CODE,
        **{f"snippets/keras_guide/{name}": code for name, code in HELPERS.items()},
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def build(root: Path) -> tuple[SphinxTestApp, list[str]]:
    """Read every page afresh; the app, and its warnings one a line."""
    app = SphinxTestApp(
        "dummy", srcdir=root / "docs", builddir=root / "_build", freshenv=True
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app, strip_escape_sequences(app.warning.getvalue()).splitlines()


def notebook(root: Path, page: str) -> dict:
    """The notebook MyST-NB made of a page, as it would execute it."""
    path = root / "_build" / "jupyter_execute" / f"{page}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def kernelspec(root: Path, page: str) -> dict:
    return notebook(root, page)["metadata"].get("kernelspec", {})


def cells(root: Path, page: str) -> list[tuple[str, dict, str]]:
    return [
        (cell["cell_type"], cell["metadata"], "".join(cell["source"]))
        for cell in notebook(root, page)["cells"]
    ]


def test_each_cell_gets_exactly_its_sections_code(tmp_path):
    """Only cells that name a section change, each to that section's code; their
    options, the other cells and the prose stay as the page wrote them."""
    write_project(tmp_path, {"index": PAGE})
    _, warnings = build(tmp_path)
    assert warnings == []
    assert cells(tmp_path, "index") == [
        ("markdown", {}, "# Demo"),
        ("code", {"snippet": "demo#setup"}, "x = square(3)\n\ny = x + 1"),
        ("markdown", {}, "Prose."),
        ("code", {}, "z = 0"),
        ("code", {"snippet": "demo#show", "tags": ["hide-output"]}, "print(x, y)"),
    ]


def test_the_kernelspec_gets_the_digest_of_the_pages_inputs(tmp_path):
    """The kernelspec keeps what the page wrote and gains ``execution_inputs``."""
    write_project(tmp_path, {"index": PAGE})
    build(tmp_path)
    written = kernelspec(tmp_path, "index")
    digest = written.pop("execution_inputs")
    assert written == {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    assert len(digest) == 16
    assert set(digest) <= set("0123456789abcdef")


def test_the_page_depends_on_its_code_and_the_helpers_it_imports(tmp_path):
    """Sphinx reads the page again when its code or a helper it runs changes,
    a helper that a helper imports included, and not for any other helper."""
    write_project(tmp_path, {"index": PAGE})
    app, _ = build(tmp_path)
    assert {Path(path) for path in app.env.dependencies["index"]} == {
        tmp_path / "snippets" / "demo.py",
        tmp_path / "snippets" / "keras_guide" / "shapes.py",
        tmp_path / "snippets" / "keras_guide" / "numbers.py",
    }


@pytest.mark.parametrize(
    ("helper", "reexecutes"),
    [("shapes.py", True), ("numbers.py", True), ("unrelated.py", False)],
)
def test_editing_a_helper_changes_the_digest_of_the_pages_that_import_it(
    tmp_path, helper, reexecutes
):
    """jupyter-cache hashes the kernelspec: a new digest re-executes the page.
    ``demo.py`` imports ``shapes``, which imports ``numbers``."""
    write_project(tmp_path, {"index": PAGE})

    def digest() -> str:
        build(tmp_path)
        return kernelspec(tmp_path, "index")["execution_inputs"]

    before = digest()
    with (tmp_path / "snippets" / "keras_guide" / helper).open("a") as code:
        code.write("EDITED = True\n")
    assert (digest() != before) is reexecutes


NO_KERNELSPEC = "---\nfile_format: mystnb\n---\n"


def page_with(front_matter: str, options: str, code: str = "") -> str:
    return front_matter + "# A page\n\n" + cell(options, code)


PAGES_THAT_CANNOT_BE_FILLED = {
    "no_kernelspec": page_with(NO_KERNELSPEC, ":snippet: demo#show\n"),
    "not_empty": page_with(FRONT_MATTER, ":snippet: demo#show\n", "1\n"),
    "no_section": page_with(FRONT_MATTER, ":snippet: demo#nothing\n"),
    "no_file": page_with(FRONT_MATTER, ":snippet: nowhere#show\n"),
}


def test_a_page_that_cannot_be_filled_is_a_warning_and_stays_as_written(tmp_path):
    """No kernelspec, a cell with code of its own, a section or a file that is
    not there: each is a warning, and the page is left as it was written."""
    index = "```{toctree}\n" + "\n".join(PAGES_THAT_CANNOT_BE_FILLED) + "\n```\n"
    write_project(tmp_path, {"index": index, **PAGES_THAT_CANNOT_BE_FILLED})
    _, warnings = build(tmp_path)
    docs, snippets = tmp_path / "docs", tmp_path / "snippets"
    assert set(warnings) == {
        f"WARNING: {docs}/no_kernelspec.md: a page with snippet cells needs a "
        "kernelspec",
        f"WARNING: {docs}/not_empty.md:10: snippet demo#show: the cell must be "
        "empty, its code comes from the snippet",
        f"WARNING: {docs}/no_section.md:10: snippet demo#nothing: no section "
        "'# %% nothing' in demo.py",
        f"WARNING: {docs}/no_file.md:10: snippet nowhere#show: no file "
        f"{snippets}/nowhere.py",
    }
    for page in PAGES_THAT_CANNOT_BE_FILLED:
        assert "execution_inputs" not in kernelspec(tmp_path, page)
    assert cells(tmp_path, "not_empty")[1] == (
        "code",
        {"snippet": "demo#show"},
        "1",
    )
