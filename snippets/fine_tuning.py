"""The code of the page "Transfer learning and fine-tuning, end to end".

The page is docs/fine_tuning.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json fine_tuning``.
"""

# %% setup
import dataclasses

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import require_keras_3_beside_keras_2, to_numpy
from keras_guide.claims import claim
from keras_guide.digits import SOURCE_DIGITS, TARGET_DIGITS, load_transfer_task
from keras_guide.page import glue, start_page
from keras_guide.transfer import (
    IMAGE_SHAPE,
    N_CLASSES,
    Budget,
    Strategy,
    batchnorm_layers,
    build_base,
    drift,
    fine_tune_seeds,
    first_epoch_change,
    layer_weights,
    load_layer_weights,
    moving_statistics,
    pretrain,
    results_table,
    runs_table,
    weight_groups,
)

start_page()

# %% data
LABELS_PER_CLASS = 20
data = load_transfer_task(labels_per_class=LABELS_PER_CLASS)
display(pd.Series(data.sizes(), name="images").to_frame())
glue("labels-per-class", LABELS_PER_CLASS)
for task, digits in (("source", SOURCE_DIGITS), ("target", TARGET_DIGITS)):
    glue(f"{task}-first-digit", digits[0])
    glue(f"{task}-last-digit", digits[-1])
_, image_height, image_width, _ = data.target_train[0].shape
glue("image-height", image_height)
glue("image-width", image_width)
glue("target-train-size", len(data.target_train[0]))
(x_train, y_train), (x_test, y_test) = data.target_train, data.target_test

fig, axes = plt.subplots(2, len(TARGET_DIGITS), figsize=(6, 3.5))
for row, (images, labels), digits in zip(
    axes, (data.source_train, data.target_train), (SOURCE_DIGITS, TARGET_DIGITS)
):
    for label, ax in enumerate(row):
        ax.imshow(images[labels == label][0, ..., 0], cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"digit {digits[label]}")
        ax.set_xticks([])
        ax.set_yticks([])
fig.suptitle("source task (top), target task (bottom)")
display(fig)
plt.close(fig)

# %% pretrain
base, source_accuracy = pretrain(data)
for layer in base.layers:
    print(f"{type(layer).__name__:24} output shape {layer.output.shape}")
pretrained = layer_weights(base)
glue("source-accuracy", float(source_accuracy))
glue("blocks", len(batchnorm_layers(base)))
glue("classes", N_CLASSES)
glue("momentum", batchnorm_layers(base)[0].momentum)

# %% statistics-shift
first_conv, first_bn = base.layers[1], batchnorm_layers(base)[0]


def mean_gap(images):
    """Mean over channels of |batch mean - moving mean| at the first BN layer."""
    batch_mean = to_numpy(first_conv(images)).mean(axis=(0, 1, 2))
    return float(np.abs(batch_mean - first_bn.moving_mean.numpy()).mean())


gap = {
    "source images": mean_gap(data.source_train[0]),
    "target images": mean_gap(x_train),
}
display(pd.Series(gap, name="|batch mean - moving_mean|").to_frame())
glue("source-gap", gap["source images"])
glue("target-gap", gap["target images"])
claim(
    "FINETUNE-TARGET-IMAGES-MISS-MOVING-MEAN",
    "At the base's first `BatchNormalization` layer, the moving mean learned on the "
    "source images is further from the mean of a batch of target images than from "
    "that of a batch of source images.",
    observed=gap["target images"] > gap["source images"],
    expected=True,
)

# %% small-batches
# A copy of the base: calls with training=True move its moving statistics.
base_copy = keras.models.clone_model(base)
base_copy.set_weights(base.get_weights())
image, others = x_train[:1], x_train[1:]
scale = np.abs(to_numpy(base(image, training=False))).mean()
rng = np.random.default_rng(0)
spread = {}
for batch_size in (2, 8, 64):
    image_features = []
    for _ in range(20):
        batch_mates = rng.choice(others, batch_size - 1, replace=False)
        batch = np.concatenate([image, batch_mates])
        image_features.append(to_numpy(base_copy(batch, training=True))[0])
    spread[batch_size] = float(np.std(image_features, axis=0).mean() / scale)
