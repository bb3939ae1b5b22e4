"""Changes of Keras's behaviour, planted before a page runs: the net must catch each.

Each is code run before a page, in a fresh interpreter, that changes one
behaviour the way a release could; the claims it names must then differ. They
run when ``nox -s record`` finds their record stale (``guide_build.records``);
the tests read the record.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Planted:
    """A change planted before ``page`` runs, and the claims that must catch it."""

    name: str
    code: str
    page: str
    claims: tuple[str, ...]


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

BN_ALWAYS_IN_TRAINING_MODE = """
import keras
call = keras.layers.BatchNormalization.call
def call_in_training_mode(self, inputs, training=None, mask=None):
    return call(self, inputs, training=True, mask=mask)
keras.layers.BatchNormalization.call = call_in_training_mode
"""

DROPOUT_ALWAYS_DROPS = """
import keras
call = keras.layers.Dropout.call
def always_drop(self, inputs, training=False):
    return call(self, inputs, training=True)
keras.layers.Dropout.call = always_drop
"""

DROPOUT_DOES_NOT_SCALE = """
import keras
call = keras.layers.Dropout.call
def drop_without_scaling(self, inputs, training=False):
    if training and self.rate > 0:
        return call(self, inputs, training=True) * (1 - self.rate)
    return inputs
keras.layers.Dropout.call = drop_without_scaling
"""

BN_DEFAULT_MOMENTUM_09 = """
import keras
init = keras.layers.BatchNormalization.__init__
def init_with_momentum_09(self, *args, momentum=0.9, **kwargs):
    init(self, *args, momentum=momentum, **kwargs)
keras.layers.BatchNormalization.__init__ = init_with_momentum_09
"""

BN_UNBIASED_VARIANCE = """
import math
import keras
moments = keras.layers.BatchNormalization._moments
def unbiased_moments(self, inputs, mask):
    mean, variance = moments(self, inputs, mask)
    n = math.prod(inputs.shape[axis] for axis in self._reduction_axes)
    return mean, variance * (n / (n - 1))
keras.layers.BatchNormalization._moments = unbiased_moments
"""

# What Keras 2 does, and what a fix of keras-team/keras#20285 would do: a
# `training` value written when a Functional model was built wins over the
# value the model is called with.
GRAPH_TIME_TRAINING_WINS = """
import keras.src.models.functional as functional
def operation_fn(operation, **call_context_args):
    def call(*args, **kwargs):
        for name, value in call_context_args.items():
            known = getattr(operation, "_call_context_args", {})
            if name in known and value is not None:
                kwargs.setdefault(name, value)
        return operation(*args, **kwargs)
    return call
functional.operation_fn = operation_fn
"""

PREDICT_IN_TRAINING_MODE = """
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer
from keras.src.trainers.data_adapters import data_adapter_utils
def predict_step(self, data):
    x, _, _ = data_adapter_utils.unpack_x_y_sample_weight(data)
    return self(x, training=True)
TensorFlowTrainer.predict_step = predict_step
"""

RANDOM_FLIP_DEFAULTS_TO_INFERENCE = """
import keras
call = keras.layers.RandomFlip.call
def call_in_inference_by_default(self, data, training=False):
    return call(self, data, training=training)
keras.layers.RandomFlip.call = call_in_inference_by_default
"""

TRAINABLE_NOT_RECURSIVE = """
from keras.src.layers.layer import Layer
def set_trainable_here_only(self, value):
    self._trainable = bool(value)
    for variable in self._trainable_variables:
        variable.trainable = bool(value)
Layer.trainable = Layer.trainable.setter(set_trainable_here_only)
"""

KERAS2_FROZEN_BN_TRAINS = """
import tf_keras
from tf_keras.src.layers.normalization import batch_normalization
def training_as_passed(self, training=None):
    return tf_keras.backend.learning_phase() if training is None else training
batch_normalization.BatchNormalizationBase._get_training_value = training_as_passed
"""

TORCH_DEFAULT_MOMENTUM_001 = """
import torch
init = torch.nn.BatchNorm1d.__init__
def init_with_momentum_001(self, num_features, eps=1e-5, momentum=0.01, **kwargs):
    init(self, num_features, eps=eps, momentum=momentum, **kwargs)
