"""What every page runs first, and how pages hand numbers to their prose.

``start_page`` fixes the seeds, makes TensorFlow's ops deterministic and shows
the versions the page was executed with. ``glue`` stores a value for the
prose (MyST-NB's ``{glue:text}`` role) when the page runs in the build. Run
outside Jupyter, or in a reader's notebook, it prints the value, or records it
inside ``recording_glue()``, so that a second execution can be compared with
the build.
"""

from __future__ import annotations

import html
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from IPython import get_ipython
from IPython.display import display
from IPython.lib.pretty import pretty

from keras_guide.versions import stack_versions

SEED = 2026


class ExecutedWith:
    """The banner that shows which versions a page ran on."""

    def __init__(self) -> None:
        self.versions = stack_versions()

    def __str__(self) -> str:
        return f"Executed with {self.versions}"

    def _repr_html_(self) -> str:
        return (
            f'<p class="executed-with">Executed with {html.escape(self.versions)}.</p>'
        )


def start_page() -> None:
    """Fix every seed, make ops deterministic and show the versions in use."""
    import keras
    import pandas as pd

    # pandas sizes tables to the terminal when it is not in a kernel; use the
    # kernel's layout everywhere so that a script prints what the page shows.
    pd.set_option("display.max_columns", 20)
    keras.utils.set_random_seed(SEED)
    if (
        keras.backend.backend() == "tensorflow"
    ):  # other backends: see keras_guide.matrix
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    display(ExecutedWith())


def in_build_kernel() -> bool:
    """True when the code runs in a Jupyter kernel that can glue (the build's,
    which has MyST-NB), not as a script nor in a reader's notebook.

    >>> in_build_kernel()
    False
    """
    shell = get_ipython()
    return (
        shell is not None
        and hasattr(shell, "kernel")
        and importlib.util.find_spec("myst_nb") is not None
    )


_glued: dict[str, str] | None = None


@contextmanager
def recording_glue() -> Iterator[dict[str, str]]:
    """Record glued values, as the text the build shows, instead of printing them.

    >>> with recording_glue() as glued:
    ...     glue("doc-answer", 42)
    >>> glued
    {'doc-answer': '42'}
    """
    global _glued
    _glued = {}
    try:
        yield _glued
    finally:
        _glued = None


def glue(name: str, value: Any) -> None:
    """Make ``value`` available to the prose as ``{glue:text}`name```.

    >>> glue("doc-answer", 42)
    doc-answer = 42
    """
    if in_build_kernel():
        from myst_nb import glue as myst_nb_glue

        myst_nb_glue(name, value, display=False)
    elif _glued is not None:
        _glued[name] = pretty(value)
    else:
        print(f"{name} = {pretty(value)}")
