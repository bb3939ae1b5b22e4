"""OpenGraph metadata and a description for every page, for link previews and search.

Each page gets ``og:title``, ``og:type``, ``og:url``, ``og:site_name``,
``og:description`` and ``<meta name="description">``; the description is the
page's first paragraph, cut at a word near 200 characters. (sphinxext-opengraph
did this, but it imports matplotlib for its social cards on every build, even
with the cards off: about a second of each rebuild.)
"""

from __future__ import annotations

from html import escape

from docutils import nodes

DESCRIPTION_LENGTH = 200


def first_paragraph(doctree: nodes.document) -> str:
    """The text of the first paragraph of the page's body, on one line."""
    for paragraph in doctree.findall(nodes.paragraph):
        if not isinstance(paragraph.parent, (nodes.Admonition, nodes.title)):
            text = " ".join(paragraph.astext().split())
            if text:
                return text
    return ""


def shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut at the last word that fits in ``length`` characters.

    >>> shorten("one two three", 9)
    'one two…'
    >>> shorten("one two", 9)
    'one two'
    """
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


def add_page_meta(app, pagename, templatename, context, doctree) -> None:
    if doctree is None:
        return
    title = app.env.titles.get(pagename)
    tags = {
        "og:title": title.astext() if title else app.config.project,
        "og:type": "website",
        "og:url": f"{app.config.html_baseurl}{pagename}.html",
        "og:site_name": app.config.project,
        "og:description": shorten(first_paragraph(doctree)),
    }
    lines = [
        f'<meta property="{name}" content="{escape(value)}" />'
        for name, value in tags.items()
    ]
    lines.append(
        f'<meta name="description" content="{escape(tags["og:description"])}" />'
    )
    context["metatags"] = context.get("metatags", "") + "\n".join(lines) + "\n"


def setup(app):
    app.connect("html-page-context", add_page_meta)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
