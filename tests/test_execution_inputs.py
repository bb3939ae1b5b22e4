"""A stale page is worse than a slow build: every page the build shows was executed
with today's code, and a change to any file a page reads re-executes that page.

jupyter-cache re-executes a page when its cells' code or its kernelspec change.
The cells hold the page's snippet; the extension ``snippet_cells`` writes into
the kernelspec a digest of every other file the execution reads
(``execution_inputs``). These tests check both halves.
"""

from __future__ import annotations

import shutil

import pytest

import keras_guide.sections as sections
from conftest import SNIPPETS, code_cells, executed_notebook, notebook_pages
from keras_guide.sections import execution_inputs, inputs_digest, read_sections, snippet_path


def test_each_built_page_ran_with_the_current_inputs(page):
    kernelspec = executed_notebook(page)["metadata"]["kernelspec"]
    assert kernelspec["execution_inputs"] == inputs_digest(page), (
        f"{page} was executed with other versions of {[p.name for p in execution_inputs(page)]}"
    )
    built = ["".join(cell["source"]).strip() for cell in code_cells(page)]
    assert built == [code.strip() for code in read_sections(snippet_path(page)).values()]


@pytest.fixture
def snippets_copy(tmp_path, monkeypatch):
    """A copy of snippets/ that the digests read instead of the real one."""
    copy = tmp_path / "snippets"
    shutil.copytree(SNIPPETS, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    monkeypatch.setattr(sections, "SNIPPETS", copy)
    monkeypatch.setattr(sections, "HELPERS", copy / "keras_guide")
    return copy


def importers(module: str) -> set[str]:
    return {
        page
        for page in notebook_pages()
        if f"{module}.py" in {path.name for path in execution_inputs(page)}
    }


@pytest.mark.parametrize("module", ["weights", "backends", "claims", "matrix"])
def test_editing_a_helper_changes_the_digest_of_exactly_the_pages_that_import_it(
    module, snippets_copy
):
    before = {page: inputs_digest(page) for page in notebook_pages()}
    with (snippets_copy / "keras_guide" / f"{module}.py").open("a") as stream:
        stream.write("\n# an edit\n")
    changed = {page for page in notebook_pages() if inputs_digest(page) != before[page]}
    assert changed == importers(module) != set()
    assert changed != set(notebook_pages()) or module == "claims"


def test_editing_a_pages_claims_changes_only_that_pages_digest(snippets_copy):
    before = {page: inputs_digest(page) for page in notebook_pages()}
    with (snippets_copy / "claims" / "two_knobs.toml").open("a") as stream:
        stream.write("\n# an edit\n")
    changed = {page for page in notebook_pages() if inputs_digest(page) != before[page]}
    assert changed == {"two_knobs"}


def test_helpers_imported_through_other_helpers_count():
    # The status page imports keras_guide.page, which imports keras_guide.claims.
    assert "keras_guide.claims" not in snippet_path("status").read_text()
    assert "claims.py" in {path.name for path in execution_inputs("status")}
