"""From FairShap values to sample weights (``algorithms.md`` §1.5): normalise, then interpolate
with uniform weights by α (α = 0: unweighted; α = 1: the FairShap weights).
"""

from __future__ import annotations


import numpy as np

from fairscore.errors import DataError

__all__ = [
    "interpolate_weights",
    "normalise_weights",
]


# ----------------------------------------------------------------------------- weights
def normalise_weights(values) -> np.ndarray:
    """Min–max to [0, 1], then scale to mean 1 (``algorithms.md`` §1.5).

    The least valuable point gets weight 0; negative valuations are shifted, not clipped.

    Parameters
    ----------
    values : array-like of shape (n,)
        Finite valuations, not all equal.

    Returns
    -------
    ndarray of shape (n,)
        Weights in [0, n] with mean 1.

    Examples
    --------
    >>> from fairscore import normalise_weights
    >>> normalise_weights([-1.0, 0.0, 3.0]).tolist()
    [0.0, 0.6, 2.4]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all():
        raise DataError(f"valuations of shape {values.shape}: expected a non-empty 1-D array of finite values")
    lo, hi = values.min(), values.max()
    if hi == lo:
        raise DataError(f"all {len(values)} valuations equal {lo!r}; min-max normalisation is undefined")
    w = (values - lo) / (hi - lo)
    return w * (len(w) / w.sum())


def interpolate_weights(weights, alpha: float) -> np.ndarray:
    """``(1 - alpha) + alpha * weights``: alpha = 0 is unweighted, 1 is pure FairShap (Fig. 7).

    Parameters
    ----------
    weights : array-like of shape (n,)
        Normalised weights (:func:`normalise_weights`).
    alpha : float in [0, 1]

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> from fairscore import interpolate_weights
    >>> interpolate_weights([0.0, 0.6, 2.4], 0.5).tolist()
    [0.5, 0.8, 1.7]
    """
    if not 0.0 <= alpha <= 1.0:
        raise DataError(f"alpha = {alpha!r}; expected a number in [0, 1]")
    return (1.0 - alpha) + alpha * np.asarray(weights, dtype=np.float64)