torch.nn.BatchNorm1d.__init__ = init_with_momentum_001
"""

FIT_TRAINS_FROZEN_LAYERS = """
from keras.src.layers.layer import Layer
def every_float_weight(self):
    return [v for v in self.weights if "float" in str(v.dtype)]
Layer.trainable_weights = property(every_float_weight)
"""

LAYER_NORM_OVER_THE_BATCH = """
import keras
call = keras.layers.LayerNormalization.call
def call_over_the_batch(self, inputs, *args, **kwargs):
    centred = inputs - keras.ops.mean(inputs, axis=0, keepdims=True)
    return call(self, centred, *args, **kwargs)
keras.layers.LayerNormalization.call = call_over_the_batch
"""

BN_STATISTICS_IN_COMPUTE_DTYPE = """
import keras
moments = keras.layers.BatchNormalization._moments
def moments_in_compute_dtype(self, inputs, mask):
    mean, variance = moments(self, keras.ops.cast(inputs, self.compute_dtype), mask)
    return keras.ops.cast(mean, inputs.dtype), keras.ops.cast(variance, inputs.dtype)
keras.layers.BatchNormalization._moments = moments_in_compute_dtype
"""

# Like tf-keras: train with the `trainable` flags that compile() saw.
TRAINABLE_FIXED_AT_COMPILE = """
import keras
compile_ = keras.Model.compile
flags_at_compile = {}
def compile_and_record_flags(self, *args, **kwargs):
    flags_at_compile[id(self)] = [(l, l.trainable) for l in self._flatten_layers()]
    return compile_(self, *args, **kwargs)
def with_compiled_flags(method):
    def train(self, *args, **kwargs):
        recorded = flags_at_compile.get(id(self), [])
        current = [(layer, layer.trainable) for layer, _ in recorded]
        for layer, flag in recorded:
            layer.trainable = flag
        try:
            return method(self, *args, **kwargs)
        finally:
            for layer, flag in current:
                layer.trainable = flag
    return train
keras.Model.compile = compile_and_record_flags
keras.Model.fit = with_compiled_flags(keras.Model.fit)
keras.Model.train_on_batch = with_compiled_flags(keras.Model.train_on_batch)
"""

CONFIG_WITHOUT_TRAINABLE = """
from keras.src.layers.layer import Layer
get_config = Layer.get_config
def get_config_without_trainable(self):
    config = get_config(self)
    config.pop("trainable", None)
    return config
Layer.get_config = get_config_without_trainable
"""

# The page's two-replica experiment runs in a Python process of its own, as a
# release would change Keras there too: the change goes into a sitecustomize
# module on PYTHONPATH, which every Python process this one starts imports.
SYNCHRONIZED_IGNORED = '''
import atexit, os, shutil, tempfile
PATCH = """
import keras
moments = keras.layers.BatchNormalization._moments
def moments_without_sync(self, inputs, mask):
    synchronized, self.synchronized = self.synchronized, False
    try:
        return moments(self, inputs, mask)
    finally:
        self.synchronized = synchronized
keras.layers.BatchNormalization._moments = moments_without_sync
"""
folder = tempfile.mkdtemp(prefix="planted-synchronized-bn-")
atexit.register(shutil.rmtree, folder, True)  # when the page's run ends
with open(os.path.join(folder, "sitecustomize.py"), "w") as file:
    file.write(PATCH)
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [folder, os.environ.get("PYTHONPATH")])
)
exec(PATCH)
'''

# As in keras-nightly: fit()'s `training` stops at a `training` written into the
# graph for a nested model, so `base(inputs, training=False)` holds.
NESTED_GRAPH_TIME_TRAINING_WINS = """
import keras.src.models.functional as functional
def operation_fn(operation, **call_context_args):
    def call(*args, **kwargs):
        written_for_nested_model = isinstance(operation, functional.Functional)
        for name, value in call_context_args.items():
            if name in kwargs and written_for_nested_model:
                continue
            known = getattr(operation, "_call_context_args", {})
            if name in known and value is not None:
                kwargs[name] = value
        return operation(*args, **kwargs)
    return call
