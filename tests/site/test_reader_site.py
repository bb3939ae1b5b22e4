"""What the built site offers readers and tools that read docs, checked in its files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import nbformat
from fontTools.ttLib import TTFont
from reader_site import (
    ICON_CLASS,
    ICON_RULE,
    conversion_key,
    page_as_markdown,
    page_text,
)
from site_files import (
    HTML,
    SITE_PATH,
    all_pages,
    built_html,
    code_cells,
    executed_pages,
    proved_claims,
)

from guide_build.notebooks import helpers_requirement, notebook_pages
from guide_build.pages import PAGES


def site_url() -> str:
    """Where the site lives: the landing page's canonical URL, without index.html."""
    return (
        built_html("index")
        .select_one('link[rel="canonical"]')["href"]
        .removesuffix("index.html")
    )


def test_every_page_has_a_canonical_url_opengraph_and_a_description():
    for page in all_pages():
        html = built_html(page)
        assert (
            html.select_one('link[rel="canonical"]')["href"]
            == f"{site_url()}{page}.html"
        )
        for meta in (
            'meta[property="og:title"]',
            'meta[property="og:url"]',
            'meta[name="description"]',
        ):
            assert html.select_one(meta)["content"].strip(), f"{page}: no {meta}"


def test_sitemap_lists_every_page():
    urls = {
        url.text
        for url in ElementTree.parse(HTML / "sitemap.xml").iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    }
    assert urls == {f"{site_url()}{page}.html" for page in all_pages()}


def test_404_page_links_home_with_absolute_urls():
    page = built_html("404")
    assert page.select_one("article h1").get_text(strip=True)
    assert page.select_one(f'a[href="{SITE_PATH}index.html"]'), (
        "the 404 page does not link to the landing page"
    )


def test_llms_txt_lists_every_page_and_llms_full_has_their_executed_text():
    index = (HTML / "llms.txt").read_text(encoding="utf-8")
    full = (HTML / "llms-full.txt").read_text(encoding="utf-8")
    for page in all_pages():
        assert f"]({site_url()}{page}.html)" in index, page
        assert f"Source: {site_url()}{page}.html" in full, page
    for page in executed_pages():
        for claim_id in proved_claims(page):
            assert f"✔ {claim_id}" in full, (
                f"llms-full.txt lacks the output that proves {claim_id}"
            )


def test_llms_full_is_the_pages_as_built_now_not_a_stale_conversion():
    """The build converts a page again only when its HTML or the converter changed:
    each conversion in llms-full.txt was made from the HTML on disk, by this
    converter (the key of each, checked here without converting again)."""
    full = (HTML / "llms-full.txt").read_text(encoding="utf-8")
    texts = json.loads((HTML / ".doctrees" / "text_for_tools.json").read_bytes())
    for page in all_pages():
        html = (HTML / f"{page}.html").read_text(encoding="utf-8")
        assert texts[page]["html"] == conversion_key(html), page
        assert f"{texts[page]['markdown']}\n\nSource: {site_url()}{page}.html\n" in full


def test_a_page_is_converted_again_when_its_html_changes_and_only_then():
    first = page_text("<meta name=description content=A><article>one</article>", {})
    html = "<meta name=description content=A><article>two</article>"
    assert page_text(html, first) == {
        "html": conversion_key(html),
        "summary": "A",
        "markdown": page_as_markdown(html),
    }
    reused = {**first, "html": conversion_key(html)}
    assert page_text(html, reused)["markdown"] == "one"


def test_every_page_that_proves_claims_offers_its_notebook_with_the_builds_outputs():
    """The page's notebook for readers (guide_build.notebooks): a set-up cell, the
    page's cells with what the build showed, and a closing cell."""
    for page in notebook_pages():
        link = built_html(page).select_one(f'a[href="_sources/{page}.ipynb"]')
        assert link is not None, f"{page} offers no notebook download"
        offered = json.loads(
            (HTML / "_sources" / f"{page}.ipynb").read_text(encoding="utf-8")
        )
        code = [cell for cell in offered["cells"] if cell["cell_type"] == "code"]
        shown = [
            [o for o in cell["outputs"] if "scrapbook" not in o.get("metadata", {})]
            for cell in code_cells(page)
        ]
        assert [cell["outputs"] for cell in code[1:-1]] == shown, page
        assert f'claims_table("{PAGES[page].prefix}")' in "".join(code[-1]["source"])


def test_a_notebooks_first_cell_installs_the_helpers_wheel_and_nothing_else():
    """One titled cell under 1 KB: the pinned wheel, then the reader's report; no
    helper source or data travels in the notebook."""
    for page in notebook_pages():
        notebook = nbformat.read(HTML / "_sources" / f"{page}.ipynb", as_version=4)
        first = notebook.cells[0]
        assert first.source.startswith("# @title "), page
        assert len(first.source.encode()) < 1024, page
        assert f"%pip install -q --no-deps {helpers_requirement()}\n" in first.source
        assert first.source.rstrip().endswith("start_reading()"), page
        assert "def " not in first.source and "FILES" not in first.source, page


