"""FairInfl protocol steps (paper §6.2, App. C.3, §5; ``algorithms.md`` §2.6–2.9, §3.2, §4.4, D7, D17–D19, D22).

What each workflow job computes for the Adult experiment and the toy example, without
file I/O: the run's split, the score model and its scores, the pruned retrains, the
baselines (ERM, lfatr, reduction), the first-order pairs and the 1-D toy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .influence import CONSTRAINTS, accuracy_scores, constraint_factors, fairness_scores, loss_scores, \
    one_step_changes, predict_logits
from .pruning import keep_indices
from .training import FairMLPClassifier, mlp, predict_labels, train_fair, train_stacked

__all__ = [
    "RunData",
    "dp_violation",
    "erm_metrics",
    "first_order_pairs",
    "infl_metrics",
    "prune_runs",
    "reduction_metrics",
    "run_data",
    "run_seeds",
    "score_model",
    "toy_example",
    "training_steps",
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


def run_data(X, y, z, *, run: int, test_fraction: float = 0.2) -> RunData:
    """80/20 split stratified on the label (``random_state`` = run), scaler fit on train."""
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=test_fraction, stratify=y, random_state=run_seeds(run)["split"])
    scaler = StandardScaler().fit(X[train])
    return RunData(scaler.transform(X[train]).astype(np.float32), y[train], z[train],
                   scaler.transform(X[test]).astype(np.float32), y[test], z[test])


def training_steps(training: dict, n_train: int) -> int:
    """``training.steps`` when set, else ``epochs`` × ⌈n_train / batch_size⌉ (D17)."""
    return int(training["steps"]) if training.get("steps") else \
        int(training["epochs"]) * math.ceil(n_train / training["batch_size"])


def _optimiser(training: dict) -> dict:
    return {k: training[k] for k in ("batch_size", "lr", "betas", "weight_decay", "lr_boundaries", "lr_decay")}


def dp_violation(pred, z) -> float:
    """Signed demographic-parity violation P(ŷ = 1 | z = 1) − P(ŷ = 1 | z = 0) (§5.4)."""
    pred, z = np.asarray(pred), np.asarray(z)
    return float(pred[z == 1].mean() - pred[z == 0].mean())


def infl_metrics(pred, y, z) -> dict[str, float]:
    """Test accuracy and the DP violation, signed and absolute."""
    violation = dp_violation(pred, z)
    return {"accuracy": float(np.mean(np.asarray(pred) == np.asarray(y))), "violation": violation,
            "violation_abs": abs(violation)}


def score_model(d: RunData, training: dict, scoring: dict, *, run: int):
    """Train the full-data λ = 1 model (lfatr, the score model) and score every training example.

    Returns the model, the scores (``fairness_<constraint>`` for each constraint, ``accuracy``
    (D8), ``loss``) and the model's test metrics.
    """
    seeds = run_seeds(run)
    model = mlp(d.X_train.shape[1], training["hidden"], seed=seeds["init"])
    train_fair(model, d.X_train, d.y_train, d.z_train, lam=training["lam"], seed=seeds["batch"],
               steps=training_steps(training, len(d.y_train)), **_optimiser(training))
    common = {"alpha": scoring["alpha"], "lam": training["lam"], "eta": scoring["eta"], "kernel": scoring["kernel"],
              "chunk_size": scoring["chunk_size"]}
    scores = {f"fairness_{c}": fairness_scores(model, d.X_train, d.z_train, d.y_train, constraint=c, **common)
              for c in CONSTRAINTS}
    scores["accuracy"] = accuracy_scores(model, d.X_train, d.y_train)
    scores["loss"] = loss_scores(model, d.X_train, d.y_train, eta=scoring["eta"])
    return model, scores, infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


def prune_runs(d: RunData, scores: dict, *, training: dict, fractions, strategies, constraint: str,
               run: int) -> pd.DataFrame:
    """Retrain (λ = ``training.lam``) on the examples each strategy keeps at each fraction; test metrics.

    All retrains of the run share the step budget and seeds and are trained together
    (:func:`fairscore.training.train_stacked`).
    """
    seeds, n = run_seeds(run), len(d.y_train)
    jobs = [(s, f, keep_indices(s, f, n=n, fairness=scores[f"fairness_{constraint}"], accuracy=scores["accuracy"],
                                seed=seeds["subset"])) for s in strategies for f in fractions]
    models = [mlp(d.X_train.shape[1], training["hidden"], seed=seeds["init"]) for _ in jobs]
    train_stacked(models, d.X_train, d.y_train, d.z_train, [kept for _, _, kept in jobs], lam=training["lam"],
                  seed=seeds["batch"], steps=training_steps(training, n), **_optimiser(training))
    return pd.DataFrame([{"run": run, "strategy": s, "fraction": f, "kept": len(kept),
                          **infl_metrics(predict_labels(m, d.X_test), d.y_test, d.z_test)}
                         for (s, f, kept), m in zip(jobs, models, strict=True)])


def erm_metrics(d: RunData, training: dict, *, run: int) -> dict[str, float]:
    """ERM baseline: the same network and budget with λ = 0."""
    seeds = run_seeds(run)
    model = mlp(d.X_train.shape[1], training["hidden"], seed=seeds["init"])
    train_fair(model, d.X_train, d.y_train, d.z_train, lam=0.0, seed=seeds["batch"],
               steps=training_steps(training, len(d.y_train)), **_optimiser(training))
    return infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


def reduction_metrics(d: RunData, training: dict, reduction: dict, *, run: int) -> dict[str, float]:
    """fairlearn ``ExponentiatedGradient`` + ``DemographicParity`` around the MLP (§3.2, D22)."""
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient

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
