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

rows = []
for line in importlib.metadata.requires("keras-trainable-guide"):
    pin = Requirement(line)
    installed = importlib.metadata.version(pin.name)
    assert pin.specifier.contains(installed), f"{pin.name} {installed} is not {pin}"
    extra = str(pin.marker).removeprefix("extra == ").strip('"') if pin.marker else ""
    rows.append(
        {
            "package": pin.name,
            "pinned": str(pin.specifier),
            "installed": installed,
            "needed for": extra or "the pages",
        }
    )
display(pd.DataFrame(rows).set_index("package"))
