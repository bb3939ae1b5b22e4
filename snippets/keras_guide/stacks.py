"""The Keras stacks that every claim runs on: one row each, and nothing but data.

Page code, the build tooling and the tests read this table; to add a stack, add
a row (and a pyproject extra when it needs packages the others lack). The
versions a stack runs are the pins of its extras in pyproject.toml; those of a
stack with no extras are the site's (the ``site`` extra).

>>> STACKS[SITE_STACK].label
'Keras 3 on TensorFlow'
>>> STACKS["keras2-tf"].environment
{'KERAS_BACKEND': 'tensorflow', 'TF_USE_LEGACY_KERAS': '1'}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keras_guide.versions import BACKENDS, KERAS_DISTRIBUTIONS

__all__ = ["BACKENDS", "KERAS_DISTRIBUTIONS", "MATRIX_RESULTS", "SITE_STACK", "STACKS"]


# The module of each distribution that a stack may hide.
HIDEABLE = {"tensorflow": "tensorflow", "tf_keras": "tf-keras", "torch": "torch"}


@dataclass(frozen=True)
class Stack:
    id: str
    label: str
    keras: str  # the distribution that ``import keras`` runs: KERAS_DISTRIBUTIONS
    backend: str  # BACKENDS
    # The pyproject extras of its own environment; None: the site's environment.
    extras: tuple[str, ...] | None
    # Modules of its environment that it must not see, as if not installed.
    hidden: tuple[str, ...]
    # The group of the upstream check that moves it to the newest releases.
    upstream: str

    @property
    def environment(self) -> dict[str, str]:
        """The variables its process starts with."""
        variables = {"KERAS_BACKEND": self.backend}
        if self.keras == "tf-keras":
            variables["TF_USE_LEGACY_KERAS"] = "1"
        return variables


STACKS = {
    stack.id: stack
    for stack in (
        Stack(
            "keras2-tf",
            "Keras 2 (tf-keras) on TensorFlow",
            keras="tf-keras",
            backend="tensorflow",
            extras=None,
            hidden=("torch",),
            upstream="tensorflow",
        ),
        Stack(
            "keras3-tf",
            "Keras 3 on TensorFlow",
            keras="keras",
            backend="tensorflow",
            extras=None,
            hidden=(),
            upstream="tensorflow",
        ),
        Stack(
            "keras3-jax",
            "Keras 3 on JAX",
            keras="keras",
            backend="jax",
            extras=("jax",),
            hidden=(),
            upstream="jax",
        ),
        Stack(
            "keras3-torch",
            "Keras 3 on PyTorch",
            keras="keras",
            backend="torch",
            extras=None,
            hidden=("tensorflow", "tf_keras"),
            upstream="tensorflow",
        ),
        Stack(
            "keras-next-tf",
            "Next Keras (keras-nightly) on TensorFlow",
            keras="keras-nightly",
            backend="tensorflow",
            extras=("tensorflow", "nightly"),
            hidden=(),
            upstream="nightly",
        ),
    )
}
# The stack the site is built on, whose every claim must hold.
SITE_STACK = "keras3-tf"
# Each stack's committed results: one JSON file per stack (``nox -s matrix``).
MATRIX_RESULTS = Path(__file__).resolve().parents[2] / "docs" / "_data" / "matrix"
