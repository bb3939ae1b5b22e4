"""The stack table (``keras_guide.stacks``) is the one place a stack is declared:
its packages come from pyproject's extras, its results from keras_guide/results/,
and the upstream check moves it by the group it names."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from guide_build.pages import ROOT, pinned
from guide_build.prepare_stack import MAY_BE_MISSING
from guide_build.upstream import UPSTREAMS
from guide_build.venvs import python_of_version
from keras_guide.stacks import (
    BACKENDS,
    HIDEABLE,
    KERAS_DISTRIBUTIONS,
    MATRIX_RESULTS,
    RELEASES,
    SITE_STACK,
    STACKS,
)

EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"
]["optional-dependencies"]


def test_a_stack_names_known_extras_backend_keras_and_upstream_group():
    for stack in STACKS.values():
        assert set(stack.extras or ()) <= EXTRAS.keys(), stack.id
        assert stack.backend in BACKENDS, stack.id
        assert stack.keras in KERAS_DISTRIBUTIONS, stack.id
        assert stack.upstream in (*UPSTREAMS, None), stack.id
        assert set(stack.hidden) <= HIDEABLE.keys(), stack.id
        assert stack.group in ("matrix", "sweep"), stack.id


def test_a_stack_installs_its_keras_and_backend_pinned():
    for stack in STACKS.values():
        requirements = [*pinned(*(stack.extras or ("site",))), *stack.overlay]
        names = {r.partition("==")[0] for r in requirements if "==" in r}
        hidden = {HIDEABLE[module] for module in stack.hidden}
        assert stack.keras in names, stack.id
        assert BACKENDS[stack.backend].distributions[0] in names, stack.id
        assert BACKENDS[stack.backend].distributions[0] not in hidden, stack.id


def test_the_sweep_lays_each_earlier_release_over_the_sites_tensorflow():
    for release, pins in RELEASES.items():
        stack = STACKS[f"keras{release}-tf"]
        assert stack.extras is None and stack.group == "sweep"
        assert pins[0].startswith(f"keras=={release}."), release
    assert [*RELEASES] == [f"3.{minor}" for minor in range(len(RELEASES))]


def test_every_module_a_stack_may_hide_says_why_page_code_cannot_use_it():
    assert MAY_BE_MISSING.keys() == HIDEABLE.keys()


def test_the_site_is_built_on_a_stack_of_its_own_environment():
    assert STACKS[SITE_STACK].extras is None


def test_every_stack_and_no_other_has_committed_results():
    assert sorted(path.stem for path in MATRIX_RESULTS.iterdir()) == sorted(STACKS)


def test_a_stack_runs_on_the_python_it_names_or_the_run_says_what_to_install():
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = python_of_version(running)
    version = "import sys; print(*sys.version_info[:2], sep='.')"
    assert subprocess.check_output([found, "-c", version], text=True).strip() == running
    with pytest.raises(SystemExit, match="Python 3.99 is missing: install it"):
        python_of_version("3.99")
