"""The code of the page "The same questions in PyTorch" (docs/pytorch.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json pytorch``.
"""

# %% setup
import contextlib

import keras
import numpy as np
import pandas as pd
import torch
from IPython.display import display
from torch import nn

from keras_guide.backends import to_numpy
from keras_guide.batchnorm import call_and_watch, normalise
from keras_guide.claims import claim
from keras_guide.models import fit_and_watch
from keras_guide.page import SEED, glue, start_page

start_page()
torch.manual_seed(SEED)
torch.use_deterministic_algorithms(True)
print("PyTorch", torch.__version__)


# %% parameters-and-buffers
torch_bn = nn.BatchNorm1d(3)
keras_bn = keras.layers.BatchNormalization()
keras_bn.build((None, 3))
torch_rows = [(n, "parameter", p.requires_grad) for n, p in torch_bn.named_parameters()]
torch_rows += [(n, "buffer", "n/a") for n, _ in torch_bn.named_buffers()]
keras_rows = [
    *[(w.name, "trainable_weights") for w in keras_bn.trainable_weights],
    *[(w.name, "non_trainable_weights") for w in keras_bn.non_trainable_weights],
    ("(none)", ""),
]
state = pd.DataFrame(
    [(*t, *k) for t, k in zip(torch_rows, keras_rows)],
    columns=["PyTorch", "kind", "requires_grad", "Keras 3", "Keras list"],
).set_index("PyTorch")
display(state)
claim(
    "TORCH-BN-PARAMETERS-AND-BUFFERS",
    "PyTorch's `BatchNorm1d` has two parameters, `weight` and `bias` (Keras's "
    "trainable `gamma` and `beta`), and three buffers: `running_mean` and "
    "`running_var` (Keras's non-trainable `moving_mean` and `moving_variance`) and a "
    "step counter, `num_batches_tracked`, which Keras does not have.",
    observed=state.apply(tuple, axis=1).to_dict(),
    expected={
        "weight": ("parameter", True, "gamma", "trainable_weights"),
        "bias": ("parameter", True, "beta", "trainable_weights"),
        "running_mean": ("buffer", "n/a", "moving_mean", "non_trainable_weights"),
        "running_var": ("buffer", "n/a", "moving_variance", "non_trainable_weights"),
        "num_batches_tracked": ("buffer", "n/a", "(none)", ""),
    },
)


# %% new-module-mode
def watch(bn, x):
    """Call a PyTorch BatchNorm module; say which statistics normalised ``x`` and
    whether the call changed the running statistics. Also return the output."""
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    y = bn(x)
    x64 = x.detach().double().numpy()
    gamma, beta = (p.detach().double().numpy() for p in (bn.weight, bn.bias))
    candidates = {
        "batch": (x64.mean(axis=0), x64.var(axis=0)),
        "running": (mean.double().numpy(), var.double().numpy()),
    }
    y64 = y.detach().double().numpy()
    used = [
        name
        for name, (m, v) in candidates.items()
        if np.allclose(y64, normalise(x64, m, v, gamma, beta, bn.eps), atol=1e-4)
    ]
    (used,) = used  # exactly one of the two matches
    same = torch.equal(mean, bn.running_mean) and torch.equal(var, bn.running_var)
    return y, {"normalised with": used, "stored stats changed": not same}


