"""The versions a page ran on: the backends, the distributions that are Keras,
and the one line that names what is installed of them.

The stack table (``keras_guide.stacks``) names its backends and Keras
distributions from here; this module does not read it, so a new stack changes
nothing that a page executes.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    name: str  # as prose names it
    short: str  # as a scope names it: "Keras 3.15 on TF, JAX"
    distributions: tuple[str, ...]  # installed for it; the first is shown


BACKENDS = {
    "tensorflow": Backend("TensorFlow", "TF", ("tensorflow",)),
    "jax": Backend("JAX", "JAX", ("jax", "jaxlib")),
    "torch": Backend("PyTorch", "PyTorch", ("torch",)),
}
# Why a claim that compares Keras 3 with tf-keras does not run on the Keras 2
# stack: it runs beside tf-keras on each Keras 3 stack with TensorFlow instead.
COMPARES_WITH_KERAS_2 = "compares Keras 3 with Keras 2"
# The distributions that can be the Keras a page runs, as prose names them.
KERAS_DISTRIBUTIONS = {
    "keras": "Keras",
    "keras-nightly": "Keras",
    "tf-keras": "tf-keras",
}


def stack_versions() -> str:
    """The versions a claim is checked on, in one line: what is installed of
    TensorFlow (tf-keras runs on it whatever Keras 3's backend), of Keras, and of
    Keras's backend.

    >>> stack_versions()
    'Python 3...'
    """
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    shown = {"tensorflow": "TensorFlow", **KERAS_DISTRIBUTIONS}
    shown[BACKENDS[backend].distributions[0]] = BACKENDS[backend].name
    versions = [f"Python {platform.python_version()}"]
    for distribution, name in shown.items():
        try:
            versions.append(f"{name} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(versions)
