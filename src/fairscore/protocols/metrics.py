"""FairShap Table 2 metrics: per split, aggregated over splits, and significance markers.

Per split (``algorithms.md`` §5.1, FS ``utils/fair_metrics_raw.py``), from hard
predictions, with group 0 unprivileged and 1 privileged:

* accuracy; macro-F1 in the paper's variant (0 when either class F1 is undefined) and
  the alternative ``macro_f1_ind`` (an undefined class F1 counts as 0);
* TPR_a, TNR_a, FPR_a = 1 - TNR_a, balanced accuracy;
* EOp = TPR_0 - TPR_1 (signed), EOdds = ½[(FPR_0 - FPR_1) + (TPR_0 - TPR_1)]
  (signed, AIF360 ``average_odds_difference``), and their per-split absolute forms
  (``eodds_abs`` = AIF360 ``average_abs_odds_difference``).

Over splits (§5.2) the fairness gaps have two variants: ``paper`` = |mean of signed
gaps| and ``absolute`` = mean of per-split absolute gaps. The 95 % half-width of a cell
over S splits is t(0.975, S − 1)·SE (Student's t with S − 1 degrees of freedom: 4.30·SE
for 3 splits, 2.01·SE for 50), see :data:`CI95_LABEL`. Markers (§5.3, D4): a paired
t-test against the best method of each column, ‡ for p < 0.01 and † for p < 0.05.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from fairscore.errors import DataError

__all__ = ["CI95_LABEL", "GAPS", "HIGHER_IS_BETTER", "aggregate", "ci95_factor", "significance_markers", "split_metrics"]

#: fairness gaps: signed per-split column and absolute per-split column
GAPS = {"eop": ("eop", "eop_abs"), "eodds": ("eodds", "eodds_abs")}
#: metrics where higher is better (the others: lower is better)
HIGHER_IS_BETTER = ("accuracy", "macro_f1", "macro_f1_ind", "balanced_accuracy")
#: how tables and figures name the ``ci95`` column
CI95_LABEL = "95 % half-width t(0.975, S−1)·SE over S splits"


def ci95_factor(n: int) -> float:
    """t(0.975, n − 1): the 95 % half-width of a mean of n values in standard errors (NaN for n < 2)."""
    return float(stats.t.ppf(0.975, n - 1)) if n > 1 else float("nan")


def _rate(hits: np.ndarray) -> float:
    return float(hits.mean()) if hits.size else float("nan")


def _class_f1(y_true, y_pred, c) -> float | None:
    """F1 of class c, or None where it is undefined (never predicted, or P + R = 0)."""
    predicted, actual = y_pred == c, y_true == c
    if not predicted.any() or not actual.any():
        return None
    tp = np.sum(predicted & actual)
    precision, recall = tp / predicted.sum(), tp / actual.sum()
    return None if precision + recall == 0 else float(2 * precision * recall / (precision + recall))


def split_metrics(y_true, y_pred, group) -> dict[str, float]:
    """All Table 2 metrics of one split's test predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Labels and hard predictions, 1 = favourable.
    group : array-like of shape (n,)
        Protected group, 1 = privileged, 0 = unprivileged.

    Returns
    -------
    dict of str to float
        The metrics of the module docstring, then the constant-predictor diagnostics
        ``pos_rate_a0`` and ``pos_rate_a1``: the share of positive predictions among the
        unprivileged (0) and the privileged (1) rows, whatever their label (NaN for a group
        without rows). With ``balanced_accuracy`` they show how close a method is to
        predicting one class for everyone: a constant predictor has both rates equal to 0
        or 1, gaps of 0 and a balanced accuracy of 0.5.
    """
    y_true, y_pred, group = (np.asarray(v).ravel().astype(int) for v in (y_true, y_pred, group))
    if not len(y_true) == len(y_pred) == len(group):
        raise DataError(f"lengths differ: y_true {len(y_true)}, y_pred {len(y_pred)}, group {len(group)}")
    f1 = [_class_f1(y_true, y_pred, c) for c in (0, 1)]
    out = {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro_f1": 0.0 if None in f1 else (f1[0] + f1[1]) / 2,
        "macro_f1_ind": sum(f or 0.0 for f in f1) / 2,
    }
    for a in (0, 1):
        in_group = group == a
        out[f"tpr_a{a}"] = _rate(y_pred[in_group & (y_true == 1)] == 1)
        out[f"tnr_a{a}"] = _rate(y_pred[in_group & (y_true == 0)] == 0)
        out[f"fpr_a{a}"] = 1.0 - out[f"tnr_a{a}"]
    out["balanced_accuracy"] = (_rate(y_pred[y_true == 1] == 1) + _rate(y_pred[y_true == 0] == 0)) / 2
    tpr_gap, fpr_gap = out["tpr_a0"] - out["tpr_a1"], out["fpr_a0"] - out["fpr_a1"]
    out["eop"], out["eop_abs"] = tpr_gap, abs(tpr_gap)
    out["eodds"] = 0.5 * (fpr_gap + tpr_gap)
    out["eodds_abs"] = 0.5 * (abs(fpr_gap) + abs(tpr_gap))
    for a in (0, 1):
        out[f"pos_rate_a{a}"] = _rate(y_pred[group == a] == 1)
    return out


def _cells(per_split: pd.DataFrame, keys: list[str], metrics: list[str]):
    """Yield (key values, metric, variant, per-split values, reported value)."""
    for key, frame in per_split.groupby(keys, sort=False):
        for metric in metrics:
            if metric in GAPS:
                signed, absolute = (frame[c].to_numpy() for c in GAPS[metric])
                yield key, metric, "paper", signed, abs(signed.mean())
                yield key, metric, "absolute", absolute, absolute.mean()
            else:
                values = frame[metric].to_numpy()
                yield key, metric, "mean", values, values.mean()


def aggregate(per_split: pd.DataFrame, *, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """Aggregate per-split metrics into table cells.

    Parameters
    ----------
    per_split : DataFrame
        One row per (keys..., split) with the metric columns of :func:`split_metrics`.
    keys : list of str
        Columns that identify a cell besides the metric (e.g. dataset, protected, method).
    metrics : list of str
        Metrics to report; ``eop`` and ``eodds`` give a ``paper`` and an ``absolute`` row.

    Returns
    -------
    DataFrame
        ``keys``, ``metric``, ``variant``, ``mean`` (the reported value), ``sd`` (ddof 1
        of the per-split values behind the cell), ``se`` = sd/√S, ``ci95`` = t(0.975, S − 1)·se and
        ``n_splits``.
    """
    rows = []
    for key, metric, variant, values, value in _cells(per_split, keys, metrics):
        key = key if isinstance(key, tuple) else (key,)
        sd = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
        se = sd / np.sqrt(len(values))
        rows.append({**dict(zip(keys, key, strict=True)), "metric": metric, "variant": variant,
                     "mean": float(value), "sd": sd, "se": se, "ci95": ci95_factor(len(values)) * se, "n_splits": len(values)})
    return pd.DataFrame(rows)


def significance_markers(per_split: pd.DataFrame, table: pd.DataFrame, *, column_keys: list[str],
                         method_key: str = "method", split_key: str = "split") -> pd.Series:
    """‡ (p < 0.01) / † (p < 0.05) of a paired t-test against each column's best method.

    A column is one (column_keys..., metric, variant). The best method has the highest
    mean for accuracy-type metrics and the lowest value for fairness gaps; ties go to
    the first method in table order. The test pairs the per-split values behind each
    cell (signed gaps for the ``paper`` variant). Identical values give p = NaN and no
    marker. Returns a Series aligned with ``table``.
    """
    markers = pd.Series("", index=table.index, dtype=object)
    order = {m: i for i, m in enumerate(table[method_key].drop_duplicates())}
    for _, column in table.groupby([*column_keys, "metric", "variant"], sort=False):
        metric, variant = column["metric"].iloc[0], column["variant"].iloc[0]
        ranked = column.assign(_order=column[method_key].map(order))
        ascending = metric not in HIGHER_IS_BETTER
        best = ranked.sort_values(["mean", "_order"], ascending=[ascending, True], kind="stable").iloc[0]
        value_col = metric if variant != "absolute" else GAPS[metric][1]
        where = np.ones(len(per_split), dtype=bool)
        for k in column_keys:
            where &= (per_split[k] == best[k]).to_numpy()
        values = per_split[where].pivot_table(index=split_key, columns=method_key, values=value_col)
        for idx, row in column.iterrows():
            if row[method_key] == best[method_key]:
                continue
            a, b = values[row[method_key]].to_numpy(), values[best[method_key]].to_numpy()
            if np.array_equal(a, b):
                continue
            p = stats.ttest_rel(a, b).pvalue
            markers[idx] = "‡" if p < 0.01 else "†" if p < 0.05 else ""
    return markers