rng = np.random.default_rng(0)
batch_mean, batch_std = 5.0, 2.0
glue("batch-mean", batch_mean)
glue("batch-std", batch_std)
batch = torch.from_numpy(
    rng.normal(batch_mean, batch_std, size=(64, 3)).astype("float32")
)
new_torch_bn = nn.BatchNorm1d(3)
new_keras_bn = keras.layers.BatchNormalization()
_, torch_report = watch(new_torch_bn, batch)
_, keras_report = call_and_watch(new_keras_bn, batch.numpy())
keras_report["stored stats changed"] = keras_report.pop("moving stats changed")
print("new PyTorch module: training =", new_torch_bn.training)
display(pd.DataFrame({"PyTorch bn(x)": torch_report, "Keras 3 bn(x)": keras_report}).T)
claim(
    "TORCH-NEW-MODULE-IN-TRAIN-MODE",
    "A new PyTorch module is in train mode: called directly, `BatchNorm1d` normalises "
    "with the batch's statistics and updates its running statistics, where a new Keras "
    "`BatchNormalization` called without `training` uses its moving statistics and "
    "leaves them alone.",
    observed=(new_torch_bn.training, torch_report, keras_report),
    expected=(
        True,
        {"normalised with": "batch", "stored stats changed": True},
        {"normalised with": "moving", "stored stats changed": False},
    ),
)

# %% two-knobs
target = torch.zeros_like(batch)
ones = torch.ones(1, 16)


def observe(requires_grad, mode):
    """Set both knobs on a BatchNorm1d and a Dropout, take one SGD step; report."""
    bn, dropout = nn.BatchNorm1d(3), nn.Dropout(0.5)
    bn.requires_grad_(requires_grad)  # the knob `trainable` is in Keras
    for module in (bn, dropout):
        module.train(mode == "train()")  # the knob `training` is in Keras
    weight, bias = bn.weight.detach().clone(), bn.bias.detach().clone()
    optimizer = torch.optim.SGD(bn.parameters(), lr=0.1)
    # The input requires gradients, as the output of earlier layers would:
    # so there is a graph to differentiate even when bn's parameters are frozen.
    output, report = watch(bn, batch.clone().requires_grad_(True))
    ((output - target) ** 2).mean().backward()
    optimizer.step()
    return {
        "Dropout zeroes units": bool((dropout(ones) == 0).any()),
        "BN normalises with": report["normalised with"],
        "BN running stats change": report["stored stats changed"],
        "weight.grad": "None" if bn.weight.grad is None else "a tensor",
        "SGD step changes weight, bias": not (
            torch.equal(weight, bn.weight) and torch.equal(bias, bn.bias)
        ),
    }


knobs = [(rg, mode) for rg in (True, False) for mode in ("train()", "eval()")]
two_knobs = pd.DataFrame(
    [observe(*flags) for flags in knobs],
    index=pd.MultiIndex.from_tuples(knobs, names=["requires_grad", "mode"]),
)
display(two_knobs)

# %% two-knobs-claims
computation = ["Dropout zeroes units", "BN normalises with", "BN running stats change"]
learning = ["weight.grad", "SGD step changes weight, bias"]
in_train, in_eval = (True, "batch", True), (False, "running", False)
claim(
    "TORCH-MODE-DECIDES-COMPUTATION",
    "In PyTorch the mode alone decides how the forward pass computes: after `train()`, "
    "`Dropout` zeroes units and `BatchNorm1d` normalises with the batch's statistics "
    "and updates its running statistics; after `eval()` neither happens; "
    "`requires_grad` changes none of it.",
    observed=two_knobs[computation].apply(tuple, axis=1).to_dict(),
    expected={
        (rg, mode): in_train if mode == "train()" else in_eval for rg, mode in knobs
    },
)
claim(
    "TORCH-REQUIRES-GRAD-DECIDES-LEARNING",
    "`requires_grad` alone decides what learns: `weight` and `bias` get a gradient and "
    "an SGD step changes them when they require gradients, in train and in eval mode; "
    "when they do not, their `.grad` stays `None` and the optimizer leaves them alone.",
    observed=two_knobs[learning].apply(tuple, axis=1).to_dict(),
    expected={
        (rg, mode): ("a tensor", True) if rg else ("None", False) for rg, mode in knobs
    },
)

# %% no-grad
contexts = {
    "no context": contextlib.nullcontext,
    "torch.no_grad()": torch.no_grad,
    "torch.inference_mode()": torch.inference_mode,
}
under_context = {}
for name, context in contexts.items():
    bn = nn.BatchNorm1d(3)  # a new module: train mode
    with context():
        output, report = watch(bn, batch)
    under_context[name] = {
        "bn.training": bn.training,
        "output requires_grad": output.requires_grad,
        **report,
    }