spread = pd.Series(spread, name="spread of the image's features")
display(spread.rename_axis("batch size").to_frame().round(3))
glue("batch-smallest", int(spread.index[0]))
glue("batch-largest", int(spread.index[-1]))
glue("spread-smallest", float(spread.iloc[0]))
glue("spread-largest", float(spread.iloc[-1]))
claim(
    "FINETUNE-SMALL-BATCHES-NOISIER",
    "In training mode, the smaller the batch, the more one image's output from the "
    "base changes with the other images in its batch.",
    observed=spread.is_monotonic_decreasing and spread.is_unique,
    expected=True,
)

# %% recipe-setup
import keras
import numpy as np
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)

# The data: scikit-learn's 8 x 8 images of handwritten digits, which ship with it.
digits = load_digits()
images = (digits.images / 16.0).astype("float32")[..., np.newaxis]
labels = digits.target

# A small pretrained base, trained here on digits 0-4.
# Yours would come from keras.applications, or from a file.
base = keras.Sequential(
    [
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.GlobalAveragePooling2D(),
    ],
    name="base",
)
source = labels < 5
pretraining = keras.Sequential([base, keras.layers.Dense(5, activation="softmax")])
pretraining.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
pretraining.fit(images[source], labels[source], epochs=15, batch_size=32, verbose=0)

# Your task: digits 5-9, inverted, with 100 labelled images to learn from.
# Choose epochs and learning rates on the validation split; use the test split
# once, at the end.
order = np.random.default_rng(0).permutation(np.flatnonzero(~source))
x, y = 1.0 - images[order], labels[order] - 5
x_train, y_train = x[:100], y[:100]
x_val, y_val = x[100:400], y[100:400]
x_test, y_test = x[400:], y[400:]
print(f"images: train {len(x_train)}, validation {len(x_val)}, test {len(x_test)}")

# %% recipe-pretrained
pretrained_groups = weight_groups(base)
pretrained_base = base.get_weights()
print({group: len(weights) for group, weights in pretrained_groups.items()})

# %% recipe-head
# 1. Train a new head on the frozen base. The head starts random: trained
#    together with the base, its large errors would move the pretrained kernels.
base.trainable = False
inputs = keras.Input((8, 8, 1))
features = base(inputs, training=False)
outputs = keras.layers.Dense(5, activation="softmax")(features)
model = keras.Model(inputs, outputs)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.fit(x_train, y_train, epochs=10, batch_size=8, verbose=0)
_, head_only = model.evaluate(x_val, y_val, verbose=0)
print(f"head only: validation accuracy {head_only:.3f}")

# %% recipe-trained-head
trained_head = model.layers[-1].get_weights()
print("head weights copied:", [w.shape for w in trained_head])

# %% recipe-unfreeze
# 2. Unfreeze the base, but keep its BatchNormalization layers frozen.
base.trainable = True
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
print({layer.name: layer.trainable for layer in base.layers if layer.weights})

# %% recipe-fine-tune
# 3. Compile again, so that the new `trainable` values take effect, with a low
#    learning rate: small steps adapt the pretrained kernels.
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=3e-4),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.fit(x_train, y_train, epochs=20, batch_size=8, verbose=0)
_, fine_tuned = model.evaluate(x_val, y_val, verbose=0)
print(f"fine-tuned: validation accuracy {fine_tuned:.3f}")
_, tested = model.evaluate(x_test, y_test, verbose=0)
print(f"fine-tuned: test accuracy {tested:.3f}")

# %% recipe-check
after = weight_groups(base)
changed = {
    group: any(
        not np.array_equal(b, a) for b, a in zip(pretrained_groups[group], after[group])
    )
    for group in pretrained_groups
}
display(pd.Series(changed, name="changed by the recipe").to_frame())
glue("recipe-head-accuracy", float(head_only))
glue("recipe-accuracy", float(fine_tuned))
glue("recipe-test-accuracy", float(tested))
claim(
    "FINETUNE-RECIPE-KEEPS-BN-WEIGHTS",
    "The plain-Keras recipe (freeze the base and fit a new head; then unfreeze the "
    "base, set `trainable = False` on every `BatchNormalization` layer, compile and "
    "fit again) changes the convolution kernels and leaves all four "
    "`BatchNormalization` weights (gamma, beta, moving mean, moving variance) at "
    "their pretrained values.",
    observed=changed,
    expected={"conv kernels": True, "gamma/beta": False, "moving statistics": False},
)


