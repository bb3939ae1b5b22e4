"""The net catches a lie: change Keras's behaviour and the right claim fails."""

from __future__ import annotations

import pytest

from guide_build.run import run_in_subprocess
from keras_guide.matrix import SITE_STACK

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
keras.layers.Dropout.call = lambda self, inputs, training=False: call(
    self, inputs, training=True
)
"""


# What Keras 2 does, and what a fix of keras-team/keras#20285 would do: a
# `training` value written when a Functional model was built wins over the
# value the model is called with.
GRAPH_TIME_TRAINING_WINS = """
import keras.src.models.functional as functional
def operation_fn(operation, **call_context_args):
    def call(*args, **kwargs):
        for name, value in call_context_args.items():
            if (
                name in getattr(operation, "_call_context_args", {})
                and value is not None
            ):
                kwargs.setdefault(name, value)
        return operation(*args, **kwargs)
    return call
functional.operation_fn = operation_fn
"""


@pytest.mark.parametrize(
    ("mutation", "page", "claim_id"),
    [
        pytest.param(
            FROZEN_BN_TRAINS,
            "two_knobs",
            "KNOBS-FROZEN-BN-INFERENCE",
            id="frozen-batchnorm-uses-batch-statistics",
        ),
        pytest.param(
            DROPOUT_ALWAYS_DROPS,
            "two_knobs",
            "KNOBS-DROPOUT-TRAINING",
            id="dropout-ignores-training",
        ),
        pytest.param(
            GRAPH_TIME_TRAINING_WINS,
            "where_training_comes_from",
            "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
            id="fit-respects-graph-time-training",
        ),
    ],
)
def test_planted_behaviour_change_fails_the_right_claim(
    mutation, page, claim_id, site_run, tmp_path
):
    assert site_run["pages"][page]["claims"][claim_id]["status"] == "holds"
    mutated = run_in_subprocess(
        SITE_STACK, tmp_path / "run.json", [page], prelude=mutation
    )
    outcome = mutated["pages"][page]["claims"][claim_id]
    assert outcome["status"] == "differs", outcome
    assert outcome["observed"] != outcome["expected"]
