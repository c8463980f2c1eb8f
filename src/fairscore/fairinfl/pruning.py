"""FairInfl prune strategies (paper §6.1; ``algorithms.md`` §2.6, D8, D26).

Keep k = round(f·n) of n training examples (Python's ``round``):

* ``random`` — ``RandomState(seed).choice(n, k, replace=False)``;
* ``fairness`` — remove in ascending order of |S(i)|, i.e. keep the k largest |S(i)| (the
  paper's text; ``sign="abs"``, the default), or with ``sign="signed"`` in ascending order of
  S(i), i.e. keep the k largest signed S(i) (the authors' ``keep_max_scores``);
* ``accuracy`` — remove in descending order of the accuracy score, i.e. keep the k smallest;
* ``fairshap`` — remove in ascending order of a generic ``key`` (a FairShap valuation per
  example in the cross-family comparison, not in either paper), i.e. keep the k largest.

Ties break stably by training index: among equal keys the lower index is removed first.
Kept indices are returned sorted ascending.
"""

from __future__ import annotations

import numpy as np

from fairscore.errors import ConfigError, DataError

__all__ = ["SIGNS", "STRATEGIES", "keep_indices", "kept_count"]

STRATEGIES = ("random", "fairness", "accuracy", "fairshap")
#: how prune by fairness ranks S(i): by |S(i)| (the paper's text) or by signed S(i) (the authors' code)
SIGNS = ("abs", "signed")

#: the keyword of :func:`keep_indices` that holds each scored strategy's scores
_SCORE_ARGUMENT = {"fairness": "fairness", "accuracy": "accuracy", "fairshap": "key"}


def kept_count(fraction: float, n: int) -> int:
    """k = round(fraction · n), at least 1."""
    if not 0.0 < fraction <= 1.0:
        raise DataError(f"kept fraction {fraction!r}; expected a number in (0, 1]")
    return max(int(round(fraction * n)), 1)


def keep_indices(strategy: str, fraction: float, *, n: int, fairness=None, accuracy=None, key=None,
                 seed: int = 0, sign: str = "abs") -> np.ndarray:
    """Training indices kept by ``strategy`` at ``fraction``.

    Parameters
    ----------
    strategy : {"random", "fairness", "accuracy", "fairshap"}
        The prune strategy (module docstring).
    fraction : float
        Kept fraction f in (0, 1]; k = round(f·n) examples are kept (:func:`kept_count`).
    n : int
        Number of training examples.
    fairness : array-like of shape (n,), optional
        FairInfl fairness scores S(i) (``fairness``: the k largest |S(i)|, or with
        ``sign="signed"`` the k largest S(i), are kept).
    accuracy : array-like of shape (n,), optional
        Accuracy scores (``accuracy``: the k smallest are kept).
    key : array-like of shape (n,), optional
        Any per-example value, e.g. a FairShap valuation (``fairshap``: the k largest are kept).
    seed : int
        ``RandomState`` seed of ``random``.
    sign : {"abs", "signed"}
        How ``fairness`` ranks S(i) (module docstring); other strategies ignore it.

    Returns
    -------
    kept : ndarray of shape (k,)
        Kept training indices, sorted ascending.
    """
    if sign not in SIGNS:
        raise ConfigError(f"fairness score sign {sign!r}; expected one of {SIGNS}")
    k = kept_count(fraction, n)
    if strategy == "random":
        return np.sort(np.random.RandomState(seed).choice(n, k, replace=False))
    if strategy not in _SCORE_ARGUMENT:
        raise ConfigError(f"prune strategy {strategy!r}; expected one of {STRATEGIES}")
    name = _SCORE_ARGUMENT[strategy]
    scores = {"fairness": fairness, "accuracy": accuracy, "key": key}[name]
    if scores is None:
        raise DataError(f"prune strategy {strategy!r} needs the scores argument {name}=; got None")
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (n,):
        raise DataError(f"{strategy} scores of shape {scores.shape}; expected ({n},)")
    if not np.isfinite(scores).all():
        bad = int(np.flatnonzero(~np.isfinite(scores))[0])
        raise DataError(f"{strategy} scores[{bad}] = {scores[bad]}; expected finite scores")
    order_key = {"fairness": np.abs(scores) if sign == "abs" else scores, "accuracy": -scores, "key": scores}[name]
    removal = np.argsort(order_key, kind="stable")  # ascending key, ties by index
    return np.sort(removal[n - k:])