under_context = pd.DataFrame(under_context).T
display(under_context)
claim(
    "TORCH-NO-GRAD-STOPS-RECORDING",
    "Under `torch.no_grad()` and `torch.inference_mode()`, a module's output does not "
    "require gradients: no graph is recorded.",
    observed=under_context["output requires_grad"].to_dict(),
    expected={
        "no context": True,
        "torch.no_grad()": False,
        "torch.inference_mode()": False,
    },
)
claim(
    "TORCH-NO-GRAD-KEEPS-TRAIN-MODE",
    "Neither `torch.no_grad()` nor `torch.inference_mode()` switches a module to eval "
    "mode: under either, a `BatchNorm1d` in train mode normalises with the batch's "
    "statistics and updates its running statistics.",
    observed=under_context[["bn.training", "normalised with", "stored stats changed"]]
    .apply(tuple, axis=1)
    .to_dict(),
    expected={name: (True, "batch", True) for name in contexts},
)

# %% defaults
defaults = pd.DataFrame(
    {
        "momentum": [torch_bn.momentum, keras_bn.momentum],
        "epsilon": [torch_bn.eps, keras_bn.epsilon],
    },
    index=["PyTorch BatchNorm1d", "Keras 3 BatchNormalization"],
)
display(defaults)
glue("torch-momentum", torch_bn.momentum)
glue("torch-eps", torch_bn.eps)
glue("keras-momentum", keras_bn.momentum)
glue("keras-epsilon", keras_bn.epsilon)
claim(
    "TORCH-BN-DEFAULTS",
    "By default PyTorch's `BatchNorm1d` has `momentum` 0.1 and `eps` 1e-5; Keras's "
    "`BatchNormalization` has `momentum` 0.99 and `epsilon` 0.001.",
    observed=defaults.apply(tuple, axis=1).to_dict(),
    expected={
        "PyTorch BatchNorm1d": (0.1, 1e-5),
        "Keras 3 BatchNormalization": (0.99, 1e-3),
    },
)


# %% one-step
def step_errors(x, output, gamma, beta, before, after, new_weight, epsilon):
    """Redo one training-mode step with NumPy, once with each variance estimator.

    ``before`` and ``after`` are the (mean, variance) the layer stored before and
    after the step; ``new_weight`` is the weight the update gives the batch.
    Returns the largest difference from what the layer did, per quantity.
    """
    x = np.asarray(x, dtype="float64")
    mean, errors = x.mean(axis=0), {}
    for estimator, ddof in (("1/N", 0), ("1/(N-1)", 1)):
        var = x.var(axis=0, ddof=ddof)
        expected = (
            normalise(x, mean, var, gamma, beta, epsilon),
            (1 - new_weight) * before[0] + new_weight * mean,
            (1 - new_weight) * before[1] + new_weight * var,
        )
        errors[estimator] = [
            float(np.abs(np.asarray(got) - want).max())
            for got, want in zip((output, *after), expected)
        ]
    return pd.DataFrame(errors, index=["output", "stored mean", "stored variance"]).T


small = rng.normal(loc=5.0, scale=2.0, size=(8, 3)).astype("float32")  # N = 8
gamma, beta = np.float32([2.0, 0.5, 1.0]), np.float32([1.0, -1.0, 0.0])
mean0, var0 = np.float32([4.0, 4.0, 4.0]), np.float32([3.0, 3.0, 3.0])

step_torch = nn.BatchNorm1d(3)
torch_state = (step_torch.weight, step_torch.bias)
torch_state += (step_torch.running_mean, step_torch.running_var)
with torch.no_grad():  # set the state by hand: not a step to record
    for tensor, value in zip(torch_state, (gamma, beta, mean0, var0)):
        tensor.copy_(torch.from_numpy(value))
