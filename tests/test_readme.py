"""CI proves the README: .ci/run runs exactly the README's CI command."""

import re

from guide_build.pages import ROOT


def readme_commands() -> list[str]:
    blocks = re.findall(
        r"```(?:bash|sh)\n(.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    return [
        line
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_ci_runs_the_readme_ci_command():
    ci_commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_commands == [
        command for command in readme_commands() if "nox -s lint tests" in command
    ]


def test_readme_runs_the_tests_with_nox():
    assert any(re.search(r"nox -s tests$", command) for command in readme_commands())


def test_readme_builds_the_site_with_nox():
    assert any(re.search(r"nox -s docs$", command) for command in readme_commands())


def test_read_the_docs_builds_with_the_readme_docs_command():
    docs_command = next(
        command for command in readme_commands() if re.search(r"nox -s docs$", command)
    )
    assert f"- {docs_command}\n" in (ROOT / ".readthedocs.yaml").read_text()


def test_the_readme_is_a_front_door():
    """What the site is, where to read it, Colab, the two commands, the licence and
    where to go next, in at most 800 words; the rest is in CONTRIBUTING.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.split()) <= 800
    assert re.findall(r"^## (.+)$", readme, re.M) == [
        "Read it",
        "Run a page in Colab",
        "Two commands",
        "Where to go next",
    ]
    assert "(CONTRIBUTING.md)" in readme and "**Licence.**" in readme


def test_the_table_of_paths_names_every_folder_and_file_of_the_project():
    """Every top-level entry and every folder of docs/ is in CONTRIBUTING's table
    of what the project holds, and every path the table names exists."""
    table = (ROOT / "CONTRIBUTING.md").read_text().split("## How it is built", 1)[1]
    named = re.findall(r"^\| `([^`]+)`", table, re.M)
    entries = [
        path.name + ("/" if path.is_dir() else "")
        for path in [*ROOT.iterdir(), *(ROOT / "docs").iterdir()]
        if path.is_dir() or path.parent == ROOT
    ]
    entries = [
        entry if (ROOT / entry).exists() else f"docs/{entry}" for entry in entries
    ]
    unnamed = [
        entry
        for entry in entries
        if not entry.startswith((".", "docs/.", "docs/_build", "__pycache__"))
        and "egg-info" not in entry
        and entry not in ("README.md", "CONTRIBUTING.md")
        and not any(name.startswith(entry) for name in named)
    ]
    assert unnamed == []
    for name in named:
        assert (ROOT / name.replace("<page>", "two_knobs")).exists(), name
