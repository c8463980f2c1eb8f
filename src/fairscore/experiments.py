"""One function per protocol step: what a workflow job computes, without file I/O."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from .shapley import fair_shapley_values, normalise_weights

__all__ = ["FAIRSHAP_WEIGHTED", "fairshap_split_scores", "standardised_parts"]

#: valuations turned into Table 2 sample weights (phi_acc, FairShap EOp, FairShap EOdds)
FAIRSHAP_WEIGHTED = ("acc", "eop", "eodds")


def standardised_parts(X: pd.DataFrame | np.ndarray, split: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Features of each split part, standardised by a scaler fit on the training part (D2)."""
    X = np.asarray(X, dtype=np.float64)
    scaler = StandardScaler().fit(X[split["train"]])
    return {part: scaler.transform(X[rows]) for part, rows in split.items()}


def fairshap_split_scores(X, y, a, split, *, k=5, sign="privileged", device="auto", memory_mb=256,
                          reference="validation") -> dict[str, np.ndarray]:
    """FairShap valuations and normalised weights of one split's training rows.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)
        Raw (unscaled) features of the whole tidy table.
    y, a : ndarray of shape (n_rows,)
        Labels (favourable = 1) and protected groups (privileged = 1).
    split : dict of str to ndarray
        Row positions of ``train``, ``validation`` and ``test``.
    k, sign, device, memory_mb
        As in :func:`fairscore.shapley.fair_shapley_values`.
    reference : str
        Split part used as the reference set (the paper: validation).

    Returns
    -------
    dict of str to ndarray of shape (n_train,)
        ``row`` (the training rows, in split order), one entry per valuation, and
        ``w_<name>`` for the normalised weights of :data:`FAIRSHAP_WEIGHTED`.
    """
    parts = standardised_parts(X, split)
    train, ref = split["train"], split[reference]
    values = fair_shapley_values(parts["train"], y[train], parts[reference], y[ref], a[ref],
                                 k=k, sign=sign, device=device, memory_mb=memory_mb)
    out = {"row": np.asarray(train)}
    out.update({name: values[name].to_numpy() for name in values.columns})
    out.update({f"w_{name}": normalise_weights(values[name]) for name in FAIRSHAP_WEIGHTED})
    return out
