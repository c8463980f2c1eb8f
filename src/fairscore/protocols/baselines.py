"""FairShap Table 2 baselines (``algorithms.md`` §3.1), as the authors wired them.

Each function takes arrays (features standardised on the training split, labels with
1 = favourable, groups with 1 = privileged) and returns sample weights for the
training rows, or, for PostPro, test predictions. Library implementations are used
where they exist: aif360 ``Reweighing``, error-parity ``RelaxedThresholdOptimizer``,
scipy HiGHS for IF's linear program. OptPrep (aif360 ``OptimPreproc``) is in
:mod:`fairscore.protocols.optprep`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import linprog
from sklearn.linear_model import LogisticRegression

from fairscore.errors import DataError

__all__ = [
    "group_reweighing_weights",
    "influence_lp",
    "influence_weights",
    "label_bias_weights",
    "merge_duplicates",
    "postpro_predict",
]


def merge_duplicates(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group identical rows of the stacked columns.

    Returns the index of one representative per group and each row's group, so that a
    fit on the representatives with summed sample weights sees the same objective as a
    fit on every row.

    Same result as ``np.unique(np.column_stack(columns), axis=0, return_index=True,
    return_inverse=True)`` (groups in lexicographic order, the first row of each), without
    its sort of whole rows: each column is ranked on its own and the ranks are combined into
    one integer key whose order is the rows' lexicographic order (re-ranked before it could
    overflow).
    """
    stacked = np.column_stack(columns)
    key, size = np.zeros(len(stacked), dtype=np.int64), 1
    for column in stacked.T:
        values, codes = np.unique(column, return_inverse=True, equal_nan=False)
        if size * len(values) >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            size = int(key.max()) + 1
        key, size = key * len(values) + codes.ravel(), size * len(values)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def group_reweighing_weights(y: np.ndarray, a: np.ndarray, initial: np.ndarray | None = None) -> np.ndarray:
    """Kamiran & Calders reweighing via aif360 ``Reweighing``: w(a, y) = n_y n_a / (n n_{a,y}).

    With ``initial`` weights the counts are weighted sums and the result is
    ``initial * w(a, y)`` (aif360's behaviour; FS's ``SVeop+PExpW`` combination).
    """
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset

    frame = pd.DataFrame({"protected": np.asarray(a, float), "label": np.asarray(y, float)})
    dataset = BinaryLabelDataset(df=frame, label_names=["label"], protected_attribute_names=["protected"],
                                 favorable_label=1.0, unfavorable_label=0.0)
    if initial is not None:
        dataset.instance_weights = np.asarray(initial, dtype=np.float64).copy()
    rw = Reweighing(unprivileged_groups=[{"protected": 0.0}], privileged_groups=[{"protected": 1.0}])
    return rw.fit_transform(dataset).instance_weights.astype(np.float64)


def _label_bias_violation(pred, y, unprivileged, constraint):
    if constraint == "dp":
        return pred.mean() - pred[unprivileged].mean()
    positives = y == 1
    eop = pred[positives].mean() - pred[positives & unprivileged].mean()
    if constraint == "eop":
        return eop
    negatives = y == 0
    return 0.5 * (eop + pred[negatives].mean() - pred[negatives & unprivileged].mean())


def _label_bias_from_multiplier(m, y, unprivileged):
    """w = 1 - σ(2e) for y = 1 and σ(2e) for y = 0, with e = -m·1[a unprivileged]."""
    sigma = 1.0 / (1.0 + np.exp(2.0 * m * unprivileged))
    return np.where(y == 1, 1.0 - sigma, sigma)


def label_bias_weights(X, y, a, *, iterations=100, learning_rate=1.0, constraint="dp") -> np.ndarray:
    """Jiang & Nachum (2020) label-bias weights, as FS ``utils/labelbias.py`` wires them.

    Each iteration fits ``LogisticRegression()`` with the current weights, recomputes the
    weights from the multiplier m (w = 1 - σ(2e) for y = 1, σ(2e) for y = 0, with
    e = -m·1[a unprivileged]; skipped in the last iteration), and updates m by the
    constraint violation on the training predictions. The result is the last weights
    computed, from m after ``iterations - 2`` updates. Fits whose only effect is a later,
    unused update of m are skipped, and identical (features, label, group) rows are
    merged with summed weights; neither changes the result.

    Parameters
    ----------
    constraint : {"dp", "eop", "eodds"}
        Violation used to update m: FS uses demographic parity (D25).
    """
    if constraint not in ("dp", "eop", "eodds"):
        raise DataError(f"labelbias constraint = {constraint!r}; expected 'dp', 'eop' or 'eodds'")
    if iterations < 2:
        raise DataError(f"labelbias iterations = {iterations}; expected at least 2")
    X, y, a = np.asarray(X, float), np.asarray(y).ravel(), np.asarray(a).ravel()
    unprivileged = a == 0
    first, inverse = merge_duplicates(X, y, a)
    weights, m = np.ones(len(y)), 0.0
    for _ in range(iterations - 2):
        model = LogisticRegression().fit(X[first], y[first], sample_weight=np.bincount(inverse, weights=weights))
        pred = model.predict(X[first])[inverse]
        weights = _label_bias_from_multiplier(m, y, unprivileged)
        m += learning_rate * _label_bias_violation(pred, y, unprivileged, constraint)
    return _label_bias_from_multiplier(m, y, unprivileged)