def test_a_notebooks_measuring_cells_are_folded_and_titled_with_what_they_check():
    """The cells that measure (their ``claim`` and ``glue`` calls) are folded
    in Colab, titled with what they check; the cells of Keras are not."""
    for page in notebook_pages():
        notebook = nbformat.read(HTML / "_sources" / f"{page}.ipynb", as_version=4)
        offered = [c for c in notebook.cells[1:-1] if c.cell_type == "code"]
        for built, cell in zip(code_cells(page), offered, strict=True):
            folded = cell.metadata.get("cellView") == "form"
            assert folded == ("measures" in built["metadata"]), (page, cell.source)
            if "claim(" in built["source"] and folded:
                assert cell.source.startswith("# @title Checks"), page


def test_every_page_that_proves_claims_opens_its_notebook_in_colab():
    for page in notebook_pages():
        links = [
            a["href"]
            for a in built_html(page).select("a[href]")
            if a["href"].startswith("https://colab.research.google.com/github/")
        ]
        assert len(links) == 1, page
        assert links[0].endswith(f"/blob/main/notebooks/{page}.ipynb"), links


def test_no_page_offers_its_markdown_source_whose_cells_are_empty():
    for page in all_pages():
        sources = [a["href"] for a in built_html(page).select('a[href*="_sources/"]')]
        assert not [href for href in sources if href.endswith(".md")], page


def test_every_page_shows_the_licences_in_its_footer():
    for page in all_pages():
        footer = built_html(page).select_one(".extra_footer")
        assert footer is not None, page
        links = {a.get_text(): a["href"] for a in footer.select("a")}
        assert links["Apache License 2.0"].endswith("/blob/main/LICENSE"), page
        assert links["CC BY 4.0"].endswith("/blob/main/LICENSE-docs"), page


def test_every_page_links_its_source_the_repository_and_the_issues():
    for page in all_pages():
        links = [
            a["href"]
            for a in built_html(page).select(".article-header-buttons a[href]")
        ]
        repository = next(
            link
            for link in links
            if link.startswith("https://") and link.count("/") == 4
        )
        assert (
            f"{repository}/issues/new?title=Issue%20on%20page%20%2F{page}.html&body=Your%20issue%20content%20here."
            in links
        )
        assert any(
            link.startswith(f"{repository}/blob/") and f"/docs/{page}.md" in link
            for link in links
        ), page


def test_icon_fonts_keep_every_icon_the_pages_show():
    """reader_site cuts Font Awesome's fonts down: no icon of a page may go missing."""
    css = "".join(
        path.read_text(encoding="utf-8") for path in (HTML / "_static").rglob("*.css")
    )
    codepoints = {
        name.removeprefix("."): int(code, 16)
        for names, code in ICON_RULE.findall(css)
        for name in names.split(",")
    }
    shown = {
        codepoints[name]
        for path in HTML.rglob("*.html")
        for name in ICON_CLASS.findall(path.read_text(encoding="utf-8"))
        if name in codepoints
    }
    fonts = (HTML / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2")
    drawn = set().union(*(TTFont(font).getBestCmap() for font in fonts))
    assert shown and shown <= drawn, sorted(map(hex, shown - drawn))


def test_llms_full_keeps_tab_labels_and_the_titles_of_notes():
    """Without its label, a "Keras 2" tab reads as a contradiction of "Keras 3"."""
    full = (HTML / "llms-full.txt").read_text(encoding="utf-8")
    labels = [
        f"**{label.get_text(strip=True)}:**"
        for page in all_pages()
        for label in built_html(page).select("article label.sd-tab-label")
    ]
    titles = [
        f"**Margin note: {title.get_text(strip=True)}**"
        for page in all_pages()
        for title in built_html(page).select("article p.sidebar-title")
    ]
    assert [text for text in labels + titles if text not in full] == []


def test_a_tab_label_and_a_margin_notes_title_survive_the_conversion():
    """Tested on a sample, since the pages need not use tabs or margin notes."""
    html = """<article>
    <aside class="margin sidebar"><p class="sidebar-title">New here?</p>
    <p>Read the glossary.</p></aside>
    <div class="sd-tab-set"><input id="t1" type="radio"/>
    <label class="sd-tab-label" for="t1">Keras 2</label>
    <div class="sd-tab-content"><p>It keeps it.</p></div></div>
    </article>"""
    markdown = page_as_markdown(html)
    assert "**Margin note: New here?**" in markdown
    assert "**Keras 2:**\n\nIt keeps it." in markdown
