"""Diagrams drawn from what the code measured, so that they cannot drift from Keras."""

from __future__ import annotations

import matplotlib.pyplot as plt

READ, WRITE, IDLE = "#1565c0", "#c62828", "#9e9e9e"

# Where each box of the BatchNormalization diagram goes, in a 10 x 8 panel.
PLACES = {
    "batch x": (1.2, 3.8),
    "batch statistics": (2.0, 1.7),
    "normalise": (5.6, 3.8),
    "output y": (8.9, 3.8),
    "gamma": (4.4, 6.3),
    "beta": (6.8, 6.3),
    "moving_mean": (4.3, -0.3),
    "moving_variance": (7.9, -0.3),
}


def _box(ax, name: str, used: bool):
    color = "black" if used else IDLE
    return ax.text(
        *PLACES[name],
        name,
        ha="center",
        va="center",
        color=color,
        fontsize=9,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": color},
    )


def _arrow(ax, start, end, color: str, dashed: bool = False) -> None:
    ax.annotate(
        "",
        xy=(0.5, 0.5),
        xycoords=end,
        xytext=(0.5, 0.5),
        textcoords=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "linestyle": "--" if dashed else "-",
            "patchA": start.get_bbox_patch(),
            "patchB": end.get_bbox_patch(),
        },
    )


def draw_batchnorm_data_flow(flows: dict[str, dict[str, list[str]]]):
    """One panel per mode: what the output reads (blue) and what the call writes (red).

    ``flows`` maps a mode's title to ``reads_and_writes(...)`` for that mode.
    """
    fig, axes = plt.subplots(1, len(flows), figsize=(4.6 * len(flows), 3.6))
    for ax, (mode, flow) in zip(axes, flows.items()):
        used = {"batch x", "normalise", "output y", *flow["reads"], *flow["writes"]}
        if flow["writes"]:
            used.add("batch statistics")
        boxes = {name: _box(ax, name, name in used) for name in PLACES}
        _arrow(ax, boxes["batch x"], boxes["normalise"], READ)
        _arrow(ax, boxes["normalise"], boxes["output y"], READ)
        if "batch statistics" in flow["reads"]:
            _arrow(ax, boxes["batch x"], boxes["batch statistics"], READ)
        for name in flow["reads"]:
            _arrow(ax, boxes[name], boxes["normalise"], READ)
        for name in flow["writes"]:
            _arrow(ax, boxes["batch statistics"], boxes[name], WRITE, dashed=True)
        ax.set(xlim=(0, 10), ylim=(-1, 7), title=mode)
        ax.axis("off")
    fig.legend(
        handles=[
            plt.Line2D(
                [], [], color=READ, label="read: changing it changes the output"
            ),
            plt.Line2D(
                [], [], color=WRITE, linestyle="--", label="written by the call"
            ),
        ],
        loc="lower center",
        ncols=2,
        frameon=False,
    )
    fig.subplots_adjust(bottom=0.14, wspace=0.05)
    return fig