# %% recipe-why
def first_fine_tuning_epoch(head, learning_rate):
    """One epoch of the recipe's fine-tuning, from the pretrained base and the
    given head (None: a new, random one): how far it moves the kernels, relative
    to their size, and the validation accuracy after it."""
    trial_base = keras.Sequential.from_config(base.get_config())  # flags included
    trial_base.set_weights(pretrained_base)
    inputs = keras.Input((8, 8, 1))
    features = trial_base(inputs, training=False)
    trial = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(features))
    if head is not None:
        trial.layers[-1].set_weights(head)
    trial.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    trial.fit(x_train, y_train, epochs=1, batch_size=8, verbose=0)
    before = pretrained_groups["conv kernels"]
    now = weight_groups(trial_base)["conv kernels"]
    moved = sum(np.abs(n - b).sum() for b, n in zip(before, now))
    _, accuracy = trial.evaluate(x_val, y_val, verbose=0)
    return float(moved / sum(np.abs(b).sum() for b in before)), float(accuracy)


trials = {
    "trained head, low rate": first_fine_tuning_epoch(trained_head, 3e-4),
    "random head, low rate": first_fine_tuning_epoch(None, 3e-4),
    "trained head, head's rate": first_fine_tuning_epoch(trained_head, 1e-2),
}
trials = pd.DataFrame(trials, index=["kernels moved", "validation accuracy"]).T
display(trials.round(3))
recipe, random_head, high_rate = trials.index
moved, accuracy = trials["kernels moved"], trials["validation accuracy"]
glue("random-head-moves", float(moved[random_head] / moved[recipe]))
glue("high-rate-moves", float(moved[high_rate] / moved[recipe]))
glue("high-rate-accuracy", float(accuracy[high_rate]))
glue("low-rate-accuracy", float(accuracy[recipe]))
claim(
    "FINETUNE-RECIPE-WHY-HEAD-FIRST",
    "In a first epoch of fine-tuning, a new, random head moves the pretrained "
    "kernels further than a head that was trained first.",
    observed=bool(moved[random_head] > moved[recipe]),
    expected=True,
)
claim(
    "FINETUNE-RECIPE-WHY-LOW-RATE",
    "A first epoch of fine-tuning at the head's learning rate moves the pretrained "
    "kernels further, and leaves a lower validation accuracy, than one at the "
    "recipe's low rate.",
    observed=(
        bool(moved[high_rate] > moved[recipe]),
        bool(accuracy[high_rate] < accuracy[recipe]),
    ),
    expected=(True, True),
)

# %% budget
budget = Budget(
    head_epochs=10,
    fine_tune_epochs=20,
    batch_size=8,
    head_learning_rate=1e-2,
    fine_tune_learning_rate=3e-4,
    seeds=(0, 1, 2),
)
display(pd.Series(dataclasses.asdict(budget), name="budget").to_frame())
glue("seed-count", len(budget.seeds))
glue("batch-size", budget.batch_size)
results = {}


def run_strategy(strategy):
    """Fine-tune with every seed of the budget; show and keep the runs."""
    runs = fine_tune_seeds(strategy, pretrained, data, budget)
    display(runs_table(runs, budget))
    results[strategy.label] = runs
    return runs


# %% strategy-a
def call_base_in_inference_mode(base, inputs):
    return base(inputs, training=False)


def unfreeze_everything(base):
    base.trainable = True


classic = Strategy(
    "(a) classic, Keras 3", keras, call_base_in_inference_mode, unfreeze_everything
)
classic_runs = run_strategy(classic)
claim(
    "FINETUNE-CLASSIC-KERAS3-MOVES-STATS",
    "On Keras 3.0 to 3.15, the classic recipe (`base(inputs, training=False)`, then "
    "`base.trainable = True`) changes the moving statistics of the base's "
    "`BatchNormalization` layers during fine-tuning, for every seed.",
    observed=["moving statistics" in run.changed for run in classic_runs],
    expected=[True] * len(budget.seeds),
)


# %% override-probe
def fit_mode_moves_statistics(framework):
    """Build the classic model, unfrozen, and call it as fit() does."""
    probe_base = build_base(framework)
    load_layer_weights(probe_base, pretrained)
    inputs = framework.Input(IMAGE_SHAPE)
    model = framework.Model(inputs, probe_base(inputs, training=False))
    before = moving_statistics(probe_base)
    model(data.target_train[0], training=True)
    return drift(probe_base, before)["moving_mean"] > 0


