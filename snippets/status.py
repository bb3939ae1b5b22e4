"""The code of the build status page (docs/status.md).

Run it with ``python snippets/status.py``.
"""

# %% pins
import importlib.metadata

import pandas as pd
from IPython.display import display
from packaging.requirements import Requirement

from keras_guide.page import start_page

start_page()

requirements = importlib.metadata.requires("keras-trainable-guide")
pins = [Requirement(line) for line in requirements]
# What the build used: the pages' own packages and the "docs" extra.
used = [pin for pin in pins if not pin.marker or pin.marker.evaluate({"extra": "docs"})]
rows = []
for pin in used:
    installed = importlib.metadata.version(pin.name)
    assert pin.specifier.contains(installed), f"{pin.name} {installed} is not {pin}"
    role = "build" if pin.marker else "pages"
    rows.append(
        {"package": pin.name, "pinned": str(pin.specifier), "installed": installed, "used by": role}
    )
display(pd.DataFrame(rows).set_index("package"))
