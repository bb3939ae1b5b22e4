"""Read each page in a task of its own, so that the cores share the long pages.

Sphinx reads pages in parallel (``-j``) in chunks of up to ten, in name order, a
chunk per process; MyST-NB executes a page while it reads it. The first chunk
held both pages that train for minutes (``applications`` and ``fine_tuning``), so
one core executed them one after the other while the other core had finished.
With a page per task, a core takes the next page as soon as it is free, and the
pages that train for minutes (``long`` in the page table) start first.
"""

from __future__ import annotations

import sphinx.builders

from guide_build.pages import PAGES


def one_page_per_task(docnames, nproc: int, maxbatch: int = 10) -> list[list]:
    def long(docname: str) -> bool:
        return docname in PAGES and PAGES[docname].long

    return [[docname] for docname in sorted(docnames, key=long, reverse=True)]


def setup(app):
    sphinx.builders.make_chunks = one_page_per_task
    return {"parallel_read_safe": True, "parallel_write_safe": True}
