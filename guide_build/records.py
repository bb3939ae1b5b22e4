"""The runs that check the site besides its build, kept on the digest of what they ran.

    python -m guide_build.records [--update] [--jobs N]

Two kinds of run prove what the build cannot, and each takes a page's time:

* ``planted``: a page run with a change of Keras's behaviour planted first
  (``guide_build.planted``); the claims it names must differ;
* ``notebooks``: a reader's notebook (``notebooks/``) run with nbclient in an
  environment of public packages, where its first cell finds the helpers' wheel
  that ``nox`` built into ``dist/``, with no network; every claim must hold. One
  more runs ``two_knobs`` with a change planted: its closing table must name the
  claim;
* ``blocks``: a block of code the prose gives whole (``{snippet-block}``, the
  landing page's recipe), run alone in a new Python, as a reader pastes it.

With ``--update``, it also keeps the digest of the wheel's content under its
version (``tests/records/wheel.json``) and stops when the helpers changed under a
version already recorded: a published version holds one content.

Their outcomes are kept in ``tests/records/<kind>.json``, each with the digest of
what it ran: the page's code, the helpers it imports, the runner and the pins
(``guide_build.run.page_digest``), and the planted code or the notebook and the
wheel's code. The tests read the record and fail when a digest is not today's;
they run nothing. This command runs exactly the stale entries, several at a time,
and with ``--update`` rewrites the record for you to commit. Like the claim matrix,
what it records is the same whichever order or machine ran it: claim outcomes,
never a number a CPU computed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from guide_build.copyable import joined_sections, snippet_blocks
from guide_build.notebooks import PUBLISHED, helpers_project, notebook_pages
from guide_build.pages import ROOT
from guide_build.planted import DROPOUT_ALWAYS_DROPS, PLANTED
from guide_build.run import (
    QUIET_ENVIRONMENT,
    page_digest,
    run_in_subprocess,
    stack_requirements,
)
from guide_build.venvs import without_the_project
from keras_guide.stacks import MATRIX_RESULTS, SITE_STACK

RECORDS = ROOT / "tests" / "records"
WHEELS = ROOT / "dist"
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
# The reader's notebook with a change planted after its first cell.
PLANTED_NOTEBOOK = ("two_knobs", DROPOUT_ALWAYS_DROPS)


@dataclass(frozen=True)
class Entry:
    """One run of a kind: its key in the record, its digest, and how to run it
    (given the public environment's interpreter, which only notebooks use)."""

    key: str
    digest: str
    run: Callable[[str], dict]


def digest_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()[:16]


def named_contents(paths) -> bytes:
    return b"\0".join(path.name.encode() + path.read_bytes() for path in sorted(paths))


def wheel_code() -> bytes:
    """The code of the helpers' wheel, which a notebook's first cell installs."""
    return named_contents(MATRIX_RESULTS.parent.glob("*.py"))


def wheel_content() -> str:
    """The digest of what the wheel holds: its code and the site's results."""
    return digest_of(wheel_code(), named_contents(MATRIX_RESULTS.glob("*.json")))


def record_wheel_version() -> str:
    """Keep the digest of the wheel's content under its version in
    ``tests/records/wheel.json``: a version, once published, holds one content."""
    _, version = helpers_project()
    versions = read_record("wheel")
    if versions.get(version, wheel_content()) != wheel_content():
        raise SystemExit(
            f"the helpers changed since version {version} was recorded: bump the "
            "version in snippets/pyproject.toml"
        )
    versions[version] = wheel_content()
    write_record("wheel", versions)
    return version


def run_planted(code: str, page: str) -> dict:
    """A page run with ``code`` planted first: each claim's outcome."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "run.json"
        ran = run_in_subprocess(SITE_STACK, output, [page], prelude=code)
    return ran["pages"][page]["claims"]


def planted_entries() -> list[Entry]:
    def run(planted):
        claims = run_planted(planted.code, planted.page)
        return {claim_id: claims[claim_id] for claim_id in planted.claims}

    return [
        Entry(
            planted.name,
            digest_of(page_digest(planted.page, SITE_STACK), planted.code),
            lambda _, planted=planted: run(planted),
        )
        for planted in PLANTED
    ]


def public_python() -> str:
    """An environment of the site's public packages, without this project, with
    the helpers installed from the wheel in ``dist/`` as a reader installs them."""
    python = without_the_project(PUBLIC)
    wheels = sorted(WHEELS.glob("keras_trainable_guide-*.whl"))
    if not wheels:
        raise SystemExit("no helpers' wheel in dist/: run `nox -s wheel`")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", *wheels],
        env=offline_environment(),
        check=True,
    )
    where = subprocess.run(
        [python, "-I", "-c", "import keras_guide; print(keras_guide.__file__)"],
        cwd=PUBLIC,
        env=offline_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if not Path(where.strip()).is_relative_to(PUBLIC):
        raise SystemExit(f"the notebooks' environment imports {where}, not the wheel")
    return python


def offline_environment() -> dict[str, str]:
    """Where the kernel looks: none of the repository's folders; and a pip that
    finds the helpers in ``dist/`` and nothing on the network."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "IPYTHONDIR", "VIRTUAL_ENV")
    }
    return {**clean, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELS)}


