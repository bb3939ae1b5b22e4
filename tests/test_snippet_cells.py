"""The extension that fills a page's cells from its code, on pages made up here."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import snippet_cells
import yaml
from myst_parser.config.main import MdParserConfig

from guide_build.inputs import inputs_digest
from guide_build.pages import read_sections, snippet_path

FRONT_MATTER = "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n---\n"
CELL = "```{code-cell} ipython3\n:snippet: two_knobs#dense-weights\n```\n"


def fill(text: str) -> tuple[str, list[str]]:
    """The page as MyST-NB will read it, and the files it depends on."""
    dependencies: list[str] = []
    env = SimpleNamespace(
        myst_config=MdParserConfig(),
        doc2path=lambda docname: f"docs/{docname}.md",
        note_dependency=dependencies.append,
    )
    source = [text]
    snippet_cells.fill_snippet_cells(SimpleNamespace(env=env), "demo", source)
    return source[0], dependencies


def test_a_cell_gets_its_sections_code_and_the_page_its_inputs_digest():
    filled, dependencies = fill(FRONT_MATTER + "# Demo\n\n" + CELL + "\nProse.\n")
    code = read_sections(snippet_path("two_knobs"))["dense-weights"].code
    assert f":snippet: two_knobs#dense-weights\n{code}```\n\nProse." in filled
    front_matter = yaml.safe_load(filled.split("---\n")[1])
    assert front_matter["kernelspec"]["execution_inputs"] == inputs_digest("two_knobs")
    assert str(snippet_path("two_knobs")) in dependencies


@pytest.mark.parametrize(
    ("page", "warning"),
    [
        (f"---\nfile_format: mystnb\n---\n{CELL}", "needs a kernelspec"),
        (FRONT_MATTER + CELL.replace("weights\n", "weights\nprint(1)\n"), "be empty"),
        (FRONT_MATTER + CELL.replace("dense-weights", "no-such"), "no section"),
    ],
)
def test_a_page_that_cannot_be_filled_is_a_warning(page, warning, caplog):
    filled, _ = fill(page)
    assert warning in caplog.text
    assert "execution_inputs" not in filled