moved = {"Keras 3": fit_mode_moves_statistics(keras)}
display(pd.Series(moved, name="moving statistics changed").to_frame())
claim(
    "FINETUNE-KERAS3-OUTER-TRAINING-WINS",
    "On Keras 3.0 to 3.15, a model built with `base(inputs, training=False)` and "
    "called with `training=True`, as `fit()` does, runs the unfrozen base's "
    "`BatchNormalization` in training mode: its moving statistics change.",
    observed=moved["Keras 3"],
    expected=True,
)

# %% override-probe-keras2
moved["Keras 2"] = fit_mode_moves_statistics(tf_keras)
display(pd.Series(moved, name="moving statistics changed").to_frame())
claim(
    "FINETUNE-KERAS2-INNER-TRAINING-WINS",
    "On Keras 2 (tf-keras), the same model called with `training=True` keeps the "
    "`training=False` written at construction: the moving statistics do not change.",
    observed=moved["Keras 2"],
    expected=False,
)


# %% strategy-b
def unfreeze_except_batchnorm(base):
    base.trainable = True
    for layer in batchnorm_layers(base):
        layer.trainable = False


frozen_bn = Strategy(
    "(b) frozen BN, Keras 3",
    keras,
    call_base_in_inference_mode,
    unfreeze_except_batchnorm,
)
frozen_bn_runs = run_strategy(frozen_bn)
only_kernels = ("conv kernels",)
claim(
    "FINETUNE-FROZEN-BN-KEEPS-BN-WEIGHTS",
    "Unfreezing the base but setting every `BatchNormalization` layer's `trainable = "
    "False` fine-tunes the convolution kernels and leaves all four "
    "`BatchNormalization` weights (gamma, beta, moving mean, moving variance) "
    "unchanged, for every seed.",
    observed=[run.changed for run in frozen_bn_runs],
    expected=[only_kernels] * len(budget.seeds),
)


# %% strategy-c
def call_base(base, inputs):
    return base(inputs)


training_mode = Strategy(
    "(c) training mode, Keras 3", keras, call_base, unfreeze_everything
)
training_mode_runs = run_strategy(training_mode)
claim(
    "FINETUNE-CLASSIC-EQUALS-TRAINING-MODE",
    "On Keras 3.0 to 3.15, with the same seed, the classic recipe with "
    "`training=False` and the same recipe calling `base(inputs)` without `training` "
    "end with identical weights and identical accuracy after every epoch.",
    observed=[
        a.accuracy == c.accuracy
        and all(np.array_equal(wa, wc) for wa, wc in zip(a.weights, c.weights))
        for a, c in zip(classic_runs, training_mode_runs)
    ],
    expected=[True] * len(budget.seeds),
)

# %% strategy-d
classic_keras2 = Strategy(
    "(d) classic, Keras 2", tf_keras, call_base_in_inference_mode, unfreeze_everything
)
kernels_gamma_beta = ("conv kernels", "gamma/beta")
claim(
    "FINETUNE-CLASSIC-KERAS2-KEEPS-STATS",
    "On Keras 2 (tf-keras), the classic recipe fine-tunes the convolution kernels and "
    "gamma/beta, and leaves the moving statistics unchanged, for every seed.",
    observed=[run.changed for run in run_strategy(classic_keras2)],
    expected=[kernels_gamma_beta] * len(budget.seeds),
)

# %% learning-curves
epochs = np.arange(1, budget.head_epochs + budget.fine_tune_epochs + 1)
styles = dict(zip(results, ("--", "-", ":", "-.")))
fig, ax = plt.subplots(figsize=(6, 3.5))
for label, runs in results.items():
    accuracy = np.mean([run.accuracy for run in runs], axis=0)
    ax.plot(epochs, accuracy, styles[label], label=label)
