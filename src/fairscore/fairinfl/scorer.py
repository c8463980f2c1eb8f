"""FairInfl scores of any single-logit torch model, with the library's argument names.

:func:`fairinfl_scores` is the public entry point to
:func:`fairscore.fairinfl.influence.fairness_scores` (the O(n) computation of Eq. 35,
``algorithms.md`` §2.3), which the pipeline calls with its own ``(X, z, y)`` order. Here the
group is the keyword-only ``sensitive_features`` (as in fairlearn), so binary labels and
binary groups cannot be swapped silently, and the inputs are checked against the model
before any gradient is taken, with errors that name the argument.
"""

from __future__ import annotations

import numpy as np
import torch

from fairscore.errors import DataError
from fairscore.fairinfl.influence import functional, fairness_scores

__all__ = [
    "fairinfl_scores",
]


def _binary(name: str, values, n: int) -> np.ndarray:
    values = np.asarray(values).ravel()
    if len(values) != n:
        raise DataError(f"{name} has {len(values)} values for {n} rows of X; expected one per row")
    if not set(np.unique(values).tolist()) <= {0, 1}:
        raise DataError(f"{name} has values {sorted(np.unique(values).tolist())[:10]}; expected binary 0/1")
    return values.astype(int)


def fairinfl_scores(model: torch.nn.Module, X, y, *, sensitive_features, constraint: str = "dp",
                    alpha: str = "paper", lam: float = 1.0, eta: float = 1.0, kernel: str = "full",
                    chunk_size: int = 1000, batch_size: int = 1024) -> np.ndarray:
    """FairInfl influence S(i) of every training example on a relaxed fairness constraint.

    S(i) = (λη/n²) · b_i · Σ_j b_j Θ(x_i, x_j) (Eq. 35), with Θ the model's empirical
    neural tangent kernel and b_i the example's factor in the constraint, computed exactly
    with one backward pass and one Jacobian-vector product per batch (never the n × n
    kernel). FairInfl's prune by fairness removes examples in ascending order of |S(i)|
    (:func:`fairscore.fairinfl.pruning.keep_indices`).

    Parameters
    ----------
    model : torch.nn.Module
        A trained model with one logit per example, f(x) of shape (n,) or (n, 1). It is
        put in evaluation mode and its parameters are not changed. Inputs go to its
        parameters' dtype and device.
    X : array-like or Tensor of shape (n, ...)
        Inputs, one per row (tabular (n, n_features), images (n, C, H, W), ...).
    y : array-like of shape (n,)
        Binary labels, 1 = positive.
    sensitive_features : array-like of shape (n,)
        Binary group z of each example (1 = the group z = 1 of the paper's constraints).
    constraint : {"dp", "tpr", "fpr", "eo", "cov"}, default="dp"
        Demographic parity, true- or false-positive-rate parity, equalised odds
        (tpr + fpr), or the covariance constraint.
    alpha : {"paper", "group_mean", "centred"}, default="paper"
        Group factor of b_i (D16): ±1 (Eqs. 15–17), n times the derivative of the group-mean
        gap, or z − z̄ (the authors' code). ``cov`` always uses z − z̄.
    lam, eta : float, default=1.0
        Constraint weight λ and learning rate η; they scale every S(i) alike.
    kernel : {"full", "chunked"}, default="full"
        ``"full"``: the paper's sum over all n; ``"chunked"``: the authors' code (D6), sums
        within ⌊n/chunk_size⌋ consecutive chunks, scaled by 1/|chunk| instead of λη/n².
    chunk_size : int, default=1000
        Chunk length of ``kernel="chunked"``.
    batch_size : int, default=1024
        Examples per forward/backward batch (memory only; the scores do not depend on it
        beyond rounding).

    Returns
    -------
    scores : ndarray of shape (n,)
        S(i) in float64, in the order of ``X``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from fairscore import fairinfl_scores
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 4)).astype(np.float32)
    >>> z = rng.integers(0, 2, 64)
    >>> y = (X[:, 0] + z > 0.5).astype(int)
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    >>> s = fairinfl_scores(model, X, y, sensitive_features=z, constraint="dp")
    >>> s.shape, s.dtype
    ((64,), dtype('float64'))
    >>> kept = np.argsort(-np.abs(s))[:48]  # prune by fairness: keep the 75 % largest |S(i)|
    """
    if not isinstance(model, torch.nn.Module) or next(model.parameters(), None) is None:
        raise DataError(f"model is a {type(model).__name__} without parameters; expected a torch.nn.Module with "
                        "parameters and one logit per example")
    n = len(X)
    if n == 0:
        raise DataError("X has no rows; expected at least one example")
    y = _binary("y", y, n)
    z = _binary("sensitive_features", sensitive_features, n)
    _, _, cast = functional(model)
    with torch.no_grad():
        out = model(cast(X[:1]))
    if out.numel() != 1:
        raise DataError(f"model gives an output of shape {tuple(out.shape)} for X[:1]; expected one logit per "
                        "example, shape (1,) or (1, 1)")
    return fairness_scores(model, X, z, y, constraint=constraint, alpha=alpha, lam=lam, eta=eta, kernel=kernel,
                           chunk_size=chunk_size, batch_size=batch_size)
