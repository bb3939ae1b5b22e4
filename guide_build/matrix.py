"""The claim matrix and the release sweep: every claim of the guide run on each
stack of a group, against the record.

    python -m guide_build.matrix [--group G] [--update] [--all] [--jobs N] [STACK ...]

Run it in the site's environment: ``nox -s matrix`` runs the group ``matrix``
(Keras 2, Keras 3 on each backend, the next Keras), ``nox -s sweep`` the group
``sweep`` (each earlier Keras 3 release, laid over the site's TensorFlow in a
folder ``.nox/overlay-<name>``, and Colab's set-up). The stacks are the rows
of ``keras_guide.stacks``. The committed result of a stack
(``snippets/keras_guide/results/<stack>.json``) records, with each claim's outcome, the
digest of what each page ran (``guide_build.run.page_digest``). A page whose
digest is unchanged keeps its recorded outcomes; the others run again (all of
them with ``--all``), each stack in a fresh interpreter of its own environment:
the site's, or one under ``.nox/stack-<name>``, made once and kept. Stacks run
in parallel, one per core (``--jobs``).
The fresh result goes to ``docs/_build/matrix/<stack>.json``; any change from
the committed one fails, unless ``--update``, which rewrites the committed file
for you to commit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from guide_build.pages import DOCS, ROOT, matrix_pages, pinned, snippet_path
from guide_build.run import (
    changed_pages,
    page_digest,
    run_in_subprocess,
    stack_requirements,
)
from guide_build.venvs import environment, overlay, python_of_version
from keras_guide.registry import claims_in
from keras_guide.stacks import MATRIX_RESULTS, STACKS

FRESH = DOCS / "_build" / "matrix"


def run_on_stack(stack_name: str, output: Path, pages: list[str]) -> dict:
    """Run pages on a stack in a fresh interpreter of its environment: this one,
    with the stack's overlay first on the path, or its own."""
    stack = STACKS[stack_name]
    if stack.extras is None:
        folder = ROOT / ".nox" / f"overlay-{stack_name}"
        laid = overlay(folder, list(stack.overlay)) if stack.overlay else None
        return run_in_subprocess(stack_name, output, pages, overlay=laid)
    return run_in_subprocess(stack_name, output, pages, stack_python(stack_name))


def stack_python(stack_name: str) -> str:
    """The interpreter of a stack's own environment, installed from the pyproject
    extras it names (and the shared pins, unless it pins its own)."""
    stack = STACKS[stack_name]
    helpers = ["-e", str(ROOT / "snippets")]
    if stack.shared:
        installs = [["install", *helpers, *stack_requirements(stack_name)]]
    else:  # its own pins, not the project's shared ones
        installs = [["install", *stack_requirements(stack_name)], ["install", *helpers]]
    if stack.keras == "keras-nightly":
        # TensorFlow depends on `keras`, whose files keras-nightly also installs.
        keras = [r for r in pinned(*stack.extras) if r.startswith(f"{stack.keras}==")]
        installs += [
            ["uninstall", "--yes", "keras"],
            ["install", "--force-reinstall", "--no-deps", *keras],
        ]
    base = python_of_version(stack.python) if stack.python else sys.executable
    return environment(ROOT / ".nox" / f"stack-{stack_name}", installs, base=base)


def read_result(stack_name: str) -> dict | None:
    path = MATRIX_RESULTS / f"{stack_name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def stale_pages(stack_name: str, committed: dict | None) -> list[str]:
    """The pages whose code changed since a stack's result was recorded."""
    digests = (committed or {}).get("digests", {})
    recorded = {"pages": {page: {"digest": d} for page, d in digests.items()}}
    return changed_pages(recorded, stack_name, matrix_pages())


def fresh_result(stack_name: str, committed: dict | None, rerun_all: bool) -> dict:
    """A stack's result: the committed outcomes of the pages whose digest is
    unchanged, and a new run of the others."""
    pages = matrix_pages()
    stale = pages if rerun_all else stale_pages(stack_name, committed)
    claims = {
        claim.claim_id: committed["claims"][claim.claim_id]
        for page in pages
        if page not in stale
        for claim in claims_in(snippet_path(page))
    }
    versions = committed["versions"] if committed else {}
    if stale:
        output = FRESH / "runs" / f"{stack_name}.json"
        run = run_on_stack(stack_name, output, stale)
        for page in stale:
            claims.update(run["pages"][page]["claims"])
        versions = run["versions"]
    return {
        "stack": stack_name,
        "label": STACKS[stack_name].label,
        "versions": versions,
        "recorded_on": committed["recorded_on"]
        if committed and not stale
        else datetime.date.today().isoformat(),
        "digests": {page: page_digest(page, stack_name) for page in pages},
        "claims": dict(sorted(claims.items())),
        "rerun": stale,
    }


