"""Checks on the built site: they read what the build executed, and never re-execute."""

from __future__ import annotations

import re
from importlib.metadata import version

from site_files import (
    DOCS,
    all_pages,
    built_html,
    code_cells,
    executed_notebook,
    executed_pages,
    proved_claims,
    section_cells,
)

from guide_build.copyable import measurement_split
from guide_build.inputs import execution_inputs, inputs_digest
from guide_build.pages import read_sections, snippet_path
from guide_build.words import EXCEPT, RELEASES
from keras_guide.matrix import load_results
from keras_guide.registry import all_claims
from keras_guide.stacks import SITE_STACK

# What TensorFlow, absl and Python print when they are not silenced.
LOG_NOISE = re.compile(
    r"oneDNN custom operations|cuda_drivers|Could not find cuda|cuInit"
    r"|absl::InitializeLog"
    r"|^[IWEF]\d{4} \d\d:\d\d|Traceback \(most recent call last\)",
    re.M,
)


def output_texts(page: str):
    for index, cell in enumerate(code_cells(page)):
        for output in cell["outputs"]:
            texts = [output.get("text", "")] + [
                value
                for key, value in output.get("data", {}).items()
                if key.startswith("text/")
            ]
            for text in texts:
                yield index, "".join(text) if isinstance(text, list) else text


def test_every_code_cell_was_executed_and_every_section_shows_evidence(page):
    """A section's Keras and the folded cell that measures it show their evidence
    together, under the latter."""
    sections = section_cells(page)
    assert sections, f"{page} has no code cells"
    for name, cells in sections.items():
        for cell in cells:
            assert cell["execution_count"] is not None, f"{name} was not executed"
        assert any(cell["outputs"] for cell in cells), (
            f"{name} prints nothing; each section shows its evidence"
        )


def test_no_errors_warnings_or_log_noise_in_outputs(page):
    for index, cell in enumerate(code_cells(page)):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", (
                f"{page}: code cell {index} raised {output.get('ename')}"
            )
            assert output.get("name") != "stderr", (
                f"{page}: code cell {index} wrote to stderr: {output['text']}"
            )
    for index, text in output_texts(page):
        assert not LOG_NOISE.search(text), (
            f"{page}: code cell {index} shows log noise: {text[:300]}"
        )


def test_no_log_noise_in_html():
    for page in all_pages():
        text = built_html(page).get_text()
        assert not LOG_NOISE.search(text), f"{page}.html shows log noise"


def test_status_page_lists_every_executed_page_as_succeeded():
    rows = {}
    for row in built_html("status").select("table tbody tr"):
        cells = [cell.get_text(strip=True) for cell in row.find_all("td")]
        if len(cells) == 5:
            rows[cells[0]] = cells[4]
    assert rows.keys() == set(executed_pages()), rows
    assert set(rows.values()) == {"✅"}, rows


def test_every_page_shows_the_versions_it_ran_on(page):
    banner = built_html(page).select_one("p.executed-with")
    assert banner is not None, f"{page} does not show the versions it was executed with"
    for package, label in (
        ("tensorflow", "TensorFlow"),
        ("keras", "Keras"),
        ("tf-keras", "tf-keras"),
    ):
        assert f"{label} {version(package)}" in banner.get_text(), banner.get_text()


def test_every_cell_is_a_snippet_section_in_file_order(page):
    """Running snippets/<page>.py as a script runs exactly what the page executed:
    each section's code, its measurement in a folded cell of its own."""
    sections = read_sections(snippet_path(page))
    shown = section_cells(page)
    assert None not in shown, f"{page} has code cells that do not come from snippets/"
    assert list(shown) == [f"{page}#{name}" for name in sections], list(shown)
    for cells, section in zip(shown.values(), sections.values(), strict=True):
        split = [part for part in measurement_split(section.code) if part]
        assert ["".join(cell["source"]).strip() for cell in cells] == [
            part.strip() for part in split
        ], section.name
        assert [cell["metadata"].get("tags") for cell in cells[1:]] == [
            ["hide-input"]
        ] * (len(cells) - 1), section.name


def claims_page_rows() -> dict[str, tuple[str, str, str, str]]:
    """The Claims page's table: ID -> (link, statement, where it holds, cell)."""
    rows = {}
    for row in built_html("claims").select("table.claim-index tbody tr"):
        claim_id, statement, where, proved_in = row.find_all("td")
        rows[claim_id.get_text(strip=True)] = (
            proved_in.find("a")["href"],
            statement.get_text(),
            where.get_text(strip=True),
            proved_in.get_text(strip=True).rpartition(", ")[2],
        )
    return rows


