"""The claim matrix: every claim of the guide run on each stack, against the record.

    python -m guide_build.matrix [--update] [--jobs N] [STACK ...]

Run it in the site's environment (``nox -s matrix``). Stacks that need nothing
beyond that environment run there, each in a fresh interpreter; the site's own
stack reuses the run the tests made (``docs/_build/runs/``) while the code is
unchanged. The other stacks get a virtual environment of their own under
``.nox/stack-<name>``, made once and kept. Each fresh result is written to
``docs/_build/matrix/<stack>.json`` and compared with the committed one in
``docs/_data/matrix/``: any difference fails, unless ``--update``, which
rewrites the committed file for you to commit.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from guide_build.pages import (
    DOCS,
    ROOT,
    SNIPPETS,
    executed_pages,
    pinned,
    snippet_path,
)
from guide_build.run import run_in_subprocess, site_stack_run
from guide_build.stacks import SITE_STACK, STACKS
from keras_guide.matrix import PAGES_READING_MATRIX
from keras_guide.registry import claims_in

COMMITTED = DOCS / "_data" / "matrix"
FRESH = DOCS / "_build" / "matrix"


def matrix_pages() -> list[str]:
    """The pages whose claims the matrix runs: all that prove claims, but the
    page that shows the matrix (it proves its claims from the results)."""
    return [
        page
        for page in executed_pages()
        if page not in PAGES_READING_MATRIX and claims_in(snippet_path(page, SNIPPETS))
    ]


def stack_python(stack_name: str) -> str:
    """The interpreter of a stack: this one, or that of its own environment,
    installed from the pyproject extras it names (again when pyproject changes)."""
    stack = STACKS[stack_name]
    if stack.extras is None:
        return sys.executable
    venv = ROOT / ".nox" / f"stack-{stack_name}"
    python = venv / "bin" / "python"
    pins = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = venv / "installed-from"
    if stamp.exists() and stamp.read_text() == pins:
        return str(python)

    def pip(*arguments: str) -> None:
        subprocess.run([str(python), "-m", "pip", "-q", *arguments], check=True)

    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip("install", "-e", f"{ROOT}[{','.join(stack.extras)}]")
    if stack.replaces:
        pip("uninstall", "--yes", stack.replaces)
        pip("install", "--force-reinstall", "--no-deps", *pinned(stack.extras[-1]))
    stamp.write_text(pins)
    return str(python)


def fresh_result(stack_name: str) -> dict:
    """Run the matrix's pages on one stack; its result as the matrix records it."""
    pages = matrix_pages()
    if stack_name == SITE_STACK:
        run = site_stack_run()
    else:
        output = FRESH / "runs" / f"{stack_name}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        run = run_in_subprocess(stack_name, output, pages, stack_python(stack_name))
    claims = {}
    for page in pages:
        claims.update(run["pages"][page]["claims"])
    return {
        "stack": stack_name,
        "label": STACKS[stack_name].label,
        "versions": run["versions"],
        "recorded_on": datetime.date.today().isoformat(),
        "claims": dict(sorted(claims.items())),
    }


def same_results(one: dict, other: dict) -> bool:
    """Equal apart from the day they were recorded."""
    return {**one, "recorded_on": None} == {**other, "recorded_on": None}


def changes(committed: dict, fresh: dict) -> list[str]:
    """What differs between the committed and the fresh result, line by line."""
    lines = []
    if committed["versions"] != fresh["versions"]:
        lines.append(f"versions: {committed['versions']} -> {fresh['versions']}")
    for claim_id in sorted(committed["claims"].keys() | fresh["claims"].keys()):
        before = committed["claims"].get(claim_id)
        after = fresh["claims"].get(claim_id)
        if before != after:
            lines.append(f"{claim_id}: {before} -> {after}")
    if committed["label"] != fresh["label"]:
        lines.append(f"label: {committed['label']!r} -> {fresh['label']!r}")
    return lines


def check(stack_name: str, update: bool) -> bool:
    """Run one stack and compare with its committed result; True when current."""
    fresh = fresh_result(stack_name)
    FRESH.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fresh, indent=1, sort_keys=True) + "\n"
    (FRESH / f"{stack_name}.json").write_text(text, encoding="utf-8")
    committed_path = COMMITTED / f"{stack_name}.json"
    if committed_path.exists():
        committed = json.loads(committed_path.read_text(encoding="utf-8"))
        if same_results(committed, fresh):
            print(f"{stack_name}: current ({len(fresh['claims'])} claims)")
            return True
        found = changes(committed, fresh)
    else:
        found = ["no committed result"]
    if update:
        committed_path.write_text(text, encoding="utf-8")
        print(f"{stack_name}: updated {committed_path.relative_to(ROOT)}; commit it")
        return True
    print(f"{stack_name}: the committed result is stale:", *found, sep="\n  ")
    return False


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", metavar="STACK", help=", ".join(STACKS))
    parser.add_argument("--update", action="store_true", help="rewrite stale results")
    parser.add_argument("--jobs", type=int, default=2, help="stacks run at once")
    options = parser.parse_args(arguments)
    unknown = set(options.stacks) - STACKS.keys()
    if unknown:
        parser.error(f"unknown stacks: {', '.join(sorted(unknown))}")
    stacks = options.stacks or list(STACKS)
    with ThreadPoolExecutor(options.jobs) as pool:
        current = list(pool.map(lambda stack: check(stack, options.update), stacks))
    if not all(current):
        print("Run `nox -s matrix -- --update` and commit docs/_data/matrix/.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
