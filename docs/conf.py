"""Sphinx configuration: the site-wide level of the guide's settings.

Page front matter overrides execution settings for one page (the ``mystnb``
key); cell tags act on one cell.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "trainable vs training in Keras"
author = "The keras-trainable-guide authors"
copyright = "2026, " + author

extensions = [
    "myst_nb",
    "sphinx.ext.extlinks",
    "sphinx_copybutton",
    "notfound.extension",
    "snippet_cells",
    "claim_index",
    "mathml",
    "reader_site",
    "page_meta",
    "page_toctree",
    "reader_release",
    "page_per_process",
]
exclude_patterns = ["_build", "_ext", "_ipython", "**/.ipynb_checkpoints"]
nitpicky = True

# --- The site readers see ----------------------------------------------------
# One canonical host, GitHub Pages, which makes no request to another host. Its
# workflow sets GUIDE_SITE_URL (a fork's Pages, under its own sub-path); the
# canonical links, OpenGraph, the sitemap and the notebooks' links use it. Read
# the Docs builds a mirror, whose pages name the canonical URL; it tells its
# builds where it serves them, for the 404 page's links. A local build serves its
# 404 page from the site's root.
CANONICAL_URL = "https://keras-trainable-guide.github.io/keras-trainable-guide/"
DEPLOYED_URL = os.environ.get("GUIDE_SITE_URL") or os.environ.get(
    "READTHEDOCS_CANONICAL_URL"
)
html_baseurl = os.environ.get("GUIDE_SITE_URL") or CANONICAL_URL
# The repository: its files are linked, and each page's "Open in Colab" opens
# notebooks/<page>.ipynb from it. A fork sets GUIDE_REPOSITORY_URL (GitHub Pages'
# workflow does); Read the Docs tells its builds.
REPOSITORY_URL = (
    os.environ.get("GUIDE_REPOSITORY_URL")
    or os.environ.get("READTHEDOCS_GIT_CLONE_URL")
    or "https://github.com/keras-trainable-guide/keras-trainable-guide"
).removesuffix(".git")

BRANCH = os.environ.get("READTHEDOCS_GIT_IDENTIFIER", "main")
# {source}`snippets/keras_guide/check.py`: a file of the repository, on its host.
extlinks = {"source": (f"{REPOSITORY_URL}/blob/{BRANCH}/%s", "%s")}

html_theme = "sphinx_book_theme"
html_title = project
html_favicon = "_static/favicon.svg"
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["guide.css"]
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": BRANCH,
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_source_button": True,
    "use_issues_button": True,
    "use_download_button": True,
    "use_sidenotes": True,
    "search_as_you_type": True,
    "navbar_persistent": [],  # the sidebar has the search field
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "max_navbar_depth": 2,
    "show_toc_level": 2,
    # The licences, on every page (LICENSE and LICENSE-docs say which is which).
    "extra_footer": (
        f'<p>Code under the <a href="{REPOSITORY_URL}/blob/main/LICENSE">Apache '
        f'License 2.0</a>; prose under <a href="{REPOSITORY_URL}/blob/main/'
        'LICENSE-docs">CC BY 4.0</a>.</p>'
    ),
}
html_context = {"default_mode": "auto"}  # light or dark, as the reader's system is
html_last_updated_fmt = None
html_math_renderer = "mathml"

# Code-cell inputs and code blocks get a copy button, outputs do not. Of a block
# with doctest prompts, only the prompted lines are copied, without the prompts.
copybutton_selector = "div:not(.output) > div.highlight > pre"
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True

notfound_urls_prefix = urlsplit(DEPLOYED_URL).path if DEPLOYED_URL else "/"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- Execution -------------------------------------------------------------
# Every code cell runs at build time. Results are cached by jupyter-cache, keyed
# on the cells' code and the kernelspec. The extension snippet_cells puts into
# the kernelspec a hash of the other files the page's execution reads (the
# helpers it imports, its claims, their data), so editing any of them
# re-executes exactly the pages that read it.
# GUIDE_REEXECUTE=1 forces a full re-execution (nox also passes -E then).
nb_execution_mode = "force" if os.environ.get("GUIDE_REEXECUTE") else "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
# A failing cell is reported as a warning, which -W turns into a failure.
nb_execution_raise_on_error = False
nb_execution_show_tb = True  # print the failing cell's traceback on the console
nb_merge_streams = True
# A cell's Markdown output (the releases page's table of Keras changes) is MyST:
# tables and inline code render as in the pages.
nb_render_markdown_format = "myst"

# The kernels inherit this environment: quiet TensorFlow's C++ logging and let
# them find the kernel profile (docs/_ipython) that quiets their start-up too.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["IPYTHONDIR"] = str(DOCS / "_ipython")
# nox runs about one kernel per core (-j), so each computes on one thread:
# TensorFlow's and PyTorch's pools of one per core would compete for the cores.
# On 2 cores, the two longest pages ran 5% and 12% faster.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def create_execution_cache(app, env, docnames) -> None:
    """jupyter-cache creates its folder and database on first use, without a
    lock: create them in the main process, before the parallel readers (-j) race
    to. Only when pages are to be read: a no-op rebuild need not import it."""
    if docnames:
        from jupyter_cache import get_cache

        get_cache(nb_execution_cache_path).db  # noqa: B018


def setup(app):
    app.connect("env-before-read-docs", create_execution_cache)
