"""What the pages do differently on each Keras backend, behind one call each.

Keras 3 has no backend-neutral gradient tape: a custom loop uses
``tf.GradientTape`` on TensorFlow, ``loss.backward()`` on PyTorch and
``jax.grad`` of a stateless function on JAX. And a layer's output becomes a
NumPy array in a different way on each. These helpers hide the difference, so
that a claim about Keras holds or fails on every backend (``nox -s matrix``).
"""

from __future__ import annotations

import keras
import numpy as np

from keras_guide.claims import require
from keras_guide.versions import COMPARES_WITH_KERAS_2


def to_numpy(tensor) -> np.ndarray:
    """A layer's output as a NumPy array (on PyTorch, detached from autograd).

    >>> to_numpy(keras.layers.Dense(2, kernel_initializer="ones")(np.ones((1, 3))))
    array([[3., 3.]], dtype=float32)
    """
    return np.asarray(tensor.detach() if hasattr(tensor, "detach") else tensor)


def input_gradient(function, x: np.ndarray) -> np.ndarray:
    """The gradient of the scalar ``function(x)`` with respect to the array ``x``.

    It is zero where ``x`` does not reach the value, on every backend, so a
    claim about the gradient fails by name instead of the code that reads it.
    On JAX, variable updates made inside ``function`` (moving statistics) are
    not applied.

    >>> input_gradient(lambda x: keras.ops.sum(x * x), np.array([1.0, 2.0], "float32"))
    array([2., 4.], dtype=float32)
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = function(x)
        zero = tf.UnconnectedGradients.ZERO  # as JAX, when x does not reach the value
        return tape.gradient(value, x, unconnected_gradients=zero).numpy()
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        value = function(x)
        if not value.requires_grad:  # x does not reach the value
            return np.zeros_like(x.detach().numpy())
        value.backward()
        return x.grad.numpy()
    if backend == "jax":
        import jax

        def stateless(x):
            with keras.StatelessScope():
                return function(x)

        return np.asarray(jax.grad(stateless)(x))
    raise NotImplementedError(backend)


def gradient_step(loss, variables: list, optimizer) -> None:
    """One custom-loop optimizer step on ``variables`` for the scalar ``loss()``.

    ``loss`` runs the forward pass. On JAX, the variable updates it makes
    (moving statistics) are not applied; ``fit()`` applies them.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = loss()
        gradients = tape.gradient(value, variables)
    elif backend == "torch":
        import torch

        for variable in variables:
            variable.value.grad = None
        loss().backward()
        gradients = [variable.value.grad for variable in variables]
        with torch.no_grad():
            optimizer.apply_gradients(zip(gradients, variables))
        return
    elif backend == "jax":
        import jax

        def stateless(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return loss()

        gradients = jax.grad(stateless)([variable.value for variable in variables])
    else:
        raise NotImplementedError(backend)
    optimizer.apply_gradients(zip(gradients, variables))


def require_keras_3_beside_keras_2() -> None:
    """Stop, as not applicable, where ``keras`` is Keras 2 itself: code that compares
    Keras 3 with tf-keras has no Keras 3 to compare there."""
    require(
        keras.__version__.startswith("3."),
        f"{COMPARES_WITH_KERAS_2}, and on this stack `keras` is Keras 2",
    )
