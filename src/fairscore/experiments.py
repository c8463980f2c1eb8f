"""One function per protocol step: what a workflow job computes, without file I/O."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .baselines import (
    group_reweighing_weights,
    influence_weights,
    label_bias_weights,
    merge_duplicates,
    optprep_transform,
    postpro_predict,
)
from .errors import ConfigError, DataError
from .metrics import split_metrics
from .pruning import keep_indices
from .shapley import fair_shapley_values, interpolate_weights, normalise_weights
from .splits import joint_strata, stratified_split
from .synthetic import gaussian_classes

__all__ = [
    "FAIRSHAP_WEIGHTED",
    "METHOD_KINDS",
    "RUNTIME_LABELS",
    "RUNTIME_NOT_APPLICABLE",
    "SplitData",
    "ablation_runs",
    "alpha_curve_runs",
    "fairshap_split_scores",
    "fit_gbc",
    "reference_subset",
    "runtime_runs",
    "standardised_parts",
    "synthetic_case",
    "table2_method_runs",
    "table2_split",
]

#: valuations turned into Table 2 sample weights (phi_acc, FairShap EOp, FairShap EOdds)
FAIRSHAP_WEIGHTED = ("acc", "eop", "eodds")


def standardised_parts(X: pd.DataFrame | np.ndarray, split: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Features of each split part, standardised by a scaler fit on the training part (D2)."""
    X = np.asarray(X, dtype=np.float64)
    scaler = StandardScaler().fit(X[split["train"]])
    return {part: scaler.transform(X[rows]) for part, rows in split.items()}


def fairshap_split_scores(X, y, a, split, *, k=5, sign="privileged", device="auto", memory_mb=256,
                          reference="validation", tie_order="index") -> dict[str, np.ndarray]:
    """FairShap valuations and normalised weights of one split's training rows.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)
        Raw (unscaled) features of the whole tidy table.
    y, a : ndarray of shape (n_rows,)
        Labels (favourable = 1) and protected groups (privileged = 1).
    split : dict of str to ndarray
        Row positions of ``train``, ``validation`` and ``test``.
    k, sign, device, memory_mb, tie_order
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
                                 k=k, sign=sign, device=device, memory_mb=memory_mb, tie_order=tie_order)
    out = {"row": np.asarray(train)}
    out.update({name: values[name].to_numpy() for name in values.columns})
    out.update({f"w_{name}": normalise_weights(values[name]) for name in FAIRSHAP_WEIGHTED})
    return out


# ----------------------------------------------------------------------------- Table 2
@dataclass(frozen=True, kw_only=True)
class SplitData:
    """Everything one Table 2 fit may use for one split (features standardised on train)."""

    dataset: str
    seed: int
    parts: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    a: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    fairshap: dict[str, np.ndarray] | None = None
    fairinfl: dict[str, np.ndarray] | None = None
    aif360: object | None = None  # the AIF360 dataset of the pair (OptPrep only)


def fit_gbc(X, y, weights, seed) -> GradientBoostingClassifier:
    """``GradientBoostingClassifier(random_state=seed)`` with sklearn defaults, fit once per
    distinct (feature row, label) pair with the pair's summed weight.

    The boosting objective, the trees' weighted split criterion and the Newton leaf values
    are sums over rows of a function of (row, label, weight), and rows of one pair get the
    same gradient at every stage, so the merged fit optimises the same objective. The
    rows-counting settings cannot tell the difference either: ``subsample`` = 1.0 draws
    nothing, a threshold between two distinct values keeps at least one pair (so at least one
    row) on each side (``min_samples_leaf`` = 1), and a node holding a single pair is a leaf
    in both fits (one row, or a zero-variance target). Only the summation order changes:
    probabilities move by rounding (1e-14 on Adult and COMPAS), and where two splits have equal
    gain rounding may pick the other one (German: up to 0.07 in 7 of 20 fits); no test
    prediction changed in the 57 split fits checked (docs/performance_run.md). Data without
    duplicates is fit exactly as given. Representatives keep the order of their first occurrence.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    first, inverse = merge_duplicates(X, y)
    if len(first) == len(y):
        return GradientBoostingClassifier(random_state=seed).fit(X, y, sample_weight=weights)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    summed = np.bincount(rank[inverse], weights=None if weights is None else np.asarray(weights, dtype=np.float64),
                         minlength=len(order))
    return GradientBoostingClassifier(random_state=seed).fit(X[first[order]], y[first[order]],
                                                             sample_weight=summed.astype(np.float64))


def _weighted(d: SplitData, weights) -> np.ndarray:
    return fit_gbc(d.parts["train"], d.y["train"], weights, d.seed).predict(d.parts["test"])


def _predict_gbc(d: SplitData, _params) -> np.ndarray:
    return _weighted(d, None)


