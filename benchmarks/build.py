"""Build performance, measured against the floor: ``nox -s bench [-- --repeat N]``.

Not a test: it times, side by side on this machine, each scenario N times
(median reported), in a copy of the working tree so that your own build is
left alone:

- floor: every page's code in one Python process (one TensorFlow import),
  plus a Sphinx build with execution off;
- cold build: the docs build with an empty execution cache;
- warm no-op rebuild: the same build again, nothing changed;
- one-snippet edit, one-helper edit: a page's snippet, or a module of
  snippets/keras_guide, changed; which pages re-executed;
- one-prose edit: a sentence changed; nothing may re-execute;
- fresh setup: a new virtual environment, the install and a cold build,
  beside a bare ``pip install`` of the same pinned packages;
- bare project: benchmarks/bare_project (MyST-NB, sphinx-book-theme, two
  executed pages), built cold once, then a warm no-op rebuild right after
  each of the guide's, with the same options and Python.

It prints a Markdown table and writes docs/_build/bench/bench.json, which
holds the runs so far after each scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from guide_build.pages import executed_pages, pinned
from guide_build.run import QUIET_ENVIRONMENT
from keras_guide.stacks import SITE_STACK, STACKS

ROOT = Path(__file__).resolve().parents[1]
SITE_EXTRAS = "site,docs"
EXECUTED = re.compile(r"(\w+)\.md: Executed notebook in ([\d.]+) seconds")


def copy_tree(destination: Path) -> Path:
    """The working tree's files (tracked and new, not ignored), without builds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
    return seconds, result.stdout + result.stderr


def sphinx_build(python: str, options) -> list[str]:
    """The docs build of ``nox -s docs``, with a given interpreter and options."""
    return [python, "-m", "sphinx", "-b", "html", *options, "docs", "docs/_build/html"]


class Tree:
    """A copy of the project, built with the current environment's Python."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The copy's code, not the editable install's, for the build and its kernels.
        self.env = {"PYTHONPATH": f"{path / 'snippets'}:{path}"}

    def build(self, *options: str) -> tuple[float, list[str]]:
        """sphinx-build as ``nox -s docs`` runs it; seconds and executed pages."""
        seconds, log = timed(
            sphinx_build(sys.executable, options),
            self.path,
            self.env,
        )
        return seconds, sorted(match[1] for match in EXECUTED.finditer(log))

    def clean(self) -> None:
        shutil.rmtree(self.path / "docs" / "_build", ignore_errors=True)

    def append(self, relative: str, text: str) -> None:
        with (self.path / relative).open("a", encoding="utf-8") as stream:
            stream.write(text)

    def replace(self, relative: str, old: str, new: str) -> None:
        path = self.path / relative
        content = path.read_text(encoding="utf-8")
        assert old in content, f"{relative} has no {old!r}"
        path.write_text(content.replace(old, new, 1), encoding="utf-8")


class BareProject:
    """A copy of benchmarks/bare_project, the rebuild that the guide's is held to."""

    SOURCE = ROOT / "benchmarks" / "bare_project"
    # MyST-NB creates its execution cache on first use, without a lock: create it
    # before the parallel readers of a cold -j build race to (as docs/conf.py does).
    CREATE_CACHE = (
        "import sys; from jupyter_cache import get_cache; get_cache(sys.argv[1]).db"
    )

    def __init__(self, path: Path, env: dict) -> None:
        ignore = shutil.ignore_patterns("_build")
        self.path = Path(shutil.copytree(self.SOURCE, path, ignore=ignore))
        self.env = env
        cache = self.path / "_build" / ".jupyter_cache"
        subprocess.run([sys.executable, "-c", self.CREATE_CACHE, cache], check=True)

    def build(self, *options: str) -> tuple[float, list[str]]:
        """sphinx-build as for the guide; returns seconds and executed pages."""
        command = [sys.executable, "-m", "sphinx", "-b", "html", *options]
        seconds, log = timed([*command, ".", "_build/html"], self.path, self.env)
        return seconds, sorted(match[1] for match in EXECUTED.finditer(log))


