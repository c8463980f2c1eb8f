"""FairShap's fairness valuations: means of the exact kNN-Shapley matrix over reference columns.

φ_acc values a training row by its mean contribution over all reference rows; φ_eop,
φ_eodds and φ_dp are signed differences of such means over the reference rows of each
(group, label) cell (``algorithms.md`` §1.2–1.4). The matrix itself is streamed by
:mod:`fairscore.fairshap.knn` and never stored whole.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from fairscore.errors import DataError
from fairscore.fairshap.knn import cell_sums, check_inputs, reference_columns

__all__ = [
    "fair_shapley_values",
]


# ----------------------------------------------------------------------------- valuations
def _subset_means(X_train, y_train, X_ref, y_ref, masks: dict[str, np.ndarray], **options):
    """For each named boolean mask over the reference set, the row mean of Phi over it."""
    for name, mask in masks.items():
        if not mask.any():
            raise DataError(f"the reference set has no point in cell {name!r}; "
                            "expected every (label, group) cell to be non-empty")
    # Reference points with the same mask memberships form a cell; Phi is summed per cell
    # and the means are linear combinations of the cell sums.
    membership = np.column_stack(list(masks.values()))
    patterns, cell = np.unique(membership, axis=0, return_inverse=True)
    X_cols, y_cols, col_cell, col_weight, _ = reference_columns(X_ref, y_ref, cell.ravel(), options["dedup"])
    sums = cell_sums(X_train, y_train, X_cols, y_cols, col_cell, col_weight, len(patterns), **options)
    combine = patterns / membership.sum(axis=0)  # (cells, masks): 1/|mask| where the cell is in it
    return {name: sums @ combine[:, v] for v, name in enumerate(masks)}


def _sign(x: float) -> float:
    return 1.0 if x >= 0 else -1.0


def fair_shapley_values(X_train, y_train, X_ref, y_ref, a_ref=None, *, k=5, sign="privileged",
                        device="auto", memory_mb=256, dedup=True, n_threads=None,
                        tie_order="index") -> pd.DataFrame:
    """FairShap valuations of every training point against a reference set.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Standardised training features.
    y_train : array-like of shape (n_train,)
        Binary labels, 1 = favourable.
    X_ref, y_ref : array-like of shape (n_ref, n_features) and (n_ref,)
        The reference set (the validation split in the paper).
    a_ref : array-like of shape (n_ref,), optional
        Protected group of each reference point. Binary (1 = privileged) gives the
        table of ``algorithms.md`` §1.2; more than two groups the multi-group
        extension of §1.4 (App. C.6); ``None`` the case A = Y of §1.3.
    k : int
        Neighbours K (D2: 5).
    sign : {"privileged", "data"}
        Signs of the binary EOp/EOdds valuations (D12): ``"privileged"`` assumes the
        privileged group has the higher TPR and FPR, as the authors' code does;
        ``"data"`` takes each sign from the reference set's soft rates.
    device, memory_mb, dedup, n_threads, tie_order
        As in :func:`knn_shapley_matrix`.

    Returns
    -------
    DataFrame of shape (n_train, n_valuations)
        Binary A: ``acc, tpr, tnr, tpr_a0, tpr_a1, tnr_a0, tnr_a1, fpr_a0, fpr_a1,
        fnr_a0, fnr_a1, eop, eodds, eodds_abs``. A = Y: ``acc, tpr, tnr, fpr, fnr, eop,
        eop_bounded``. Multi-group: ``acc, tpr, tnr`` and ``tpr_a<g>, tnr_a<g>`` per
        group, ``eop, eodds``.

    Examples
    --------
    >>> import numpy as np
    >>> from fairscore import fair_shapley_values
    >>> rng = np.random.default_rng(0)
    >>> X, a = rng.normal(size=(60, 2)), rng.integers(0, 2, 60)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> values = fair_shapley_values(X[:40], y[:40], X[40:], y[40:], a[40:], k=5)
    >>> values.shape, list(values.columns[:3])
    ((40, 14), ['acc', 'tpr', 'tnr'])
    """
    if sign not in ("privileged", "data"):
        raise DataError(f"sign = {sign!r}; expected 'privileged' or 'data'")
    X_train, y_train, X_ref, y_ref = check_inputs(X_train, y_train, X_ref, y_ref, a_ref, k, tie_order)
    for name, y in (("y_train", y_train), ("y_ref", y_ref)):
        if not set(np.unique(y)) <= {0, 1}:
            raise DataError(f"{name} has values {sorted(np.unique(y).tolist())}; expected binary labels 0/1")
    n = len(X_train)
    pos, neg = y_ref == 1, y_ref == 0
    masks = {"acc": np.ones(len(y_ref), dtype=bool), "tpr": pos, "tnr": neg}
    groups = [] if a_ref is None else sorted(np.unique(np.asarray(a_ref).ravel()).tolist())
    a_ref = None if a_ref is None else np.asarray(a_ref).ravel()
    if a_ref is not None and len(groups) < 2:
        raise DataError(f"a_ref has a single group {groups}; expected at least two groups")
    if len(groups) == 2 and groups != [0, 1]:
        raise DataError(f"a_ref has groups {groups}; expected 0 (unprivileged) and 1 (privileged)")
    for g in groups:
        masks[f"tpr_a{g}"] = pos & (a_ref == g)
        masks[f"tnr_a{g}"] = neg & (a_ref == g)
    v = _subset_means(X_train, y_train, X_ref, y_ref, masks, k=k, device=device,
                      memory_mb=memory_mb, dedup=dedup, n_threads=n_threads, tie_order=tie_order)
    if a_ref is None:
        v["fpr"], v["fnr"] = 1.0 / n - v["tnr"], 1.0 / n - v["tpr"]
        v["eop"] = v["tpr"] + v["tnr"] - 1.0 / n  # TPR + TNR - 1 (FS "EOp [-1,1]")
        v["eop_bounded"] = (v["tpr"] + v["tnr"]) / 2  # balanced accuracy (FS "EOp [0,1]")
        return pd.DataFrame(v)
    for g in groups:
        v[f"fpr_a{g}"], v[f"fnr_a{g}"] = 1.0 / n - v[f"tnr_a{g}"], 1.0 / n - v[f"tpr_a{g}"]
    if len(groups) == 2:
        _binary_gaps(v, sign)
    else:
        _multigroup_gaps(v, groups, n)
    return pd.DataFrame(v)


def _binary_gaps(v: dict, sign: str) -> None:
    """EOp, EOdds and the per-point absolute EOdds of §1.2 (signed as the authors' code)."""
    tpr_gap = v["tpr_a0"] - v["tpr_a1"]
    fpr_gap = v["fpr_a0"] - v["fpr_a1"]
    s_tpr = s_fpr = 1.0
    if sign == "data":  # flip a gap whose privileged rate is lower on the reference set (D12)
        s_tpr = _sign(v["tpr_a1"].sum() - v["tpr_a0"].sum())
        s_fpr = _sign(v["fpr_a1"].sum() - v["fpr_a0"].sum())
    v["eop"] = s_tpr * tpr_gap
    v["eodds"] = 0.5 * (s_fpr * fpr_gap + s_tpr * tpr_gap)
    v["eodds_abs"] = 0.5 * (np.abs(fpr_gap) + np.abs(tpr_gap))


def _multigroup_gaps(v: dict, groups: list, n: int) -> None:
    """EOp and EOdds for the group whose soft rates differ most from the whole set's (§1.4, D14)."""
    fpr = 1.0 / n - v["tnr"]
    tpr_dev = {g: v["tpr"].sum() - v[f"tpr_a{g}"].sum() for g in groups}
    fpr_dev = {g: fpr.sum() - v[f"fpr_a{g}"].sum() for g in groups}
    g_eop = max(groups, key=lambda g: abs(tpr_dev[g]))
    v["eop"] = _sign(tpr_dev[g_eop]) * (v[f"tpr_a{g_eop}"] - v["tpr"])
    g_eo = max(groups, key=lambda g: 0.5 * (abs(tpr_dev[g]) + abs(fpr_dev[g])))
    v["eodds"] = 0.5 * (_sign(tpr_dev[g_eo]) * (v[f"tpr_a{g_eo}"] - v["tpr"])
                        + _sign(fpr_dev[g_eo]) * (v[f"fpr_a{g_eo}"] - fpr))
