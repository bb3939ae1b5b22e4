"""The hosted builds as configured: GitHub's workflows and Read the Docs.

`nox -s lint` validates the files against their schemas (actionlint, zizmor,
check-jsonschema); these tests check what the guide needs of them.
"""

from __future__ import annotations

import json
import re

import yaml

from guide_build.lean_install import TORCH_CPU_WHEELS, pip_find_links, problems
from guide_build.pages import ROOT, pinned
from guide_build.upstream import compare
from keras_guide.stacks import MATRIX_RESULTS

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def commands(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def triggers(name: str) -> dict:
    # YAML 1.1 reads the key `on` as True.
    return workflow(name)[True]


def test_every_pip_that_nox_runs_looks_at_pytorchs_cpu_wheels(monkeypatch):
    """The noxfile sets PIP_FIND_LINKS to this, for every install on every machine;
    no workflow or builder needs to."""
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    assert pip_find_links(reach=lambda url: True) == f"/opt/wheels {TORCH_CPU_WHEELS}"
    assert pip_find_links(reach=lambda url: False) == "/opt/wheels"
    monkeypatch.delenv("PIP_FIND_LINKS")
    assert pip_find_links(reach=lambda url: True) == TORCH_CPU_WHEELS
    assert TORCH_CPU_WHEELS == "https://download.pytorch.org/whl/cpu/torch/"
    assert 'os.environ["PIP_FIND_LINKS"] = pip_find_links()' in (
        ROOT / "noxfile.py"
    ).read_text(encoding="utf-8")
    for name in ("ci.yml", "pages.yml", "upstream.yml"):
        assert "PIP_FIND_LINKS" not in workflow(name).get("env", {}), name


def test_the_torch_pin_admits_the_cpu_build():
    (torch,) = [r for r in pinned("torch") if r.startswith("torch==")]
    assert re.fullmatch(r"torch==\d+\.\d+\.\d+", torch), torch


def test_the_lean_install_check_fails_on_cuda_torch_and_nvidia_packages():
    def install(name, version):
        return {"metadata": {"name": name, "version": version}}

    assert problems([install("torch", "2.13.0+cpu"), install("numpy", "2.4.6")]) == []
    assert problems([install("torch", "2.13.0"), install("nvidia-nccl-cu13", "2")])


def test_ci_runs_the_ci_command_and_the_lean_install_check():
    jobs = workflow("ci.yml")["jobs"]
    run = "\n".join(commands(job) for job in jobs.values())
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    sessions = re.search(r"nox -s ([\w ]+)$", ci_command, re.M).group(1).split()
    for session in sessions:
        assert f"nox -s {session}" in run, session
    assert "python3 -m guide_build.lean_install" in run
    assert {"push", "pull_request"} <= set(triggers("ci.yml"))


def test_ci_caches_miss_when_a_pin_or_a_snippet_changes():
    for name in ("ci.yml", "pages.yml"):
        for job in workflow(name)["jobs"].values():
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/cache@"):
                    key = step["with"]["key"]
                    assert "hashFiles('pyproject.toml'" in key, key
                    if "jupyter_cache" in step["with"]["path"]:
                        assert "'snippets/**'" in key, key
                    assert "restore-keys" not in step["with"], key


def test_pages_builds_for_the_deployed_sub_path_and_tests_it_there():
    jobs = workflow("pages.yml")["jobs"]
    (build,) = [
        step for step in jobs["build"]["steps"] if "nox -s tests" in step.get("run", "")
    ]
    assert build["env"]["GUIDE_SITE_URL"].endswith(
        "github.io/${{ github.event.repository.name }}/"
    )
    for tests in ("test_built_site.py", "test_reader_site.py", "test_browser.py"):
        assert f"tests/site/{tests}" in build["run"]
    assert any(
        step.get("uses", "").startswith("actions/deploy-pages@")
        for step in jobs["deploy"]["steps"]
    )


def test_the_upstream_check_runs_weekly_and_on_demand():
    assert {"schedule", "workflow_dispatch"} <= set(triggers("upstream.yml"))
    (job,) = workflow("upstream.yml")["jobs"].values()
    assert "nox -s upstream" in commands(job)


def test_the_upstream_check_reports_a_claim_whose_outcome_changed():
    committed = json.loads((MATRIX_RESULTS / "keras3-tf.json").read_text("utf-8"))
    claims = {
        claim_id: dict(outcome) for claim_id, outcome in committed["claims"].items()
    }
    assert compare("keras3-tf", {"pages": {"page": {"claims": claims}}}) == []
    claims["KNOBS-FROZEN-BN-INFERENCE"] = {"status": "differs", "observed": "False"}
    (line,) = compare("keras3-tf", {"pages": {"page": {"claims": claims}}})
    assert line.startswith("KNOBS-FROZEN-BN-INFERENCE: {")
    assert line.endswith("-> {'status': 'differs', 'observed': 'False'}")
