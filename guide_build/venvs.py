"""The one way the tooling makes a virtual environment of its own.

The claim matrix keeps one per stack that needs packages the site's
environment lacks (``.nox/stack-<name>``), made again when its pins change; the
upstream check makes fresh ones of the newest releases (``.nox/upstream-<name>``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def environment(venv: Path, installs: list[list[str]], keep: bool = True) -> str:
    """The interpreter of ``venv``, made with each pip command of ``installs`` in
    turn. With ``keep``, an environment made from the same commands is reused."""
    python = str(venv / "bin" / "python")
    stamp = venv / "installed-with"
    recipe = "\n".join(" ".join(install) for install in installs)
    if keep and stamp.exists() and stamp.read_text(encoding="utf-8") == recipe:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    for install in [["install", "--upgrade", "pip"], *installs]:
        subprocess.run([python, "-m", "pip", "-q", *install], check=True)
    stamp.write_text(recipe, encoding="utf-8")
    return python
