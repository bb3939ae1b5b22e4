"""Run pages' code outside Jupyter: the one way it runs besides the build.

    python -m guide_build.run STACK OUTPUT.json [PAGE ...]

Each page's sections run in one namespace, in file order, as its notebook's
cells do, with claims recorded instead of asserted and glued values recorded
instead of shown. A claim gets one outcome:

- ``holds``: observed what the page expects;
- ``differs``: observed something else (the observed value is kept);
- ``not applicable``: its code needs what the stack lacks (the reason is kept);
- ``error``: its section raised (the message is kept), or it was never reached.

One run on the site's stack serves the tests (it must give the build's glued
values, and every claim must hold) and that stack's column of the claim matrix.
The matrix runs the other stacks the same way, and the benchmark times it.

A run records, for each page, the digest of what executing it reads on that
stack (``page_digest``); ``run_changed_pages`` runs again only the pages whose
digest changed since a previous record.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import json
import linecache
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

from guide_build.inputs import execution_inputs
from guide_build.pages import pinned
from guide_build.prepare_stack import NotApplicable, page_builtins, prepare
from guide_build.sections import (
    DOCS,
    ROOT,
    SNIPPETS,
    executed_pages,
    read_sections,
    section_of,
    snippet_path,
)
from keras_guide.stacks import (
    BACKENDS,
    HIDEABLE,
    KERAS_DISTRIBUTIONS,
    SITE_STACK,
    STACKS,
)

# The environment of page code run outside Jupyter: quiet TensorFlow, no windows.
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
RUNS = DOCS / "_build" / "runs"
# What runs a page outside Jupyter: a change to these re-runs every page.
RUNNER = [
    ROOT / "guide_build" / name
    for name in ("run.py", "prepare_stack.py", "sections.py", "inputs.py")
]


def first_line(error: BaseException) -> str:
    """The error's first line, without this environment's path, so that results
    recorded in another checkout compare equal."""
    message = str(error).strip().replace(sys.prefix, "<env>").splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}"[:300]


def run_page(page: str, snippets: Path = SNIPPETS) -> dict:
    """Execute a page's sections in one namespace; its claims' outcomes and glue."""
    from keras_guide.claims import recording_claims
    from keras_guide.page import recording_glue
    from keras_guide.registry import claims_in

    path = snippet_path(page, snippets)
    sections = read_sections(path)
    proved_in: dict[str, list[str]] = {name: [] for name in sections}
    unplaced = []
    for static in claims_in(path):
        if sections and static.line > min(s.line for s in sections.values()):
            proved_in[section_of(sections, static.line)].append(static.claim_id)
        else:
            unplaced.append(static.claim_id)

    namespace = {"__name__": "__main__", "__builtins__": page_builtins()}
    outcomes: dict[str, dict[str, str]] = {}
    raised: dict[str, str] = {}  # section -> error
    earlier = None  # the outcome of the last section that raised
    start = time.perf_counter()
    with recording_claims() as record, recording_glue() as glued:
        for name, section in sections.items():
            # Like a notebook cell, the section's source is findable by `inspect`.
            filename = f"<{page}#{name}>"
            lines = section.code.splitlines(True)
            linecache.cache[filename] = (len(section.code), None, lines, filename)
            try:
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                    warnings.catch_warnings(),
                ):
                    warnings.simplefilter("ignore")
                    exec(compile(section.code, filename, "exec"), namespace)
            except Exception as error:  # recorded: an error on a stack is a result
                raised[name] = first_line(error)
                if isinstance(error, NotApplicable | ImportError):
                    # An ImportError: Keras itself says this stack lacks the API.
                    why = first_line(error) if isinstance(error, ImportError) else error
                    reason = f"{why} (in {name})"
                    outcome = {"status": "not applicable", "reason": reason}
                elif isinstance(error, NameError) and earlier:
                    # It needs a name that the section that failed did not define.
                    outcome = earlier
                else:
                    message = f"in {name}: {first_line(error)}"
                    outcome = {"status": "error", "message": message}
                earlier = outcome
            else:
                outcome = {
                    "status": "error",
                    "message": f"never reached in section {name}",
                }
            for claim_id in proved_in[name]:
                outcomes[claim_id] = record.get(claim_id, outcome)
    for claim_id in unplaced:
        outcomes[claim_id] = {"status": "error", "message": "in no section of the page"}
    _forget_page_state()
    return {
        "claims": outcomes,
        "raised": raised,
        "glue": glued,
        "seconds": round(time.perf_counter() - start, 1),
    }


def _forget_page_state() -> None:
    """Start the next page as a fresh kernel would: no figures, fresh layer names."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    for name in ("keras", "tf_keras"):
        module = sys.modules.get(name)
        if module is not None:
            with contextlib.suppress(Exception):
                module.backend.clear_session()


