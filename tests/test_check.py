"""The reader's check on models the site did not build: each failure class it
once had, on a small model, with Keras 3 on TensorFlow."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_guide.check import FirstStepReport, findings, what_fit_will_do  # noqa: E402
from keras_guide.footprint import Footprint, footprint, layer_paths  # noqa: E402

X = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
Y = X.sum(axis=1, keepdims=True)


class Steps(keras.layers.Layer):
    """Counts the batches that reach it (in an eagerly run model)."""

    count = 0

    def call(self, inputs):
        Steps.count += 1
        return inputs


def small_model(compile=True, **compile_options):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(3, name="dense"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    if compile:
        # Eagerly: no step to trace, so each test takes a fraction of a second.
        options = {"optimizer": "adam", "loss": "mse", "run_eagerly": True}
        model.compile(**{**options, **compile_options})
    return model


def values(model):
    return [v.numpy().copy() for v in model.variables]


def unwrapped(model) -> bool:
    return all("call" not in vars(layer) for layer in layer_paths(model).values())


def test_a_model_never_compiled_gets_a_message_and_is_left_alone():
    model = small_model(compile=False)
    before = values(model)
    report = what_fit_will_do(model, X, Y)
    assert "not compiled" in report.verdict and report.footprint is None
    assert all(np.array_equal(a, b) for a, b in zip(before, values(model)))
    assert unwrapped(model)


def test_a_failing_step_is_reported_and_the_model_put_back():
    def broken_loss(y, prediction):
        raise RuntimeError("a loss that fails inside the step")

    model = small_model(loss=broken_loss)
    before = values(model)
    report = what_fit_will_do(model, X, Y)
    assert "a loss that fails" in report.findings["raises"]
    assert all(np.array_equal(a, b) for a, b in zip(before, values(model)))
    assert unwrapped(model)


def test_the_model_is_left_as_it_was():
    model = small_model()
    before = values(model)
    report = what_fit_will_do(model, X, Y)
    assert report.footprint.rows()["head"] == (None, True, None)
    assert all(np.array_equal(a, b) for a, b in zip(before, values(model)))
    assert unwrapped(model)


def dict_model():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    joined = keras.layers.Concatenate()([a, b])
    outputs = keras.layers.Dense(1, name="head")(Steps(name="steps")(joined))
    model = keras.Model({"a": a, "b": b}, outputs)
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    return model


class Batches(keras.utils.PyDataset):
    def __len__(self):
        return 3

    def __getitem__(self, index):
        return {"a": X[:4], "b": X[:4]}, Y[:4]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: ({"a": X, "b": X}, Y), id="dict of arrays"),
        pytest.param(
            lambda: (
                tf.data.Dataset.from_tensor_slices(({"a": X, "b": X}, Y)).batch(4),
            ),
            id="tf.data.Dataset",
        ),
        pytest.param(lambda: (Batches(),), id="PyDataset"),
    ],
)
def test_what_fit_takes_runs_one_step(data):
    model = dict_model()
    Steps.count = 0
    report = what_fit_will_do(model, *data())
    assert Steps.count == 1, "one step, on one batch"
    assert report.footprint.rows()["head"] == (None, True, None)


@pytest.mark.parametrize(
    "optimizer",
    [
        pytest.param(keras.optimizers.SGD(learning_rate=0.0), id="a zero rate"),
        pytest.param(
            keras.optimizers.Adam(gradient_accumulation_steps=2),
            id="accumulated gradients",
        ),
    ],
)
def test_a_weight_that_did_not_move_gets_no_advice(optimizer):
    model = small_model(optimizer=optimizer)
    report = what_fit_will_do(model, X, Y)
    assert "did not move" in report.findings
    assert "changed since compile" not in report.findings
    assert not any("Compile again" in line for line in report.said())


def test_a_flag_changed_since_compile_is_named():
    model = small_model()
    model.fit(X, Y, verbose=0)
    model.get_layer("dense").trainable = False
    report = what_fit_will_do(model, X, Y)
    assert report.findings["changed since compile"] == ["dense"]


def test_the_callback_reports_the_first_batch_once():
    model = small_model()
    shown = []
    callback = FirstStepReport(show=shown.append)
    model.fit(X, Y, batch_size=2, epochs=2, verbose=0, callbacks=[callback])
    assert len(shown) == 1
    assert callback.report.footprint.rows() == {
        "dense": (None, True, None),
        "bn": (None, True, True),
        "head": (None, True, None),
    }
    assert unwrapped(model)


def inherited_case(head_dropout_received: str):
    base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="base")
    inputs = keras.Input((4,))
    x = keras.layers.Dropout(0.5, name="head_dropout")(base(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(1, name="head")(x))
    rows = pd.DataFrame(
        {
            "layer": ["Sequential", "Dense", "Dropout", "Dense"],
            "trainable": [True] * 4,
            "training": ["False", "False", head_dropout_received, "True"],
            "listed": [None, True, None, True],
            "trained": [None, True, None, True],
            "statistics moved": [None] * 4,
        },
        index=["base", f"base/{base.layers[0].name}", "head_dropout", "head"],
    )
    return findings(model, Footprint("fit", rows), stale=[])


def test_a_false_that_reaches_later_layers_is_named():
    """As the next Keras does: the base's explicit False reaches the head."""
    found = inherited_case("False")
    assert found["training=False from an earlier call"] == ["head_dropout"]
    assert "training=False from an earlier call" not in inherited_case("True")


def test_predict_needs_no_compile():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5)])
    step = footprint(model, X, step="predict")
    assert step.rows() == {model.layers[0].name: ("False", None, None)}
