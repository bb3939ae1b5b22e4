"""Sphinx configuration: the site-wide level of the guide's settings.

Page front matter overrides execution settings for one page (the ``mystnb``
key); cell tags act on one cell.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "trainable vs training in Keras"
author = "The keras-trainable-guide authors"
copyright = "2026, " + author

extensions = ["myst_nb", "snippet_cells", "claim_index"]
exclude_patterns = ["_build", "_data", "_ext", "_ipython", "**/.ipynb_checkpoints"]
nitpicky = True

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["guide.css"]
html_theme_options = {"show_toc_level": 2}
html_last_updated_fmt = None

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
nb_execution_raise_on_error = False  # reported as a warning, which -W turns into a failure
nb_execution_show_tb = True  # print the failing cell's traceback on the console
nb_merge_streams = True

# The kernels inherit this environment: quiet TensorFlow's C++ logging and let
# them find the kernel profile that keeps start-up lines out of cell outputs.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["IPYTHONDIR"] = str(DOCS / "_ipython")
