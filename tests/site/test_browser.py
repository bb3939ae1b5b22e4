"""The site as a reader sees it: Debian's Chromium, driven by Playwright, on localhost.

The tests open whatever pages ``nox -s docs`` built. They save axe-core's results
under docs/_build/axe/ for review and, with GUIDE_SCREENSHOTS=1, full-page
screenshots of every page, at a desktop and at a phone width, under
docs/_build/screenshots/.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from site_files import (
    BUILD,
    HTML,
    SCREENSHOTS,
    built_html,
    built_pages,
    code_cells,
    executed_pages,
)

from keras_guide.stacks import SITE_STACK

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SEARCH_TERM = "moving_mean"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def screenshot(opened, page: str, width: str) -> None:
    """A full-page screenshot for review, when GUIDE_SCREENSHOTS=1 asks for it
    (they take longer than the checks)."""
    if os.environ.get("GUIDE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        opened.page.screenshot(
            path=SCREENSHOTS / f"{page.replace('/', '__')}-{width}.png", full_page=True
        )


# axe-core collects only violations: collecting what passes takes as long again
# on a long page.
VIOLATIONS = {"resultTypes": ["violations"]}
CONTRAST_ONLY = {
    **VIOLATIONS,
    "runOnly": {"type": "rule", "values": ["color-contrast"]},
}
ALL_BUT_CONTRAST = {**VIOLATIONS, "rules": {"color-contrast": {"enabled": False}}}
# The contrast rule takes most of axe-core's time, checking text element by
# element. Text elements with the same colour, font, shadow and backgrounds get
# the same answer: each page marks all but one of each kind (among the elements
# without child elements, which holds the code's tokens and the tables' cells)
# and leaves the marked ones out.
TWIN = "data-contrast-twin"
MARK_TWINS = """(twin) => {
  for (const element of document.querySelectorAll(`[${twin}]`)) {
    element.removeAttribute(twin);
  }
  const opaque = (style) =>
    style.backgroundImage === "none" && style.backgroundColor.startsWith("rgb(");
  const seen = new Set();
  for (const element of document.body.querySelectorAll("*")) {
    if (element.childElementCount > 0 || !element.textContent.trim()) continue;
    const own = getComputedStyle(element);
    const kind = [own.color, own.fontSize, own.fontWeight, own.textShadow];
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      kind.push(style.opacity, style.backgroundColor, style.backgroundImage);
      kind.push(style.position);
      if (opaque(style)) break;
    }
    const key = kind.join("|");
    if (seen.has(key)) element.setAttribute(twin, "");
    seen.add(key);
  }
}"""
# A selector, not a context that excludes them: axe-core matches every element
# against every excluded one, which took longer than the checks it saved.
LEAVE_OUT_TWINS = """(twin) => axe.configure({
  rules: [{id: "color-contrast", selector: `*:not([${twin}])`}],
})"""
AXE = Axe().axe_script
SETTLED = "Promise.all(document.getAnimations().map((a) => a.finished)).then(() => 1)"


def switch_scheme(page, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'")
    page.evaluate(SETTLED)


def serious_violations(page, name: str, check: str, options=VIOLATIONS) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now; all
    its violations go to docs/_build/axe/ for review. Its contrast rule leaves out
    the elements marked as twins (MARK_TWINS)."""
    page.evaluate(AXE)
    page.evaluate(LEAVE_OUT_TWINS, TWIN)
    results = AxeResults(
        page.evaluate("(options) => axe.run(document, options)", options)
    )
    report = BUILD / "axe" / f"{name.replace('/', '__')}-{check}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(results.response["violations"], indent=1), encoding="utf-8"
    )
    return [
        f"{v['id']} ({v['impact']}) at {[node['target'] for node in v['nodes'][:3]]}: "
        f"{v['nodes'][0]['failureSummary']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def contrast_violations(page, name: str, scheme: str) -> list[str]:
    """Text without enough contrast in a colour scheme, one element of each kind."""
    switch_scheme(page, scheme)
    page.evaluate(MARK_TWINS, TWIN)
    return serious_violations(page, name, f"contrast-{scheme}", CONTRAST_ONLY)


def test_page_loads_cleanly_stays_on_localhost_and_is_accessible(visit, built_page):
    """One load per page: no console error, no failed request, none outside
    localhost; no serious or critical accessibility violation, and enough contrast
    in the light scheme and in the dark; a code cell's copy button copies its code
    and nothing else."""
    opened = visit(
        f"{built_page}.html",
        viewport=DESKTOP,
        color_scheme="light",
        permissions=CLIPBOARD,
    )
    screenshot(opened, built_page, "desktop")
    assert opened.console_errors == []
    assert opened.failed_requests == []
    assert opened.outside_requests == []
    assert serious_violations(opened.page, built_page, "rules", ALL_BUT_CONTRAST) == []
    assert contrast_violations(opened.page, built_page, "light") == []
    assert contrast_violations(opened.page, built_page, "dark") == []
    if built_page in executed_pages():
        first_cell = "".join(code_cells(built_page)[0]["source"])
        assert copied_from_the_first_cell(opened.page).strip() == first_cell.strip()


def copied_from_the_first_cell(page) -> str:
    """What the first code cell's copy button copies; no output has one."""
    assert page.locator(".cell_output button.copybtn").count() == 0, (
        "outputs have copy buttons"
    )
    page.locator(".cell_input").first.hover()
    page.locator(".cell_input button.copybtn").first.click()
    return page.evaluate("navigator.clipboard.readText()")


def test_the_contrast_check_finds_one_faint_token_among_its_twins(visit):
    """Leaving twins out hides no element of another colour: one token made faint
    is found, in each scheme."""
    opened = visit("two_knobs.html", viewport=DESKTOP, color_scheme="light")
    token = opened.page.locator(".cell_input div.highlight pre span.n").first
    for scheme in ("light", "dark"):
        switch_scheme(opened.page, scheme)
        token.evaluate(
            "(element) => { element.style.color = "
            "getComputedStyle(element.closest('div.highlight')).backgroundColor; }"
        )
        found = contrast_violations(opened.page, "faint-token", scheme)
        token.evaluate("(element) => element.removeAttribute('style')")
        assert len(found) == 1 and "color-contrast" in found[0], scheme


# Elements that stick out to the right of the viewport, unless a box that
# scrolls on its own (a code block, a wide table) holds them.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) =>
    ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (
      box.width === 0 ||
      box.right <= width + 1 ||
      !element.checkVisibility({visibilityProperty: true})
    ) continue;
    let parent = element.parentElement;
    while (parent !== document.body && !scrolls(parent)) parent = parent.parentElement;
    if (parent === document.body) offenders.push(element.outerHTML.slice(0, 160));
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width,
    offenders: offenders.slice(0, 5),
  };
}"""


def test_page_does_not_scroll_sideways_on_a_phone(visit, built_page):
    opened = visit(f"{built_page}.html", viewport=PHONE, is_mobile=True, has_touch=True)
    screenshot(opened, built_page, "phone")
    layout = opened.page.evaluate(OVERFLOWING)
    assert layout["scrollWidth"] <= layout["width"], layout
    assert layout["offenders"] == [], layout


def pages_mentioning(term: str) -> set[str]:
    """The pages whose text contains ``term`` as a whole word: what search must find."""
    word = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    return {
        page
        for page in built_pages()
        if (article := built_html(page).select_one("article"))
        and word.search(article.get_text())
    }


def search_results(page) -> set[str]:
    summary = page.locator("#search-results .search-summary")
    summary.filter(has_text="found").wait_for()
    links = page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.pathname)"
    )
    return {re.sub(r"^.*?/([^/]+)\.html$", r"\1", link) for link in links}


def test_search_page_finds_every_page_that_mentions_the_term(visit):
    opened = visit(f"search.html?q={SEARCH_TERM}", viewport=DESKTOP)
    expected = pages_mentioning(SEARCH_TERM)
    assert expected, f"no page mentions {SEARCH_TERM}"
    assert search_results(opened.page) == expected


def test_search_as_you_type_from_any_page(visit):
    opened = visit("index.html", viewport=DESKTOP)
    opened.page.locator(".search-button-field:visible").first.click()
    opened.page.locator("#pst-search-dialog input[name=q]").press_sequentially(
        SEARCH_TERM
    )
    assert search_results(opened.page) == pages_mentioning(SEARCH_TERM)
    assert opened.console_errors == []


def test_theme_switch_changes_the_colour_scheme(visit):
    opened = visit("index.html", viewport=DESKTOP, color_scheme="dark")
    seen = {}
    for mode in ("light", "dark", "auto"):
        opened.page.locator(".theme-switch-button:visible").click()
        opened.page.locator(f".theme-change-button[data-mode={mode}]:visible").click()
        seen[mode] = opened.page.evaluate(
            "[document.documentElement.dataset.theme,"
            " getComputedStyle(document.body).backgroundColor]"
        )
    assert seen["light"][0] == "light" and seen["dark"][0] == "dark"
    assert seen["light"][1] != seen["dark"][1], "the background did not change"
    assert seen["auto"] == seen["dark"], (
        "System Settings does not follow the system's dark scheme"
    )


def first_doctest_block(page: str) -> int | None:
    """The index, among the page's code blocks, of the first with ``>>>`` prompts."""
    blocks = built_html(page).select("div.highlight pre")
    return next(
        (i for i, block in enumerate(blocks) if block.get_text().startswith(">>> ")),
        None,
    )


