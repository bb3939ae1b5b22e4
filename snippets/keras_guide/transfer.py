"""Transfer learning with a small BatchNormalization network, on Keras 3 or Keras 2.

Every function takes the Keras to use as ``framework``: the ``keras`` module
(Keras 3) or the ``tf_keras`` module (Keras 2), so that a Keras 2 model is built
from Keras 2 layers only. A fine-tuning strategy is the two lines that differ
between recipes: how the new model calls the base, and how the base is unfrozen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import keras
import numpy as np
import pandas as pd

from keras_guide.digits import TransferData

IMAGE_SHAPE = (8, 8, 1)
N_CLASSES = 5


@dataclass(frozen=True)
class Budget:
    """What every strategy gets: the same epochs, batch size, learning rates, seeds."""

    head_epochs: int
    fine_tune_epochs: int
    batch_size: int
    head_learning_rate: float
    fine_tune_learning_rate: float
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Strategy:
    """A fine-tuning recipe: ``call_base(base, inputs)`` and ``unfreeze(base)``."""

    label: str
    framework: Any
    call_base: Callable
    unfreeze: Callable


@dataclass(frozen=True)
class Run:
    """What one strategy did with one seed."""

    seed: int
    accuracy: list[float]  # target-test accuracy after each epoch, head first
    drift: list[dict[str, float]]  # moving-statistics drift after each epoch
    changed: tuple[str, ...]  # the kinds of base weights that fine-tuning changed
    weights: list[np.ndarray]  # every weight of the model at the end


def build_base(framework):
    """Two Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D blocks, then pooling."""
    layers = framework.layers
    inputs = framework.Input(IMAGE_SHAPE)
    x = inputs
    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        # 0.9 rather than the default 0.99: the moving statistics settle within
        # the few hundred steps of pretraining.
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    outputs = layers.GlobalAveragePooling2D()(x)
    return framework.Model(inputs, outputs, name="base")


def batchnorm_layers(model) -> list:
    """The BatchNormalization layers of ``model``, on Keras 3 or Keras 2."""
    return [
        layer for layer in model.layers if type(layer).__name__ == "BatchNormalization"
    ]


def layer_weights(model) -> list[list[np.ndarray]]:
    """The weights of ``model``, layer by layer: they load into either Keras."""
    return [layer.get_weights() for layer in model.layers]


def load_layer_weights(model, weights) -> None:
    for layer, values in zip(model.layers, weights, strict=True):
        layer.set_weights(values)


def moving_statistics(base) -> dict[str, np.ndarray]:
    """The moving means and variances of all BatchNormalization layers, concatenated."""
    bns = batchnorm_layers(base)
    return {
        "moving_mean": np.concatenate([bn.moving_mean.numpy() for bn in bns]),
        "moving_variance": np.concatenate([bn.moving_variance.numpy() for bn in bns]),
    }


def drift(base, reference) -> dict[str, float]:
    """Mean absolute change of the moving statistics from ``reference``."""
    now = moving_statistics(base)
    return {name: float(np.abs(now[name] - reference[name]).mean()) for name in now}


def weight_groups(base) -> dict[str, list[np.ndarray]]:
    """The base's weights in three groups that fine-tuning may or may not change."""
    bns = batchnorm_layers(base)
    return {
        "conv kernels": [w.numpy() for w in base.weights if "kernel" in w.name],
        "gamma/beta": [w.numpy() for bn in bns for w in (bn.gamma, bn.beta)],
        "moving statistics": [
            w.numpy() for bn in bns for w in (bn.moving_mean, bn.moving_variance)
        ],
    }


def compile_and_fit(model, framework, data, budget, callback, learning_rate, epochs):
    """Compile with Adam and fit on the target task.

    Returns the target-test accuracy after each epoch.
    """
    model.compile(
        optimizer=framework.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        *data.target_train,
        epochs=epochs,
        batch_size=budget.batch_size,
        validation_data=data.target_test,
        validation_batch_size=len(data.target_test[0]),
        callbacks=[callback],
        verbose=0,
    )
    return history.history["val_accuracy"]


