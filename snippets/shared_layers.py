"""The code of the page "Shared layers in two compiled models: the GAN pattern".

The page is docs/shared_layers.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json shared_layers``.
"""

# %% setup
import inspect

import keras
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import gradient_step, to_numpy
from keras_guide.claims import claim
from keras_guide.models import captured_messages
from keras_guide.page import glue, start_page

start_page()
rng = np.random.default_rng(0)
LATENT, FEATURES, BATCH, ROUNDS = 2, 3, 8, 5
real = rng.normal(size=(BATCH, FEATURES)).astype("float32")
noise = rng.normal(size=(BATCH, LATENT)).astype("float32")
all_real = np.ones((BATCH, 1), "float32")
real_then_fake = np.concatenate([all_real, np.zeros((BATCH, 1), "float32")])
glue("rounds", ROUNDS)

# What a step changed: (the generator's weights, the discriminator's weights).
ONLY_DISCRIMINATOR = ("unchanged", "changed")
ONLY_GENERATOR = ("changed", "unchanged")
NOTHING = ("unchanged", "unchanged")
RAISED = ("raised ValueError", "raised ValueError")  # Keras 3 on JAX, see "order"


def build_models(K):
    """A tiny generator and discriminator, built with the Keras module ``K``."""
    generator = K.Sequential(
        [K.Input((LATENT,)), K.layers.Dense(FEATURES)], name="generator"
    )
    discriminator = K.Sequential(
        [K.Input((FEATURES,)), K.layers.Dense(1, activation="sigmoid")],
        name="discriminator",
    )
    return generator, discriminator


def discriminator_batch(generator):
    """Real samples labelled 1, then the generator's samples labelled 0."""
    fake = to_numpy(generator(noise))
    return np.concatenate([real, fake]), real_then_fake


def watch(step, generator, discriminator):
    """Run one training step: whose weights it changed, and what Keras said."""
    before = [model.get_weights() for model in (generator, discriminator)]
    raised = None
    with captured_messages() as messages:
        try:
            step()
        except Exception as error:  # what a release raises is an outcome too
            raised = error
    if raised:
        outcome = f"raised {type(raised).__name__}"
        return {
            "generator": outcome,
            "discriminator": outcome,
            "said": [*messages, f"{outcome}: {str(raised)[:60]}…"],
        }
    changed = {
        model.name: "unchanged"
        if all(np.array_equal(a, b) for a, b in zip(old, model.get_weights()))
        else "changed"
        for old, model in zip(before, (generator, discriminator))
    }
    return {**changed, "said": messages}


def outcomes(table, step):
    """What each run of one step changed, in order."""
    rows = table[table.index.str.endswith(step)]
    return list(zip(rows["generator"], rows["discriminator"]))


# %% classic
def classic_recipe(K, discriminator_step_first=False):
    """The Keras 2 GAN recipe; what each training step changed."""
    generator, discriminator = build_models(K)
    discriminator.compile(optimizer="adam", loss="binary_crossentropy")

    def discriminator_step():
        discriminator.train_on_batch(*discriminator_batch(generator))

    def gan_step():
        gan.train_on_batch(noise, all_real)

    steps = {}
    if discriminator_step_first:
        steps["before the freeze: discriminator"] = watch(
            discriminator_step, generator, discriminator
        )
    discriminator.trainable = False
    z = K.Input((LATENT,))
    gan = K.Model(z, discriminator(generator(z)), name="gan")
    gan.compile(optimizer="adam", loss="binary_crossentropy")
    for round_ in range(1, ROUNDS + 1):
        steps[f"{round_}: discriminator"] = watch(
            discriminator_step, generator, discriminator
        )
        steps[f"{round_}: gan"] = watch(gan_step, generator, discriminator)
    return pd.DataFrame(steps).T


classic = classic_recipe(keras)
display(classic)
claim(
    "SHARED-GAN-STEP-TRAINS-GENERATOR-ONLY",
    "In the classic GAN recipe, every `gan.train_on_batch()` changes the generator's "
    "weights and leaves the frozen discriminator's as they were.",
    observed=outcomes(classic, "gan"),
    expected=[ONLY_GENERATOR] * ROUNDS,
)
claim(
    "SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",
    "On Keras 3, except 3.6 and 3.7, in the classic GAN recipe, every "
    "`discriminator.train_on_batch()` leaves every weight unchanged: the "
    "discriminator is frozen when it first trains.",
    observed=outcomes(classic, "discriminator"),
    expected=[NOTHING] * ROUNDS,
)

# %% classic-warnings
no_weights = "warning: The model does not have any trainable weights."
said = {step: messages for step, messages in classic["said"].items() if messages}
print(said)
claim(
    "SHARED-KERAS3-CLASSIC-WARNINGS",
    "On Keras 3, except 3.6 and 3.7, the classic GAN recipe says only "
    '"The model does not have any trainable weights.", at discriminator steps: '
    "at the first with TensorFlow, at each with PyTorch, never with JAX.",
    observed=said,
    expected={
        "tensorflow": {"1: discriminator": [no_weights]},
        "torch": {f"{r}: discriminator": [no_weights] for r in range(1, ROUNDS + 1)},
        "jax": {},
    }[keras.backend.backend()],
)

