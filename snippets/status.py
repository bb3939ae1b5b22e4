"""The code of the build status page (docs/status.md).

Each ``# %% name`` section is one cell of the page.
"""

# %% pins
import importlib.metadata

import pandas as pd
from IPython.display import display
from packaging.requirements import Requirement

from keras_guide.page import start_page

start_page()

# Every pin of pyproject.toml, with the extras that name it.
pins: dict[str, tuple[Requirement, list[str]]] = {}
for line in importlib.metadata.requires("keras-trainable-guide-site"):
    pin = Requirement(line)
    if pin.specifier:  # not the extras that name other extras
        extra = str(pin.marker).split('"')[1] if pin.marker else "every stack"
        pins.setdefault(pin.name, (pin, []))[1].append(extra)

rows = []
for name, (pin, extras) in pins.items():
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        continue  # pinned for another stack, or for the tests
    assert pin.specifier.contains(installed), f"{name} {installed} is not {pin}"
    rows.append(
        {
            "package": name,
            "pinned": str(pin.specifier),
            "installed": installed,
            "extras": ", ".join(extras),
        }
    )
display(pd.DataFrame(rows).set_index("package"))
