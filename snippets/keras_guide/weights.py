"""How a layer's weights are sorted into Keras's weight lists."""

from __future__ import annotations

import pandas as pd


def weight_name(variable) -> str:
    """A variable's short name; Keras 2 adds a ``:0`` suffix, dropped here."""
    return variable.name.removesuffix(":0")


def weight_names(variables) -> list[str]:
    """The short names of some Keras variables, in order."""
    return [weight_name(variable) for variable in variables]


def weight_path(variable) -> str:
    """Where a weight lives: ``variable.path`` in Keras 3, its name in Keras 2."""
    return getattr(variable, "path", weight_name(variable))


def weight_lists(layer, by_path: bool = False) -> pd.DataFrame:
    """One row per weight of ``layer``: which of Keras's weight lists hold it.

    Rows are named by the weights' short names, or by their paths (for a model,
    whose layers' weights share names).
    """
    trainable = set(map(id, layer.trainable_weights))
    non_trainable = set(map(id, layer.non_trainable_weights))
    label = weight_path if by_path else weight_name
    return pd.DataFrame(
        {
            "trainable_weights": [id(w) in trainable for w in layer.weights],
            "non_trainable_weights": [id(w) in non_trainable for w in layer.weights],
        },
        index=pd.Index([label(w) for w in layer.weights], name=f"{layer.name}.weights"),
    )


def weight_split(layer) -> tuple[list[str], list[str]]:
    """The names in ``layer.trainable_weights`` and ``layer.non_trainable_weights``."""
    return weight_names(layer.trainable_weights), weight_names(
        layer.non_trainable_weights
    )