ax.axvline(budget.head_epochs + 0.5, color="gray", linewidth=0.8)
ax.set_xlabel("epoch (head only, then fine-tuning)")
ax.set_ylabel("target-test accuracy, mean of seeds")
ax.legend()
display(fig)
plt.close(fig)
keras3_runs = zip(classic_runs, frozen_bn_runs, training_mode_runs)
claim(
    "FINETUNE-HEAD-PHASE-IDENTICAL",
    "While the base is frozen, the three Keras 3 strategies train the head "
    "identically: with the same seed, their accuracy after each head epoch is the "
    "same.",
    observed=[
        len({tuple(run.accuracy[: budget.head_epochs]) for run in same_seed})
        for same_seed in keras3_runs
    ],
    expected=[1] * len(budget.seeds),
)
first_epoch = pd.DataFrame(
    {
        strategy.label: [first_epoch_change(run, budget) for run in runs]
        for strategy, runs in (
            (frozen_bn, frozen_bn_runs),
            (training_mode, training_mode_runs),
        )
    },
    index=pd.Index(budget.seeds, name="seed"),
)
display(first_epoch.rename_axis(columns="first fine-tuning epoch").round(3))

# %% drift-curves
fig, ax = plt.subplots(figsize=(6, 3.5))
for label, runs in results.items():
    drifts = [[drift["moving_mean"] for drift in run.drift] for run in runs]
    ax.plot(epochs, np.mean(drifts, axis=0), styles[label], label=label)
ax.axvline(budget.head_epochs + 0.5, color="gray", linewidth=0.8)
ax.set_xlabel("epoch (head only, then fine-tuning)")
ax.set_ylabel("how far moving_mean moved, mean of seeds")
ax.legend(loc="upper left")
display(fig)
plt.close(fig)
head_phase_drift = {
    label: max(max(d.values()) for run in runs for d in run.drift[: budget.head_epochs])
    for label, runs in results.items()
}
claim(
    "FINETUNE-HEAD-PHASE-KEEPS-STATS",
    "While the base is frozen (`base.trainable = False`), no strategy changes the "
    "moving statistics, not even the one that calls the base without `training=False`.",
    observed=head_phase_drift,
    expected=dict.fromkeys(results, 0.0),
)

# %% results
table = results_table(results, budget)
display(table.round(3))
for key, row in zip("abcd", table.to_dict(orient="records")):
    glue(f"accuracy-{key}", float(row["accuracy"]))
    glue(f"std-{key}", float(row["std"]))
    glue(f"first-epoch-{key}", float(row["first epoch"]))
    glue(f"drift-{key}", float(row["moving_mean change"]))
head_accuracy = [run.accuracy[budget.head_epochs - 1] for run in classic_runs]
glue("head-accuracy", float(np.mean(head_accuracy)))
gaps = [
    c.accuracy[-1] - b.accuracy[-1] for b, c in zip(frozen_bn_runs, training_mode_runs)
]
glue("gap-min", min(gaps))
glue("gap-max", max(gaps))
claim(
    "FINETUNE-TRAINING-MODE-ENDS-HIGHER",
    "With the same seed, (c), which fine-tunes `BatchNormalization` in training mode, "
    "ends with a higher target-test accuracy than (b), which keeps it frozen, for "
    "every seed.",
    observed=[gap > 0 for gap in gaps],
    expected=[True] * len(budget.seeds),
)
# What fine-tuning added to (b): its final accuracy minus its head-only accuracy.
gains = np.array(
    [b.accuracy[-1] - b.accuracy[budget.head_epochs - 1] for b in frozen_bn_runs]
)
glue("gain-b-min", float(gains.min()))
glue("gain-b-max", float(gains.max()))
glue("gap-share-max", float(np.max(np.array(gaps) / gains)))

# %% recipe-keras2
require_keras_3_beside_keras_2()
recipe_keras2 = Strategy(
    "(e) frozen BN, Keras 2",
    tf_keras,
    call_base_in_inference_mode,
    unfreeze_except_batchnorm,
)
recipe_runs = {
    frozen_bn.label: frozen_bn_runs,
    recipe_keras2.label: fine_tune_seeds(recipe_keras2, pretrained, data, budget),
}
recipe_table = results_table(recipe_runs, budget)
display(recipe_table.round(3))
glue("accuracy-e", float(recipe_table.loc[recipe_keras2.label, "accuracy"]))
claim(
    "FINETUNE-RECIPE-PORTABLE",
    "Setting every `BatchNormalization` layer's `trainable = False` when unfreezing "
    "behaves the same on Keras 3 and Keras 2: the convolution kernels change, all four "
    "`BatchNormalization` weights do not, for every seed.",
    observed={label: [r.changed for r in runs] for label, runs in recipe_runs.items()},
    expected=dict.fromkeys(recipe_runs, [only_kernels] * len(budget.seeds)),
)
