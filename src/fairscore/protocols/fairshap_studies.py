"""FairShap's further studies, without file I/O: the α curves (weights interpolated towards
uniform), the reference-size ablation and the synthetic two-Gaussian case.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from fairscore.errors import DataError
from fairscore.protocols.metrics import split_metrics
from fairscore.datasets.splits import joint_strata, stratified_split
from fairscore.pipeline.progress import progress
from fairscore.protocols.table2 import fairshap_split_scores, split_data, table2_split

__all__ = [
    "ablation_runs",
    "alpha_curve_runs",
    "reference_subset",
    "synthetic_case",
]


# ----------------------------------------------------------------------------- FairShap figures
def alpha_curve_runs(valuation: str, alphas, X, y, a, splits, seeds, *, dataset: str,
                     fairshap: list[dict], known: dict | None = None) -> pd.DataFrame:
    """Fig. 7: the FairShap method of ``valuation`` at every α, on every split (α = 0 is GBC).

    ``known`` maps an α to per-split runs already computed for it (Table 2's output for the
    same method on the same splits: α = 1 is the FairShap row, α = 0 the GBC row); those
    are checked to cover the same splits and seeds and are used instead of refitting. The
    other α values are fit split by split, so that each split is standardised and its
    duplicate rows grouped once for all of them; the runs are those of
    :func:`~fairscore.protocols.table2.table2_method_runs` for each α.
    """
    known = known or {}
    alphas = [float(alpha) for alpha in alphas]
    for alpha, runs in known.items():
        if alpha in alphas and (list(runs["split"]) != list(range(len(seeds))) or list(runs["seed"]) != list(seeds)):
            raise DataError(f"alpha = {alpha}: the given runs cover splits {list(runs['split'])} with seeds "
                            f"{list(runs['seed'])}; expected splits 0..{len(seeds) - 1} with seeds {list(seeds)}")
    fitted = {alpha: [] for alpha in alphas if alpha not in known}
    what = f"{dataset} FairShap {valuation} splits ({len(fitted)} α values each)"
    for k, (split, seed) in enumerate(progress(list(zip(splits, seeds, strict=True)), what)):
        d = split_data(X, y, a, split, seed, dataset=dataset, fairshap=fairshap[k]) if fitted else None
        for alpha, rows in fitted.items():
            method = {"kind": "fairshap", "valuation": valuation, "alpha": alpha}
            rows.append({"split": k, "seed": seed, **table2_split(method, d)})
    return pd.concat([(known[alpha] if alpha in known else pd.DataFrame(fitted[alpha])).assign(alpha=alpha)
                      for alpha in alphas], ignore_index=True)


def reference_subset(validation: np.ndarray, strata: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Seeded subset of ``fraction`` of the validation rows, jointly stratified (D23); 1.0 keeps all."""
    if fraction == 1.0:
        return np.asarray(validation)
    keep, _ = train_test_split(np.asarray(validation), train_size=fraction, stratify=strata, shuffle=True,
                               random_state=seed)
    return keep


def ablation_runs(X, y, a, strata, seeds, *, fractions, valuations, train_fraction=0.6,
                  validation_fraction=0.5, dataset="", **fairshap_options) -> pd.DataFrame:
    """Fig. 8: reference-size ablation (``algorithms.md`` §4.2, D23).

    For each seed: a jointly stratified train/validation/test split (60/20/20 by
    default); for each fraction, FairShap weights of the training rows against that
    share of the validation rows, a weighted GBC and its test metrics. The unweighted
    GBC of each seed is included with fraction NaN, as the reference line.
    """
    rows = []
    codes = joint_strata(strata)
    for repeat, seed in enumerate(progress(list(seeds), f"{dataset} ablation repeats")):
        split = stratified_split(codes, seed=seed, train_fraction=train_fraction,
                                 validation_fraction=validation_fraction)
        d = split_data(X, y, a, split, seed, dataset=dataset)
        common = {"repeat": repeat, "seed": seed, "n_reference": np.nan, "fraction": np.nan}
        rows.append({**common, "method": "gbc", **table2_split({"kind": "gbc"}, d)})
        for fraction in fractions:
            ref = reference_subset(split["validation"], codes[split["validation"]], fraction, seed)
            scores = fairshap_split_scores(X, y, a, {**split, "reference": ref}, reference="reference",
                                           **fairshap_options)
            scored = dataclasses.replace(d, fairshap=scores)
            for valuation in valuations:
                method = {"kind": "fairshap", "valuation": valuation, "alpha": 1.0}
                result = table2_split(method, scored)
                rows.append({**common, "n_reference": len(ref), "fraction": float(fraction),
                             "method": f"fairshap_{valuation}", **result})
    return pd.DataFrame(rows)


def synthetic_case(X, y, a, *, seed, k=5, top=50, train_fraction=0.6, validation_fraction=0.5) -> tuple:
    """App. D.2 (Figs. 11–12): valuations of a 2-D synthetic set and logistic regressions.

    The rows are split like Table 2 (jointly stratified on label and group); FairShap
    values the training rows against the validation rows. A logistic regression is fit
    on the raw training features unweighted and with the φ_EOp and φ_EOdds weights and
    evaluated on the test rows.

    Returns
    -------
    points : DataFrame
        Every row: ``x0``, ``x1``, ``label``, ``group``, ``part``; training rows also carry
        the valuations (``tpr``, ``tnr``, ``eop``, ``eodds``), the weights ``w_eop`` and
        ``w_eodds`` and ``top_eop`` / ``top_eodds`` (among the ``top`` largest weights).
    models : DataFrame
        One row per weighting (``none``, ``eop``, ``eodds``): coefficients, intercept and
        the test metrics of :func:`fairscore.protocols.metrics.split_metrics`.
    """
    from sklearn.linear_model import LogisticRegression

    X, y, a = np.asarray(X, float), np.asarray(y, int), np.asarray(a, int)
    split = stratified_split(np.column_stack([y, a]), seed=seed, train_fraction=train_fraction,
                             validation_fraction=validation_fraction)
    scores = fairshap_split_scores(X, y, a, split, k=k)
    points = pd.DataFrame({"x0": X[:, 0], "x1": X[:, 1], "label": y, "group": a, "part": ""})
    for part, rows in split.items():
        points.loc[rows, "part"] = part
    train = split["train"]
    for name in ("tpr", "tnr", "eop", "eodds", "w_eop", "w_eodds"):
        points.loc[train, name] = scores[name]
    models = []
    for weighting in ("none", "eop", "eodds"):
        weights = None if weighting == "none" else scores[f"w_{weighting}"]
        if weights is not None:
            best = train[np.argsort(-weights, kind="stable")[:top]]
            points[f"top_{weighting}"] = points.index.isin(best)
        model = LogisticRegression().fit(X[train], y[train], sample_weight=weights)
        test = split["test"]
        models.append({"weighting": weighting, "coef0": model.coef_[0, 0], "coef1": model.coef_[0, 1],
                       "intercept": model.intercept_[0], **split_metrics(y[test], model.predict(X[test]), a[test])})
    return points, pd.DataFrame(models)
