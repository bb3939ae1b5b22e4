"""Every install is lean: PyTorch's CPU build, and no NVIDIA package.

    python -m guide_build.lean_install [REPORT.json]

On a stock machine, PyPI's ``torch`` for Linux is the CUDA build, which pulls
NVIDIA's libraries. PyTorch publishes its CPU wheels on a page of its own
(``torch-cpu-wheels`` in pyproject.toml), and the noxfile adds that page to the
find-links of every uv and pip it runs: they then see torch's CPU build beside
PyPI's, and take it, as ``2.13.0+cpu`` is newer than ``2.13.0`` and the pin
``==2.13.0`` admits it. Every other package still comes from PyPI.

This asks uv, which makes nox's environments, to resolve what the tests install
(the site's, docs', tests' and browser extras) into an empty environment, with
``--dry-run``; it prints what uv would install, and fails when that has a torch
other than the CPU build, or any ``nvidia-*`` package. It needs uv installed
beside the Python that runs it, as the README's commands install it beside nox.
"""

from __future__ import annotations

import json
import os
import re
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
# A line of `uv pip install --dry-run`: " + torch==2.13.0+cpu".
WOULD_INSTALL = re.compile(r"^ \+ ([\w.-]+)==(\S+)", re.M)


def reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether this machine can open a connection to the host of ``url``."""
    try:
        socket.create_connection((urlsplit(url).hostname, 443), timeout).close()
    except OSError:
        return False
    return True


def find_links(reach=reachable) -> dict[str, str]:
    """The find-links of pip and uv with PyTorch's CPU wheels added, where this
    machine can reach them: what the noxfile sets for every installer it runs. A
    machine that cannot (a registry mirror only) keeps its own links: an installer
    would retry the page for every package, and then take PyPI's torch all the
    same."""
    links = os.environ.get("PIP_FIND_LINKS", "").split()
    if reach(TORCH_CPU_WHEELS):
        links.append(TORCH_CPU_WHEELS)
    return {"PIP_FIND_LINKS": " ".join(links), "UV_FIND_LINKS": ",".join(links)}


def resolve() -> list[dict]:
    """What uv would install for the tests into an empty environment, with
    PyTorch's CPU wheels in view as nox has them."""
    uv = [sys.executable, "-m", "uv"]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([*uv, "venv", "-q", folder], check=True)
        shown = subprocess.run(
            [*uv, "pip", "install", "--dry-run", "--python", folder]
            + ["-e", str(ROOT / "snippets"), "-e", f"{ROOT}[{EXTRAS}]"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **find_links()},
        )
    found = WOULD_INSTALL.findall(shown.stdout + shown.stderr)
    return [{"name": name, "version": version} for name, version in found]


def problems(installs: list[dict]) -> list[str]:
    """What makes the resolution heavy: a CUDA torch, NVIDIA's packages."""
    found = []
    for item in installs:
        name, version = item["name"], item["version"]
        if name.lower().startswith("nvidia-"):
            found.append(f"{name} {version}")
        if name.lower() == "torch" and not version.endswith("+cpu"):
            found.append(f"torch {version} is not the CPU build")
    return found


def main(arguments: list[str]) -> int:
    installs = resolve()
    if arguments:
        Path(arguments[0]).write_text(json.dumps(installs, indent=1), encoding="utf-8")
    for item in sorted(installs, key=lambda item: item["name"].lower()):
        print(f"{item['name']:32} {item['version']}")
    found = problems(installs)
    print(f"{len(installs)} packages; heavy: {', '.join(found) or 'none'}")
    return 1 if found or not installs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