def run_notebook(python: str, notebook: nbformat.NotebookNode) -> dict:
    """A notebook executed with the public environment's kernel, in a folder
    outside the repository: its closing table's counts and the claims that
    differ, or the error that stopped it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.ipynb"
        nbformat.write(notebook, path)
        done = subprocess.run(
            [python, "-I", "-c", EXECUTE, str(path)],
            cwd=folder,
            env=offline_environment(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            return {"error": done.stderr[-3000:]}
        executed = nbformat.read(path, as_version=4)
    table = closing_output(executed)
    summary = SUMMARY.search(table)
    if summary is None:
        return {"error": table}
    differing = re.findall(r"^([A-Z][A-Z0-9-]+)\s+differs", table, re.M)
    return {**{k: int(v) for k, v in summary.groupdict().items()}, "differ": differing}


def closing_output(executed: nbformat.NotebookNode) -> str:
    """What the closing cell printed and showed: the summary, then the table."""
    return "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for output in executed.cells[-1].outputs
    )


def notebook_code(notebook: nbformat.NotebookNode) -> str:
    """What a notebook runs: its code cells. Its prose runs nothing, so a prose
    edit leaves its record current."""
    return "\0".join(c.source for c in notebook.cells if c.cell_type == "code")


def published(page: str) -> nbformat.NotebookNode:
    return nbformat.read(PUBLISHED / f"{page}.ipynb", as_version=4)


def with_planted_change(page: str, code: str) -> nbformat.NotebookNode:
    notebook = published(page)
    planted = nbformat.v4.new_code_cell(code, id="planted")
    notebook.cells.insert(1, planted)  # after the set-up cell
    return notebook


def notebook_entries() -> list[Entry]:
    def digest(page: str, planted: str = "") -> str:
        code = notebook_code(published(page))
        return digest_of(page_digest(page, SITE_STACK), code, wheel_code(), planted)

    page, code = PLANTED_NOTEBOOK
    return [
        *(
            Entry(p, digest(p), lambda python, p=p: run_notebook(python, published(p)))
            for p in notebook_pages()
        ),
        Entry(
            f"{page} (planted)",
            digest(page, code),
            lambda python: run_notebook(python, with_planted_change(page, code)),
        ),
    ]


def run_block(code: str) -> dict:
    """A block run alone in a new Python, with nothing of this project."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-I", "-c", code],
            cwd=folder,
            env={**os.environ, **QUIET_ENVIRONMENT},
            capture_output=True,
            text=True,
        )
    return {"returncode": done.returncode, "stderr": done.stderr[-3000:]}


def block_entries() -> list[Entry]:
    pins = "\n".join(stack_requirements(SITE_STACK))
    blocks = {
        f"{doc}: {page} {' '.join(names)}": joined_sections(page, names)
        for doc, page, names in snippet_blocks()
    }
    return [
        Entry(key, digest_of(code, pins), lambda _, code=code: run_block(code))
        for key, code in blocks.items()
    ]


KINDS = {
    "planted": planted_entries,
    "notebooks": notebook_entries,
    "blocks": block_entries,
}


def entries(kind: str) -> list[Entry]:
    return KINDS[kind]()


def read_record(kind: str) -> dict:
    path = RECORDS / f"{kind}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def stale(kind: str) -> list[Entry]:
    """The entries whose record is missing or was made with other code."""
    record = read_record(kind)
    return [
        entry
        for entry in entries(kind)
        if record.get(entry.key, {}).get("digest") != entry.digest
    ]


def update(kind: str, jobs: int) -> list[str]:
    """Run the stale entries of a kind and rewrite its record: their keys."""
    todo = stale(kind)
    python = public_python() if todo and kind == "notebooks" else ""
    with ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(lambda entry: entry.run(python), todo))
    keys = {entry.key for entry in entries(kind)}
    record = {k: v for k, v in read_record(kind).items() if k in keys}
    for entry, outcome in zip(todo, outcomes):
        record[entry.key] = {"digest": entry.digest, "outcome": outcome}
    write_record(kind, record)
    return [entry.key for entry in todo]


def write_record(kind: str, record: dict) -> None:
    RECORDS.mkdir(parents=True, exist_ok=True)
    (RECORDS / f"{kind}.json").write_text(
        json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=", ".join(KINDS))
    parser.add_argument("--update", action="store_true", help="run and record")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(arguments)
    current = True
    if options.update:
        print(f"wheel: version {record_wheel_version()} holds today's helpers")
    for kind in options.kinds or KINDS:
        if options.update:
            ran = update(kind, options.jobs)
            print(f"{kind}: {len(ran)} run and recorded: {', '.join(ran) or 'none'}")
            continue
        keys = [entry.key for entry in stale(kind)]
        print(f"{kind}: {len(keys)} stale: {', '.join(keys) or 'none'}")
        current = current and not keys
    return 0 if current else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