def _predict_group_rw(d: SplitData, _params) -> np.ndarray:
    return _weighted(d, group_reweighing_weights(d.y["train"], d.a["train"]))


def _predict_labelbias(d: SplitData, params) -> np.ndarray:
    return _weighted(d, label_bias_weights(d.parts["train"], d.y["train"], d.a["train"], **params))


def _predict_influence(d: SplitData, params) -> np.ndarray:
    hyper = params["datasets"][d.dataset]
    return _weighted(d, influence_weights(d.parts["train"], d.y["train"], d.parts["validation"],
                                          d.y["validation"], d.a["validation"], **hyper))


def _group_reweigh(setting: bool | dict, dataset: str) -> bool:
    """A fairshap method's ``group_reweigh``: one bool, or one per dataset (the authors' per-pair recipe)."""
    if not isinstance(setting, dict):
        return bool(setting)
    if dataset not in setting:
        raise ConfigError(f"method option group_reweigh has no entry for dataset {dataset!r}; expected true or "
                          f"false for it next to the datasets it names {sorted(setting)}")
    return bool(setting[dataset])


def _predict_fairshap(d: SplitData, params) -> np.ndarray:
    """FairShap weights (α-interpolated) and GBC; with ``group_reweigh`` on for the split's dataset,
    Kamiran–Calders reweighing with weighted counts on top (FS ``SVeop+PExpW``, algorithms.md §1.5).

    Which FairShap scores the split carries (``tie_order``) is the caller's choice: the workflow
    reads the score set of the method's tie order.
    """
    if d.fairshap is None:
        raise DataError("method kind 'fairshap' needs the split's FairShap scores")
    weights = interpolate_weights(d.fairshap[f"w_{params['valuation']}"], params["alpha"])
    if _group_reweigh(params.get("group_reweigh", False), d.dataset):
        weights = group_reweighing_weights(d.y["train"], d.a["train"], initial=weights)
    return _weighted(d, weights)


def _predict_majority(d: SplitData, _params) -> np.ndarray:
    """Every test row gets the majority class of the training labels (class 0 on a tie): the
    constant-predictor reference, whose EOp and EOdds are 0 by construction."""
    majority = int(np.argmax(np.bincount(d.y["train"].astype(int), minlength=2)))
    return np.full(len(d.y["test"]), majority, dtype=int)


def _predict_fairinfl(d: SplitData, params) -> np.ndarray:
    """FairInfl |S(i)| of ``constraint`` as weights (FairShap's normalisation) or as a prune rule
    (keep the largest ``keep`` fraction, as FairInfl's prune by fairness), then GBC."""
    if d.fairinfl is None:
        raise DataError("method kind 'fairinfl' needs the split's FairInfl scores")
    if not np.array_equal(d.fairinfl["row"], d.rows["train"]):
        raise DataError("FairInfl scores belong to other training rows than the split's; rebuild the scores")
    scores = np.abs(d.fairinfl[f"fairness_{params['constraint']}"])
    if params["use"] == "weights":
        weights = normalise_weights(scores)
        empty = [int(c) for c in np.unique(d.y["train"]) if weights[d.y["train"] == c].sum() == 0]
        if empty:
            raise ConfigError(f"FairInfl {params['constraint']!r} weights are 0 for every training row of label(s) "
                              f"{empty} (its b_i vanishes there); expected a constraint that scores both labels "
                              "('dp', 'eo' or 'cov')")
        return _weighted(d, weights)
    kept = keep_indices("fairness", params["keep"], n=len(scores), fairness=scores)
    return fit_gbc(d.parts["train"][kept], d.y["train"][kept], None, d.seed).predict(d.parts["test"])


def _predict_postpro(d: SplitData, params) -> np.ndarray:
    model = fit_gbc(d.parts["train"], d.y["train"], None, d.seed)
    return postpro_predict(model.predict_proba(d.parts["validation"])[:, 1], d.y["validation"],
                           d.a["validation"], model.predict_proba(d.parts["test"])[:, 1], d.a["test"],
                           tolerance=params["tolerance"], seed=d.seed)


def _predict_optprep(d: SplitData, params) -> np.ndarray:
    if d.aif360 is None:
        raise DataError("method kind 'optprep' needs the pair's AIF360 dataset")
    X_new, y_new = optprep_transform(d.aif360.subset(d.rows["train"]), distortion=params["distortion"][d.dataset],
                                     epsilon=params["epsilon"], clist=params["clist"], dlist=params["dlist"],
                                     seed=d.seed)
    scaler = StandardScaler().fit(X_new)
    X_test = d.parts["test"]
    if params["rescale_eval"]:  # D24 fix: scale the test split like the transformed training split
        X_test = scaler.transform(d.aif360.features[d.rows["test"]])
    model = fit_gbc(scaler.transform(X_new), y_new, None, d.seed)
    return model.predict(X_test)


