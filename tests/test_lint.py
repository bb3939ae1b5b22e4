"""The pre-commit hooks run the ruff that `nox -s lint` runs."""

import re
import tomllib

from guide_build.pages import ROOT


def test_pre_commit_pins_the_ruff_of_the_lint_group():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (pin,) = [
        requirement
        for requirement in pyproject["dependency-groups"]["lint"]
        if requirement.startswith("ruff==")
    ]
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.findall(r'"(ruff==[^"]+)"', hooks) == [pin, pin]