torch_out = step_torch(torch.from_numpy(small)).detach()
torch_after = (step_torch.running_mean.numpy(), step_torch.running_var.numpy())

step_keras = keras.layers.BatchNormalization()
step_keras.build(small.shape)
for variable, value in zip(step_keras.weights, (gamma, beta, mean0, var0)):
    variable.assign(value)
keras_out = to_numpy(step_keras(small, training=True))
keras_after = (step_keras.moving_mean.numpy(), step_keras.moving_variance.numpy())

m_torch, m_keras = step_torch.momentum, step_keras.momentum
errors = pd.concat(
    {
        "PyTorch": step_errors(
            small,
            torch_out,
            gamma,
            beta,
            (mean0, var0),
            torch_after,
            m_torch,
            step_torch.eps,
        ),
        "Keras 3": step_errors(
            small,
            keras_out,
            gamma,
            beta,
            (mean0, var0),
            keras_after,
            1 - m_keras,
            step_keras.epsilon,
        ),
    },
    names=["framework", "variance estimator"],
)
display(errors.map("{:.1e}".format))

# %% one-step-claims
TOLERANCE = 1e-5
glue("tolerance", TOLERANCE)
matches = errors < TOLERANCE


def estimator_used(framework, column):
    """Which variance estimator matched the layer, for one framework and quantity."""
    found = matches.loc[framework, column]
    return ", ".join(found.index[found])


claim(
    "TORCH-RUNNING-UPDATE-RULE",
    "A train-mode call of `BatchNorm1d` sets `running_mean = (1 - momentum) * "
    "running_mean + momentum * batch mean`: PyTorch's `momentum` is the weight of the "
    "new batch, Keras's the weight of the old value.",
    observed={
        "PyTorch, batch weighted by momentum": bool(
            matches.loc[("PyTorch", "1/N"), "stored mean"]
        ),
        "Keras 3, batch weighted by 1 - momentum": bool(
            matches.loc[("Keras 3", "1/N"), "stored mean"]
        ),
    },
    expected={
        "PyTorch, batch weighted by momentum": True,
        "Keras 3, batch weighted by 1 - momentum": True,
    },
)
claim(
    "TORCH-VARIANCE-ESTIMATORS",
    "In train mode PyTorch's `BatchNorm1d` normalises with the biased (1/N) batch "
    "variance but updates `running_var` with the unbiased (1/(N-1)) one, by the same "
    "rule as `running_mean`; Keras 3 uses the biased variance for both.",
    observed={
        (framework, column): estimator_used(framework, column)
        for framework in ("PyTorch", "Keras 3")
        for column in ("output", "stored variance")
    },
    expected={
        ("PyTorch", "output"): "1/N",
        ("PyTorch", "stored variance"): "1/(N-1)",
        ("Keras 3", "output"): "1/N",
        ("Keras 3", "stored variance"): "1/N",
    },
)

# %% momentum-conversion
means, scales = [3.0, -1.0, 0.0], [2.0, 0.5, 0.01]  # the last feature varies little
stream = [rng.normal(means, scales, size=(8, 3)).astype("float32") for _ in range(20)]


def train_side_by_side(keras_layer):
    """Feed the same batches in training mode to a default BatchNorm1d and to
    ``keras_layer``; return how far apart their outputs and statistics end."""
    torch_layer = nn.BatchNorm1d(3)
    output_gap = 0.0
    for x in stream:
        torch_out = torch_layer(torch.from_numpy(x)).detach().numpy()
        keras_out = to_numpy(keras_layer(x, training=True))
        output_gap = max(output_gap, float(np.abs(torch_out - keras_out).max()))
    mean_gap = torch_layer.running_mean.numpy() - keras_layer.moving_mean.numpy()
    var_gap = torch_layer.running_var.numpy() - keras_layer.moving_variance.numpy()
    return {
        "output gap": output_gap,
        "stored mean gap": float(np.abs(mean_gap).max()),
        "PyTorch variance larger": bool(np.all(var_gap > 0)),
    }