def shows_prompts(page: str) -> bool:
    """Whether Pygments marked a ``>>>`` prompt on the page: read from its text, as
    parsing every page while the tests are collected took seconds."""
    return 'class="gp">&gt;&gt;&gt; ' in (HTML / f"{page}.html").read_text("utf-8")


@pytest.mark.parametrize("page_name", [p for p in built_pages() if shows_prompts(p)])
def test_copy_button_leaves_out_prompts_and_outputs(visit, page_name):
    index = first_doctest_block(page_name)
    assert index is not None
    block = built_html(page_name).select("div.highlight pre")[index].get_text()
    code = [
        line[4:] for line in block.splitlines() if line.startswith((">>> ", "... "))
    ]
    opened = visit(f"{page_name}.html", viewport=DESKTOP, permissions=CLIPBOARD)
    highlight = (
        opened.page.locator("div.highlight")
        .filter(has=opened.page.locator("pre"))
        .nth(index)
    )
    highlight.hover()
    highlight.locator("button.copybtn").click()
    assert opened.page.evaluate("navigator.clipboard.readText()").strip() == "\n".join(
        code
    )


FIRST_SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": PHONE}
# Where the learner's answers and the link to the recipe end, in the viewport.
FIRST_SCREEN = """() => {
  const answers = [...document.querySelectorAll("article div.learner-answer")];
  const recipe = document.querySelector('article a[href="#the-recipe"]');
  return {
    height: window.innerHeight,
    answers: answers.map((a) => [
      a.getBoundingClientRect().bottom, a.querySelectorAll("a.claim-link").length,
    ]),
    recipe: recipe ? recipe.getBoundingClientRect().bottom : null,
  };
}"""


