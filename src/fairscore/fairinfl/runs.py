"""FairInfl protocol steps (paper §6.2, App. C.3, §5; ``algorithms.md`` §2.6–2.9, §3.2, D17–D19, D22).

What each workflow job computes for the Adult experiment and the toy example, without
file I/O: the score model and its scores, the pruned retrains, the baselines (ERM,
lfatr, reduction), the first-order pairs, the 1-D toy and the CelebA extremes.
"""

from __future__ import annotations

import contextlib
import logging
import time

import numpy as np
import pandas as pd
import torch

from fairscore.errors import ConfigError, DataError
from fairscore.fairinfl.influence import (
    CONSTRAINTS,
    accuracy_scores,
    constraint_factors,
    fairness_scores,
    loss_scores,
    one_step_changes,
    predict_logits,
)
from fairscore.fairinfl.pruning import keep_indices
from fairscore.models.memoized import FitMemo, MemoizedClassifier
from fairscore.models.tabular import FairMLPClassifier, build_model, predict_labels, train_fair, train_stacked
from fairscore.fairinfl.rundata import RunData, run_seeds
from fairscore.fairinfl.settings import Prune, Reduction, Scoring
from fairscore.models.settings import Training
from fairscore.pipeline.progress import Progress, progress

__all__ = [
    "baseline_rows",
    "dp_violation",
    "erm_metrics",
    "extreme_examples",
    "first_order_pairs",
    "infl_metrics",
    "iteration_progress",
    "prune_runs",
    "reduction_metrics",
    "reduction_oracle",
    "retrain_pruned",
    "score_model",
    "toy_example",
]


def _train(d: RunData, training: Training, *, lam: float, run: int, steps: int | None = None):
    """A fresh network of ``training`` (init seed of ``run``) trained on all of ``d``'s training rows."""
    seeds = run_seeds(run)
    model = build_model(training, d.X_train.shape[1], seed=seeds["init"])
    train_fair(model, d.X_train, d.y_train, d.z_train, lam=lam, seed=seeds["batch"],
               steps=steps or training.steps_for(len(d.y_train)), augment=training.augment, amp=training.amp,
               **training.optimiser())
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


def score_model(d: RunData, training: Training, scoring: Scoring, *, run: int, model=None,
                constraints=CONSTRAINTS, accuracy_and_loss: bool = True):
    """Train the full-data λ = 1 model (lfatr, the score model) and score every training example.

    ``model``: an already trained score model of the same ``training`` and run (e.g. one
    loaded from the default protocol's file when only the score settings differ); it is
    scored as it is. S(i) is proportional to λ (Eq. 35), so a model trained with λ = 0 is
    scored per unit λ (the ranking of every λ > 0). Returns the model, the scores
    (``fairness_<constraint>`` for each of ``constraints``, then ``accuracy`` (D8) and ``loss``
    unless ``accuracy_and_loss`` is False) and the model's test metrics.
    """
    if model is None:
        model = _train(d, training, lam=training.lam, run=run)
    batch = {"batch_size": scoring.batch_size}
    common = {"alpha": scoring.alpha, "lam": training.lam or 1.0, "eta": scoring.eta, "kernel": scoring.kernel,
              "chunk_size": scoring.chunk_size, **batch}
    scores = {f"fairness_{c}": fairness_scores(model, d.X_train, d.z_train, d.y_train, constraint=c, **common)
              for c in constraints}
    if accuracy_and_loss:
        scores["accuracy"] = accuracy_scores(model, d.X_train, d.y_train, batch_size=scoring.grad_batch_size)
        scores["loss"] = loss_scores(model, d.X_train, d.y_train, eta=scoring.eta, **batch)
    return model, scores, infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


def retrain_pruned(d: RunData, jobs, *, training: Training, run: int) -> pd.DataFrame:
    """Retrain (λ = ``training.lam``) one network per ``(strategy, fraction, kept)`` job on its kept rows.

    Every model starts from the run's init seed and shares its batch-order seed and the
    full-data step budget (D17). MLPs are trained together (:func:`fairscore.models.tabular.train_stacked`,
    which is :func:`fairscore.models.tabular.train_fair` per model) when every subset fills a batch;
    otherwise, and for other networks, one after another. Returns one row per job: run,
    strategy, fraction, kept (count) and the test metrics (:func:`infl_metrics`).
    """
    seeds, n = run_seeds(run), len(d.y_train)
    steps = training.steps_for(n)
    if training.architecture == "mlp" and min(len(kept) for *_, kept in jobs) >= training.batch_size:
        models = [build_model(training, d.X_train.shape[1], seed=seeds["init"]) for _ in jobs]
        train_stacked(models, d.X_train, d.y_train, d.z_train, [kept for _, _, kept in jobs], lam=training.lam,
                      seed=seeds["batch"], steps=steps, **training.optimiser())
    else:
        models = [_train(RunData(d.X_train[kept], d.y_train[kept], d.z_train[kept], d.X_test, d.y_test, d.z_test),
                         training, lam=training.lam, run=run, steps=steps)
                  for _, _, kept in progress(jobs, f"run {run}: pruned retrains")]
    return pd.DataFrame([{"run": run, "strategy": s, "fraction": f, "kept": len(kept),
                          **infl_metrics(predict_labels(m, d.X_test), d.y_test, d.z_test)}
                         for (s, f, kept), m in zip(jobs, models, strict=True)])