m, eps = torch_bn.momentum, torch_bn.eps  # PyTorch's defaults
glue("keras-equivalent-momentum", 1 - m)
glue("small-scale", scales[-1])
keras_settings = {
    "momentum=1-m, epsilon=eps": dict(momentum=1 - m, epsilon=eps),
    "momentum=m, epsilon=eps": dict(momentum=m, epsilon=eps),
    "momentum=1-m, default epsilon": dict(momentum=1 - m),
}
side_by_side = pd.DataFrame(
    {
        name: train_side_by_side(keras.layers.BatchNormalization(**settings))
        for name, settings in keras_settings.items()
    }
).T.rename_axis("Keras BatchNormalization")
display(side_by_side)
gaps = side_by_side[["output gap", "stored mean gap"]]
glue("copied-momentum-mean-gap", gaps.at["momentum=m, epsilon=eps", "stored mean gap"])
glue(
    "default-epsilon-output-gap",
    gaps.at["momentum=1-m, default epsilon", "output gap"],
)

# %% momentum-conversion-claims
close = gaps < TOLERANCE
claim(
    "TORCH-MOMENTUM-CONVERSION",
    "PyTorch's `momentum=m` is Keras's `momentum=1 - m`: fed the same batches in "
    "training mode, a default `BatchNorm1d` and a `BatchNormalization(momentum=1 - m)` "
    "end with the same running mean, and a `BatchNormalization(momentum=m)` does not; "
    "with `momentum=1 - m`, PyTorch's running variance ends larger in every feature, "
    "since it takes in the unbiased variance.",
    observed=(
        close["stored mean gap"].to_dict(),
        side_by_side.at["momentum=1-m, epsilon=eps", "PyTorch variance larger"],
    ),
    expected=(
        {
            "momentum=1-m, epsilon=eps": True,
            "momentum=m, epsilon=eps": False,
            "momentum=1-m, default epsilon": True,
        },
        True,
    ),
)
claim(
    "TORCH-EPSILON-CHANGES-OUTPUT",
    "With PyTorch's `eps` as its `epsilon`, Keras's `BatchNormalization` gives the "
    "same training-mode outputs as a default `BatchNorm1d`; with its default "
    "`epsilon`, it does not.",
    observed=close["output gap"].to_dict(),
    expected={
        "momentum=1-m, epsilon=eps": True,
        "momentum=m, epsilon=eps": True,
        "momentum=1-m, default epsilon": False,
    },
)

# %% frozen-pitfall
x_train = rng.normal(size=(64, 4)).astype("float32")
y_train = x_train.sum(axis=1, keepdims=True)


def torch_net(cls=nn.Sequential):
    torch.manual_seed(SEED)
    return cls(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))


def torch_epoch(net, after_train=None):
    """One epoch as a PyTorch training loop runs it: ``net.train()``, then SGD steps."""
    net.train()
    if after_train:
        after_train(net)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=0.01)
    for start in range(0, len(x_train), 16):
        xb, yb = (torch.from_numpy(a[start : start + 16]) for a in (x_train, y_train))
        optimizer.zero_grad()
        nn.functional.mse_loss(net(xb), yb).backward()
        optimizer.step()


def changes(module, run):
    """Run ``run()``; say which entries of ``module.state_dict()`` it changed."""
    before = {name: value.clone() for name, value in module.state_dict().items()}
    run()
    after = module.state_dict()
    return {name: not torch.equal(value, after[name]) for name, value in before.items()}


net = torch_net()
net[1].requires_grad_(False)  # "freeze" the BatchNorm1d
torch_changed = changes(net[1], lambda: torch_epoch(net))