def fresh_setup(workdir: Path, sphinx_options: list[str]) -> dict[str, float]:
    """Install + cold build in a new venv, beside a bare install of the same pins.

    Each venv is deleted once timed: with TensorFlow and PyTorch, one is several GB.
    """
    bare = workdir / "bare"
    subprocess.run([sys.executable, "-m", "venv", str(bare)], check=True)
    bare_seconds, _ = timed(
        [
            str(bare / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            *pinned(*SITE_EXTRAS.split(","), shared=True),
        ],
        workdir,
    )
    shutil.rmtree(bare)
    tree = copy_tree(workdir / "fresh")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(tree / ".venv")], check=True)
    python = str(tree / ".venv" / "bin" / "python")
    timed(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "-e",
            "snippets",
            "-e",
            f".[{SITE_EXTRAS}]",
        ],
        tree,
    )
    install_seconds = time.perf_counter() - start
    build_seconds, _ = timed(
        sphinx_build(python, sphinx_options),
        tree,
        {"TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    shutil.rmtree(workdir)
    return {
        "bare install": bare_seconds,
        "install": install_seconds,
        "cold build": build_seconds,
    }


def measure(
    repeat: int, fresh_setups: int, sphinx_options: list[str], output: Path
) -> dict:
    """Time each scenario; ``output`` holds the runs so far after each one."""
    runs: dict[str, list[float]] = {}
    executed: dict[str, list[str]] = {}
    result = {"runs": runs, "executed pages": executed}

    def record(name: str, seconds: float, pages: list[str] | None = None) -> None:
        runs.setdefault(name, []).append(round(seconds, 2))
        if pages is not None:
            executed[name] = pages
        output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="guide-bench-") as scratch:
        tree = Tree(copy_tree(Path(scratch) / "tree"))
        pages = executed_pages(tree.path / "docs")
        floor_env = {**tree.env, **QUIET_ENVIRONMENT, **STACKS[SITE_STACK].environment}
        floor_run = [sys.executable, "-m", "guide_build.run", SITE_STACK, "floor.json"]
        bare = BareProject(Path(scratch) / "bare", tree.env)
        record("bare project: cold build", *bare.build(*sphinx_options))
        for round_ in range(repeat):
            # guide_build.run: every page's code in one process, as the matrix runs it.
            seconds, _ = timed([*floor_run, *pages], tree.path, floor_env)
            record("floor: every page's code, one process", seconds)
            tree.clean()
            # Not strict: without execution, glued values and outputs are missing.
            seconds, _ = tree.build("-D", "nb_execution_mode=off")
            record("floor: Sphinx build, execution off", seconds)
            tree.clean()
            record("cold build", *tree.build(*sphinx_options))
            record("warm no-op rebuild", *tree.build(*sphinx_options))
            record("bare project: warm no-op rebuild", *bare.build(*sphinx_options))
            tree.append("snippets/two_knobs.py", f"\nprint('bench edit {round_}')\n")
            record(
                "one-snippet edit (snippets/two_knobs.py)", *tree.build(*sphinx_options)
            )
            tree.append("snippets/keras_guide/weights.py", f"\n# bench edit {round_}\n")
            record(
                "one-helper edit (keras_guide/weights.py)", *tree.build(*sphinx_options)
            )
            tree.replace("docs/two_knobs.md", "# Two knobs", f"# Two knobs ({round_})")
            record("one-prose edit (docs/two_knobs.md)", *tree.build(*sphinx_options))
        for round_ in range(fresh_setups):
            workdir = Path(scratch) / f"fresh{round_}"
            for name, seconds in fresh_setup(workdir, sphinx_options).items():
                record(f"fresh setup: {name}", seconds)
    return result


def bare_ratio(median: dict[str, float]) -> str:
    ratio = median["warm no-op rebuild"] / median["bare project: warm no-op rebuild"]
    return f"warm no-op rebuild / bare warm no-op rebuild = {ratio:.2f} (target ≤ 1.25)"


def report(result: dict) -> str:
    median = {
        name: statistics.median(values) for name, values in result["runs"].items()
    }
    floor = (
        median["floor: every page's code, one process"]
        + median["floor: Sphinx build, execution off"]
    )
    lines = [
        "| scenario | median s | runs | pages executed |",
        "| --- | ---: | --- | --- |",
    ]
    for name, values in result["runs"].items():
        pages = ", ".join(result["executed pages"].get(name, [])) or "–"
        lines.append(f"| {name} | {median[name]:.1f} | {values} | {pages} |")
    lines.append(f"| floor (code + Sphinx) | {floor:.1f} | | |")
    lines.append(
        f"\ncold build / floor = {median['cold build'] / floor:.2f} (target ≤ 1.5)"
    )
    lines.append(
        f"warm no-op rebuild = {median['warm no-op rebuild']:.1f} s (target ≤ 5)"
    )
    lines.append(bare_ratio(median))
    if "fresh setup: install" in median:
        fresh = median["fresh setup: install"] + median["fresh setup: cold build"]
        bound = median["fresh setup: bare install"] + floor
        lines.append(
            f"fresh setup / (bare install + floor) = {fresh / bound:.2f} (target ≤ 2)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sphinx-options", required=True, help="those of nox -s docs")
    parser.add_argument(
        "--fresh-setups",
        type=int,
        help="how many fresh setups to time (default: --repeat)",
    )
    arguments = parser.parse_args()
    sphinx_options = arguments.sphinx_options.split()
    fresh_setups = (
        arguments.repeat if arguments.fresh_setups is None else arguments.fresh_setups
    )
    output = ROOT / "docs" / "_build" / "bench"
    output.mkdir(parents=True, exist_ok=True)
    result = measure(
        arguments.repeat, fresh_setups, sphinx_options, output / "bench.json"
    )
    table = report(result)
    (output / "bench.md").write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
