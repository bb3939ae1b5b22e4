"""A stale page is worse than a slow build: a change to any file a page reads
re-executes that page (site/test_built_site.py checks that the build did).

jupyter-cache re-executes a page when its cells' code or its kernelspec change.
The cells hold the page's code; the extension ``snippet_cells`` writes into the
kernelspec a digest of every other file the execution reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from guide_build.inputs import execution_inputs, inputs_digest
from guide_build.pages import SNIPPETS

# Three pages and their helpers: "uses_a" imports helper a, "uses_b" imports b,
# which imports a and reads the matrix data; "plain" imports no helper.
TREE = {
    "uses_a.py": "from keras_guide.a import f\n",
    "uses_b.py": "import keras\nimport keras_guide.b\n",
    "plain.py": "import numpy\n",
    "keras_guide/a.py": "X = 1\n",
    "keras_guide/b.py": (
        "from keras_guide.a import X\nfrom keras_guide.matrix import R\n"
    ),
    "keras_guide/matrix.py": "R = 2\n",
    "keras_guide/unused.py": "Y = 3\n",
}


@pytest.fixture
def snippets(tmp_path) -> Path:
    for name, text in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    return tmp_path


def digests(snippets: Path) -> dict[str, str]:
    return {
        page: inputs_digest(page, snippets) for page in ("uses_a", "uses_b", "plain")
    }


@pytest.mark.parametrize(
    ("edited", "changed"),
    [
        ("keras_guide/a.py", {"uses_a", "uses_b"}),
        ("keras_guide/b.py", {"uses_b"}),
        ("keras_guide/matrix.py", {"uses_b"}),
        ("keras_guide/unused.py", set()),
        ("uses_a.py", set()),  # a page's own code is in its cells, not its inputs
    ],
)
def test_editing_a_file_changes_the_digest_of_exactly_the_pages_that_read_it(
    snippets, edited, changed
):
    before = digests(snippets)
    with (snippets / edited).open("a") as stream:
        stream.write("# an edit\n")
    after = digests(snippets)
    assert {page for page in before if before[page] != after[page]} == changed


def test_helpers_imported_through_other_helpers_count(snippets):
    names = [path.name for path in execution_inputs("uses_b", snippets)]
    assert names[:3] == ["a.py", "b.py", "matrix.py"]


def test_no_page_imports_the_build_tooling():
    """Page code imports keras_guide only: editing guide_build re-executes no page."""
    code = [*SNIPPETS.glob("*.py"), *(SNIPPETS / "keras_guide").glob("*.py")]
    importing = [path.name for path in code if "guide_build" in imported_modules(path)]
    assert importing == []


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.partition(".")[0])
        elif isinstance(node, ast.Import):
            modules |= {alias.name.partition(".")[0] for alias in node.names}
    return modules
