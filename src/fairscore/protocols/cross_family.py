"""Each family's scores in the other's protocol (in neither paper).

FairShap values of FairInfl's Adult training rows by K-fold cross-valuation, and the
retrains on the rows with the largest values; FairInfl scores on FairShap's Table 2 splits.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from fairscore.errors import DataError
from fairscore.protocols.table2 import standardised_parts
from fairscore.fairinfl.pruning import keep_indices
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.datasets.splits import joint_strata
from fairscore.fairinfl.rundata import RunData
from fairscore.fairinfl.runs import retrain_pruned, score_model
from fairscore.fairinfl.settings import Scoring
from fairscore.models.settings import Training
from fairscore.pipeline.progress import progress

__all__ = [
    "fairinfl_split_scores",
    "fairshap_cross_values",
    "fairshap_prune_runs",
]


def fairshap_cross_values(X, y, z, *, folds: int, seed: int, k: int = 5, sign: str = "privileged",
                          device: str = "auto", memory_mb: int = 256) -> tuple[pd.DataFrame, np.ndarray]:
    """FairShap valuations of every row by K-fold cross-valuation (cross-family; not in either paper).

    The FairInfl protocol has no validation split to serve as FairShap's reference set, so
    the rows are cut into ``folds`` folds (``StratifiedKFold(folds, shuffle=True,
    random_state=seed)``, stratified jointly on (label, group), :func:`fairscore.datasets.splits.joint_strata`).
    The rows of fold k are the kNN-Shapley training set and the rows of every other fold
    the reference set (:func:`fairscore.fairshap.valuation.fair_shapley_values`), so each row is valued
    exactly once, against data it is not part of.

    Scaling: kNN-Shapley values of a training set of m rows sum to the reference utility
    (efficiency), so each is of order 1/m. Fold k's values are multiplied by n_k / n, which
    puts every fold on the scale of one valuation of all n rows (the values of all rows sum
    to the size-weighted mean of the fold utilities), so rows of different folds can be
    ranked together. Every valuation column is linear in the contribution matrix and is
    scaled alike. Stratified folds differ in size by at most one row per stratum, so the
    factor matters little; the reference means are already size-free.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        Standardised features.
    y : array-like of shape (n,)
        Binary labels, 1 = favourable.
    z : array-like of shape (n,)
        Binary group, 1 = privileged.
    folds : int
        Number of folds K >= 2.
    seed : int
        ``random_state`` of the fold assignment.
    k, sign, device, memory_mb
        As in :func:`fairscore.fairshap.valuation.fair_shapley_values`.

    Returns
    -------
    values : DataFrame of shape (n, n_valuations)
        Every binary-group valuation of :func:`~fairscore.fairshap.valuation.fair_shapley_values`
        (``acc``, ..., ``eop``, ``eodds``, ``eodds_abs``), scaled, in row order.
    fold : ndarray of shape (n,)
        The fold of each row.
    """
    X, y, z = np.asarray(X), np.asarray(y).ravel(), np.asarray(z).ravel()
    n = len(y)
    if not isinstance(folds, (int, np.integer)) or not 2 <= folds <= n:
        raise DataError(f"folds = {folds!r}; expected an integer in [2, {n}] (the number of rows)")
    if len(X) != n or len(z) != n:
        raise DataError(f"X has {len(X)} rows, y {n} and z {len(z)}; expected equal lengths")
    strata = joint_strata(np.column_stack([y, z]))
    _, counts = np.unique(strata, return_counts=True)
    if counts.min() < folds:
        raise DataError(f"a (label, group) cell has {counts.min()} rows; expected at least folds = {folds}")
    fold = np.empty(n, dtype=np.int64)
    for f, (_, rows) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata)):
        fold[rows] = f
    parts = []
    for f in progress(range(folds), "cross-valuation folds"):
        train, ref = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        values = fair_shapley_values(X[train], y[train], X[ref], y[ref], z[ref], k=k, sign=sign, device=device,
                                     memory_mb=memory_mb)
        values = values * (len(train) / n)
        values.index = train
        parts.append(values)
    return pd.concat(parts).sort_index().reset_index(drop=True), fold


def fairshap_prune_runs(d: RunData, values, *, training: Training, fractions, run: int) -> pd.DataFrame:
    """Strategy ``fairshap``: retrain on the round(f·n) training rows with the largest ``values``.

    ``values`` (shape (n_train,)) are FairShap valuations of the training rows
    (:func:`fairshap_cross_values`); ties break by training index
    (:func:`fairscore.fairinfl.pruning.keep_indices`). Retrained exactly as :func:`prune_runs`
    (:func:`retrain_pruned`); the frame has its columns, strategy ``"fairshap"``.
    """
    n = len(d.y_train)
    jobs = [("fairshap", f, keep_indices("fairshap", f, n=n, key=values)) for f in fractions]
    return retrain_pruned(d, jobs, training=training, run=run)


def fairinfl_split_scores(X, y, a, split, *, training: Training, scoring: Scoring, split_index: int,
                          constraints) -> dict[str, np.ndarray]:
    """FairInfl scores of one FairShap Table 2 split's training rows (cross-family comparison).

    The λ-constrained MLP of ``training`` (:func:`score_model`, seeds of
    run ``split_index``) is trained on the split's standardised training part (D2 scaler)
    and scores every training row. Returns ``row`` (the training rows, in split order) and
    ``fairness_<constraint>`` for each of ``constraints``: the constraints the Table 2 rows of
    kind ``fairinfl`` read (the workflow passes those; the accuracy and loss scores, which no
    row reads, are not computed).
    """
    parts = standardised_parts(X, split)
    train, test = split["train"], split["test"]
    d = RunData(parts["train"].astype(np.float32), np.asarray(y)[train], np.asarray(a)[train],
                parts["test"].astype(np.float32), np.asarray(y)[test], np.asarray(a)[test])
    _, scores, _ = score_model(d, training, scoring, run=split_index, constraints=constraints,
                               accuracy_and_loss=False)
    return {"row": np.asarray(train), **{name: np.asarray(v, dtype=np.float64) for name, v in scores.items()}}
