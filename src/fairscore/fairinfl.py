"""FairInfl protocol steps (paper §6.2, App. C.3, §5; ``algorithms.md`` §2.6–2.9, §3.2, §4.4, D7, D17–D19, D22).

What each workflow job computes for the Adult experiment and the toy example, without
file I/O: the run's split, the score model and its scores, the pruned retrains, the
baselines (ERM, lfatr, reduction), the first-order pairs and the 1-D toy. Also the
cross-family strategy (in neither paper): FairShap values of the training rows by K-fold
cross-valuation, and the retrains on the rows with the largest values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler

from .data import balance_cells
from .errors import ConfigError, DataError
from .experiments import standardised_parts
from .images import to_float
from .influence import CONSTRAINTS, accuracy_scores, constraint_factors, fairness_scores, loss_scores, \
    one_step_changes, predict_logits
from .pruning import SIGNS, keep_indices
from .shapley import fair_shapley_values
from .splits import joint_strata
from .training import FairMLPClassifier, build_model, predict_labels, train_fair, train_stacked

__all__ = [
    "BALANCING",
    "RunData",
    "balanced_rows",
    "describe_protocol",
    "dp_violation",
    "erm_metrics",
    "extreme_examples",
    "fairinfl_split_scores",
    "fairshap_cross_values",
    "fairshap_prune_runs",
    "first_order_pairs",
    "infl_metrics",
    "load_run_data",
    "prune_runs",
    "reduction_metrics",
    "retrain_pruned",
    "run_data",
    "run_seeds",
    "score_model",
    "sensitivity_summary",
    "toy_example",
    "training_steps",
    "variant_protocol",
    "variant_reuse",
]


@dataclass(frozen=True)
class RunData:
    """One run's standardised train/test features, labels and groups (float32 for training)."""

    X_train: np.ndarray
    y_train: np.ndarray
    z_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    z_test: np.ndarray


def run_seeds(run: int) -> dict[str, int]:
    """D7 seeds of run r: split r, init 117 + 711r, batch order 117117 + 711r, random subsets 4426 + 42r."""
    return {"split": run, "init": 117 + 711 * run, "batch": 117117 + 711 * run, "subset": 4426 + 42 * run}


FEATURES = ("standardise", "none", "pixels")

#: Adult balancing: every (label, sex) cell to the smallest (D7), both sexes to the smaller, or none
BALANCING = ("label_sex", "sex", "none")


def balanced_rows(y, z, *, balancing: str, seed: int) -> np.ndarray:
    """Rows of (y, z) kept by ``balancing`` (sorted ascending).

    ``label_sex``: every (label, group) cell downsampled to the smallest
    (:func:`fairscore.data.balance_cells`, D7); ``sex``: both groups downsampled to the
    smaller, labels left as they fall (the same function with one label cell); ``none``:
    every row.
    """
    if balancing not in BALANCING:
        raise ConfigError(f"balancing = {balancing!r}; expected one of {BALANCING}")
    y, z = np.asarray(y).ravel(), np.asarray(z).ravel()
    if balancing == "none":
        return np.arange(len(y))
    return balance_cells(y if balancing == "label_sex" else np.zeros_like(y), z, seed=seed)


def run_data(X, y, z, *, run: int, test_fraction: float = 0.2, test=None, features: str = "standardise") -> RunData:
    """Run ``run``'s train/test parts of (X, y, z) as float32 features.

    Without ``test`` (Adult): an 80/20 split stratified on the label (``random_state`` =
    run). With a boolean ``test`` mask (CelebA, Jigsaw): that fixed partition for every run.
    ``features``: ``standardise`` (StandardScaler fit on train), ``none`` (as stored, e.g.
    BERT vectors) or ``pixels`` (uint8 images scaled to [0, 1]).
    """
    if features not in FEATURES:
        raise DataError(f"features = {features!r}; expected one of {FEATURES}")
    y, z = np.asarray(y), np.asarray(z)
    if test is None:
        rows = np.arange(len(y))
        train, test_rows = train_test_split(rows, test_size=test_fraction, stratify=y,
                                            random_state=run_seeds(run)["split"])
    else:
        test = np.asarray(test, dtype=bool)
        train, test_rows = np.flatnonzero(~test), np.flatnonzero(test)
    if features == "standardise":
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test_rows])
    elif features == "pixels":
        X_train, X_test = to_float(X[train]), to_float(X[test_rows])
    else:
        X_train, X_test = X[train], X[test_rows]
    return RunData(np.asarray(X_train, dtype=np.float32), y[train], z[train],
                   np.asarray(X_test, dtype=np.float32), y[test_rows], z[test_rows])


