"""The one way the tooling makes an environment of its own.

The claim matrix keeps a virtual environment for each stack that needs packages
the site's environment lacks (``.nox/stack-<name>``), made again when its pins
change, and a folder of packages laid over the site's environment for each
Keras release of the sweep (``.nox/overlay-<name>``); the upstream check makes
fresh virtual environments of the newest releases (``.nox/upstream-<name>``).
The notebooks' test runs them with the packages of the tests' environment but
not the project installed there (``.nox/notebooks``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from glob import glob
from os.path import expanduser
from pathlib import Path


def environment(
    venv: Path, installs: list[list[str]], keep: bool = True, base: str = sys.executable
) -> str:
    """The interpreter of ``venv``, a virtual environment of the Python ``base``,
    made with each pip command of ``installs`` in turn. With ``keep``, an
    environment made from the same Python and commands is reused."""
    python = str(venv / "bin" / "python")
    stamp = venv / "installed-with"
    recipe = "\n".join([base, *(" ".join(install) for install in installs)])
    if keep and stamp.exists() and stamp.read_text(encoding="utf-8") == recipe:
        return python
    subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
    for install in [["install", "--upgrade", "pip"], *installs]:
        subprocess.run([python, "-m", "pip", "-q", *install], check=True)
    stamp.write_text(recipe, encoding="utf-8")
    return python


def python_of_version(version: str) -> str:
    """A Python ``version`` ("3.13") of this machine: on the path, or installed by
    pyenv (whose shim on the path runs only the version it is set to)."""
    pattern = f"~/.pyenv/versions/{version}.*/bin/python{version}"
    candidates = [shutil.which(f"python{version}"), *sorted(glob(expanduser(pattern)))]
    major, minor = version.split(".")
    wanted = f"import sys; sys.exit(sys.version_info[:2] != ({major}, {minor}))"
    for candidate in filter(None, candidates):
        ran = subprocess.run([candidate, "-c", wanted], capture_output=True)
        if ran.returncode == 0:
            return candidate
    raise SystemExit(
        f"Python {version} is missing: install it (pyenv install {version}, or your "
        "distribution's package) to run the stacks that need it."
    )


def overlay(folder: Path, requirements: list[str]) -> Path:
    """A folder that holds ``requirements`` without their dependencies, to put
    first on ``PYTHONPATH``; made again when the requirements change."""
    stamp = folder / "installed-with"
    recipe = "\n".join(requirements)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == recipe:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    pip = [sys.executable, "-m", "pip", "-q", "install", "--no-deps", "--target"]
    subprocess.run([*pip, str(folder), *requirements], check=True)
    stamp.write_text(recipe, encoding="utf-8")
    return folder


def without_the_project(venv: Path) -> str:
    """The interpreter of ``venv``: an environment that imports the packages of
    this interpreter's environment, but not the project installed there in
    editable mode. That install hooks in through a ``.pth`` file, and Python
    reads those only in an environment's own site-packages, not in a folder that
    a ``.pth`` file puts on the path."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", "--without-pip", str(venv)],
        check=True,
    )
    python = str(venv / "bin" / "python")
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    own = subprocess.run(
        [python, "-I", "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    borrowed = sysconfig.get_paths()["purelib"]
    Path(own, "borrowed-packages.pth").write_text(borrowed + "\n", encoding="utf-8")
    return python
