"""The code of the build status page (docs/status.md).

Run it with ``python snippets/status.py``.
"""

# %% pins
import importlib.metadata

import pandas as pd
from IPython.display import display
from packaging.requirements import Requirement

from keras_guide.page import start_page
from keras_guide.stacks import SITE_STACK, STACKS

start_page()

requirements = importlib.metadata.requires("keras-trainable-guide")
pins = [Requirement(line) for line in requirements]
# What the build used: the shared packages, the site's stack and the "docs" extra.
site_extras = (*STACKS[SITE_STACK].extras, "docs")


def in_extra(pin, extra):
    return pin.marker is not None and pin.marker.evaluate({"extra": extra})


used = [pin for pin in pins if not pin.marker or any(in_extra(pin, e) for e in site_extras)]
rows = []
for pin in used:
    installed = importlib.metadata.version(pin.name)
    assert pin.specifier.contains(installed), f"{pin.name} {installed} is not {pin}"
    role = "build" if in_extra(pin, "docs") else "pages"
    rows.append(
        {"package": pin.name, "pinned": str(pin.specifier), "installed": installed, "used by": role}
    )
display(pd.DataFrame(rows).set_index("package"))
