"""The net catches a lie: plant a change in Keras's behaviour and the right claim fails."""

from __future__ import annotations

import pytest
from conftest import run_snippet
from keras_guide.claims import stack_versions

FROZEN_BN_TRAINS = """
import keras
call = keras.layers.BatchNormalization.call
def call_as_if_trainable(self, inputs, training=None, mask=None):
    trainable, self._trainable = self._trainable, True
    try:
        return call(self, inputs, training=training, mask=mask)
    finally:
        self._trainable = trainable
keras.layers.BatchNormalization.call = call_as_if_trainable
"""

DROPOUT_ALWAYS_DROPS = """
import keras
call = keras.layers.Dropout.call
keras.layers.Dropout.call = lambda self, inputs, training=False: call(self, inputs, training=True)
"""


# What Keras 2 does, and what a fix of keras-team/keras#20285 would do: a
# `training` value written when a Functional model was built wins over the
# value the model is called with.
GRAPH_TIME_TRAINING_WINS = """
import keras.src.models.functional as functional
def operation_fn(operation, **call_context_args):
    def call(*args, **kwargs):
        for name, value in call_context_args.items():
            if name in getattr(operation, "_call_context_args", {}) and value is not None:
                kwargs.setdefault(name, value)
        return operation(*args, **kwargs)
    return call
functional.operation_fn = operation_fn
"""


@pytest.mark.parametrize(
    ("mutation", "page", "claim_id"),
    [
        pytest.param(
            FROZEN_BN_TRAINS, "two_knobs", "KNOBS-FROZEN-BN-INFERENCE",
            id="frozen-batchnorm-uses-batch-statistics",
        ),
        pytest.param(
            DROPOUT_ALWAYS_DROPS, "two_knobs", "KNOBS-DROPOUT-TRAINING",
            id="dropout-ignores-training",
        ),
        pytest.param(
            GRAPH_TIME_TRAINING_WINS, "where_training_comes_from", "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
            id="fit-respects-graph-time-training",
        ),
    ],
)
def test_planted_behaviour_change_fails_the_right_claim(mutation, page, claim_id):
    result = run_snippet(page, prelude=mutation)
    print(result.stderr[-1500:])
    assert result.returncode != 0, "the mutated Keras passed every claim"
    error = result.stderr.strip().splitlines()
    assert f"keras_guide.claims.ClaimFailed: claim {claim_id} does not hold" in error[-4], error[-6:]
    assert error[-3].lstrip().startswith("expected:")
    assert error[-2].lstrip().startswith("observed:")
    assert error[-1].strip() == f"on {stack_versions()}"
