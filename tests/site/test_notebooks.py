"""Every page's notebook runs where readers run it, with public packages alone.

``notebooks/`` holds what Colab opens: each page's notebook as the last build
made it (``python -m guide_build.notebooks`` copies them after a build). Each
runs with nbclient in an environment of public packages alone: those of the
tests' environment (the site's pins), without this project's install, with
nothing of the repository on its path, in a folder outside it
(``.nox/notebooks``).
Every claim holds there; with a change of Keras's behaviour planted before a
page's cells, the notebook goes on and its closing table names the claim.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from site_files import HTML
from test_mutations import DROPOUT_ALWAYS_DROPS

from guide_build.notebooks import PUBLISHED, notebook_pages, notebook_text
from guide_build.pages import ROOT
from guide_build.venvs import without_the_project

PUBLIC = ROOT / ".nox" / "notebooks"
SUMMARY = re.compile(
    r"Of (?P<claims>\d+) claims, (?P<hold>\d+) hold here, (?P<differ>\d+) differ, "
    r"(?P<not_run>\d+) did not run\."
)
EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=900, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[1])
"""
# Where the environment's kernel looks: none of the repository's folders.
CLEAN = {
    name: value
    for name, value in os.environ.items()
    if name not in ("PYTHONPATH", "IPYTHONDIR", "VIRTUAL_ENV")
}


def published(page: str) -> Path:
    return PUBLISHED / f"{page}.ipynb"


@pytest.fixture(params=notebook_pages())
def page(request) -> str:
    return request.param


def test_the_repository_has_exactly_the_pages_notebooks():
    assert sorted(path.stem for path in PUBLISHED.glob("*")) == sorted(notebook_pages())


def test_the_repository_has_the_notebooks_of_the_last_build(page):
    built = nbformat.read(HTML / "_sources" / f"{page}.ipynb", as_version=4)
    assert published(page).is_file(), "run: python -m guide_build.notebooks"
    assert published(page).read_text(encoding="utf-8") == notebook_text(built), (
        f"notebooks/{page}.ipynb is not the last build's: "
        "run python -m guide_build.notebooks"
    )


def run_notebook(python: str, notebook: nbformat.NotebookNode, folder: Path):
    """Execute a notebook in ``folder`` with the public environment's kernel:
    the executed notebook, or the error that stopped it."""
    folder.mkdir(parents=True)
    path = folder / "page.ipynb"
    nbformat.write(notebook, path)
    done = subprocess.run(
        [python, "-I", "-c", EXECUTE, str(path)],
        cwd=folder,
        env=CLEAN,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return done.stderr[-3000:]
    return nbformat.read(path, as_version=4)


def closing_output(executed: nbformat.NotebookNode) -> str:
    """What the closing cell printed and showed: the summary, then the table."""
    outputs = executed.cells[-1].outputs
    return "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for output in outputs
    )


@pytest.fixture(scope="session")
def public_python() -> str:
    return without_the_project(PUBLIC)


def test_the_public_environment_has_nothing_of_the_project(public_python, tmp_path):
    for module in ("keras_guide", "guide_build"):
        found = subprocess.run(
            [public_python, "-I", "-c", f"import {module}"],
            cwd=tmp_path,
            env=CLEAN,
            capture_output=True,
            text=True,
        )
        assert "ModuleNotFoundError" in found.stderr, module
    for module in ("keras", "nbclient", "ipykernel"):
        subprocess.run(
            [public_python, "-I", "-c", f"import {module}"], env=CLEAN, check=True
        )


@pytest.fixture(scope="session")
def executed(public_python, tmp_path_factory) -> dict:
    """Every published notebook, run once, two at a time."""
    folder = tmp_path_factory.mktemp("notebooks")
    pages = notebook_pages()
    with ThreadPoolExecutor(2) as pool:
        runs = pool.map(
            lambda page: run_notebook(
                public_python,
                nbformat.read(published(page), as_version=4),
                folder / page,
            ),
            pages,
        )
        return dict(zip(pages, runs))


def test_the_notebook_runs_with_public_packages_and_every_claim_holds(page, executed):
    result = executed[page]
    assert not isinstance(result, str), f"notebooks/{page}.ipynb stopped:\n{result}"
    summary = SUMMARY.search(closing_output(result))
    assert summary, closing_output(result)
    assert summary["hold"] == summary["claims"], closing_output(result)


def test_a_planted_change_is_reported_by_name(public_python, tmp_path):
    notebook = nbformat.read(published("two_knobs"), as_version=4)
    planted = nbformat.v4.new_code_cell(DROPOUT_ALWAYS_DROPS, id="planted")
    notebook.cells.insert(1, planted)  # after the set-up cell
    result = run_notebook(public_python, notebook, tmp_path / "planted")
    assert not isinstance(result, str), f"the notebook stopped:\n{result}"
    table = closing_output(result)
    assert re.search(r"^KNOBS-DROPOUT-TRAINING\s+differs", table, re.M), table
    assert SUMMARY.search(table)["differ"] != "0"