def test_claims_page_lists_every_proved_claim_with_its_page_and_cell():
    """The wording of scopes is checked on a sandbox project (test_claim_index)."""
    listed = {
        claim_id: (link, statement, cell)
        for claim_id, (link, statement, _, cell) in claims_page_rows().items()
    }
    proved = {
        claim_id: (
            f"{page}.html#claim-{claim_id}",
            claim["statement"].replace("`", ""),
            f"cell {claim['cell'] + 1}",
        )
        for page in executed_pages()
        for claim_id, claim in proved_claims(page).items()
    }
    assert proved, "no page proves any claim"
    assert listed == proved


def test_a_claims_scope_reads_the_same_in_its_badge_its_links_and_the_claims_page():
    where = {claim_id: row[2] for claim_id, row in claims_page_rows().items()}
    matrix = set(load_results()[SITE_STACK]["claims"])
    scoped = 0
    for page in executed_pages():
        html = built_html(page)
        for claim_id in proved_claims(page):
            shown = html.find(id=f"claim-{claim_id}").select_one(".claim-scope")
            if claim_id not in matrix:
                assert where[claim_id] == "the site's stack; it reads the matrix"
                assert shown is None, claim_id
            elif where[claim_id] == "every stack":
                assert shown is None, claim_id
            else:
                assert shown.get_text() == f"Scope: {where[claim_id]}", claim_id
                scoped += 1
    for page in all_pages():
        for link in built_html(page).select("a.claim-link"):
            claim_id = link["href"].split("#claim-")[1]
            name = link.get("aria-label") or link["title"]
            if where.get(claim_id, "every stack") not in (
                "every stack",
                "the site's stack; it reads the matrix",
            ):
                assert name.endswith(f"(Scope: {where[claim_id]})"), claim_id
    assert scoped, "no claim is narrower than every stack"


def test_claim_marks_in_prose_are_a_tick_named_by_their_statement():
    """The statement is the link's name and tooltip, not text on the page."""
    marks = 0
    for page in all_pages():
        if page == "claims":
            continue
        for link in built_html(page).select("a.claim-link"):
            claim_id = link["href"].split("#claim-")[1]
            assert link.get_text() == "✔", (page, claim_id, link.get_text())
            assert link["aria-label"] == f"Proved: {link['data-tip']}"
            marks += 1
    assert marks


def test_every_proved_claim_has_its_badge_and_a_sentence_that_links_to_it(page):
    html = built_html(page)
    links = {a["href"].split("#claim-")[1] for a in html.select("a.claim-link")}
    for claim_id in proved_claims(page):
        assert html.find(id=f"claim-{claim_id}") is not None, (
            f"{page}: no badge {claim_id}"
        )
        assert claim_id in links, f"{page}: no sentence links to claim {claim_id}"


def test_prose_numbers_are_glued_not_typed():
    """Numbers with a decimal point or a percent sign in prose must come from glue."""
    # "Keras 3.0 to 3.15" names releases; test_claim_scope checks them against the
    # committed results.
    typed = re.compile(r"(?<![\w.`])\d+\.\d+%?|(?<![\w.`])\d+%")
    code = re.compile(r"```.*?```|`[^`]*`|\$[^$]*\$|^---.*?^---", re.S | re.M)
    for page in executed_pages():
        prose = code.sub("", (DOCS / f"{page}.md").read_text())
        prose = EXCEPT.sub("", RELEASES.sub("", prose))
        assert not typed.findall(prose), (
            f"{page}.md types numbers: {typed.findall(prose)}"
        )


def test_every_claim_in_the_code_was_proved_on_its_page_with_its_statement():
    """No claim silently disappears: the pages' code and the executed pages agree."""
    proved = {
        claim_id: (claim["statement"], page)
        for page in executed_pages()
        for claim_id, claim in proved_claims(page).items()
    }
    in_code = {claim_id: (c.statement, c.page) for claim_id, c in all_claims().items()}
    assert proved == in_code


def test_each_built_page_ran_with_the_current_code_and_inputs(page):
    kernelspec = executed_notebook(page)["metadata"]["kernelspec"]
    assert kernelspec["execution_inputs"] == inputs_digest(page), (
        f"{page} was executed with other versions of "
        f"{[path.name for path in execution_inputs(page)]}"
    )
    built = ["".join(cell["source"]) for cell in code_cells(page)]
    sections = read_sections(snippet_path(page)).values()
    assert "\n".join(built).split() == "\n".join(s.code for s in sections).split()
