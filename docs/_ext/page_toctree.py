"""The navigation, from the page table: ``{page-toctree} learn`` is the toctree of
that part of ``guide_build.pages.PAGES``, captioned as the table says.

It takes the options of a toctree (``:hidden:``, ``:maxdepth:``), so that a new
page is a row of the table and never a line of ``index.md``.
"""

from __future__ import annotations

from docutils.statemachine import StringList
from sphinx.directives.other import TocTree

from guide_build.pages import PARTS, pages_of


class PageToctree(TocTree):
    required_arguments = 1
    has_content = False

    def run(self):
        part = self.arguments[0]
        if part not in PARTS:
            raise self.error(f"no part {part!r} of the navigation; parts: {[*PARTS]}")
        self.options["caption"] = PARTS[part]
        self.content = StringList(pages_of(part=part), source=self.get_source_info()[0])
        self.arguments = []
        return super().run()


def setup(app):
    app.add_directive("page-toctree", PageToctree)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
