"""A layer that counts the images that pass through it, on Keras 3 or Keras 2.

The count is a non-trainable weight that the layer adds to on each call, so it
also counts inside a compiled ``fit()`` or ``predict()``, where Python code in
``call`` runs only while the step is traced.
"""

from __future__ import annotations

import keras


def _batch_size(inputs):
    if keras.__version__.startswith("2."):
        return keras.backend.shape(inputs)[0]
    return keras.ops.shape(inputs)[0]


class ImageCounter(keras.layers.Layer):
    """Passes its inputs through and adds their number to ``images_seen``."""

    def build(self, input_shape):
        self.images_seen = self.add_weight(
            name="images_seen",
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
        )

    def call(self, inputs):
        self.images_seen.assign_add(_batch_size(inputs))
        return inputs

    def count(self) -> int:
        """The number of images counted so far."""
        return int(self.images_seen.numpy())

    def reset(self) -> None:
        self.images_seen.assign(0)