@pytest.mark.parametrize("screen", FIRST_SCREENS)
def test_the_landing_pages_first_screen_answers_both_questions(visit, screen):
    opened = visit("index.html", viewport=FIRST_SCREENS[screen])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=SCREENSHOTS / f"index-first-screen-{screen}.png")
    seen = opened.page.evaluate(FIRST_SCREEN)
    assert len(seen["answers"]) == 2, seen
    for bottom, marks in seen["answers"]:
        assert 0 < bottom <= seen["height"], seen
        assert marks >= 1, seen
    assert seen["recipe"] is not None and seen["recipe"] <= seen["height"], seen


def test_a_missing_page_gets_the_sites_404_page_under_its_deployed_path(visit, site):
    opened = visit("no/such/page.html", viewport=DESKTOP)
    missing = f"{site}no/such/page.html: 404"
    # Only the missing page itself failed: the 404 page's styles, scripts and
    # images load from the deployed path, however deep the missing URL.
    assert opened.failed_requests == [missing]
    assert opened.outside_requests == []
    assert opened.page.locator("article h1").first.is_visible()
    opened.page.locator("a.navbar-brand").first.click()
    opened.page.wait_for_load_state("networkidle")
    assert opened.page.url == f"{site}index.html"


def test_the_readers_keras_marks_each_claim_and_stays_chosen(visit):
    """Choose a stack: a claim that differs there shows it; the choice holds on
    reload and on the next page; the site's stack shows the marks as built."""
    opened = visit("where_training_comes_from.html", viewport=DESKTOP)
    page = opened.page
    claim_id = "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE"
    mark = page.locator(f'a.claim-link[href$="#claim-{claim_id}"]').first
    badge = page.locator(f"#claim-{claim_id}")
    assert page.locator("#reader-stack").input_value() == SITE_STACK
    assert mark.text_content() == "✔"

    page.locator("#reader-stack").select_option("keras2-tf")
    assert mark.text_content() == "✘"
    assert mark.get_attribute("data-outcome") == "differs"
    assert "differs on Keras 2" in mark.get_attribute("aria-label")
    assert "differs on Keras 2" in badge.locator(".claim-reader").text_content()

    page.reload(wait_until="networkidle")
    assert page.locator("#reader-stack").input_value() == "keras2-tf"
    assert mark.text_content() == "✘"
    page.goto(page.url.replace("where_training_comes_from", "index"))
    page.wait_for_load_state("networkidle")
    assert page.locator("#reader-stack").input_value() == "keras2-tf"

    page.locator("#reader-stack").select_option(SITE_STACK)
    assert page.locator("a.claim-link[data-outcome='differs']").count() == 0
    assert opened.console_errors == [] and opened.outside_requests == []


def test_an_older_release_marks_what_changed_since(visit):
    """Keras 3.4 (Colab's of 2024): fit() already overrode a `training=False`
    written into the model, but a layer's `training=True` default was not yet
    passed on (it is since Keras 3.6)."""
    opened = visit("where_training_comes_from.html", viewport=DESKTOP)
    page = opened.page
    page.locator("#reader-stack").select_option("keras3.4-tf")

    def mark(claim_id):
        return page.locator(f'a.claim-link[href$="#claim-{claim_id}"]').first

    assert mark("SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE").text_content() == "✔"
    passed_on = mark("SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING")
    assert passed_on.text_content() == "✘"
    assert "differs on Keras 3.4" in passed_on.get_attribute("aria-label")
    passed_on.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "reader-keras-3.4-desktop.png")
    page.locator("#reader-stack").select_option(SITE_STACK)
    assert opened.console_errors == [] and opened.outside_requests == []


def test_with_another_stack_chosen_no_serious_accessibility_violation(visit):
    opened = visit("where_training_comes_from.html", viewport=DESKTOP)
    opened.page.locator("#reader-stack").select_option("keras2-tf")
    name = "where_training_comes_from-keras2-tf"
    assert serious_violations(opened.page, name, "rules", ALL_BUT_CONTRAST) == []
    assert contrast_violations(opened.page, name, "light") == []
