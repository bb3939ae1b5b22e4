"""Every install is lean: PyTorch's CPU build, and no NVIDIA package.

    python -m guide_build.lean_install [REPORT.json]

On a stock machine, PyPI's ``torch`` for Linux is the CUDA build, which pulls
NVIDIA's libraries. PyTorch publishes its CPU wheels on a page of its own
(``torch-cpu-wheels`` in pyproject.toml), and the noxfile adds that page to
``PIP_FIND_LINKS`` for every pip it runs: pip then sees torch's CPU build beside
PyPI's, and takes it, as ``2.13.0+cpu`` is newer than ``2.13.0`` and the pin
``==2.13.0`` admits it. Every other package still comes from PyPI.

This asks pip to resolve what the tests install (the site's, docs', tests' and
browser extras) as nox does, with ``--dry-run --report``, prints what it would
install, and fails when that has a torch other than the CPU build, or any
``nvidia-*`` package. Run it with ``PIP_CONFIG_FILE=/dev/null`` to see what a
machine without pip configuration of its own resolves.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]  # stdlib only: the noxfile imports this
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TORCH_CPU_WHEELS = PYPROJECT["tool"]["keras-trainable-guide"]["torch-cpu-wheels"]
EXTRAS = "site,docs,test,browser"


def reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether this machine can open a connection to the host of ``url``."""
    try:
        socket.create_connection((urlsplit(url).hostname, 443), timeout).close()
    except OSError:
        return False
    return True


def pip_find_links(reach=reachable) -> str:
    """``PIP_FIND_LINKS`` with PyTorch's CPU wheels added, where this machine can
    reach them: what the noxfile sets for every pip it runs. A machine that cannot
    (a registry mirror only) keeps its own links: pip would retry the page for
    every package, for minutes, and then take PyPI's torch all the same."""
    links = [os.environ.get("PIP_FIND_LINKS")]
    if reach(TORCH_CPU_WHEELS):
        links.append(TORCH_CPU_WHEELS)
    return " ".join(filter(None, links))


def resolve(report: Path) -> list[dict]:
    """What pip would install for the tests, from scratch, in this environment's
    configuration, with PyTorch's CPU wheels in view as nox has them."""
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
        env={**os.environ, "PIP_FIND_LINKS": pip_find_links()},
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
