"""Probes for whole models: what a fit changed, what Keras said, what a summary says."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings

import numpy as np
from IPython.utils.capture import capture_output

from keras_guide.weights import weight_path

# Loggers that TensorFlow, absl and Keras write to. The root logger sees the rest.
LOGGERS = ("", "tensorflow", "absl", "keras")


def sublayers(model, prefix: str = "") -> dict[str, object]:
    """Every layer inside ``model``, at any depth, keyed by ``outer/inner`` names."""
    layers = {}
    for layer in model.layers:
        name = f"{prefix}{layer.name}"
        layers[name] = layer
        if hasattr(layer, "layers"):
            layers.update(sublayers(layer, prefix=f"{name}/"))
    return layers


# TensorFlow's note that tf.function retraced often counts every trace in the
# process, those of pages run before in the same process included: it says
# nothing about the block, so it is left out.
RETRACING = "triggered tf.function retracing"


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if all(record is not seen for seen in self.records):
            self.records.append(record)


@contextlib.contextmanager
def captured_messages():
    """Collect the Python warnings and log records raised inside the block.

    Yields a list that fills with ``"warning: ..."`` and ``"log: ..."`` strings,
    but for TensorFlow's retracing note (``RETRACING``).

    >>> with captured_messages() as messages:
    ...     warnings.warn("careful")
    ...     logging.getLogger("tensorflow").warning("noted")
    >>> messages
    ['warning: careful', 'log: noted']
    """
    messages: list[str] = []
    recorder = _Recorder()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Hidden by default outside __main__: a library's internals, not advice
            # to you.
            warnings.simplefilter("ignore", DeprecationWarning)
            yield messages
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)
    messages.extend(f"warning: {warning.message}" for warning in caught)
    messages.extend(
        f"log: {record.getMessage()}"
        for record in recorder.records
        if RETRACING not in record.getMessage()
    )


def fit_and_watch(model, x, y, batch_size: int = 16):
    """Fit ``model`` for one epoch and report what happened.

    Returns a dict that says, by weight path, whether the epoch changed the
    weight, and the list of warnings and log records that ``fit`` raised.
    """
    before = [w.numpy() for w in model.weights]
    with captured_messages() as messages:
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    changed = {
        weight_path(w): not np.array_equal(old, w.numpy())
        for old, w in zip(before, model.weights)
    }
    return changed, messages


def parameter_count(variables) -> int:
    """The number of scalars in some variables."""
    return sum(int(np.prod(variable.shape)) for variable in variables)


def summary_text(model, **summary_kwargs) -> str:
    """What ``model.summary(**summary_kwargs)`` prints, as plain text."""
    lines: list[str] = []
    # In a kernel, rich (which draws the table) also displays an empty output.
    with capture_output():
        model.summary(print_fn=lambda line, **_: lines.append(line), **summary_kwargs)
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines())


def summary_totals(summary: str) -> dict[str, int]:
    """The parameter counts printed below a summary's table, by kind.

    >>> lines = [
    ...     " Total params: 1,081 (4.22 KB)",
    ...     "Non-trainable params: 16 (64.00 Byte)",
    ... ]
    >>> summary_totals("\\n".join(lines))
    {'Total': 1081, 'Non-trainable': 16}
    """
    totals = re.findall(r"^ ?([\w-]+) params: ([\d,]+)", summary, flags=re.M)
    return {kind: int(count.replace(",", "")) for kind, count in totals}


# A row of the Keras 2 table: " features (Dense)   (None, 8)   40   N", nested rows
# start with "|".
KERAS2_ROW = re.compile(r"^[ |]*(\w+) \(\w+\)\s.*\s([YN])[ |]*$")


def trainable_column(summary: str) -> dict[str, str]:
    """The Trainable column of a ``summary(show_trainable=True)`` table, by layer.

    >>> rows = [
    ...     "│ inner (Sequential)   │ (None, 4) │ 36 │ N │",
    ...     "│    └ bn              │ (None, 4) │ 16 │ Y │",
    ...     "│ (BatchNormalization) │           │    │   │",
    ... ]
    >>> trainable_column("\\n".join(rows))
    {'inner': 'N', 'bn': 'Y'}

    Keras 2 draws the table without box characters:

    >>> trainable_column(" features (Dense)      (None, 8)     40      N")
    {'features': 'N'}
    """
    column = {}
    for line in summary.splitlines():
        fields = [field.strip() for field in line.strip("│").split("│")]
        if line.startswith("│") and fields[0] and fields[-1]:
            column[fields[0].lstrip("└ ").split()[0]] = fields[-1]
        elif row := KERAS2_ROW.match(line):
            column[row[1]] = row[2]
    if not column:
        raise ValueError(f"no Trainable column in this summary:\n{summary}")
    return column
