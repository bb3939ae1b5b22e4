"""How a layer's weights are sorted into Keras's weight lists."""

from __future__ import annotations

import pandas as pd


def weight_names(variables) -> list[str]:
    """The short names of some Keras variables, in order."""
    return [variable.name for variable in variables]


def weight_lists(layer) -> pd.DataFrame:
    """One row per weight of ``layer``: which of Keras's weight lists hold it."""
    trainable = set(map(id, layer.trainable_weights))
    non_trainable = set(map(id, layer.non_trainable_weights))
    return pd.DataFrame(
        {
            "trainable_weights": [id(w) in trainable for w in layer.weights],
            "non_trainable_weights": [id(w) in non_trainable for w in layer.weights],
        },
        index=pd.Index(weight_names(layer.weights), name=f"{layer.name}.weights"),
    )


def weight_split(layer) -> tuple[list[str], list[str]]:
    """The names in ``layer.trainable_weights`` and in ``layer.non_trainable_weights``."""
    return weight_names(layer.trainable_weights), weight_names(layer.non_trainable_weights)