def _ferm_loss_and_grad(theta, X, y, a):
    """Li & Liu's EOp fairness on a set: mean log loss of {a=0, y=1} minus that of {a=1, y=1}."""
    loss, grad = 0.0, np.zeros_like(theta)
    for group, sign in ((0, 1.0), (1, -1.0)):
        cell = (a == group) & (y == 1)
        if not cell.any():
            raise DataError(f"IF: the validation set has no positive in group {group}; expected both groups")
        p = 1.0 / (1.0 + np.exp(-X[cell] @ theta))
        loss += sign * np.mean(-np.log(p + 1e-16))
        grad += sign * ((p - 1.0) @ X[cell]) / cell.sum()
    return loss, grad


def influence_weights(X_train, y_train, X_val, y_val, a_val, *, l2, alpha, beta, gamma) -> np.ndarray:
    """IF weights (Li & Liu, ICML 2022), as FS ``utils/IFLiLiu`` computes them; LP by HiGHS (D5).

    An L2 logistic surrogate without intercept (objective Σ logloss + l2/2 ‖θ‖²) gives
    per-example gradients g_i, the Hessian H and the influences of removing each training
    point on the validation utility (Σ logloss) and fairness (EOp log-loss gap):
    I_U = g H⁻¹ ∇U, I_F = g H⁻¹ ∇F. The LP over removed fractions x ∈ [0, 1]ⁿ is

    * if F₀ ≥ -Σ_{I_F<0} I_F: min I_F·x s.t. I_U·x ≤ 0, Σx ≤ alpha·n;
    * else: min Σx s.t. I_F·x ≤ -beta·F₀, I_U·x ≤ gamma·Σ_{I_U<0} I_U;

    and the weights are 1 - x.
    """
    X_train, X_val = np.asarray(X_train, float), np.asarray(X_val, float)
    y_train, y_val, a_val = (np.asarray(v, float).ravel() for v in (y_train, y_val, a_val))
    surrogate = LogisticRegression(C=1.0 / l2, fit_intercept=False, tol=1e-8, solver="lbfgs", max_iter=2048)
    theta = surrogate.fit(X_train, y_train).coef_.ravel()
    p_train = 1.0 / (1.0 + np.exp(-X_train @ theta))
    per_example = X_train * (p_train - y_train)[:, None]
    hessian = (X_train * (p_train * (1 - p_train))[:, None]).T @ X_train + l2 * np.eye(X_train.shape[1])
    p_val = 1.0 / (1.0 + np.exp(-X_val @ theta))
    util_grad = (p_val - y_val) @ X_val
    fair_loss, fair_grad = _ferm_loss_and_grad(theta, X_val, y_val, a_val)
    factor = cho_factor(hessian)
    util_infl = per_example @ cho_solve(factor, util_grad)
    fair_infl = per_example @ cho_solve(factor, fair_grad)
    return 1.0 - influence_lp(fair_infl, util_infl, fair_loss, alpha=alpha, beta=beta, gamma=gamma)


def influence_lp(fair_infl, util_infl, fair_loss, *, alpha, beta, gamma) -> np.ndarray:
    """IF's linear program (IFR ``lp``): the removed fraction x ∈ [0, 1]ⁿ of each point."""
    n = len(fair_infl)
    max_fair, max_util = fair_infl[fair_infl < 0].sum(), util_infl[util_infl < 0].sum()
    if fair_loss >= -max_fair:
        result = linprog(fair_infl, A_ub=np.vstack([util_infl, np.ones(n)]), b_ub=[0.0, alpha * n],
                         bounds=(0, 1), method="highs")
    else:
        result = linprog(np.ones(n), A_ub=np.vstack([fair_infl, util_infl]),
                         b_ub=[beta * -fair_loss, gamma * max_util], bounds=(0, 1), method="highs")
    if not result.success:
        raise DataError(f"IF: the linear program failed: {result.message}")
    return result.x


def postpro_predict(scores_val, y_val, a_val, scores_test, a_test, *, tolerance=0.05, seed=0) -> np.ndarray:
    """Hardt et al. post-processing (error-parity ``RelaxedThresholdOptimizer``, equalized odds).

    Fit on validation scores, predict the test split once with a fresh object; the
    global numpy RNG is seeded with ``seed`` because error-parity's interior branch
    draws from it (``algorithms.md`` §3.1).
    """
    from error_parity import RelaxedThresholdOptimizer

    scores_val, scores_test = np.asarray(scores_val, float), np.asarray(scores_test, float)
    optimiser = RelaxedThresholdOptimizer(predictor=lambda s: s, constraint="equalized_odds",
                                          tolerance=tolerance, seed=seed)
    optimiser.fit(scores_val, np.asarray(y_val, int), group=np.asarray(a_val, int))
    np.random.seed(seed)  # noqa: NPY002 - error-parity reads the global RNG
    return np.asarray(optimiser(scores_test, group=np.asarray(a_test, int)), dtype=int)
