"""The upstream check: every claim on the newest Keras, TensorFlow and JAX.

    python -m guide_build.upstream [--jobs N]

The claim matrix pins its stacks. This check installs the newest releases
instead, unpinned, in fresh environments under ``.nox/upstream-<name>``:
TensorFlow, Keras and tf-keras for Keras 2 and Keras 3 on TensorFlow and on
PyTorch (torch stays pinned); JAX and Keras for Keras 3 on JAX; keras-nightly
beside TensorFlow for the next Keras. It runs every claim there and compares
each outcome with the committed matrix (``docs/_data/matrix/``). It prints every
claim whose outcome changed, with the versions before and after, writes that
report to ``docs/_build/upstream/report.md`` (and to the GitHub job summary when
``GITHUB_STEP_SUMMARY`` is set), and fails when one changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from guide_build.matrix import COMMITTED, matrix_pages
from guide_build.pages import DOCS, ROOT, pinned
from guide_build.run import run_in_subprocess
from guide_build.stacks import STACKS

REPORT = DOCS / "_build" / "upstream"


@dataclass(frozen=True)
class Upstream:
    """An environment of newest releases, and the stacks of the matrix it runs."""

    newest: tuple[str, ...]
    stacks: tuple[str, ...]
    kept: tuple[str, ...] = ()  # pyproject extras installed as pinned
    # Installed last, without its dependencies, over the files of `keras`.
    nightly: str | None = None


UPSTREAMS = {
    "tensorflow": Upstream(
        ("tensorflow", "keras", "tf-keras"),
        ("keras2-tf", "keras3-tf", "keras3-torch"),
        kept=("torch",),
    ),
    "jax": Upstream(("jax", "jaxlib", "keras"), ("keras3-jax",)),
    "nightly": Upstream(
        ("tensorflow", "tf-keras"), ("keras-next-tf",), nightly="keras-nightly"
    ),
}
assert sorted(s for u in UPSTREAMS.values() for s in u.stacks) == sorted(STACKS)


def install(name: str, upstream: Upstream) -> str:
    """A fresh environment with the newest releases; its interpreter."""
    venv = ROOT / ".nox" / f"upstream-{name}"
    python = str(venv / "bin" / "python")

    def pip(*arguments: str) -> None:
        subprocess.run([python, "-m", "pip", "-q", *arguments], check=True)

    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip("install", "--upgrade", "pip")
    # The project's shared pins, the kept extras' pins but for the packages that
    # come newest, and the newest of those.
    kept = [
        requirement
        for requirement in pinned(*upstream.kept)
        if requirement.partition("==")[0] not in upstream.newest
    ]
    pip("install", "-e", str(ROOT), *kept, *upstream.newest)
    if upstream.nightly:
        pip("uninstall", "--yes", "keras")
        pip("install", "--pre", "--no-deps", "--force-reinstall", upstream.nightly)
    return python


def compare(stack_name: str, run: dict) -> list[str]:
    """Each claim whose outcome differs from the committed matrix, in words."""
    committed = json.loads((COMMITTED / f"{stack_name}.json").read_text("utf-8"))
    fresh = {}
    for page in run["pages"].values():
        fresh.update(page["claims"])
    lines = []
    for claim_id in sorted(committed["claims"].keys() | fresh.keys()):
        before = committed["claims"].get(claim_id, {}).get("status", "absent")
        outcome = fresh.get(claim_id, {"status": "absent"})
        if outcome["status"] != before:
            detail = {k: v for k, v in outcome.items() if k != "status"}
            lines.append(f"`{claim_id}`: {before} -> {outcome['status']} {detail}")
    return lines


def versions(record: dict) -> str:
    return ", ".join(f"{name} {version}" for name, version in record.items())


def check(stack_name: str, python: str) -> tuple[str, list[str]]:
    """Run one stack on the newest releases; its section of the report and the
    claims that changed."""
    output = REPORT / "runs" / f"{stack_name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    run = run_in_subprocess(stack_name, output, matrix_pages(), python)
    committed = json.loads((COMMITTED / f"{stack_name}.json").read_text("utf-8"))
    changed = compare(stack_name, run)
    count = sum(len(page["claims"]) for page in run["pages"].values())
    lines = [
        f"## {STACKS[stack_name].label} (`{stack_name}`)",
        "",
        f"- committed: {versions(committed['versions'])}",
        f"- newest: {versions(run['versions'])}",
        f"- {count} claims run; {len(changed)} changed outcome",
        *(f"  - {line}" for line in changed),
        "",
    ]
    return "\n".join(lines), changed


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="stacks run at once")
    options = parser.parse_args(arguments)
    # Installs go one at a time: they share pip's cache and the network.
    pythons = {
        stack: python
        for name, upstream in UPSTREAMS.items()
        for python in [install(name, upstream)]
        for stack in upstream.stacks
    }
    with ThreadPoolExecutor(options.jobs) as pool:
        results = list(pool.map(lambda stack: check(stack, pythons[stack]), STACKS))
    changed = sum(len(found) for _, found in results)
    verdict = (
        f"**{changed} claim outcome(s) changed on the newest releases.**"
        if changed
        else "**Every claim has the committed outcome on the newest releases.**"
    )
    report = "\n".join(["# Upstream check", "", verdict, "", *(s for s, _ in results)])
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "report.md").write_text(report, encoding="utf-8")
    print(report)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as file:
            file.write(report + "\n")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