#: method kind -> function(SplitData, params) returning hard test predictions
METHOD_KINDS = {
    "gbc": _predict_gbc,
    "group_rw": _predict_group_rw,
    "postpro": _predict_postpro,
    "labelbias": _predict_labelbias,
    "optprep": _predict_optprep,
    "influence": _predict_influence,
    "fairshap": _predict_fairshap,
    "fairinfl": _predict_fairinfl,
    "majority": _predict_majority,
}


def table2_split(method: dict, d: SplitData) -> dict[str, float]:
    """Fit one method on one split and return the test metrics (``algorithms.md`` §4.1)."""
    kind = method["kind"]
    if kind not in METHOD_KINDS:
        raise ConfigError(f"method kind {kind!r}; expected one of {sorted(METHOD_KINDS)}")
    params = {k: v for k, v in method.items() if k not in ("kind", "label")}
    return split_metrics(d.y["test"], METHOD_KINDS[kind](d, params), d.a["test"])


def table2_method_runs(method: dict, X, y, a, splits: list[dict], seeds: list[int], *, dataset: str,
                       fairshap: list[dict] | None = None, fairinfl: list[dict] | None = None,
                       aif360=None) -> pd.DataFrame:
    """Run one method over every split of one pair; one row of test metrics per split.

    Parameters
    ----------
    method : dict
        The method's config entry (``kind``, ``label`` and hyperparameters).
    X, y, a : raw features, labels (favourable = 1) and groups (privileged = 1) of the pair.
    splits, seeds : the splits (row positions per part) and their seeds, in split order.
    dataset : str
        Dataset name, for per-dataset hyperparameters.
    fairshap, fairinfl : list of dict, optional
        Per split, the FairShap scores (``fairshap`` methods) or the FairInfl scores
        (``fairinfl`` methods).
    aif360 : aif360 dataset, optional
        The pair's AIF360 dataset (``optprep``).
    """
    rows = []
    for k, (split, seed) in enumerate(zip(splits, seeds, strict=True)):
        d = SplitData(dataset=dataset, seed=seed, parts=standardised_parts(X, split),
                      y={p: y[r] for p, r in split.items()}, a={p: a[r] for p, r in split.items()},
                      rows=split, fairshap=None if fairshap is None else fairshap[k],
                      fairinfl=None if fairinfl is None else fairinfl[k], aif360=aif360)
        rows.append({"split": k, "seed": seed, **table2_split(method, d)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- FairShap figures
def alpha_curve_runs(valuation: str, alphas, X, y, a, splits, seeds, *, dataset: str,
                     fairshap: list[dict], known: dict | None = None) -> pd.DataFrame:
    """Fig. 7: the FairShap method of ``valuation`` at every α, on every split (α = 0 is GBC).

    ``known`` maps an α to per-split runs already computed for it (Table 2's output for the
    same method on the same splits: α = 1 is the FairShap row, α = 0 the GBC row); those
    are checked to cover the same splits and seeds and are used instead of refitting.
    """
    known = known or {}
    frames = []
    for alpha in alphas:
        alpha = float(alpha)
        if alpha in known:
            runs = known[alpha]
            if list(runs["split"]) != list(range(len(seeds))) or list(runs["seed"]) != list(seeds):
                raise DataError(f"alpha = {alpha}: the given runs cover splits {list(runs['split'])} with seeds "
                                f"{list(runs['seed'])}; expected splits 0..{len(seeds) - 1} with seeds {list(seeds)}")
        else:
            runs = table2_method_runs({"kind": "fairshap", "valuation": valuation, "alpha": alpha}, X, y, a,
                                      splits, seeds, dataset=dataset, fairshap=fairshap)
        frames.append(runs.assign(alpha=alpha))
    return pd.concat(frames, ignore_index=True)


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
    for repeat, seed in enumerate(seeds):
        split = stratified_split(codes, seed=seed, train_fraction=train_fraction,
                                 validation_fraction=validation_fraction)
        parts = standardised_parts(X, split)
        d = SplitData(dataset=dataset, seed=seed, parts=parts, y={p: y[r] for p, r in split.items()},
                      a={p: a[r] for p, r in split.items()}, rows=split)
        common = {"repeat": repeat, "seed": seed, "n_reference": np.nan, "fraction": np.nan}
        rows.append({**common, "method": "gbc", **table2_split({"kind": "gbc"}, d)})
        for fraction in fractions:
            ref = reference_subset(split["validation"], codes[split["validation"]], fraction, seed)
            scores = fairshap_split_scores(X, y, a, {**split, "reference": ref}, reference="reference",
                                           **fairshap_options)
            for valuation in valuations:
                method = {"kind": "fairshap", "valuation": valuation, "alpha": 1.0}
                result = table2_split(method, dataclasses.replace(d, fairshap=scores))
                rows.append({**common, "n_reference": len(ref), "fraction": float(fraction),
                             "method": f"fairshap_{valuation}", **result})
    return pd.DataFrame(rows)


def _runtime_weight_functions(labelbias: dict, influence: dict, fairshap: dict) -> dict:
    """Method -> f(X_train, y_train, a_train, X_ref, y_ref, a_ref) returning training weights."""
    return {
        "fairshap": lambda Xt, yt, at, Xr, yr, ar: normalise_weights(
            fair_shapley_values(Xt, yt, Xr, yr, ar, **fairshap)["eop"]),
        "group_rw": lambda Xt, yt, at, Xr, yr, ar: group_reweighing_weights(yt, at),
        "labelbias": lambda Xt, yt, at, Xr, yr, ar: label_bias_weights(Xt, yt, at, **labelbias),
        "influence": lambda Xt, yt, at, Xr, yr, ar: influence_weights(Xt, yt, Xr, yr, ar, **influence),
    }


#: runtime-figure method -> label (as in the tables)
RUNTIME_LABELS = {"fairshap": "FairShap", "group_rw": "Group RW", "labelbias": "LabelBias", "influence": "IF",
                  "optprep": "OptPrep"}

#: runtime-figure methods that cannot run on the synthetic data, with the reason
RUNTIME_NOT_APPLICABLE = {
    "optprep": "OptPrep needs a small discrete feature domain and a dataset-specific distortion function; "
               "it is undefined on continuous synthetic features",
}


def runtime_runs(methods, *, sizes, n_features, repeats, seed, reference_fraction=0.2, shift=1.0,
                 fairshap_features=(), labelbias=None, influence=None, fairshap=None, repeats_large=None,
                 large_size=None) -> pd.DataFrame:
    """Fig. 10: seconds to compute each method's training weights on synthetic data.

    Data: :func:`fairscore.synthetic.gaussian_classes` with ``n_total`` rows, the first
    ``(1 - reference_fraction)`` for training and the rest as the reference (validation)
    set. Each (method, size, feature count) is timed ``repeats`` times with fresh data
    (``repeats_large`` times at sizes of at least ``large_size``, where one call takes
    seconds to minutes; ``None`` keeps ``repeats`` everywhere; repeat r draws the same
    data either way), after one untimed warm-up call on the smallest size (imports, JIT compilation);
    FairShap is also timed at every count in ``fairshap_features``. Methods of
    :data:`RUNTIME_NOT_APPLICABLE` get one row with ``seconds`` NaN and the reason.
    """
    functions = _runtime_weight_functions(labelbias or {}, influence or {}, fairshap or {})
    if repeats_large is not None and large_size is None:
        raise ConfigError(f"runtime repeats_large = {repeats_large!r} without large_size; expected the "
                          "smallest size it applies to")
    unknown = set(methods) - set(functions) - set(RUNTIME_NOT_APPLICABLE)
    if unknown:
        raise ConfigError(f"runtime methods {sorted(unknown)}; expected some of "
                          f"{sorted(set(functions) | set(RUNTIME_NOT_APPLICABLE))}")
    cases = [(m, n_features) for m in methods if m in functions]
    if "fairshap" in methods:
        cases += [("fairshap", f) for f in fairshap_features if f != n_features]
    rows = [{"method": m, "n_total": np.nan, "n_features": n_features, "repeat": np.nan, "seconds": np.nan,
             "note": RUNTIME_NOT_APPLICABLE[m]} for m in methods if m in RUNTIME_NOT_APPLICABLE]
    for method, features in cases:
        X, y, a = gaussian_classes(min(sizes), features, seed=[seed, features])  # warm-up: imports, JIT
        n_warm = int(round((1.0 - reference_fraction) * len(y)))
        functions[method](X[:n_warm], y[:n_warm], a[:n_warm], X[n_warm:], y[n_warm:], a[n_warm:])
        for n in sizes:
            n_train = int(round((1.0 - reference_fraction) * n))
            large = repeats_large is not None and n >= large_size
            for repeat in range(repeats_large if large else repeats):
                X, y, a = gaussian_classes(n, features, seed=[seed, n, features, repeat], shift=shift)
                start = time.perf_counter()
                functions[method](X[:n_train], y[:n_train], a[:n_train], X[n_train:], y[n_train:], a[n_train:])
                rows.append({"method": method, "n_total": n, "n_features": features, "repeat": repeat,
                             "seconds": time.perf_counter() - start, "note": ""})
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
        the test metrics of :func:`fairscore.metrics.split_metrics`.
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