keras_model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(8),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.Dense(1),
    ]
)
keras_model.layers[1].trainable = False
keras_model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
changed_by_fit, messages = fit_and_watch(keras_model, x_train, y_train, batch_size=16)
keras_changed = {w.name: changed_by_fit[w.path] for w in keras_model.layers[1].weights}
frozen = pd.DataFrame(
    {
        "PyTorch": list(torch_changed),
        "changed by an epoch": list(torch_changed.values()),
        "Keras 3": [*keras_changed, "(none)"],
        "changed by fit()": [*keras_changed.values(), ""],
    }
)
display(frozen)
print("warnings and log lines from fit():", messages)
claim(
    "TORCH-FROZEN-BN-STILL-UPDATES-STATS",
    "Freezing a `BatchNorm1d` with `requires_grad_(False)` keeps its `weight` and "
    "`bias`, but a training loop that calls `model.train()` still updates its running "
    "statistics; in Keras 3, `fit()` changes no weight of a `BatchNormalization` with "
    "`trainable = False`, moving statistics included, and raises no warning.",
    observed=(torch_changed, keras_changed, messages),
    expected=(
        {
            "weight": False,
            "bias": False,
            "running_mean": True,
            "running_var": True,
            "num_batches_tracked": True,
        },
        {"gamma": False, "beta": False, "moving_mean": False, "moving_variance": False},
        [],
    ),
)

# %% fix-eval
net = torch_net()
bn = net[1]
bn.requires_grad_(False)
epochs = {}
first = changes(bn, lambda: torch_epoch(net, after_train=lambda net: net[1].eval()))
epochs["epoch 1: model.train(), then bn.eval()"] = {"bn.training": bn.training, **first}
net.eval()  # say, to validate after the epoch
second = changes(bn, lambda: torch_epoch(net))
epochs["epoch 2: model.train() only"] = {"bn.training": bn.training, **second}
fix_eval = pd.DataFrame(epochs).T[["bn.training", "running_mean", "running_var"]]
display(fix_eval)
claim(
    "TORCH-TRAIN-REENABLES-BN",
    "`bn.eval()` after `model.train()` keeps a frozen `BatchNorm1d`'s running "
    "statistics for that epoch, but the next `model.train()` puts it back in train "
    "mode and its running statistics change again.",
    observed=fix_eval.apply(tuple, axis=1).to_dict(),
    expected={
        "epoch 1: model.train(), then bn.eval()": (False, False, False),
        "epoch 2: model.train() only": (True, True, True),
    },
)

# %% fix-override
BATCHNORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


class FrozenBatchNormStaysInEval(nn.Sequential):
    """A Sequential whose ``train()`` leaves BatchNorm layers with frozen
    parameters in eval mode. Put the same method in your own nn.Module."""

    def train(self, mode=True):
        super().train(mode)
        for module in self.modules():
            if isinstance(module, BATCHNORMS) and module.affine:
                if not module.weight.requires_grad:
                    module.eval()
        return self


net = torch_net(FrozenBatchNormStaysInEval)
net[1].requires_grad_(False)
net.train()
modes = {f"{i} {type(layer).__name__}": layer.training for i, layer in enumerate(net)}
print("training after model.train():", modes)


def three_epochs_with_validation():
    for _ in range(3):
        torch_epoch(net)
        net.eval()
        with torch.no_grad():
            net(torch.from_numpy(x_train))


override = pd.Series(changes(net, three_epochs_with_validation), name="changed")
display(override.to_frame().T)
in_bn = override.index.str.startswith("1.")  # the entries of net[1], the BatchNorm1d
claim(
    "TORCH-OVERRIDE-KEEPS-FROZEN-BN",
    "In a model whose `train()` puts every `BatchNorm` layer with frozen parameters "
    "back in eval mode, `model.train()` leaves those layers in eval mode and the "
    "others in train mode; through epochs of `train()` and `eval()`, those layers keep "
    "their whole state while every entry of the other layers changes.",
    observed=(modes, bool(override[in_bn].any()), bool(override[~in_bn].all())),
    expected=(
        {"0 Linear": True, "1 BatchNorm1d": False, "2 ReLU": True, "3 Linear": True},
        False,
        True,
    ),
)