def claim_changes(before: dict, after: dict) -> list[str]:
    """Each claim whose outcome differs between two sets of outcomes, in words.

    >>> claim_changes({"A": {"status": "holds"}}, {"A": {"status": "differs"}})
    ["A: {'status': 'holds'} -> {'status': 'differs'}"]
    >>> claim_changes({"A": {"status": "holds"}}, {})
    ["A: {'status': 'holds'} -> None"]
    """
    return [
        f"{claim_id}: {before.get(claim_id)} -> {after.get(claim_id)}"
        for claim_id in sorted(before.keys() | after.keys())
        if before.get(claim_id) != after.get(claim_id)
    ]


def packages(versions: dict[str, str]) -> dict[str, str]:
    """The versions of the packages a stack ran; Python's own, which a reader's
    machine chooses, is recorded but makes no result stale."""
    return {name: version for name, version in versions.items() if name != "python"}


def changes(committed: dict, fresh: dict) -> list[str]:
    """What differs between two results of a stack: package versions, label,
    outcomes.

    >>> result = {"versions": {"python": "3.11.7", "keras": "3.15.1"},
    ...           "label": "Keras 3", "claims": {}}
    >>> changes(result, {**result, "versions": {"python": "3.11.2", "keras": "3.15.1"}})
    []
    >>> changes(result, {**result, "versions": {"python": "3.11.7", "keras": "3.14.1"}})
    ["versions: {'keras': '3.15.1'} -> {'keras': '3.14.1'}"]
    """
    lines = []
    if packages(committed["versions"]) != packages(fresh["versions"]):
        before, after = packages(committed["versions"]), packages(fresh["versions"])
        lines.append(f"versions: {before!r} -> {after!r}")
    if committed["label"] != fresh["label"]:
        lines.append(f"label: {committed['label']!r} -> {fresh['label']!r}")
    return lines + claim_changes(committed["claims"], fresh["claims"])


def check(stack_name: str, update: bool, rerun_all: bool) -> bool:
    """Run what changed on one stack, compare with its committed result; True
    when that result is current."""
    committed = read_result(stack_name)
    fresh = fresh_result(stack_name, committed, rerun_all)
    rerun = fresh.pop("rerun")
    text = json.dumps(fresh, indent=1, sort_keys=True) + "\n"
    FRESH.mkdir(parents=True, exist_ok=True)
    (FRESH / f"{stack_name}.json").write_text(text, encoding="utf-8")
    ran = f"{len(fresh['claims'])} claims, {len(rerun)} pages run"
    if committed is None:
        found = ["no committed result"]
    else:
        found = changes(committed, fresh)
        if committed.get("digests") != fresh["digests"]:
            found.append(f"recorded with other code for: {', '.join(rerun)}")
    if not found:
        print(f"{stack_name}: current ({ran})")
        return True
    if update:
        (MATRIX_RESULTS / f"{stack_name}.json").write_text(text, encoding="utf-8")
        print(f"{stack_name}: updated ({ran}); commit snippets/keras_guide/results/")
        return True
    print(f"{stack_name}: the committed result is stale ({ran}):", *found, sep="\n  ")
    return False


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", metavar="STACK", help=", ".join(STACKS))
    parser.add_argument("--group", default="matrix", help="matrix or sweep")
    parser.add_argument("--update", action="store_true", help="rewrite stale results")
    parser.add_argument("--all", action="store_true", help="run every page again")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="stacks run at once"
    )
    options = parser.parse_args(arguments)
    unknown = set(options.stacks) - STACKS.keys()
    if unknown:
        parser.error(f"unknown stacks: {', '.join(sorted(unknown))}")
    stacks = options.stacks or [
        name for name, stack in STACKS.items() if stack.group == options.group
    ]
    with ThreadPoolExecutor(options.jobs) as pool:
        current = list(
            pool.map(lambda s: check(s, options.update, options.all), stacks)
        )
    if not all(current):
        update = f"nox -s {options.group} -- --update"
        print(f"Run `{update}`; commit snippets/keras_guide/results/.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
