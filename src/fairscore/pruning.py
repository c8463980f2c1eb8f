"""FairInfl prune strategies (paper §6.1; ``algorithms.md`` §2.6, D8, D26).

Keep k = round(f·n) of n training examples (Python's ``round``):

* ``random`` — ``RandomState(seed).choice(n, k, replace=False)``;
* ``fairness`` — remove in ascending order of |S(i)|, i.e. keep the k largest |S(i)|;
* ``accuracy`` — remove in descending order of the accuracy score, i.e. keep the k smallest.

Ties break stably by training index: among equal keys the lower index is removed first.
Kept indices are returned sorted ascending.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, DataError

__all__ = ["STRATEGIES", "kept_count", "keep_indices"]

STRATEGIES = ("random", "fairness", "accuracy")


def kept_count(fraction: float, n: int) -> int:
    """k = round(fraction · n), at least 1."""
    if not 0.0 < fraction <= 1.0:
        raise DataError(f"kept fraction {fraction!r}; expected a number in (0, 1]")
    return max(int(round(fraction * n)), 1)


def keep_indices(strategy: str, fraction: float, *, n: int, fairness=None, accuracy=None, seed: int = 0) -> np.ndarray:
    """Training indices kept by ``strategy`` at ``fraction`` (sorted ascending)."""
    k = kept_count(fraction, n)
    if strategy == "random":
        return np.sort(np.random.RandomState(seed).choice(n, k, replace=False))
    if strategy == "fairness":
        key = np.abs(np.asarray(fairness, dtype=np.float64))
    elif strategy == "accuracy":
        key = -np.asarray(accuracy, dtype=np.float64)
    else:
        raise ConfigError(f"prune strategy {strategy!r}; expected one of {STRATEGIES}")
    if key.shape != (n,):
        raise DataError(f"{strategy} scores of shape {key.shape}; expected ({n},)")
    removal = np.argsort(key, kind="stable")  # ascending key, ties by index
    return np.sort(removal[n - k:])