def prune_runs(d: RunData, scores: dict, *, training: Training, prune: Prune, run: int,
               reused: pd.DataFrame | None = None, reuse=()) -> pd.DataFrame:
    """Retrain on the examples each of ``prune.strategies`` keeps at each of ``prune.fractions``;
    test metrics (:func:`retrain_pruned`).

    Prune by fairness ranks S(i) of ``prune.constraint`` by ``prune.sign``
    (:func:`fairscore.fairinfl.pruning.keep_indices`).
    ``reused``, ``reuse``: prune rows of the same run computed before, and the strategies
    whose rows are copied from them instead of retrained (a protocol variant takes random and
    accuracy pruning from the default protocol when they cannot differ,
    :func:`variant_reuse`). Rows are in strategy × fraction order either way.
    """
    seeds, n = run_seeds(run), len(d.y_train)
    strategies, fractions = prune.strategies, prune.fractions
    have = set(reuse) & set(strategies)
    if have and reused is None:
        raise DataError(f"prune strategies {sorted(have)} are to be copied, but no earlier prune rows were given")
    jobs = [(s, f, keep_indices(s, f, n=n, fairness=scores[f"fairness_{prune.constraint}"],
                                accuracy=scores["accuracy"], seed=seeds["subset"], sign=prune.sign))
            for s in strategies if s not in have for f in fractions]
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


def erm_metrics(d: RunData, training: Training, *, run: int) -> dict[str, float]:
    """ERM baseline: the same network and budget with λ = 0."""
    model = _train(d, training, lam=0.0, run=run)
    return infl_metrics(predict_labels(model, d.X_test), d.y_test, d.z_test)


#: fairlearn's ExponentiatedGradient logger; it logs "...iter=<t>" at DEBUG as iteration t starts
_EG_LOGGER = "fairlearn.reductions._exponentiated_gradient.exponentiated_gradient"


class _IterationCounter(logging.Handler):
    """Counts an iteration done at each '...iter=<t>' record with t > 0; shows none of the records."""

    def __init__(self, tracker: Progress):
        super().__init__(logging.DEBUG)
        self.tracker = tracker

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "...iter=%03d" and record.args and record.args[0] > 0:
            self.tracker.advance()


@contextlib.contextmanager
def iteration_progress(max_iter: int, *, clock=time.monotonic):
    """Progress lines of an ``ExponentiatedGradient.fit`` run inside (at most ``max_iter`` iterations;
    fewer when it converges), read from fairlearn's per-iteration DEBUG record. The logger's other
    records stay hidden, as they are at the default level."""
    eg_log = logging.getLogger(_EG_LOGGER)
    tracker = Progress(max_iter, "exponentiated-gradient iterations (at most)", clock=clock)
    counter = _IterationCounter(tracker)
    saved = eg_log.level, eg_log.propagate
    eg_log.setLevel(logging.DEBUG)
    eg_log.propagate = False
    eg_log.addHandler(counter)
    try:
        yield
    finally:
        eg_log.removeHandler(counter)
        eg_log.setLevel(saved[0])
        eg_log.propagate = saved[1]
    tracker.advance()  # the last iteration
    tracker.finish()


def reduction_oracle(training: Training, reduction: Reduction, *, n_train: int, run: int) -> FairMLPClassifier:
    """The MLP that the reduction refits as its best-response oracle (§3.2, D22). Of ``training`` it
    reads the network, budget and optimiser step alone: λ and the learning-rate schedule do not enter."""
    if training.architecture != "mlp":
        raise ConfigError(f"the reduction baseline trains the MLP only; training.architecture is "
                          f"{training.architecture!r} (leave 'reduction' out of the dataset's baselines)")
    return FairMLPClassifier(hidden=training.hidden, steps=reduction.steps or training.steps_for(n_train),
                             batch_size=training.batch_size, lr=training.lr, weight_decay=training.weight_decay,
                             seed=run_seeds(run)["init"])


