"""Probes that tell, from the numbers alone, what a BatchNormalization layer did."""

from __future__ import annotations

import numpy as np

from keras_guide.backends import to_numpy
from keras_guide.weights import weight_name


def normalise(x, mean, variance, gamma, beta, epsilon):
    """Batch normalisation: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    >>> normalise(np.array([1.0, 3.0]), 2.0, 1.0, 1.0, 0.0, 0.0)
    array([-1.,  1.])
    """
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def statistics_used(layer, x, y, moving_mean, moving_variance) -> str:
    """Name the statistics that turned ``x`` into ``y``: ``"batch"`` or ``"moving"``.

    ``moving_mean`` and ``moving_variance`` are the layer's moving statistics
    *before* the call, since a training-mode call updates them.
    """
    x = np.asarray(x, dtype="float64")
    axes = tuple(range(x.ndim - 1))
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    candidates = {
        "batch": (x.mean(axis=axes), x.var(axis=axes)),
        "moving": (moving_mean, moving_variance),
    }
    matches = [
        name
        for name, (mean, variance) in candidates.items()
        if np.allclose(
            y, normalise(x, mean, variance, gamma, beta, layer.epsilon), atol=1e-4
        )
    ]
    if len(matches) != 1:
        raise ValueError(
            f"the output matches {matches or 'neither'} of batch and moving statistics"
        )
    return matches[0]


def call_and_watch(layer, x, **call_kwargs):
    """Call a BatchNormalization layer and report what it did.

    Returns the output tensor and a dict: the statistics that normalised the
    batch, and whether the call changed the moving statistics.
    """
    if not layer.built:
        layer.build(np.shape(x))
    mean_before = layer.moving_mean.numpy()
    variance_before = layer.moving_variance.numpy()
    y = layer(x, **call_kwargs)
    moved = not (
        np.array_equal(mean_before, layer.moving_mean.numpy())
        and np.array_equal(variance_before, layer.moving_variance.numpy())
    )
    report = {
        "normalised with": statistics_used(
            layer, x, to_numpy(y), mean_before, variance_before
        ),
        "moving stats changed": moved,
    }
    return y, report


def reads_and_writes(layer, x, training: bool) -> dict[str, list[str]]:
    """What one BatchNormalization call reads and writes, found by experiment.

    It *reads* a weight when changing that weight changes the output, and the
    *batch statistics* when changing the other samples of the batch changes the
    output for the first one. It *writes* the weights whose values the call changes.
    The layer's weights are restored after every probing call.
    """
    if not layer.built:
        layer.build(np.shape(x))

    def call(batch):
        saved = [w.numpy() for w in layer.weights]
        y = to_numpy(layer(batch, training=training))
        changed = [
            weight_name(w)
            for w, old in zip(layer.weights, saved)
            if not np.array_equal(w.numpy(), old)
        ]
        for w, old in zip(layer.weights, saved):
            w.assign(old)
        return y, changed

    y, writes = call(x)
    reads = []
    companions_moved = np.concatenate([x[:1], x[1:] + 1.0])
    if not np.allclose(call(companions_moved)[0][0], y[0]):
        reads.append("batch statistics")
    for w in layer.weights:
        original = w.numpy()
        w.assign(original + 1.0)
        if not np.allclose(call(x)[0], y):
            reads.append(weight_name(w))
        w.assign(original)
    return {"reads": reads, "writes": writes}
