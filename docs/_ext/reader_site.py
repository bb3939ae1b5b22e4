"""What the built site offers beside its pages, and how fast it shows them.

* Scripts wait until the page is parsed, so they do not hold up its first paint.
* Font Awesome's fonts keep only the icons the site shows: about 220 KB less
  for every reader, most of what stood between them and the first paint.
  Sphinx copies the theme's whole fonts again on every build: the subsets are
  kept beside the doctrees and made again only when the icons or fonts changed.
* The download menu of each executed page offers the page's notebook for
  readers (``guide_build.notebooks``), with the outputs of the build
  (``_sources/<page>.ipynb``). MyST-NB 1.4 writes the executed notebook without
  its outputs when they come from the execution cache: they are put back from
  the cache. It does not offer the Markdown source, whose code cells are empty.
  A button opens the notebook in Colab, from ``notebooks/`` of the repository
  (``repository_url`` and ``repository_branch`` of the theme's options).
* ``llms.txt`` lists the pages for tools that read docs, and ``llms-full.txt``
  holds every page as Markdown. Both are made from the built HTML, so they have
  the code, outputs and numbers that a reader sees. A page is converted again
  only when its HTML (or the converter) changed.
* ``sitemap.xml`` lists every page, including those an incremental build did
  not rewrite.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from copy import copy
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pydata_sphinx_theme
from bs4 import BeautifulSoup
from claim_index import committed_scopes, scope_text, toctree_order
from jupyter_cache import get_cache
from markdownify import markdownify

from guide_build.notebooks import (
    helpers_requirement,
    notebook_pages,
    published_notebook,
)

COLAB = "https://colab.research.google.com/github"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
ICON_FONTS = (
    "vendor/fontawesome/webfonts"  # in the theme's static folder and the site's _static
)
THEME_STATIC = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme"
    / "pydata_sphinx_theme"
    / "static"
)
# A rule that names an icon: .fa-bars,.fa-navicon{--fa:"\f0c9"}
ICON_RULE = re.compile(r'((?:\.fa-[\w-]+,?)+)\{--fa:"\\([0-9a-f]+)"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
PRIVATE_USE = re.compile(
    "[\ue000-\uf8ff]"
)  # icons that stylesheets write as characters
# What turns HTML into text for tools: a change to it converts every page again.
CONVERTER = " ".join(
    [
        Path(__file__).read_text(encoding="utf-8"),
        version("beautifulsoup4"),
        version("markdownify"),
    ]
).encode()
# Parts of a page that mean nothing without a browser.
NOT_TEXT = "a.headerlink, button, script, style, input, label.sd-tab-label"


def defer_scripts(app, pagename, templatename, context, doctree) -> None:
    # The search page's template runs Sphinx's search scripts, which need these,
    # right away.
    if pagename == "search":
        return
    # documentation_options.js stays as it is: the page's inline scripts use it.
    context["script_files"] = [
        type(script)(
            script.filename,
            priority=script.priority,
            **{**script.attributes, "defer": "defer"},
        )
        if script.filename
        and not str(script.filename).endswith("documentation_options.js")
        else script
        for script in context["script_files"]
    ]


def executed_notebook_path(app, docname: str) -> Path:
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def forget_old_glue(app, docname, source) -> None:
    """MyST-NB writes ``<page>.glue.json`` beside the executed notebook when a page
    glues, and never removes it: a page read again starts without one, so a page
    that stopped gluing keeps no old values."""
    glued = executed_notebook_path(app, docname).with_suffix(".glue.json")
    glued.unlink(missing_ok=True)


def restore_cached_outputs(app, doctree) -> None:
    executed = executed_notebook_path(app, app.env.docname)
    if app.config.nb_execution_mode != "cache" or not executed.is_file():
        return
    notebook = nbformat.read(executed, as_version=4)
    try:
        _, merged = get_cache(
            app.config.nb_execution_cache_path
        ).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: MyST-NB executed it, and wrote its outputs
        return
    nbformat.write(merged, executed)


def glued_reference(site: str, page: str) -> Callable[[str, str, str], str]:
    """A glued value as the reader's notebook of ``page`` names it. The build's
    number is its machine's; the notebook prints its own when the cell that
    glues it runs. A value of another page links to that page."""

    def glued(glued_page: str, key: str, fmt: str) -> str:
        if glued_page == page:
            return f"`{key}` (printed by its cell)"
        return f"[`{key}`]({site}{glued_page}.html)"

    return glued


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """The page's notebook for readers (``guide_build.notebooks``), in its download
    menu, and a button that opens it in Colab from the repository."""
    executed = executed_notebook_path(app, pagename)
    ran = app.config.nb_execution_mode != "off"  # the benchmark's floor runs nothing
    if pagename not in notebook_pages() or not executed.is_file() or not ran:
        return
    scopes = committed_scopes(app)
    notebook = published_notebook(
        nbformat.read(executed, as_version=4),
        pagename,
        app.config.html_baseurl,
        glued_reference(app.config.html_baseurl, pagename),
        lambda claim_id: scope_text(scopes, claim_id),
    )
    (Path(app.outdir) / "_sources").mkdir(exist_ok=True)
    nbformat.write(notebook, Path(app.outdir) / "_sources" / executed.name)
    # sphinx-book-theme adds this file to the page's download menu.
    context["ipynb_source"] = executed.name
    options = app.config.html_theme_options
    repository = urlsplit(options["repository_url"]).path.strip("/")
    branch = options["repository_branch"]
    context["colab_url"] = (
        f"{COLAB}/{repository}/blob/{branch}/notebooks/{executed.name}"
    )


def add_colab_button(app, pagename, templatename, context, doctree) -> None:
    """After sphinx-book-theme made the header's buttons (priority 501): its menu of
    launch buttons, with Colab in it, as the theme draws its own."""
    if "colab_url" in context:
        context["header_buttons"].insert(
            0,
            {
                "type": "group",
                "tooltip": "Run this page's notebook",
                "icon": "fas fa-rocket",
                "label": "launch-buttons",
                "buttons": [
                    {
                        "type": "link",
                        "url": context["colab_url"],
                        "text": "Colab",
                        "tooltip": "Open this page's notebook in Colab",
                        "icon": "_static/images/logo_colab.png",
                    }
                ],
            },
        )


def drop_the_markdown_download(app, pagename, templatename, context, doctree) -> None:
    """The download menu offers the executed notebook and the PDF, not the page's
    Markdown source: its code cells are empty (they name a snippet section)."""
    for group in context.get("header_buttons", []):
        if group.get("type") == "group":
            group["buttons"] = [
                button
                for button in group["buttons"]
                if button.get("label") != "download-source-button"
            ]


def repeat_spanned_cells(table) -> None:
    """Markdown has no rowspan: repeat a cell that spans rows in each of its rows."""
    carried = {}  # column -> (cell, rows still to fill)
    for row in table.select("tr"):
        column = 0
        for cell in [*row.find_all(["th", "td"], recursive=False), None]:
            while column in carried:
                spanned, left = carried.pop(column)
                if cell is None:
                    row.append(copy(spanned))
                else:
                    cell.insert_before(copy(spanned))
                if left > 1:
                    carried[column] = (spanned, left - 1)
                column += 1
            if cell is not None:
                span = int(cell.attrs.pop("rowspan", 1))
                if span > 1:
                    carried[column] = (cell, span - 1)
                column += int(cell.get("colspan", 1))


def code_language(pre) -> str:
    """Code cells and code blocks are Python; outputs have no language."""
    block = pre.find_parent(class_=re.compile(r"^highlight-(python|ipython3|pycon)$"))
    return "python" if block else ""


def keep_labels(article) -> None:
    """Labels that carry meaning become bold text: a tab's label opens its content
    ("Keras 3:"), and margin notes and admonitions keep their titles."""
    for label in article.select("label.sd-tab-label"):
        content = label.find_next_sibling("div", class_="sd-tab-content")
        title = BeautifulSoup("<p><strong></strong></p>", "html.parser")
        title.strong.string = f"{label.get_text(strip=True)}:"
        content.insert(0, title)
    for title in article.select("p.sidebar-title"):
        title.string = f"Margin note: {title.get_text(strip=True)}"
        title.string.wrap(BeautifulSoup("", "html.parser").new_tag("strong"))
    for title in article.select("p.admonition-title"):
        title.string = f"{title.get_text(strip=True)}:"
        title.string.wrap(BeautifulSoup("", "html.parser").new_tag("strong"))


def page_as_markdown(html: str) -> str:
    article = BeautifulSoup(html, "html.parser").select_one("article")
    keep_labels(article)
    for node in article.select(NOT_TEXT):
        node.decompose()
    for math in article.select("math"):
        math.replace_with(f"${math['alttext']}$")
    for table in article.select("table"):
        repeat_spanned_cells(table)
    return markdownify(
        str(article),
        heading_style="ATX",
        bullets="-",
        code_language_callback=code_language,
    ).strip()


def conversion_key(html: str) -> str:
    return hashlib.sha256(CONVERTER + html.encode()).hexdigest()


def page_text(html: str, known: dict) -> dict:
    """A page's summary and Markdown, converted again only when its HTML changed
    (converting every page took most of a rebuild that changed nothing)."""
    key = conversion_key(html)
    if known.get("html") != key:
        description = BeautifulSoup(html, "html.parser").select_one(
            'meta[name="description"]'
        )
        known = {
            "html": key,
            "summary": description["content"],
            "markdown": page_as_markdown(html),
        }
    return known


def write_text_for_tools(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir, base = Path(app.outdir), app.config.html_baseurl
    cache = Path(app.doctreedir) / "text_for_tools.json"
    known = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    texts = {
        docname: page_text(
            (outdir / f"{docname}.html").read_text(encoding="utf-8"),
            known.get(docname, {}),
        )
        for docname in toctree_order(app.env)
    }
    cache.write_text(json.dumps(texts), encoding="utf-8")
    links = [
        f"- [{app.env.titles[docname].astext()}]({base}{docname}.html): "
        f"{text['summary']}"
        for docname, text in texts.items()
    ]
    pages = [
        f"{text['markdown']}\n\nSource: {base}{docname}.html\n"
        for docname, text in texts.items()
    ]
    index = [
        f"# {app.config.project}",
        f"> {next(iter(texts.values()))['summary']}",
        "## Pages",
        "\n".join(links),
        "## Optional",
        f"- [Every page as Markdown, outputs included]({base}llms-full.txt)",
    ]
    (outdir / "llms.txt").write_text("\n\n".join(index) + "\n", encoding="utf-8")
    (outdir / "llms-full.txt").write_text("\n---\n\n".join(pages), encoding="utf-8")
    urls = "".join(
        f"  <url><loc>{base}{docname}.html</loc></url>\n"
        for docname in sorted(app.env.found_docs)
    )
    (outdir / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{SITEMAP}">\n{urls}</urlset>\n',
        encoding="utf-8",
    )


def scanned(outdir: Path, paths, known: dict, scan) -> dict[str, list]:
    """``scan`` of each file's text, keyed by its path under ``outdir``. A file of
    the same size and modification time as in the last build keeps its last
    result: reading every file again took 0.05 s of each rebuild."""
    results = {}
    for path in paths:
        name, stat = path.relative_to(outdir).as_posix(), path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        if known.get(name, [None])[0] != stamp:
            known[name] = [stamp, scan(path.read_text(encoding="utf-8"))]
        results[name] = known[name]
    return results


def css_icons(css: str) -> list:
    """The rules that name icons, and the icons a stylesheet writes as characters."""
    return [ICON_RULE.findall(css), PRIVATE_USE.findall(ICON_RULE.sub("", css))]


def subset_icon_fonts(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    cache = Path(app.doctreedir) / "icon_fonts"
    cache.mkdir(exist_ok=True)
    scans = cache / "scanned.json"
    known = json.loads(scans.read_text(encoding="utf-8")) if scans.is_file() else {}
    css = scanned(outdir, (outdir / "_static").rglob("*.css"), known, css_icons)
    # fontawesome.js lists every icon; the pages do not load it.
    sources = [
        *outdir.rglob("*.html"),
        *(p for p in outdir.rglob("*.js") if "fontawesome" not in p.name),
    ]
    classes = scanned(
        outdir, sources, known, lambda text: sorted(set(ICON_CLASS.findall(text)))
    )
    scans.write_text(json.dumps({**css, **classes}), encoding="utf-8")
    codepoints = {
        name.removeprefix("."): int(codepoint, 16)
        for _, (rules, _) in css.values()
        for names, codepoint in rules
        for name in names.split(",")
    }
    used = {ord(icon) for _, (_, characters) in css.values() for icon in characters}
    used |= {
        codepoints[name]
        for _, names in classes.values()
        for name in names
        if name in codepoints
    }
    fonts = sorted((THEME_STATIC / ICON_FONTS).glob("*.woff2"))
    # What the subsets are made from (this file's code included): a change to
    # any of it subsets again; otherwise the last subsets are copied.
    key = hashlib.sha256(Path(__file__).read_bytes())
    key.update(f"{version('fonttools')} {sorted(used)}".encode())
    for original in fonts:
        key.update(original.name.encode() + original.read_bytes())
    made = cache / "key"
    if not (made.is_file() and made.read_text(encoding="utf-8") == key.hexdigest()):
        # Imported only when it subsets: the import alone takes about 0.1 s.
        from fontTools import subset

        options = subset.Options(flavor="woff2")
        for original in fonts:
            font = subset.load_font(original, options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=used)
            subsetter.subset(font)
            subset.save_font(font, cache / original.name, options)
        made.write_text(key.hexdigest(), encoding="utf-8")
    for original in fonts:
        shutil.copyfile(
            cache / original.name, outdir / "_static" / ICON_FONTS / original.name
        )


def setup(app):
    # Every page's notebook installs the helpers' wheel by its version: a new
    # version writes every page again, executing none.
    app.add_config_value("helpers_requirement", helpers_requirement(), "html")
    app.connect("source-read", forget_old_glue)
    app.connect("doctree-read", restore_cached_outputs)
    app.connect("html-page-context", offer_notebook)
    # After sphinx-book-theme fills the menu (priority 501).
    app.connect("html-page-context", drop_the_markdown_download, priority=502)
    app.connect("html-page-context", add_colab_button, priority=502)
    app.connect("html-page-context", defer_scripts, priority=900)
    app.connect("build-finished", write_text_for_tools)
    app.connect("build-finished", subset_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