def pretrain(data: TransferData, epochs: int = 15, batch_size: int = 32):
    """Train a Keras 3 base and a source head on the source task.

    Returns the base and the head's accuracy on the source validation split.
    """
    base = build_base(keras)
    inputs = keras.Input(IMAGE_SHAPE)
    outputs = keras.layers.Dense(N_CLASSES, activation="softmax")(base(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(*data.source_train, epochs=epochs, batch_size=batch_size, verbose=0)
    _, accuracy = model.evaluate(*data.source_val, verbose=0)
    return base, accuracy


def fine_tune(strategy, pretrained, data, budget, seed) -> Run:
    """Freeze the base, train a new head, unfreeze, fine-tune at a low learning rate."""
    framework = strategy.framework
    framework.utils.set_random_seed(seed)
    base = build_base(framework)
    load_layer_weights(base, pretrained)
    reference = moving_statistics(base)

    base.trainable = False
    inputs = framework.Input(IMAGE_SHAPE)
    features = strategy.call_base(base, inputs)
    outputs = framework.layers.Dense(N_CLASSES, activation="softmax")(features)
    model = framework.Model(inputs, outputs)

    drifts = []
    record_drift = framework.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: drifts.append(drift(base, reference))
    )
    train = partial(compile_and_fit, model, framework, data, budget, record_drift)
    accuracy = train(budget.head_learning_rate, budget.head_epochs)

    before = weight_groups(base)
    strategy.unfreeze(base)
    accuracy += train(budget.fine_tune_learning_rate, budget.fine_tune_epochs)

    after = weight_groups(base)
    changed = tuple(
        group
        for group in before
        if any(not np.array_equal(b, a) for b, a in zip(before[group], after[group]))
    )
    weights = [w.numpy() for w in model.weights]
    return Run(seed, [float(a) for a in accuracy], drifts, changed, weights)


def fine_tune_seeds(strategy, pretrained, data, budget) -> list[Run]:
    """Run ``strategy`` once per seed of the budget."""
    return [
        fine_tune(strategy, pretrained, data, budget, seed) for seed in budget.seeds
    ]


def runs_table(runs: list[Run], budget: Budget) -> pd.DataFrame:
    """One row per seed: accuracy, drift, and what fine-tuning changed in the base.

    The accuracy is on the target test set, with the head only and after
    fine-tuning; the change is the mean absolute change of the moving means from
    their pretrained values, at the end.
    """
    rows = {
        run.seed: {
            "head only": run.accuracy[budget.head_epochs - 1],
            "fine-tuned": run.accuracy[-1],
            "moving_mean change": run.drift[-1]["moving_mean"],
            "changed by fine-tuning": ", ".join(run.changed) or "nothing",
        }
        for run in runs
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("seed").round(3)


def first_epoch_change(run: Run, budget: Budget) -> float:
    """How much the first fine-tuning epoch changed the target-test accuracy."""
    return run.accuracy[budget.head_epochs] - run.accuracy[budget.head_epochs - 1]


def results_table(results: dict[str, list[Run]], budget: Budget) -> pd.DataFrame:
    """One row per strategy, averaged over seeds.

    ``accuracy`` and ``std``: the final target-test accuracy, mean and standard
    deviation; ``first epoch``: the mean change of accuracy in the first
    fine-tuning epoch; the changes of the moving statistics: their mean at the end.
    """
    rows = {}
    for label, runs in results.items():
        final = np.array([run.accuracy[-1] for run in runs])
        rows[label] = {
            "accuracy": final.mean(),
            "std": final.std(),
            "first epoch": np.mean([first_epoch_change(run, budget) for run in runs]),
            "moving_mean change": np.mean(
                [run.drift[-1]["moving_mean"] for run in runs]
            ),
            "moving_variance change": np.mean(
                [run.drift[-1]["moving_variance"] for run in runs]
            ),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("strategy")