def load_run_data(path, *, run: int, test_fraction: float = 0.2, features: str = "standardise") -> RunData:
    """:func:`run_data` of a cached data file: features ``X`` (tabular, embeddings) or ``images``;
    the partition as a boolean ``test`` or a ``partition`` column (train / test; other
    partitions, e.g. CelebA's valid, are left out); neither means a random split per run."""
    with np.load(path, allow_pickle=False) as data:
        X = data["X"] if "X" in data else data["images"]
        y, z = data["y"], data["z"]
        test = data["test"] if "test" in data else None
        if "partition" in data:
            used = np.isin(data["partition"], ["train", "test"])
            X, y, z, test = X[used], y[used], z[used], data["partition"][used] == "test"
    return run_data(X, y, z, run=run, test_fraction=test_fraction, test=test, features=features)


def training_steps(training: dict, n_train: int) -> int:
    """``training.steps`` when set, else ``epochs`` × ⌈n_train / batch_size⌉ (D17)."""
    return int(training["steps"]) if training.get("steps") else \
        int(training["epochs"]) * math.ceil(n_train / training["batch_size"])


#: the keys a protocol variant (config ``fairinfl.variants.<name>``) may override
VARIANT_KEYS = ("lam", "retrain_lam", "sign", "kernel", "chunk_size", "alpha", "balancing", "training", "retrain")


def variant_protocol(infl: dict, name: str | None = None) -> dict:
    """The FairInfl Adult protocol of variant ``name`` of config ``fairinfl`` (``infl``); None is the default.

    Returns ``balancing`` (:data:`BALANCING`), ``training`` (the score model and lfatr:
    ``fairinfl.training`` and ``adult.training``, then the variant's ``training`` overrides,
    e.g. steps, lr_boundaries, lr_decay; its ``lam`` = the variant's ``lam``), ``retrain``
    (that, then ``adult.retrain`` and the variant's ``retrain`` overrides; ``lam`` =
    ``retrain_lam``, which defaults to the training λ), ``scores`` (``fairinfl.scores`` with
    ``kernel``, ``chunk_size``, ``alpha`` overridden) and ``prune`` (``fairinfl.prune`` with
    ``sign`` overridden). Without overrides a variant is the default protocol exactly.
    """
    adult = infl["adult"]
    if name is None:
        variant = {}
    elif name not in infl.get("variants", {}):
        raise ConfigError(f"fairinfl.variants has no variant {name!r}; configured: {sorted(infl.get('variants', {}))}")
    else:
        variant = infl["variants"][name] or {}
    unknown = sorted(set(variant) - set(VARIANT_KEYS))
    if unknown:
        raise ConfigError(f"fairinfl.variants.{name}: unknown keys {unknown}; expected some of {list(VARIANT_KEYS)}")
    training = {**infl["training"], **adult.get("training", {}), **variant.get("training", {})}
    training["lam"] = float(variant.get("lam", training["lam"]))
    retrain = {**training, **adult.get("retrain", {}), **variant.get("retrain", {}),
               "lam": float(variant.get("retrain_lam", training["lam"]))}
    scores = {**infl["scores"], **{k: variant[k] for k in ("kernel", "chunk_size", "alpha") if k in variant}}
    prune = {**infl["prune"], **{k: variant[k] for k in ("sign",) if k in variant}}
    balancing = variant.get("balancing", adult["balancing"])
    if balancing not in BALANCING:
        raise ConfigError(f"fairinfl.variants.{name}.balancing = {balancing!r}; expected one of {BALANCING}")
    if prune["sign"] not in SIGNS:
        raise ConfigError(f"fairinfl.variants.{name}.sign = {prune['sign']!r}; expected one of {SIGNS}")
    return {"balancing": balancing, "training": training, "retrain": retrain, "scores": scores, "prune": prune}


