"""The hosted installs are lean: PyTorch's CPU build, and no NVIDIA package.

    python -m guide_build.lean_install [REPORT.json]

On a stock builder, PyPI's ``torch`` for Linux is the CUDA build, which pulls
NVIDIA's libraries. PyTorch publishes its CPU wheels on a page of its own, so
Read the Docs and the workflows set ``PIP_FIND_LINKS`` to that page
(``TORCH_CPU_WHEELS``): pip then sees torch's CPU build beside PyPI's, and
takes it, as ``2.13.0+cpu`` is newer than ``2.13.0`` and the pin ``==2.13.0``
admits it. Every other package still comes from PyPI.

This asks pip to resolve what the tests install (the site's, docs', tests' and
browser extras) as those builders do, with ``--dry-run --report``, prints what it would
install, and fails when that has a torch other than the CPU build, or any
``nvidia-*`` package.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from guide_build.pages import ROOT

TORCH_CPU_WHEELS = "https://download.pytorch.org/whl/cpu/torch/"
EXTRAS = "site,docs,test,browser"


def resolve(report: Path) -> list[dict]:
    """What pip would install for the tests, from scratch, in this environment's
    configuration (``PIP_FIND_LINKS`` included)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            "-e",
            f"{ROOT}[{EXTRAS}]",
        ],
        check=True,
    )
    return json.loads(report.read_text(encoding="utf-8"))["install"]


def problems(installs: list[dict]) -> list[str]:
    """What makes the resolution heavy: a CUDA torch, NVIDIA's packages."""
    found = []
    for item in installs:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if name.lower().startswith("nvidia-"):
            found.append(f"{name} {version}")
        if name.lower() == "torch" and not version.endswith("+cpu"):
            found.append(f"torch {version} is not the CPU build")
    return found


def main(arguments: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(arguments[0]) if arguments else Path(folder) / "report.json"
        installs = resolve(report)
    for item in sorted(installs, key=lambda item: item["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        print(f"{name:32} {version:24} {item['download_info']['url']}")
    found = problems(installs)
    print(f"{len(installs)} packages; heavy: {', '.join(found) or 'none'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