# %% classic-keras2
keras2_classic = classic_recipe(tf_keras)
display(keras2_classic)
claim(
    "SHARED-KERAS2-CLASSIC-AS-INTENDED",
    "In Keras 2 (tf-keras), the classic GAN recipe trains as intended, silently: each "
    "`discriminator.train_on_batch()` changes only the discriminator, each "
    "`gan.train_on_batch()` only the generator.",
    observed=(
        outcomes(keras2_classic, "discriminator"),
        outcomes(keras2_classic, "gan"),
        keras2_classic["said"].map(len).sum(),
    ),
    expected=([ONLY_DISCRIMINATOR] * ROUNDS, [ONLY_GENERATOR] * ROUNDS, 0),
)

# %% keras2-why
from tf_keras.src.engine import training, training_utils  # noqa: E402

print(inspect.getdoc(training_utils.RespectCompiledTrainableState).split("\n\n")[1])
respecting = [
    name
    for name, method in inspect.getmembers(training.Model, inspect.isfunction)
    if "RespectCompiledTrainableState" in inspect.getsource(method)
]
print("tf-keras Model methods that run inside it:", respecting)
claim(
    "SHARED-KERAS2-RESTORES-COMPILED-FLAGS",
    "tf-keras runs `fit()` and `train_on_batch()`, and no other `Model` method, "
    "inside `RespectCompiledTrainableState`.",
    observed=respecting,
    expected=["fit", "train_on_batch"],
)

# %% order
first_step_before_freeze = classic_recipe(keras, discriminator_step_first=True)
display(first_step_before_freeze)
claim(
    "SHARED-ORDER-DISCRIMINATOR-FIRST",
    "Except on Keras 3.6, when the discriminator's first step runs before the "
    "freeze, its later steps keep "
    "training it with TensorFlow (Keras 2 and Keras 3), raise `ValueError` on Keras 3 "
    "with JAX, and change nothing on Keras 3 with PyTorch; each "
    "`gan.train_on_batch()` still changes only the generator.",
    observed=(
        outcomes(first_step_before_freeze, "discriminator"),
        outcomes(first_step_before_freeze, "gan"),
    ),
    expected=(
        [ONLY_DISCRIMINATOR]
        + {
            "tensorflow": [ONLY_DISCRIMINATOR],
            "jax": [RAISED],
            "torch": [NOTHING],
        }[keras.backend.backend()]
        * ROUNDS,
        [ONLY_GENERATOR] * ROUNDS,
    ),
)


# %% toggle
def toggled_recipe():
    """The classic recipe, with `discriminator.trainable` set before every step."""
    generator, discriminator = build_models(keras)
    discriminator.compile(optimizer="adam", loss="binary_crossentropy")
    discriminator.trainable = False
    z = keras.Input((LATENT,))
    gan = keras.Model(z, discriminator(generator(z)), name="gan")
    gan.compile(optimizer="adam", loss="binary_crossentropy")

    def discriminator_step():
        discriminator.trainable = True
        discriminator.train_on_batch(*discriminator_batch(generator))

    def gan_step():
        discriminator.trainable = False
        gan.train_on_batch(noise, all_real)

    steps = {}
    for round_ in range(1, ROUNDS + 1):
        steps[f"{round_}: discriminator"] = watch(
            discriminator_step, generator, discriminator
        )
        steps[f"{round_}: gan"] = watch(gan_step, generator, discriminator)
    return pd.DataFrame(steps).T


toggled = toggled_recipe()
display(toggled)
claim(
    "SHARED-TOGGLE-AS-INTENDED",
    "Except on Keras 3.6 and 3.7, with `discriminator.trainable = True` before each "
    "discriminator step and `False` before each `gan` step, each step changes only "
    "the model it should, silently.",
    observed=(
        outcomes(toggled, "discriminator"),
        outcomes(toggled, "gan"),
        toggled["said"].map(len).sum(),
    ),
    expected=([ONLY_DISCRIMINATOR] * ROUNDS, [ONLY_GENERATOR] * ROUNDS, 0),
)

# %% explicit-variables
generator, discriminator = build_models(keras)
bce = keras.losses.BinaryCrossentropy()
d_optimizer, g_optimizer = keras.optimizers.Adam(), keras.optimizers.Adam()


def discriminator_step():
    images, labels = discriminator_batch(generator)
    gradient_step(
        lambda: bce(labels, discriminator(images, training=True)),
        discriminator.trainable_weights,
        d_optimizer,
    )


def generator_step():
    gradient_step(
        lambda: bce(all_real, discriminator(generator(noise, training=True))),
        generator.trainable_weights,
        g_optimizer,
    )


steps = {}
for round_ in range(1, ROUNDS + 1):
    steps[f"{round_}: discriminator"] = watch(
        discriminator_step, generator, discriminator
    )
    steps[f"{round_}: generator"] = watch(generator_step, generator, discriminator)
explicit = pd.DataFrame(steps).T
display(explicit)
claim(
    "SHARED-EXPLICIT-VARIABLES-AS-INTENDED",
    "A training loop that applies each loss's gradients to one model's "
    "`trainable_weights` changes only that model, with neither model frozen.",
    observed=(outcomes(explicit, "discriminator"), outcomes(explicit, "generator")),
    expected=([ONLY_DISCRIMINATOR] * ROUNDS, [ONLY_GENERATOR] * ROUNDS),
)