def variant_reuse(infl: dict, name: str) -> dict:
    """What variant ``name`` can take from the default protocol's outputs instead of recomputing.

    ``baselines``: ERM and reduction cannot differ (the same data and training apart from λ,
    which they do not use).
    ``model``: the same data and score-model training (the default's trained model is scored
    again); ``scores``: also the same score settings (the default's score file is used as
    it is, e.g. a variant that changes only the sign); ``strategies``: the prune strategies
    whose rows cannot differ from the default's (random with the same data and retrain
    settings; accuracy also with the same score model; fairness also with the same scores,
    constraint and sign).
    """
    default, variant = variant_protocol(infl), variant_protocol(infl, name)
    data = variant["balancing"] == default["balancing"]
    model = data and variant["training"] == default["training"]
    scores = model and variant["scores"] == default["scores"]
    retrain = data and variant["retrain"] == default["retrain"]
    unconstrained = [{k: v for k, v in p["training"].items() if k != "lam"} for p in (default, variant)]
    same = {"random": retrain, "accuracy": retrain and model,
            "fairness": retrain and scores and variant["prune"]["sign"] == default["prune"]["sign"]
            and variant["prune"]["constraint"] == default["prune"]["constraint"]}
    return {"model": model, "scores": scores, "strategies": [s for s in variant["prune"]["strategies"] if same.get(s)],
            "baselines": data and unconstrained[0] == unconstrained[1]}


def _optimiser(training: dict) -> dict:
    return {k: training[k] for k in ("batch_size", "lr", "betas", "weight_decay", "lr_boundaries", "lr_decay")}


def _train(d: RunData, training: dict, *, lam: float, run: int, steps: int | None = None):
    """A fresh network of ``training`` (init seed of ``run``) trained on all of ``d``'s training rows."""
    seeds = run_seeds(run)
    model = build_model(training, d.X_train.shape[1], seed=seeds["init"])
    train_fair(model, d.X_train, d.y_train, d.z_train, lam=lam, seed=seeds["batch"],
               steps=steps or training_steps(training, len(d.y_train)), augment=training.get("augment", False),
               amp=training.get("amp", False), **_optimiser(training))
    return model


def dp_violation(pred, z) -> float:
    """Signed demographic-parity violation P(ŷ = 1 | z = 1) − P(ŷ = 1 | z = 0) (§5.4)."""
    pred, z = np.asarray(pred), np.asarray(z)
    return float(pred[z == 1].mean() - pred[z == 0].mean())


def infl_metrics(pred, y, z) -> dict[str, float]:
    """Test accuracy, the DP violation (signed and absolute) and the constant-predictor
    diagnostics: the rate of positive predictions in the unprivileged (``pos_rate_a0``, z = 0)
    and privileged (``pos_rate_a1``) group, and the balanced accuracy (mean of the recalls of
    the two labels; 0.5 for any constant predictor)."""
    pred, y, z = np.asarray(pred), np.asarray(y), np.asarray(z)
    violation = dp_violation(pred, z)
    return {"accuracy": float(np.mean(pred == y)), "violation": violation, "violation_abs": abs(violation),
            "pos_rate_a0": float(pred[z == 0].mean()), "pos_rate_a1": float(pred[z == 1].mean()),
            "balanced_accuracy": float(np.mean([np.mean(pred[y == label] == label) for label in (0, 1)]))}


