"""A transfer-learning task from scikit-learn's digits (shipped with it: no download).

The source task is digits 0-4, with plenty of labels. The target task is digits
5-9, with a few labels per class, and inverted images (dark digits on a light
background), so that the target's intensity statistics differ from the source's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)


@dataclass(frozen=True)
class TransferData:
    """Images of shape (n, 8, 8, 1) with values in [0, 1], and labels 0-4."""

    source_train: tuple[np.ndarray, np.ndarray]
    source_val: tuple[np.ndarray, np.ndarray]
    target_train: tuple[np.ndarray, np.ndarray]
    target_test: tuple[np.ndarray, np.ndarray]

    def sizes(self) -> dict[str, int]:
        """The number of images in each split.

        >>> load_transfer_task(labels_per_class=20).sizes()
        {'source_train': 721, 'source_val': 180,
         'target_train': 100, 'target_test': 796}
        """
        return {name: len(getattr(self, name)[0]) for name in self.__dataclass_fields__}


def load_transfer_task(labels_per_class: int, seed: int = 0) -> TransferData:
    """Split the digits into a source task and a few-label, inverted target task."""
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., np.newaxis]
    labels = digits.target
    rng = np.random.default_rng(seed)

    source = rng.permutation(np.flatnonzero(np.isin(labels, SOURCE_DIGITS)))
    n_val = len(source) // 5
    target_by_class = [
        rng.permutation(np.flatnonzero(labels == digit)) for digit in TARGET_DIGITS
    ]
    target_train = np.concatenate([idx[:labels_per_class] for idx in target_by_class])
    target_test = np.concatenate([idx[labels_per_class:] for idx in target_by_class])

    def source_split(idx):
        return images[idx], labels[idx] - SOURCE_DIGITS[0]

    def target_split(idx):
        return 1.0 - images[idx], labels[idx] - TARGET_DIGITS[0]

    return TransferData(
        source_train=source_split(source[n_val:]),
        source_val=source_split(source[:n_val]),
        target_train=target_split(target_train),
        target_test=target_split(target_test),
    )
