"""FairShap Table 2 (paper §5.2; ``algorithms.md`` §4.1): the per-split FairShap scores, the
gradient-boosting classifier and every method's predictions on one split, without file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.preprocessing import StandardScaler

from fairscore.protocols.baselines import (
    group_reweighing_weights,
    influence_weights,
    label_bias_weights,
    merge_duplicates,
    postpro_predict,
)
from fairscore.errors import ConfigError, DataError
from fairscore.protocols.fairshap_method import fairshap_method
from fairscore.protocols.metrics import split_metrics
from fairscore.fairinfl.pruning import keep_indices
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.fairshap.weights import interpolate_weights, normalise_weights
from fairscore.pipeline.progress import progress

__all__ = [
    "FAIRSHAP_WEIGHTED",
    "METHOD_KINDS",
    "SplitData",
    "fairshap_split_scores",
    "fit_gbc",
    "split_data",
    "standardised_parts",
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
        As in :func:`fairscore.fairshap.valuation.fair_shapley_values`.
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
    protected: str | None = None  # the pair's protected attribute (per-pair FairShap recipes)

    @cached_property
    def train_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`merge_duplicates` of the training features and labels, made once per split for
        every :func:`fit_gbc` on them (weights change between fits; the groups do not)."""
        return merge_duplicates(np.asarray(self.parts["train"], dtype=np.float64), np.asarray(self.y["train"]))


def split_data(X, y, a, split: dict[str, np.ndarray], seed: int, **extra) -> SplitData:
    """One split's :class:`SplitData`: features standardised on its training part (D2), labels and
    protected-group values per part; ``extra`` sets the other fields (``dataset``, scores, ``aif360``, ...)."""
    return SplitData(seed=seed, parts=standardised_parts(X, split), y={p: y[r] for p, r in split.items()},
                     a={p: a[r] for p, r in split.items()}, rows=split, **extra)


def fit_gbc(X, y, weights, seed, groups=None) -> GradientBoostingClassifier:
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

    ``groups`` is ``merge_duplicates(X, y)`` when the caller already has it
    (:attr:`SplitData.train_groups`). sklearn's check of the classifier's and each tree's
    parameters is skipped (``skip_parameter_validation``): they are the defaults, and the
    check is a sixth of a fit on a few hundred distinct rows; the arithmetic is the same.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    first, inverse = merge_duplicates(X, y) if groups is None else groups
    model = GradientBoostingClassifier(random_state=seed)
    with sklearn.config_context(skip_parameter_validation=True):
        if len(first) == len(y):
            return model.fit(X, y, sample_weight=weights)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        summed = np.bincount(rank[inverse], minlength=len(order),
                             weights=None if weights is None else np.asarray(weights, dtype=np.float64))
        return model.fit(X[first[order]], y[first[order]], sample_weight=summed.astype(np.float64))


def _weighted(d: SplitData, weights) -> np.ndarray:
    return fit_gbc(d.parts["train"], d.y["train"], weights, d.seed, d.train_groups).predict(d.parts["test"])


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


def _predict_fairshap(d: SplitData, params) -> np.ndarray:
    """FairShap weights (α-interpolated) and GBC; with ``group_reweigh`` on for the split's dataset,
    Kamiran–Calders reweighing with weighted counts on top (FS ``SVeop+PExpW``, algorithms.md §1.5).

    Which FairShap scores the split carries (``tie_order``) is the caller's choice: the workflow
    reads the score set of the method's tie order.
    """
    if d.fairshap is None:
        raise DataError("method kind 'fairshap' needs the split's FairShap scores")
    method = fairshap_method(params)
    weights = interpolate_weights(d.fairshap[f"w_{method.valuation}"], method.alpha)
    if method.reweighs(d.dataset, d.protected):
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
    model = fit_gbc(d.parts["train"], d.y["train"], None, d.seed, d.train_groups)
    return postpro_predict(model.predict_proba(d.parts["validation"])[:, 1], d.y["validation"],
                           d.a["validation"], model.predict_proba(d.parts["test"])[:, 1], d.a["test"],
                           tolerance=params["tolerance"], seed=d.seed)


def _predict_optprep(d: SplitData, params) -> np.ndarray:
    if d.aif360 is None:
        raise DataError("method kind 'optprep' needs the pair's AIF360 dataset")
    from fairscore.protocols.optprep import optprep_transform  # imports aif360, which only OptPrep needs

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
                       aif360=None, protected: str | None = None) -> pd.DataFrame:
    """Run one method over every split of one pair; one row of test metrics per split.

    Parameters
    ----------
    method : dict
        The method's config entry (``kind``, ``label`` and hyperparameters).
    X, y, a : raw features, labels (favourable = 1) and groups (privileged = 1) of the pair.
    splits, seeds : the splits (row positions per part) and their seeds, in split order.
    dataset, protected : str
        Dataset name and protected attribute, for per-dataset (per-pair) hyperparameters.
    fairshap, fairinfl : list of dict, optional
        Per split, the FairShap scores (``fairshap`` methods) or the FairInfl scores
        (``fairinfl`` methods).
    aif360 : aif360 dataset, optional
        The pair's AIF360 dataset (``optprep``).
    """
    rows = []
    what = f"{dataset} {method.get('label', method['kind'])} splits"
    for k, (split, seed) in enumerate(progress(list(zip(splits, seeds, strict=True)), what)):
        d = split_data(X, y, a, split, seed, dataset=dataset, fairshap=None if fairshap is None else fairshap[k],
                       fairinfl=None if fairinfl is None else fairinfl[k], aif360=aif360, protected=protected)
        rows.append({"split": k, "seed": seed, **table2_split(method, d)})
    return pd.DataFrame(rows)