def score_model(d: RunData, training: dict, scoring: dict, *, run: int, model=None):
    """Train the full-data λ = 1 model (lfatr, the score model) and score every training example.

    ``model``: an already trained score model of the same ``training`` and run (e.g. one
    loaded from the default protocol's file when only the score settings differ); it is
    scored as it is. S(i) is proportional to λ (Eq. 35), so a model trained with λ = 0 is
    scored per unit λ (the ranking of every λ > 0). Returns the model, the scores
    (``fairness_<constraint>`` for each constraint, ``accuracy`` (D8), ``loss``) and the
    model's test metrics.
    """
    if model is None:
        model = _train(d, training, lam=training["lam"], run=run)
    batch = {"batch_size": scoring.get("batch_size", 1024)}
    common = {"alpha": scoring["alpha"], "lam": training["lam"] or 1.0, "eta": scoring["eta"], "kernel": scoring["kernel"],
              "chunk_size": scoring["chunk_size"], **batch}
    scores = {f"fairness_{c}": fairness_scores(model, d.X_train, d.z_train, d.y_train, constraint=c, **common)
              for c in CONSTRAINTS}
    scores["accuracy"] = accuracy_scores(model, d.X_train, d.y_train, batch_size=scoring.get("grad_batch_size", 256))
    scores["loss"] = loss_scores(model, d.X_train, d.y_train, eta=scoring["eta"], **batch)
    return model, scores, infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


def retrain_pruned(d: RunData, jobs, *, training: dict, run: int) -> pd.DataFrame:
    """Retrain (λ = ``training.lam``) one network per ``(strategy, fraction, kept)`` job on its kept rows.

    Every model starts from the run's init seed and shares its batch-order seed and the
    full-data step budget (D17). MLPs are trained together (:func:`fairscore.training.train_stacked`,
    which is :func:`fairscore.training.train_fair` per model) when every subset fills a batch;
    otherwise, and for other networks, one after another. Returns one row per job: run,
    strategy, fraction, kept (count) and the test metrics (:func:`infl_metrics`).
    """
    seeds, n = run_seeds(run), len(d.y_train)
    steps = training_steps(training, n)
    if training.get("architecture", "mlp") == "mlp" and min(len(kept) for *_, kept in jobs) >= training["batch_size"]:
        models = [build_model(training, d.X_train.shape[1], seed=seeds["init"]) for _ in jobs]
        train_stacked(models, d.X_train, d.y_train, d.z_train, [kept for _, _, kept in jobs], lam=training["lam"],
                      seed=seeds["batch"], steps=steps, **_optimiser(training))
    else:
        models = [_train(RunData(d.X_train[kept], d.y_train[kept], d.z_train[kept], d.X_test, d.y_test, d.z_test),
                         training, lam=training["lam"], run=run, steps=steps) for _, _, kept in jobs]
    return pd.DataFrame([{"run": run, "strategy": s, "fraction": f, "kept": len(kept),
                          **infl_metrics(predict_labels(m, d.X_test), d.y_test, d.z_test)}
                         for (s, f, kept), m in zip(jobs, models, strict=True)])


def prune_runs(d: RunData, scores: dict, *, training: dict, fractions, strategies, constraint: str,
               run: int, sign: str = "abs", reused: pd.DataFrame | None = None, reuse=()) -> pd.DataFrame:
    """Retrain on the examples each strategy keeps at each fraction; test metrics (:func:`retrain_pruned`).

    ``sign``: how prune by fairness ranks S(i) (:func:`fairscore.pruning.keep_indices`).
    ``reused``, ``reuse``: prune rows of the same run computed before, and the strategies
    whose rows are copied from them instead of retrained (a protocol variant takes random and
    accuracy pruning from the default protocol when they cannot differ,
    :func:`variant_reuse`). Rows are in strategy × fraction order either way.
    """
    seeds, n = run_seeds(run), len(d.y_train)
    have = set(reuse) & set(strategies)
    if have and reused is None:
        raise DataError(f"prune strategies {sorted(have)} are to be copied, but no earlier prune rows were given")
    jobs = [(s, f, keep_indices(s, f, n=n, fairness=scores[f"fairness_{constraint}"], accuracy=scores["accuracy"],
                                seed=seeds["subset"], sign=sign)) for s in strategies if s not in have for f in fractions]
    parts = [] if not jobs else [retrain_pruned(d, jobs, training=training, run=run)]
    if have:
        copied = reused[reused["strategy"].isin(have) & reused["fraction"].isin(fractions)]
        if (copied["run"] != run).any() or len(copied) != len(have) * len(fractions):
            raise DataError(f"reused prune rows: expected run {run} and {len(fractions)} fractions of "
                            f"{sorted(have)}; got runs {sorted(set(copied['run']))}, {len(copied)} rows")
        parts.append(copied)
    frame = pd.concat(parts, ignore_index=True)
    order = {(s, f): i for i, (s, f) in enumerate((s, f) for s in strategies for f in fractions)}
    return frame.iloc[np.argsort([order[(s, f)] for s, f in zip(frame["strategy"], frame["fraction"], strict=True)],
                                 kind="stable")].reset_index(drop=True)


