"""How a stack is prepared in its process, before any page's code runs.

The stacks themselves are rows of ``keras_guide.stacks``. In its process:

- Keras 2: the pages ``import keras``; on this stack that name is bound to
  tf-keras 2, which is what ``tf.keras`` is under ``TF_USE_LEGACY_KERAS=1``.
  An attribute that only Keras 3 has raises ``NotApplicable``.
- A module the stack does not have (``hidden`` ones are made missing, as if not
  installed, for Keras too): in the pages' code,
  ``tensorflow``, ``tf_keras`` or ``torch`` import as placeholders
  (``page_builtins``), and touching them raises ``NotApplicable``, so that a
  claim about TensorFlow, Keras 2 or PyTorch is reported as not applicable on
  that stack, with the reason.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import sys
import types

from keras_guide.claims import NotApplicable
from keras_guide.stacks import Stack

__all__ = ["NotApplicable", "page_builtins", "prepare"]


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
            raise NotApplicable(
                f"keras.{attribute} is Keras 3 API; Keras 2 has none"
            ) from None


class _HidingPathFinder:
    """Python's finder of installed modules, blind to the hidden ones: for them,
    ``importlib.util.find_spec`` gives None and importing raises
    ``ModuleNotFoundError``, as if they were not installed, in Keras too."""

    def __init__(self, hidden: tuple[str, ...]) -> None:
        self.hidden = hidden

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.hidden:
            return None
        return importlib.machinery.PathFinder.find_spec(name, path, target)

    def invalidate_caches(self) -> None:
        importlib.machinery.PathFinder.invalidate_caches()

    def find_distributions(self, *args, **kwargs):
        return importlib.machinery.PathFinder.find_distributions(*args, **kwargs)


def prepare(stack: Stack) -> None:
    """Hide what the stack must not see; on the Keras 2 stack, make
    ``import keras`` mean tf-keras, everywhere."""
    if stack.hidden:
        finders = sys.meta_path
        index = finders.index(importlib.machinery.PathFinder)
        finders[index] = _HidingPathFinder(stack.hidden)
    if stack.keras == "tf-keras":
        import tf_keras

        sys.modules["keras"] = _Keras2AsKeras(tf_keras)


# Why page code cannot use a module that a stack lacks.
MAY_BE_MISSING = {
    "tensorflow": "needs TensorFlow, which this stack does not have",
    "tf_keras": "compares with Keras 2 (tf-keras), which runs only on TensorFlow",
    "torch": "compares with PyTorch, which this stack does not install",
}


def page_builtins() -> dict:
    """Builtins for page code: importing a module the stack lacks gives a placeholder.

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
