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
from importlib import resources

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
    # The group of the upstream check that moves it to the newest releases; None:
    # a release that stays as it is.
    upstream: str | None
    # Pins laid over its environment, in a folder of their own, without their
    # dependencies: a Keras release on the site's TensorFlow.
    overlay: tuple[str, ...] = ()
    # Whether its environment also installs the pins every stack shares
    # (pyproject's dependencies); a reader's set-up pins its own.
    shared: bool = True
    # The record it belongs to: the claim matrix (``nox -s matrix``) or the
    # release sweep (``nox -s sweep``).
    group: str = "matrix"
    # The Python its own environment runs on ("3.13"); None: the one running nox.
    python: str | None = None

    @property
    def environment(self) -> dict[str, str]:
        """The variables its process starts with."""
        variables = {"KERAS_BACKEND": self.backend}
        if self.keras == "tf-keras":
            variables["TF_USE_LEGACY_KERAS"] = "1"
        return variables


# The claim matrix: Keras 2, Keras 3 on each backend, the next Keras.
MATRIX = (
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

# Keras 3's minor releases before the site's, the newest patch of each, and what
# each needs beside Keras on the site's TensorFlow, for the release sweep.
RELEASES = {
    "3.0": ("keras==3.0.5", "dm-tree==0.1.10"),
    "3.1": ("keras==3.1.1",),
    "3.2": ("keras==3.2.1",),
    "3.3": ("keras==3.3.3",),
    "3.4": ("keras==3.4.1",),
    "3.5": ("keras==3.5.0",),
    "3.6": ("keras==3.6.0",),
    "3.7": ("keras==3.7.0",),
    "3.8": ("keras==3.8.0",),
    "3.9": ("keras==3.9.2",),
    "3.10": ("keras==3.10.0",),
    "3.11": ("keras==3.11.3",),
    "3.12": ("keras==3.12.4",),
    "3.13": ("keras==3.13.2",),
    "3.14": ("keras==3.14.1",),
}
# The release sweep: each earlier Keras 3 release, and a reader's set-up.
SWEEP = (
    *(
        Stack(
            f"keras{release}-tf",
            f"Keras {release} on TensorFlow",
            keras="keras",
            backend="tensorflow",
            extras=None,
            hidden=(),
            upstream=None,
            overlay=pins,
            group="sweep",
        )
        for release, pins in RELEASES.items()
    ),
    # Google Colab's set-up from July 2025 (googlecolab/colabtools#5489).
    Stack(
        "colab-2025-tf",
        "Keras 3.10 on TensorFlow 2.19, as Colab had it in 2025",
        keras="keras",
        backend="tensorflow",
        extras=("colab",),
        hidden=(),
        upstream=None,
        shared=False,
        group="sweep",
    ),
    # Google Colab since August 2026 (googlecolab/colabtools#6081): Python 3.13,
    # for which TensorFlow 2.19 has no wheels; the newest TensorFlow and Keras that
    # install there, the site's own pins.
    Stack(
        "colab-2026-tf",
        "Keras 3.15 on TensorFlow 2.21 and Python 3.13, Colab's Python since 2026-08",
        keras="keras",
        backend="tensorflow",
        extras=("tensorflow",),
        hidden=(),
        upstream=None,
        group="sweep",
        python="3.13",
    ),
)
STACKS = {stack.id: stack for stack in (*MATRIX, *SWEEP)}
# The stack the site is built on, whose every claim must hold.
SITE_STACK = "keras3-tf"
# Each stack's committed results: one JSON file per stack (``nox -s matrix``),
# package data of the helpers' wheel.
MATRIX_RESULTS = resources.files(__package__) / "results"
