"""The hosted builds as configured: GitHub's workflows and Read the Docs.

`nox -s lint` validates the files against their schemas (actionlint, zizmor,
check-jsonschema); these tests check what the guide needs of them.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import sys

import yaml

from guide_build.lean_install import TORCH_CPU_WHEELS, find_links, problems
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


def test_every_installer_that_nox_runs_looks_at_pytorchs_cpu_wheels(monkeypatch):
    """The noxfile sets the find-links of uv and pip to this, for every install on
    every machine; no workflow or builder needs to."""
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    assert find_links(reach=lambda url: True) == {
        "PIP_FIND_LINKS": f"/opt/wheels {TORCH_CPU_WHEELS}",
        "UV_FIND_LINKS": f"/opt/wheels,{TORCH_CPU_WHEELS}",
    }
    assert find_links(reach=lambda url: False) == {
        "PIP_FIND_LINKS": "/opt/wheels",
        "UV_FIND_LINKS": "/opt/wheels",
    }
    monkeypatch.delenv("PIP_FIND_LINKS")
    assert find_links(reach=lambda url: True)["UV_FIND_LINKS"] == TORCH_CPU_WHEELS
    assert TORCH_CPU_WHEELS == "https://download.pytorch.org/whl/cpu/torch/"
    assert "os.environ.update(find_links())" in (ROOT / "noxfile.py").read_text(
        encoding="utf-8"
    )
    for name in ("ci.yml", "pages.yml", "upstream.yml"):
        variables = workflow(name).get("env", {}).keys()
        assert not {"PIP_FIND_LINKS", "UV_FIND_LINKS"} & variables, name


def test_the_torch_pin_admits_the_cpu_build():
    (torch,) = [r for r in pinned("torch") if r.startswith("torch==")]
    assert re.fullmatch(r"torch==\d+\.\d+\.\d+", torch), torch


def test_the_lean_install_check_fails_on_cuda_torch_and_nvidia_packages():
    def install(name, version):
        return {"name": name, "version": version}

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


def cache_steps(name: str) -> list[dict]:
    return [
        step["with"]
        for job in workflow(name)["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/cache@")
    ]


def test_uv_caches_miss_when_a_pin_changes_and_a_prose_edit_executes_nothing():
    """jupyter-cache keys each page on its cells and on what its execution reads
    (``snippet_cells``), so the newest cache is always safe to start from: a
    prose edit restores it and re-executes nothing."""
    for name in ("ci.yml", "pages.yml"):
        caches = {cache["path"]: cache for cache in cache_steps(name)}
        packages = caches["~/.cache/uv"]
        assert packages["key"] == "uv-${{ hashFiles('pyproject.toml') }}"
        assert "restore-keys" not in packages
        execution = caches["docs/_build/.jupyter_cache"]
        assert execution["key"] == "jupyter-${{ github.sha }}"
        assert execution["restore-keys"] == "jupyter-"


def every_job() -> list[tuple[str, str, dict]]:
    return [
        (path.name, name, job)
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in workflow(path.name)["jobs"].items()
    ]


def test_every_job_has_a_time_limit():
    """A hung kernel stops at the limit, not after GitHub's six hours."""
    for file, name, job in every_job():
        assert 0 < job.get("timeout-minutes", 0) <= 60, (file, name)


def test_the_record_workflow_runs_one_job_per_stack_of_the_table():
    jobs = workflow("record.yml")["jobs"]
    assert "from keras_guide.stacks import STACKS" in commands(jobs["stacks"])
    stack = jobs["stack"]
    assert stack["strategy"]["matrix"]["stack"] == (
        "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    )
    assert stack["strategy"]["fail-fast"] is False
    # A stack that runs on a Python of its own gets a job on that Python.
    assert stack["container"] == "python:${{ matrix.stack.python }}-bookworm"
    assert "s.python or" in commands(jobs["stacks"])
    assert 'nox -s matrix -- --update "$STACK"' in commands(stack)
    assert "nox -s record" in commands(jobs["records"])
    assert {"workflow_dispatch"} == set(triggers("record.yml"))


def test_dependabot_keeps_the_pinned_actions_current():
    config = yaml.safe_load(
        (ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8")
    )
    (update,) = config["updates"]
    assert update["package-ecosystem"] == "github-actions"
    for _, _, job in every_job():
        for step in job["steps"]:
            if "uses" in step:
                assert re.search(r"@[0-9a-f]{40}$", step["uses"]), step["uses"]


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


def site_configuration(monkeypatch, **environment) -> dict:
    """docs/conf.py as a build with ``environment`` reads it; what it sets in
    this process is undone after the test."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in ("TF_CPP_MIN_LOG_LEVEL", "IPYTHONDIR"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    for name in ("GUIDE_SITE_URL", "READTHEDOCS_CANONICAL_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "docs" / "conf.py"))


def test_one_canonical_host_and_each_host_serves_its_404_page(monkeypatch):
    """GitHub Pages is canonical (it makes no request to another host); Read the
    Docs serves a mirror whose pages name it, and its own 404 page."""
    pages = "https://keras-trainable-guide.github.io/keras-trainable-guide/"
    local = site_configuration(monkeypatch)
    assert (local["html_baseurl"], local["notfound_urls_prefix"]) == (pages, "/")
    rtd = site_configuration(
        monkeypatch,
        READTHEDOCS_CANONICAL_URL="https://keras-trainable-guide.readthedocs.io/en/latest/",
    )
    assert (rtd["html_baseurl"], rtd["notfound_urls_prefix"]) == (pages, "/en/latest/")
    fork = "https://someone.github.io/fork/"
    forked = site_configuration(monkeypatch, GUIDE_SITE_URL=fork)
    assert (forked["html_baseurl"], forked["notfound_urls_prefix"]) == (fork, "/fork/")


def test_a_version_tag_publishes_the_tested_wheel_with_trusted_publishing():
    assert triggers("release.yml") == {"push": {"tags": ["v*"]}}
    jobs = workflow("release.yml")["jobs"]
    assert "snippets/pyproject.toml" in commands(jobs["wheel"])
    assert "nox -s wheel unit -- tests/test_wheel.py" in commands(jobs["wheel"])
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # no token: PyPI trusts the workflow
