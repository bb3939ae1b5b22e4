"""The upstream check: every claim on the newest Keras, TensorFlow and JAX.

    python -m guide_build.upstream [--jobs N]

The claim matrix pins its stacks. This check installs the newest releases
instead, unpinned, in fresh environments under ``.nox/upstream-<name>``:
TensorFlow, Keras and tf-keras for Keras 2 and Keras 3 on TensorFlow and on
PyTorch (torch stays pinned); JAX and Keras for Keras 3 on JAX; keras-nightly
beside TensorFlow for the next Keras. It runs every claim there and compares
each outcome with the committed matrix (``snippets/keras_guide/results/``). It
prints every claim whose outcome changed, with the versions before and after,
writes that report to ``docs/_build/upstream/report.md`` (and to the GitHub job
summary when ``GITHUB_STEP_SUMMARY`` is set), and fails when one changed.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from guide_build.matrix import claim_changes, read_result
from guide_build.pages import DOCS, ROOT, matrix_pages, pinned
from guide_build.run import run_in_subprocess
from guide_build.venvs import environment
from keras_guide.stacks import STACKS

REPORT = DOCS / "_build" / "upstream"


@dataclass(frozen=True)
class Upstream:
    """A group of newest releases; each stack names the group that moves it."""

    newest: tuple[str, ...]
    kept: tuple[str, ...] = ()  # pyproject extras installed as pinned
    # Installed last, without its dependencies, over the files of `keras`.
    nightly: str | None = None


UPSTREAMS = {
    "tensorflow": Upstream(("tensorflow", "keras", "tf-keras"), kept=("torch",)),
    "jax": Upstream(("jax", "jaxlib", "keras")),
    "nightly": Upstream(("tensorflow", "tf-keras"), nightly="keras-nightly"),
}


def install(name: str, upstream: Upstream) -> str:
    """A fresh environment with the newest releases; its interpreter."""
    # The project's shared pins, the kept extras' pins but for the packages that
    # come newest, and the newest of those.
    kept = [
        requirement
        for requirement in pinned(*upstream.kept)
        if requirement.partition("==")[0] not in upstream.newest
    ]
    helpers = ["-e", str(ROOT / "snippets")]
    installs = [["install", *helpers, "-e", str(ROOT), *kept, *upstream.newest]]
    if upstream.nightly:
        installs += [
            ["uninstall", "--yes", "keras"],
            ["install", "--pre", "--no-deps", "--force-reinstall", upstream.nightly],
        ]
    return environment(ROOT / ".nox" / f"upstream-{name}", installs, keep=False)


def compare(stack_name: str, run: dict) -> list[str]:
    """Each claim whose outcome differs from the committed matrix, in words."""
    fresh = {}
    for page in run["pages"].values():
        fresh.update(page["claims"])
    return claim_changes(read_result(stack_name)["claims"], fresh)


def versions(record: dict) -> str:
    return ", ".join(f"{name} {version}" for name, version in record.items())


def check(stack_name: str, python: str) -> tuple[str, list[str]]:
    """Run one stack on the newest releases; its section of the report and the
    claims that changed."""
    output = REPORT / "runs" / f"{stack_name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    run = run_in_subprocess(stack_name, output, matrix_pages(), python)
    committed = read_result(stack_name)
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
    pythons = {name: install(name, upstream) for name, upstream in UPSTREAMS.items()}
    # The stacks that a group moves; the releases of the sweep stay as they are.
    pythons = {
        name: pythons[stack.upstream]
        for name, stack in STACKS.items()
        if stack.upstream is not None
    }
    with ThreadPoolExecutor(options.jobs) as pool:
        results = list(pool.map(lambda stack: check(stack, pythons[stack]), pythons))
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
