"""Run pages' code outside Jupyter: the one way it runs besides the build.

    python -m guide_build.run STACK OUTPUT.json [PAGE ...]

Each page runs in this process as ``guide_build.execute`` says, after the stack
is prepared (``guide_build.prepare_stack``); the record keeps each claim's
outcome, the glued values and the versions.

The claim matrix runs each stack this way, the site's too (the tests compare the
build's claims with that column), and so do the planted changes
(``guide_build.records``); the benchmark times it.

A run records, for each page, the digest of what executing it reads on that
stack (``page_digest``): its code, the helpers it imports, the code that executes
it, and the stack's pins. A record runs again only the pages whose digest
changed (``changed_pages``); editing this module changes none.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from guide_build.execute import run_page
from guide_build.inputs import execution_inputs
from guide_build.pages import pinned
from guide_build.prepare_stack import prepare
from guide_build.sections import ROOT, SNIPPETS, executed_pages, snippet_path
from keras_guide.stacks import (
    BACKENDS,
    HIDEABLE,
    KERAS_DISTRIBUTIONS,
    STACKS,
)

# The environment of page code run outside Jupyter: quiet TensorFlow, no windows.
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
# The code that executes a page outside Jupyter: a change to it re-runs every page.
RUNNER = [
    ROOT / "guide_build" / name
    for name in ("execute.py", "prepare_stack.py", "sections.py")
]


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
    """The pinned requirements a stack is installed from, and those laid over them."""
    stack = STACKS[stack_name]
    requirements = pinned(*(stack.extras or ("site",)), shared=stack.shared)
    return requirements + list(stack.overlay)


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
    overlay: Path | None = None,
) -> dict:
    """Run pages in a fresh interpreter with the stack's environment; its results.

    ``prelude`` is code run first, in that interpreter: a change of Keras's
    behaviour planted before the page (``guide_build.planted``). ``overlay`` is a
    folder of packages that come before those of the interpreter's environment.
    """
    environment = {**os.environ, **QUIET_ENVIRONMENT, **STACKS[stack_name].environment}
    if overlay is not None:
        environment["PYTHONPATH"] = str(overlay)
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
