"""The site's Sphinx extensions are importable by the tests of what they do.

The tests here need no built site and no browser (``nox -s unit``); those that
read the built site, run pages or drive the browser are in ``site/``, with
their fixtures.
"""

import sys

from guide_build.pages import DOCS

sys.path.insert(0, str(DOCS / "_ext"))
