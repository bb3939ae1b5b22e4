"""The helpers' wheel (``nox -s wheel``, into dist/) is what a reader installs: pure
Python, no dependency, the site's results inside, importable in an environment
that has nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from guide_build import records
from guide_build.notebooks import helpers_project
from guide_build.pages import ROOT
from keras_guide.stacks import MATRIX_RESULTS, STACKS


@pytest.fixture(scope="module")
def wheel():
    name, version = helpers_project()
    wheels = sorted((ROOT / "dist").glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    assert len(wheels) == 1, "run `nox -s wheel` (nox -s unit and tests build it)"
    return wheels[0]


def test_the_wheel_is_pure_python_and_declares_no_dependency(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith("/METADATA"))
        fields = Parser().parsestr(archive.read(metadata).decode())
        names = archive.namelist()
    assert fields.get_all("Requires-Dist") is None
    helpers = {f"keras_guide/{p.name}" for p in MATRIX_RESULTS.parent.glob("*.py")}
    results = {f"keras_guide/results/{stack}.json" for stack in STACKS}
    metadata_files = {n for n in names if n.split("/")[0].endswith(".dist-info")}
    assert set(names) - metadata_files == helpers | results


def test_the_wheel_carries_the_site_results_of_every_stack(wheel):
    with zipfile.ZipFile(wheel) as archive:
        results = {
            Path(n).stem: archive.read(n)
            for n in archive.namelist()
            if n.startswith("keras_guide/results/")
        }
    assert sorted(results) == sorted(STACKS)
    for stack, data in results.items():
        assert data == (MATRIX_RESULTS / f"{stack}.json").read_bytes(), stack


READ_RESULTS = """
from keras_guide.matrix import load_results
from keras_guide.stacks import SITE_STACK
results = load_results(group=None)
print(len(results), results[SITE_STACK]["label"])
"""


def test_the_wheel_installs_and_reads_its_results_in_an_empty_environment(
    wheel, tmp_path
):
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
        check=True,
    )
    python = str(tmp_path / "venv" / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    subprocess.run([*pip, "--no-index", "--no-deps", str(wheel)], check=True)
    done = subprocess.run(
        [python, "-I", "-c", READ_RESULTS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == [
        str(len(STACKS)),
        "Keras 3 on TensorFlow\n",
    ]


def test_a_version_of_the_helpers_holds_one_content():
    """Readers' notebooks install the wheel by its version: a change of the
    helpers or of the site's results needs a new version, which `nox -s record`
    records (tests/records/wheel.json)."""
    _, version = helpers_project()
    recorded = records.read_record("wheel")
    assert version in recorded, "run `nox -s record` and commit tests/records/"
    assert recorded[version] == records.wheel_content(), (
        f"the helpers changed since {version}: bump the version in "
        "snippets/pyproject.toml, then run `nox -s record`"
    )