def reduction_metrics(d: RunData, training: Training, reduction: Reduction, *, run: int) -> dict[str, float]:
    """fairlearn ``ExponentiatedGradient`` + ``DemographicParity`` around the MLP (§3.2, D22).

    The oracle (:func:`reduction_oracle`) is fitted once per distinct (targets, weights)
    (:class:`MemoizedClassifier`): fairlearn repeats some best-response calls exactly, and the
    MLP's fit is deterministic. ``oracle_calls`` counts the distinct predictors fairlearn kept;
    the log says how many best responses fairlearn asked for and how many were trained.
    """
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient

    seeds = run_seeds(run)
    estimator = reduction_oracle(training, reduction, n_train=len(d.y_train), run=run)
    torch.manual_seed(seeds["init"])
    memo = FitMemo()
    mitigator = ExponentiatedGradient(MemoizedClassifier(estimator, memo),
                                      constraints=DemographicParity(difference_bound=reduction.bound),
                                      eps=reduction.eps, max_iter=reduction.max_iter, eta0=reduction.eta0,
                                      run_linprog_step=True)
    with iteration_progress(reduction.max_iter):
        mitigator.fit(d.X_train, d.y_train, sensitive_features=d.z_train)
    asked = mitigator.n_oracle_calls_ - mitigator.n_oracle_calls_dummy_returned_
    logging.getLogger(__name__).info("reduction oracle: %d best responses asked for, %d trained, %d repeats reused",
                                     asked, len(memo), asked - len(memo))
    pred = mitigator.predict(d.X_test, random_state=seeds["split"])
    return {**infl_metrics(pred, d.y_test, d.z_test), "oracle_calls": len(mitigator.predictors_)}


def baseline_rows(d: RunData, training: Training, reduction: Reduction, *, baselines, run: int,
                  default_rows: pd.DataFrame | None = None, default_training: Training | None = None) -> pd.DataFrame:
    """Run ``run``'s rows of the configured ``baselines``: ``erm`` (:func:`erm_metrics`) and
    ``reduction`` (:func:`reduction_metrics`), in that order.

    A protocol variant trained on the default's data passes the default's rows and training: its
    reduction row is then copied from them when both protocols refit the same oracle
    (:func:`reduction_oracle`, equal parameters), since the reduction reads nothing else.
    """
    rows = []
    if "erm" in baselines:
        rows.append({"run": run, "method": "ERM", **erm_metrics(d, training, run=run)})
    if "reduction" in baselines:
        n_train = len(d.y_train)
        oracle = reduction_oracle(training, reduction, n_train=n_train, run=run)
        if default_training is not None and default_rows is not None and oracle.get_params() == reduction_oracle(
                default_training, reduction, n_train=n_train, run=run).get_params():
            found = default_rows[(default_rows["run"] == run) & (default_rows["method"] == "reduction")]
            if len(found) != 1:
                raise DataError(f"the default protocol's baseline rows hold {len(found)} reduction rows of run {run}; "
                                "expected 1")
            logging.getLogger(__name__).info("reduction row copied from the default protocol: the same data and "
                                             "oracle, %s", oracle)
            rows.append(found.iloc[0].dropna().to_dict())
        else:
            rows.append({"run": run, "method": "reduction", **reduction_metrics(d, training, reduction, run=run)})
    return pd.DataFrame(rows)


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


def toy_example(*, seed: int, n_per_cell: int, sd: float, means: dict, drop_fraction: float,
                scoring: Scoring) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fig. 1 / Proposition 5.2: four 1-D Gaussian cells, a linear model, S(i), and reweighting.

    Config ``fairinfl.toy``: ``n_per_cell`` points of N(``means[f"z{z}_y{y}"]``, ``sd``) per
    (group, label) cell, drawn with ``seed``.

    A linear logistic model f(x) = w·x + b (so Θ(x_i, x_j) = x_i x_j + 1) is fit on all
    points, scored with the DP constraint, then refit with the ``drop_fraction`` lowest-|S|
    points weighted 0. Returns the points (x, z, y, score, dropped) and the two models'
    thresholds and DP violations.
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    cells = [(z, y) for z in (0, 1) for y in (0, 1)]
    x = np.concatenate([rng.normal(means[f"z{z}_y{y}"], sd, n_per_cell) for z, y in cells])
    z = np.repeat([c[0] for c in cells], n_per_cell)
    y = np.repeat([c[1] for c in cells], n_per_cell)
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
    score = fairness_scores(linear, X, z, y, constraint="dp", alpha=scoring.alpha, eta=scoring.eta)
    n_drop = int(round(drop_fraction * len(x)))
    dropped = np.zeros(len(x), dtype=bool)
    dropped[np.argsort(np.abs(score), kind="stable")[:n_drop]] = True
    _, after = fit(np.where(dropped, 0.0, 1.0))
    points = pd.DataFrame({"x": x, "z": z, "y": y, "score": score, "dropped": dropped})
    models = pd.DataFrame([{"model": "all points", **before}, {"model": "low-|S| points weighted 0", **after}])
    return points, models


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