functional.operation_fn = operation_fn
"""

# The next Keras's change (keras-team/keras#23364): a functional model no longer
# passes `training` to each layer, which takes it from the call context; an
# explicit `training=False` on the base then reaches the layers after it.
FALSE_REACHES_LATER_LAYERS = """
import keras.src.models.functional as functional
functional.operation_fn = lambda operation, **call_context_args: operation
"""

# An explicit `training` no longer reaches the call context, so a layer called
# after `base(x, training=False)` in a subclassed model takes the outer value.
EXPLICIT_TRAINING_STAYS_LOCAL = """
from keras.src.layers.layer import Layer
def resolve(self, arg_name, call_spec, call_context, kwargs):
    value = call_context.get_value(arg_name)
    if arg_name in call_spec.user_arguments_dict:
        value = call_spec.user_arguments_dict[arg_name]
    elif value is None:
        value = call_spec.arguments_dict.get(arg_name, None)
    if call_context.get_value(arg_name) is None:
        call_context.set_value(arg_name, value)
    if self._call_has_context_arg.get(arg_name, False) and value is not None:
        kwargs[arg_name] = value
Layer._resolve_and_populate_arg = resolve
"""

# `predict()` and `evaluate()` keep a `training=True` written into the model.
WRITTEN_TRUE_WINS = """
import keras.src.models.functional as functional
def operation_fn(operation, **call_context_args):
    def call(*args, **kwargs):
        for name, value in call_context_args.items():
            if kwargs.get(name) is True:
                continue
            known = getattr(operation, "_call_context_args", {})
            if name in known and value is not None:
                kwargs[name] = value
        return operation(*args, **kwargs)
    return call
functional.operation_fn = operation_fn
"""

# Two changes that once stopped a page in the code that reads an observation
# (a gradient that became None, a model without an optimizer) before the claim
# that names the behaviour could say what changed.
BN_STOPS_THE_GRADIENT = """
import keras
call = keras.layers.BatchNormalization.call
def call_without_gradient(self, inputs, *args, **kwargs):
    return keras.ops.stop_gradient(call(self, inputs, *args, **kwargs))
keras.layers.BatchNormalization.call = call_without_gradient
"""

LOAD_MODEL_WITHOUT_COMPILING = """
import keras
load_model = keras.models.load_model
def load_without_compiling(*args, **kwargs):
    return load_model(*args, **{**kwargs, "compile": False})
