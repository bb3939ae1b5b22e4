"""The code of the page "Feature extraction or a frozen base trained end to end".

The page is docs/feature_extraction.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json
feature_extraction``.
"""

# %% setup
import time

import keras
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.digits import load_transfer_task
from keras_guide.feature_extraction import ImageCounter
from keras_guide.page import glue, start_page
from keras_guide.transfer import IMAGE_SHAPE, N_CLASSES, pretrain

start_page()
data = load_transfer_task(labels_per_class=20)
(x_train, y_train), (x_test, y_test) = data.target_train, data.target_test
base, _ = pretrain(data)
EPOCHS, BATCH_SIZE = 10, 8
glue("train-images", len(x_train))
glue("epochs", EPOCHS)
glue("batch-size", BATCH_SIZE)
glue("image-height", IMAGE_SHAPE[0])
glue("image-width", IMAGE_SHAPE[1])


def new_head():
    """One Dense layer on the base's features."""
    return keras.Sequential(
        [keras.Input(base.output.shape[1:]), keras.layers.Dense(N_CLASSES, "softmax")]
    )


def fit(model, x, epochs=EPOCHS):
    """Compile and fit on the target labels; the same for every model here."""
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy"
    )
    model.fit(
        x, y_train, epochs=epochs, batch_size=BATCH_SIZE, shuffle=False, verbose=0
    )


def largest_gap(model_1, model_2):
    """The largest absolute difference between the two models' weights."""
    pairs = zip(model_1.get_weights(), model_2.get_weights(), strict=True)
    return max(float(np.abs(w1 - w2).max()) for w1, w2 in pairs)


# %% heads
counter = ImageCounter()
counted_base = keras.Sequential([keras.Input(IMAGE_SHAPE), counter, base])
counted_base.trainable = False

head_a = new_head()
initial_head = head_a.get_weights()
head_b = new_head()
head_b.set_weights(initial_head)
print("heads A and B start equal:", largest_gap(head_a, head_b) == 0.0)

# %% option-a
counter.reset()
start = time.perf_counter()
features = counted_base.predict(x_train, batch_size=BATCH_SIZE, verbose=0)
seconds_predict = time.perf_counter() - start
images_a = counter.count()
start = time.perf_counter()
fit(head_a, features)
seconds_head = time.perf_counter() - start
images_head = counter.count() - images_a
print("features:", features.shape)

# %% option-b
inputs = keras.Input(IMAGE_SHAPE)
model_b = keras.Model(inputs, head_b(counted_base(inputs, training=False)))
counter.reset()
start = time.perf_counter()
fit(model_b, x_train)
seconds_b = time.perf_counter() - start
images_b = counter.count()
print("images through the base in B's fit():", images_b)

# %% same-head
TOLERANCE = 1e-6
gap = largest_gap(head_a, head_b)
test_features = counted_base.predict(x_test, verbose=0)
predicted_a = head_a.predict(test_features, verbose=0).argmax(axis=1)
predicted_b = model_b.predict(x_test, verbose=0).argmax(axis=1)
display(
    pd.DataFrame(
        {
            "largest weight gap, A vs B": [gap],
            "test accuracy A": [(predicted_a == y_test).mean()],
            "test accuracy B": [(predicted_b == y_test).mean()],
            "test images classed alike": [(predicted_a == predicted_b).mean()],
        }
    ).T.rename(columns={0: "value"})
)
glue("weight-gap", gap)
glue("tolerance", TOLERANCE)
claim(
    "FEATURES-SAME-HEAD",
    "With a base whose only layers that depend on `training` are frozen "
    "`BatchNormalization` layers, a head trained on `base.predict(x)` and the same "
    "head trained end to end behind `base.trainable = False` (same initial weights, "
    "same data order) end with weights equal to within 1e-6, and class every test "
    "image alike.",
    observed={
        "weights within 1e-6": gap <= TOLERANCE,
        "test images classed alike": bool((predicted_a == predicted_b).all()),
    },
    expected={"weights within 1e-6": True, "test images classed alike": True},
)

# %% cost
cost = pd.DataFrame(
    {
        "images through the base": [images_a, images_head, images_b],
        "seconds": [seconds_predict, seconds_head, seconds_b],
    },
    index=["A: predict()", "A: fit() of the head", "B: fit()"],
)
# The seconds change from run to run, so no prose quotes them.
display(cost.round(1))
glue("images-a", images_a)
glue("images-b", images_b)
claim(
    "FEATURES-BASE-RUNS-ONCE",
    "Over 10 epochs of 100 training images, the base runs on 100 images in A "
    "(`predict()` once) and on 1,000 in B (`fit()` runs it on every image in every "
    "epoch).",
    observed={"A": images_a + images_head, "B": images_b},
    expected={"A": 100, "B": 1000},
)

# %% dropout
dropout_base = keras.Sequential(
    [keras.Input(IMAGE_SHAPE), base, keras.layers.Dropout(0.5)]
)
dropout_base.trainable = False

head_a_dropout = new_head()
head_a_dropout.set_weights(initial_head)
fit(head_a_dropout, dropout_base.predict(x_train, batch_size=BATCH_SIZE, verbose=0))

head_b_dropout = new_head()
head_b_dropout.set_weights(initial_head)
inputs = keras.Input(IMAGE_SHAPE)
fit(keras.Model(inputs, head_b_dropout(dropout_base(inputs, training=False))), x_train)

dropout_gap = largest_gap(head_a_dropout, head_b_dropout)
print(f"Keras {keras.__version__}: largest weight gap, A vs B: {dropout_gap:.3g}")
glue("dropout-gap", dropout_gap)
claim(
    "FEATURES-DROPOUT-MAKES-HEADS-DIFFER",
    "On Keras 3.0 to 3.15, with a `Dropout` layer at the end of the frozen base, the "
    "head trained end to end behind `base(inputs, training=False)` ends more than "
    "0.01 away from the head trained on `base.predict(x)`.",
    observed=dropout_gap > 1e-2,
    expected=True,
)

# %% augmentation
augment = keras.layers.RandomTranslation(0.125, 0.125, seed=0)
augmented_base = keras.Sequential([keras.Input(IMAGE_SHAPE), augment, base])
augmented_base.trainable = False

augmented_features = augmented_base.predict(x_train, batch_size=BATCH_SIZE, verbose=0)
head_augmented = new_head()
head_augmented.set_weights(initial_head)
inputs = keras.Input(IMAGE_SHAPE)
fit(keras.Model(inputs, head_augmented(augmented_base(inputs))), x_train)

augmented = pd.DataFrame(
    {
        "largest gap": [
            float(np.abs(augmented_features - features).max()),
            largest_gap(head_augmented, head_b),
        ]
    },
    index=["predict(): features, vs A's", "fit(): head weights, vs B's"],
)
display(augmented)
claim(
    "FEATURES-ONLY-FIT-AUGMENTS",
    "A `RandomTranslation` layer in front of the frozen base changes nothing under "
    "`predict()`: the features equal A's to within 1e-5; under `fit()`, the head "
    "trained behind it ends more than 0.01 away from B's.",
    observed=(augmented["largest gap"] > [1e-5, 1e-2]).tolist(),
    expected=[False, True],
)