def fairshap_cross_values(X, y, z, *, folds: int, seed: int, k: int = 5, sign: str = "privileged",
                          device: str = "auto", memory_mb: int = 256) -> tuple[pd.DataFrame, np.ndarray]:
    """FairShap valuations of every row by K-fold cross-valuation (cross-family; not in either paper).

    The FairInfl protocol has no validation split to serve as FairShap's reference set, so
    the rows are cut into ``folds`` folds (``StratifiedKFold(folds, shuffle=True,
    random_state=seed)``, stratified jointly on (label, group), :func:`fairscore.splits.joint_strata`).
    The rows of fold k are the kNN-Shapley training set and the rows of every other fold
    the reference set (:func:`fairscore.shapley.fair_shapley_values`), so each row is valued
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
        As in :func:`fairscore.shapley.fair_shapley_values`.

    Returns
    -------
    values : DataFrame of shape (n, n_valuations)
        Every binary-group valuation of :func:`~fairscore.shapley.fair_shapley_values`
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
    for f in range(folds):
        train, ref = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        values = fair_shapley_values(X[train], y[train], X[ref], y[ref], z[ref], k=k, sign=sign, device=device,
                                     memory_mb=memory_mb)
        values = values * (len(train) / n)
        values.index = train
        parts.append(values)
    return pd.concat(parts).sort_index().reset_index(drop=True), fold


def fairshap_prune_runs(d: RunData, values, *, training: dict, fractions, run: int) -> pd.DataFrame:
    """Strategy ``fairshap``: retrain on the round(f·n) training rows with the largest ``values``.

    ``values`` (shape (n_train,)) are FairShap valuations of the training rows
    (:func:`fairshap_cross_values`); ties break by training index
    (:func:`fairscore.pruning.keep_indices`). Retrained exactly as :func:`prune_runs`
    (:func:`retrain_pruned`); the frame has its columns, strategy ``"fairshap"``.
    """
    n = len(d.y_train)
    jobs = [("fairshap", f, keep_indices("fairshap", f, n=n, key=values)) for f in fractions]
    return retrain_pruned(d, jobs, training=training, run=run)


def describe_protocol(protocol: dict) -> str:
    """A protocol (:func:`variant_protocol`) in a few words, for legends and captions."""
    training, scores = protocol["training"], protocol["scores"]
    lam = f"λ {training['lam']:g}/{protocol['retrain']['lam']:g}"
    sign = "|S|" if protocol["prune"]["sign"] == "abs" else "signed S"
    kernel = "full kernel" if scores["kernel"] == "full" else f"chunked kernel ({scores['chunk_size']})"
    balancing = {"label_sex": "label×sex-balanced", "sex": "sex-balanced", "none": "unbalanced"}[protocol["balancing"]]
    length = f"{training['steps']:,} steps" if training.get("steps") else f"{training['epochs']} epochs"
    return f"{lam}, {sign}, {kernel}, α {scores['alpha']}, {balancing}, {length}"


def sensitivity_summary(prunes: dict, *, fractions, claim_fractions) -> pd.DataFrame:
    """Prune by fairness against random per protocol variant and kept fraction (the sensitivity panel).

    ``prunes`` maps a variant name to its prune rows (every run; :func:`prune_runs`). For each
    variant and fraction in ``fractions``: the number of runs with both strategies, mean and
    standard error over the runs of |DP violation| and accuracy for each strategy, and of the
    paired difference fairness − random (same run). ``fairness_lower`` at a fraction of
    ``claim_fractions``: "yes" when the paired difference of |violation| is below zero by more
    than two standard errors (mean + 2·SE < 0), "no" otherwise, "undetermined" with fewer than
    two runs. ``rescues_claim`` per variant: "yes" when it is "yes" at every claim fraction,
    "undetermined" when any is undetermined and none is "no", else "no".
    """
    if not set(claim_fractions) <= set(fractions):
        raise ConfigError(f"sensitivity claim_fractions {list(claim_fractions)} must be among fractions {list(fractions)}")
    rows = []
    for variant, frame in prunes.items():
        missing = sorted(set(fractions) - set(frame["fraction"]))
        if missing or not {"random", "fairness"} <= set(frame["strategy"]):
            raise DataError(f"variant {variant!r}: prune rows need strategies random and fairness at fractions "
                            f"{list(fractions)}; missing fractions {missing}, strategies {sorted(set(frame['strategy']))}")
        for fraction in fractions:
            at = frame[frame["fraction"] == fraction]
            paired = at.pivot_table(index="run", columns="strategy", values=["violation_abs", "accuracy"]).dropna()
            row = {"variant": variant, "fraction": fraction, "runs": len(paired)}
            for metric in ("violation_abs", "accuracy"):
                parts = {"random": paired[(metric, "random")], "fairness": paired[(metric, "fairness")]}
                parts["difference"] = parts["fairness"] - parts["random"]
                for name, values in parts.items():
                    row[f"{name}_{metric}_mean"] = values.mean()
                    row[f"{name}_{metric}_se"] = values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else np.nan
            bound = row["difference_violation_abs_mean"] + 2 * row["difference_violation_abs_se"]
            row["fairness_lower"] = ("" if fraction not in claim_fractions else "undetermined" if len(paired) < 2
                                     else "yes" if bound < 0 else "no")
            rows.append(row)
    summary = pd.DataFrame(rows)
    verdicts = summary[summary["fairness_lower"] != ""].groupby("variant", sort=False)["fairness_lower"].agg(set)
    rescued = {v: "no" if "no" in s else "undetermined" if "undetermined" in s else "yes" for v, s in verdicts.items()}
    summary["rescues_claim"] = summary["variant"].map(rescued)
    return summary


def erm_metrics(d: RunData, training: dict, *, run: int) -> dict[str, float]:
    """ERM baseline: the same network and budget with λ = 0."""
    model = _train(d, training, lam=0.0, run=run)
    return infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


def reduction_metrics(d: RunData, training: dict, reduction: dict, *, run: int) -> dict[str, float]:
    """fairlearn ``ExponentiatedGradient`` + ``DemographicParity`` around the MLP (§3.2, D22)."""
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient

    if training.get("architecture", "mlp") != "mlp":
        raise ConfigError(f"the reduction baseline trains the MLP only; training.architecture is "
                          f"{training['architecture']!r} (leave 'reduction' out of the dataset's baselines)")
    seeds = run_seeds(run)
    steps = reduction.get("steps") or training_steps(training, len(d.y_train))
    estimator = FairMLPClassifier(hidden=training["hidden"], steps=steps, batch_size=training["batch_size"],
                                  lr=training["lr"], weight_decay=training["weight_decay"], seed=seeds["init"])
    torch.manual_seed(seeds["init"])
    mitigator = ExponentiatedGradient(estimator, constraints=DemographicParity(difference_bound=reduction["bound"]),
                                      eps=reduction["eps"], max_iter=reduction["max_iter"], eta0=reduction["eta0"],
                                      run_linprog_step=True)
    mitigator.fit(d.X_train, d.y_train, sensitive_features=d.z_train)
    pred = mitigator.predict(d.X_test, random_state=seeds["split"])
    return {**infl_metrics(pred, d.y_test, d.z_test), "oracle_calls": len(mitigator.predictors_)}


def first_order_pairs(model, d: RunData, *, n_pairs: int, eta: float, lam: float, seed: int) -> pd.DataFrame:
    """App. C.3: predicted vs real change of a test output after one step on a training point (float64)."""
    model = model.double()
    rng = np.random.RandomState(seed)
    pairs = np.column_stack([rng.randint(len(d.y_train), size=n_pairs), rng.randint(len(d.y_test), size=n_pairs)])
    X_train = d.X_train.astype(np.float64)
    b = constraint_factors("dp", d.z_train, d.y_train, predict_logits(model, X_train), alpha="group_mean")
    predicted, real = one_step_changes(model, X_train, d.y_train, b, d.X_test.astype(np.float64), pairs,
                                       eta=eta, lam=lam)
    return pd.DataFrame({"train": pairs[:, 0], "test": pairs[:, 1], "predicted": predicted, "real": real})


def toy_example(toy: dict, *, seed: int, scoring: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fig. 1 / Proposition 5.2: four 1-D Gaussian cells, a linear model, S(i), and reweighting.

    A linear logistic model f(x) = w·x + b (so Θ(x_i, x_j) = x_i x_j + 1) is fit on all
    points, scored with the DP constraint, then refit with the ``drop_fraction`` lowest-|S|
    points weighted 0. Returns the points (x, z, y, score, dropped) and the two models'
    thresholds and DP violations.
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    cells = [(z, y) for z in (0, 1) for y in (0, 1)]
    x = np.concatenate([rng.normal(toy["means"][f"z{z}_y{y}"], toy["sd"], toy["n_per_cell"]) for z, y in cells])
    z = np.repeat([c[0] for c in cells], toy["n_per_cell"])
    y = np.repeat([c[1] for c in cells], toy["n_per_cell"])
    X = x[:, None]

    def fit(weights):
        clf = LogisticRegression().fit(X, y, sample_weight=weights)
        linear = torch.nn.Linear(1, 1).double()
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(clf.coef_))
            linear.bias.copy_(torch.as_tensor(clf.intercept_))
        pred = clf.predict(X)
        return linear, {"threshold": float(-clf.intercept_[0] / clf.coef_[0, 0]), **infl_metrics(pred, y, z)}

    linear, before = fit(None)
    score = fairness_scores(linear, X, z, y, constraint="dp", alpha=scoring["alpha"], eta=scoring["eta"])
    n_drop = int(round(toy["drop_fraction"] * len(x)))
    dropped = np.zeros(len(x), dtype=bool)
    dropped[np.argsort(np.abs(score), kind="stable")[:n_drop]] = True
    _, after = fit(np.where(dropped, 0.0, 1.0))
    points = pd.DataFrame({"x": x, "z": z, "y": y, "score": score, "dropped": dropped})
    models = pd.DataFrame([{"model": "all points", **before}, {"model": "low-|S| points weighted 0", **after}])
    return points, models


def fairinfl_split_scores(X, y, a, split, *, training: dict, scoring: dict, split_index: int) -> dict[str, np.ndarray]:
    """FairInfl scores of one FairShap Table 2 split's training rows (cross-family comparison, issue 9).

    The λ-constrained MLP of ``training`` (:func:`score_model`, seeds of
    run ``split_index``) is trained on the split's standardised training part (D2 scaler)
    and scores every training row. Returns ``row`` (the training rows, in split order),
    ``fairness_<constraint>`` for every constraint, ``accuracy`` (D8) and ``loss``.
    """
    parts = standardised_parts(X, split)
    train, test = split["train"], split["test"]
    d = RunData(parts["train"].astype(np.float32), np.asarray(y)[train], np.asarray(a)[train],
                parts["test"].astype(np.float32), np.asarray(y)[test], np.asarray(a)[test])
    _, scores, _ = score_model(d, training, scoring, run=split_index)
    return {"row": np.asarray(train), **{name: np.asarray(v, dtype=np.float64) for name, v in scores.items()}}


def extreme_examples(score, *, count: int) -> pd.DataFrame:
    """App. C.4: the ``count`` training examples with the highest and the ``count`` with the lowest
    S(i) (Eq. 35, signed), ties broken by training index. Columns: ``end`` (highest, lowest),
    ``rank`` (1 = most extreme), ``train`` (position among the training rows) and ``score``."""
    score = np.asarray(score, dtype=np.float64)
    if not 1 <= count <= len(score):
        raise DataError(f"count = {count}; expected between 1 and the {len(score)} scored training examples")
    order = np.argsort(-score, kind="stable")
    lowest = np.argsort(score, kind="stable")[:count]
    frames = [pd.DataFrame({"end": end, "rank": np.arange(1, count + 1), "train": rows, "score": score[rows]})
              for end, rows in (("highest", order[:count]), ("lowest", lowest))]
    return pd.concat(frames, ignore_index=True)