keras.models.load_model = load_without_compiling
"""


PLANTED = [
    Planted("frozen-bn-uses-batch-statistics", FROZEN_BN_TRAINS, "two_knobs",
            ("KNOBS-FROZEN-BN-INFERENCE",)),
    Planted("dropout-ignores-training", DROPOUT_ALWAYS_DROPS, "two_knobs",
            ("KNOBS-DROPOUT-TRAINING",)),
    Planted("dropout-does-not-scale", DROPOUT_DOES_NOT_SCALE, "two_knobs",
            ("KNOBS-DROPOUT-TRAINING",)),
    Planted("keras2-frozen-bn-trains", KERAS2_FROZEN_BN_TRAINS, "two_knobs",
            ("KNOBS-FROZEN-BN-INFERENCE-KERAS2",)),
    Planted("fit-trains-frozen-layers", FIT_TRAINS_FROZEN_LAYERS, "two_knobs",
            ("KNOBS-FIT-UPDATES-TRAINABLE-ONLY", "KNOBS-GAMMA-BETA-FOLLOW-TRAINABLE")),
    Planted("bn-default-momentum", BN_DEFAULT_MOMENTUM_09, "inside_batchnorm",
            ("BN-DEFAULTS",)),
    Planted("bn-unbiased-variance", BN_UNBIASED_VARIANCE, "inside_batchnorm",
            ("BN-TRAINING-OUTPUT-BIASED",)),
    Planted("fit-respects-graph-time-training", GRAPH_TIME_TRAINING_WINS,
            "where_training_comes_from", ("SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",)),
    Planted("predict-in-training-mode", PREDICT_IN_TRAINING_MODE,
            "where_training_comes_from", ("SOURCE-EVALUATE-PREDICT-PASS-FALSE",)),
    Planted("random-flip-defaults-to-inference", RANDOM_FLIP_DEFAULTS_TO_INFERENCE,
            "where_training_comes_from", ("SOURCE-PREPROCESSING-TRAINING-DEFAULTS",)),
    Planted("trainable-not-recursive", TRAINABLE_NOT_RECURSIVE, "trainable_in_depth",
            ("TRAINABLE-SET-IS-RECURSIVE",)),
    Planted("torch-default-momentum", TORCH_DEFAULT_MOMENTUM_001, "pytorch",
            ("TORCH-BN-DEFAULTS",)),
    Planted("inference-bn-uses-batch-statistics", BN_ALWAYS_IN_TRAINING_MODE, "faq",
            ("FAQ-INFERENCE-GRADIENT-IS-A-SCALE",)),
    Planted("layer-norm-over-the-batch", LAYER_NORM_OVER_THE_BATCH, "small_batches",
            ("SMALL-BATCH-OUTPUT-IGNORES-BATCH-MATES",)),
    Planted("nested-graph-time-training-wins", NESTED_GRAPH_TIME_TRAINING_WINS,
            "applications", ("APPS-FIT-DROPOUT-GETS-TRUE",)),
    Planted("frozen-bn-uses-batch-statistics-end-to-end", FROZEN_BN_TRAINS,
            "feature_extraction", ("FEATURES-SAME-HEAD",)),
    Planted("bn-statistics-in-compute-dtype", BN_STATISTICS_IN_COMPUTE_DTYPE,
            "mixed_precision", ("MIXED-BN-STATISTICS-IN-FLOAT32",)),
    Planted("synchronized-ignored", SYNCHRONIZED_IGNORED, "synchronized_batchnorm",
            ("SYNC-BN-TF-TWO-REPLICAS-NORMALISE",)),
    Planted("config-without-trainable", CONFIG_WITHOUT_TRAINABLE, "saving",
            ("SAVING-ROUND-TRIP-TRAINABLE",)),
    Planted("trainable-fixed-at-compile", TRAINABLE_FIXED_AT_COMPILE,
            "trainable_in_depth", ("TRAINABLE-CHANGE-BEFORE-FIRST-FIT",)),
    Planted("gan-discriminator-trains-with-compiled-flags", TRAINABLE_FIXED_AT_COMPILE,
            "shared_layers", ("SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",)),
    Planted("bn-stops-the-gradient", BN_STOPS_THE_GRADIENT, "faq",
            ("FAQ-INFERENCE-GRADIENT-IS-A-SCALE",)),
    Planted("load-model-without-compiling", LOAD_MODEL_WITHOUT_COMPILING, "saving",
            ("SAVING-ROUND-TRIP-COMPILED",)),
    # The footprint of a step sees each change on the whole model: the check of a
    # reader's model, and the recipes it proves.
    Planted("check-sees-frozen-layers-trained", FIT_TRAINS_FROZEN_LAYERS,
            "check_your_model", ("CHECK-READS-A-NEW-MODEL",)),
    Planted("footprint-sees-frozen-bn-in-training-mode", FROZEN_BN_TRAINS,
            "check_your_model", ("CHECK-RECIPE-FOOTPRINT",)),
    Planted("footprint-sees-flags-fixed-at-compile", TRAINABLE_FIXED_AT_COMPILE,
            "check_your_model", ("CHECK-GAN-FOOTPRINT",)),
    # Only a footprint sees these three: they change what the layers after the
    # base, or a whole model in predict(), receive.
    Planted("footprint-sees-false-reach-the-head", FALSE_REACHES_LATER_LAYERS,
            "check_your_model", ("CHECK-KERASIO-HEAD-FOOTPRINT",)),
    Planted("footprint-sees-explicit-training-stay-local",
            EXPLICIT_TRAINING_STAYS_LOCAL, "check_your_model",
            ("CHECK-SUBCLASSED-FOOTPRINT",)),
    Planted("footprint-sees-written-true-in-predict", WRITTEN_TRUE_WINS,
            "check_your_model", ("CHECK-GRAPH-TIME-FOOTPRINT",)),
]  # fmt: skip