def installed_versions(stack_name: str) -> dict[str, str]:
    """The versions the claims ran on. Keras 3, installed beside tf-keras but not
    used, is left out on the Keras 2 stack, and so is what a stack hides."""
    stack = STACKS[stack_name]
    hidden = {HIDEABLE[module] for module in stack.hidden}
    if stack.keras == "tf-keras":
        hidden.add("keras")
    distributions = [*KERAS_DISTRIBUTIONS]
    for backend in BACKENDS.values():
        distributions += backend.distributions
    versions = {"python": platform.python_version()}
    for distribution in sorted(distributions):
        if distribution not in hidden:
            with contextlib.suppress(importlib.metadata.PackageNotFoundError):
                versions[distribution] = importlib.metadata.version(distribution)
    return versions


def stack_requirements(stack_name: str) -> list[str]:
    """The pinned requirements a stack is installed from."""
    return pinned(*(STACKS[stack_name].extras or ("site",)), shared=True)


def page_digest(page: str, stack_name: str, snippets: Path = SNIPPETS) -> str:
    """A hash of what running a page on a stack depends on: its code, the helpers
    and data it reads, the runner, and the stack's pinned requirements."""
    digest = hashlib.sha256("\n".join(stack_requirements(stack_name)).encode())
    files = [snippet_path(page, snippets), *execution_inputs(page, snippets), *RUNNER]
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def run_stack(stack_name: str, pages: list[str]) -> dict:
    """Every given page, in this process, on the stack of this environment."""
    prepare(STACKS[stack_name])
    return {
        "stack": stack_name,
        "versions": installed_versions(stack_name),
        "pages": {
            page: {**run_page(page), "digest": page_digest(page, stack_name)}
            for page in pages
        },
    }


def run_in_subprocess(
    stack_name: str,
    output: Path,
    pages: list[str],
    python: str = sys.executable,
    prelude: str = "",
) -> dict:
    """Run pages in a fresh interpreter with the stack's environment; its results.

    ``prelude`` is code run first, in that interpreter: the mutation tests plant
    a change of Keras's behaviour with it.
    """
    environment = {**os.environ, **QUIET_ENVIRONMENT, **STACKS[stack_name].environment}
    start = (
        f"{prelude}\nimport sys\nfrom guide_build.run import main\nmain(sys.argv[1:])"
    )
    command = [python, "-c", start, stack_name, str(output), *pages]
    finished = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{finished.stderr[-3000:]}")
    return json.loads(output.read_text(encoding="utf-8"))


def changed_pages(
    record: dict | None, stack_name: str, pages: list[str], snippets: Path = SNIPPETS
) -> list[str]:
    """The pages whose digest differs from the one in a previous run's record."""
    ran = (record or {}).get("pages", {})
    return [
        page
        for page in pages
        if ran.get(page, {}).get("digest") != page_digest(page, stack_name, snippets)
    ]


def run_changed_pages(
    stack_name: str,
    output: Path,
    pages: list[str],
    python: str = sys.executable,
    snippets: Path = SNIPPETS,
) -> dict:
    """The run of ``pages`` on a stack, recorded in ``output``: the pages whose
    digest changed since that record run again, the others are kept."""
    record = None
    if output.exists():
        record = json.loads(output.read_text(encoding="utf-8"))
    stale = changed_pages(record, stack_name, pages, snippets)
    if stale:
        fresh = run_in_subprocess(stack_name, output, stale, python)
        kept = {page: record["pages"][page] for page in pages if page not in stale}
        record = {**fresh, "pages": {**kept, **fresh["pages"]}}
        write_record(output, record)
    return {**record, "pages": {page: record["pages"][page] for page in pages}}


def site_stack_run() -> dict:
    """Every executed page run on the site's stack, in this environment; a page
    runs again only when what it executes changed (docs/_build/runs/)."""
    return run_changed_pages(SITE_STACK, RUNS / f"{SITE_STACK}.json", executed_pages())


def write_record(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(arguments: list[str]) -> None:
    stack_name, output, *pages = arguments
    write_record(Path(output), run_stack(stack_name, pages or executed_pages()))


if __name__ == "__main__":
    main(sys.argv[1:])
