"""The stacks the claim matrix runs on, and how a stack is prepared in its process.

Each stack is its own virtual environment (``nox -s matrix``), installed from
the pyproject extras it names, with the environment variables it sets. This
module imports nothing heavy, so that the noxfile can read ``STACKS``.

Two stacks need help before a page's code runs:

- Keras 2: the pages ``import keras``; on this stack that name is bound to
  tf-keras 2, which is what ``tf.keras`` is under ``TF_USE_LEGACY_KERAS=1``.
  An attribute that only Keras 3 has raises ``NotApplicable``.
- Stacks without TensorFlow (Keras 3 on JAX or PyTorch), or without PyTorch:
  in the pages' code, ``tensorflow``, ``tf_keras`` or ``torch`` import as
  placeholders (``page_builtins``), and touching them raises ``NotApplicable``,
  so that a claim about TensorFlow, Keras 2 or PyTorch is reported as not
  applicable on that stack, with the reason, instead of crashing the page.
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
import types
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stack:
    label: str
    extras: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    # A distribution whose files the last extra's packages also install: it is
    # removed, then the last extra is installed again (see keras-next-tf).
    replaces: str | None = None
    keras_is_tf_keras: bool = False


STACKS = {
    "keras2-tf": Stack(
        "Keras 2 (tf-keras) on TensorFlow",
        ("tensorflow",),
        {"TF_USE_LEGACY_KERAS": "1"},
        keras_is_tf_keras=True,
    ),
    # The site's stack; PyTorch is there for the page that compares with it.
    "keras3-tf": Stack(
        "Keras 3 on TensorFlow", ("tensorflow", "torch"), {"KERAS_BACKEND": "tensorflow"}
    ),
    "keras3-jax": Stack("Keras 3 on JAX", ("jax",), {"KERAS_BACKEND": "jax"}),
    "keras3-torch": Stack("Keras 3 on PyTorch", ("torch",), {"KERAS_BACKEND": "torch"}),
    # tensorflow depends on `keras`, which installs the same files as keras-nightly.
    "keras-next-tf": Stack(
        "Next Keras (keras-nightly) on TensorFlow",
        ("tensorflow", "nightly"),
        {"KERAS_BACKEND": "tensorflow"},
        replaces="keras",
    ),
}
SITE_STACK = "keras3-tf"


class NotApplicable(Exception):
    """The claim's code needs something this stack does not have."""


class _Unavailable(types.ModuleType):
    """A placeholder for a module the stack lacks: any use says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name)
        self._reason = reason

    def __getattr__(self, attribute: str):
        raise NotApplicable(self._reason)


class _Keras2AsKeras(types.ModuleType):
    """``keras`` on the Keras 2 stack: tf-keras, and a clear error for Keras 3 API."""

    def __init__(self, tf_keras) -> None:
        super().__init__("keras")
        self._tf_keras = tf_keras

    def __getattr__(self, attribute: str):
        try:
            return getattr(self._tf_keras, attribute)
        except AttributeError:
            raise NotApplicable(f"keras.{attribute} is Keras 3 API; Keras 2 has none") from None


def prepare(stack: Stack) -> None:
    """On the Keras 2 stack, make ``import keras`` mean tf-keras, everywhere."""
    if stack.keras_is_tf_keras:
        import tf_keras

        sys.modules["keras"] = _Keras2AsKeras(tf_keras)


MAY_BE_MISSING = {
    "tensorflow": "needs TensorFlow, which this stack does not have",
    "tf_keras": "compares with Keras 2 (tf-keras), which runs only on TensorFlow",
    "torch": "compares with PyTorch, which this stack does not install",
}


def page_builtins() -> dict:
    """Builtins for a page's code: importing a module the stack lacks gives a placeholder.

    Only the pages' own code sees placeholders; Keras, which probes for
    TensorFlow itself, still finds it missing.
    """
    missing = {
        name: reason
        for name, reason in MAY_BE_MISSING.items()
        if importlib.util.find_spec(name) is None
    }

    def import_(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.partition(".")[0]
        if level == 0 and top in missing:
            placeholder = _Unavailable(name, missing[top])
            return placeholder if fromlist else _Unavailable(top, missing[top])
        return builtins.__import__(name, globals, locals, fromlist, level)

    return {**vars(builtins), "__import__": import_}
