"""Checks on the built site: they read what the build executed, and never re-execute."""

from __future__ import annotations

import re
from importlib.metadata import version

from site_files import (
    DOCS,
    all_pages,
    built_html,
    code_cells,
    executed_pages,
    proved_claims,
)

from guide_build.pages import read_sections, snippet_path
from keras_guide.matrix import load_results, scope
from keras_guide.registry import all_claims

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


def test_every_code_cell_was_executed_and_shows_evidence(page):
    cells = code_cells(page)
    assert cells, f"{page} has no code cells"
    for index, cell in enumerate(cells):
        assert cell["execution_count"] is not None, (
            f"{page}: code cell {index} was not executed"
        )
        assert cell["outputs"], (
            f"{page}: code cell {index} prints nothing; each cell shows its evidence"
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
    """Running snippets/<page>.py as a script runs exactly what the page executed."""
    used = [cell["metadata"].get("snippet") for cell in code_cells(page)]
    assert None not in used, f"{page} has code cells that do not come from snippets/"
    sections = read_sections(snippet_path(page))
    assert used == [f"{page}#{name}" for name in sections], (used, list(sections))
    for cell, section in zip(code_cells(page), sections.values(), strict=True):
        assert "".join(cell["source"]).strip() == section.code.strip()


def test_claims_page_lists_every_proved_claim_with_its_page_cell_and_scope():
    results = load_results()
    in_matrix = set(next(iter(results.values()))["claims"])
    listed = {}
    for row in built_html("claims").select("table.claim-index tbody tr"):
        claim_id, statement, where, proved_in = row.find_all("td")
        link = proved_in.find("a")["href"]
        cell = proved_in.get_text(strip=True).rpartition(", ")[2]
        listed[claim_id.get_text(strip=True)] = (
            link,
            statement.get_text(),
            where.get_text(strip=True),
            cell,
        )
    proved = {
        claim_id: (
            f"{page}.html#claim-{claim_id}",
            claim["statement"].replace("`", ""),
            (scope(results, claim_id) or "every stack")
            if claim_id in in_matrix
            else "the site's stack; it reads the matrix",
            f"cell {claim['cell'] + 1}",
        )
        for page in executed_pages()
        for claim_id, claim in proved_claims(page).items()
    }
    assert proved, "no page proves any claim"
    assert listed == proved


def test_a_claim_narrower_than_every_stack_shows_its_scope_in_badge_and_links():
    results = load_results()
    scoped = 0
    for page in executed_pages():
        html = built_html(page)
        for claim_id in proved_claims(page):
            where = (
                scope(results, claim_id)
                if claim_id in results["keras3-tf"]["claims"]
                else None
            )
            shown = html.find(id=f"claim-{claim_id}").select_one(".claim-scope")
            assert (shown.get_text() if shown else None) == (
                f"Scope: {where}" if where else None
            ), claim_id
            scoped += bool(where)
    for page in all_pages():
        for link in built_html(page).select("a.claim-link"):
            claim_id = link["href"].split("#claim-")[1]
            name = link.get("aria-label") or link["title"]
            if claim_id in results["keras3-tf"]["claims"] and (
                where := scope(results, claim_id)
            ):
                assert name.endswith(f"(Scope: {where})"), claim_id
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
    # "Keras 3.15" names a release; test_claim_scope checks it against the matrix.
    typed = re.compile(r"(?<![\w.`])(?<!Keras )\d+\.\d+%?|(?<![\w.`])\d+%")
    code = re.compile(r"```.*?```|`[^`]*`|\$[^$]*\$|^---.*?^---", re.S | re.M)
    for page in executed_pages():
        prose = code.sub("", (DOCS / f"{page}.md").read_text())
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
