"""BatchNormalization on two devices of one CPU, run in a fresh Python process.

TensorFlow fixes its devices when its runtime starts, and JAX when its backend
starts; a page's process has done that long before. So ``in_fresh_process``
runs one of the experiments below with ``python -m keras_guide.replicas``,
which reads the batch as JSON on stdin and prints its results as JSON.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import numpy as np


def tensorflow_two_replicas(*keras_modules: str, batch: np.ndarray) -> dict:
    """One training step of ``BatchNormalization(momentum=0.0)`` in each replica
    of a two-replica ``MirroredStrategy``, with ``synchronized`` False and True,
    for each Keras named (``"keras"``, ``"tf_keras"``).

    Each replica gets one half of the batch. With momentum 0, the step copies the
    statistics it normalised with into the moving statistics. Per replica, the
    result has its half of the batch, its output and its copy of the moving
    statistics; it also has what reading the moving statistics gives.
    """
    import tensorflow as tf

    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    dataset = tf.data.Dataset.from_tensor_slices(batch).batch(len(batch))
    halves = next(iter(strategy.experimental_distribute_dataset(dataset)))
    results = {}
    for keras_module in keras_modules:
        keras = importlib.import_module(keras_module)
        for synchronized in (False, True):
            with strategy.scope():
                bn = keras.layers.BatchNormalization(
                    synchronized=synchronized, momentum=0.0
                )
                bn.build((None, batch.shape[-1]))
            outputs = training_step(strategy, bn, halves)
            results[f"{keras_module} synchronized={synchronized}"] = {
                "epsilon": bn.epsilon,
                "inputs": per_replica(strategy, halves),
                "outputs": per_replica(strategy, outputs),
                "moving_mean": per_replica(strategy, tf_variable(bn.moving_mean)),
                "moving_variance": per_replica(
                    strategy, tf_variable(bn.moving_variance)
                ),
                "read": [
                    bn.moving_mean.numpy().tolist(),
                    bn.moving_variance.numpy().tolist(),
                ],
            }
    return results


def training_step(strategy, bn, halves):
    """``bn`` called in training mode in each replica, on that replica's half."""
    import tensorflow as tf

    @tf.function
    def step(halves):
        return strategy.run(lambda half: bn(half, training=True), args=(halves,))

    return step(halves)


def per_replica(strategy, value) -> list:
    """Each replica's part of a distributed value, as lists."""
    return [
        part.numpy().tolist() for part in strategy.experimental_local_results(value)
    ]


def tf_variable(variable):
    """The TensorFlow variable behind a Keras 3 variable (a tf-keras one is one)."""
    return variable if callable(variable.value) else variable.value


def jax_data_parallel(batch: np.ndarray) -> dict:
    """``BatchNormalization(momentum=0.0)`` under ``keras.distribution.DataParallel``
    on two devices: one ``fit()`` step, which splits the batch between them, then a
    training-mode call on the batch split the same way. Per device: its half of
    the batch, its part of the call's output, and its copy of the moving statistics
    after the ``fit()`` step.
    """
    import jax
    import keras

    devices = jax.devices("cpu")[:2]
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    inputs = keras.Input(batch.shape[1:])
    bn = keras.layers.BatchNormalization(momentum=0.0)
    model = keras.Model(inputs, bn(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    model.fit(batch, np.zeros_like(batch), batch_size=len(batch), verbose=0)
    moving_mean, moving_variance = bn.moving_mean.value, bn.moving_variance.value

    split = keras.distribution.distribute_tensor(
        batch, distribution.get_data_layout(batch.shape)
    )
    outputs = bn(split, training=True)

    def per_device(array) -> list:
        shards = sorted(array.addressable_shards, key=lambda s: devices.index(s.device))
        return [np.asarray(shard.data).tolist() for shard in shards]

    return {
        "epsilon": bn.epsilon,
        "inputs": per_device(split),
        "outputs": per_device(outputs),
        "moving_mean": per_device(moving_mean),
        "moving_variance": per_device(moving_variance),
    }


def new_synchronized_layer() -> str:
    """What ``BatchNormalization(synchronized=True)`` does with this backend."""
    import keras

    try:
        keras.layers.BatchNormalization(synchronized=True)
    except ValueError as error:
        return f"ValueError: {error}"
    return "built"


EXPERIMENTS = {
    "tensorflow_two_replicas": tensorflow_two_replicas,
    "jax_data_parallel": jax_data_parallel,
    "new_synchronized_layer": new_synchronized_layer,
}


def in_fresh_process(experiment: str, *args: str, batch=None, env=None):
    """Run an experiment of this module in a new Python process; its result.

    ``env`` adds to this process's environment variables; TensorFlow's C++ log
    is silenced, and the new process's own log (stderr) is shown only if it fails.
    """
    finished = subprocess.run(
        [sys.executable, "-m", __name__, experiment, *args],
        input=json.dumps(None if batch is None else np.asarray(batch).tolist()),
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{experiment} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.splitlines()[-1])


if __name__ == "__main__":
    experiment, *arguments = sys.argv[1:]
    batch = json.load(sys.stdin)
    given = {} if batch is None else {"batch": np.asarray(batch, dtype="float32")}
    print(json.dumps(EXPERIMENTS[experiment](*arguments, **given)))
