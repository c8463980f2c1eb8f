"""Table 2 baselines: shapes, the properties each method promises, and exact shortcuts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fairscore.protocols.baselines import (
    group_reweighing_weights,
    influence_lp,
    influence_weights,
    label_bias_weights,
    merge_duplicates,
    postpro_predict,
)
from fairscore.protocols.metrics import split_metrics


@pytest.fixture(scope="module")
def tabular():
    """Few distinct rows (as in the AIF360 data), a biased label, two groups."""
    rng = np.random.default_rng(0)
    n = 600
    a = (rng.random(n) < 0.6).astype(int)
    X = np.column_stack([a, rng.integers(0, 3, n), rng.integers(0, 2, n)]).astype(float)
    y = (rng.random(n) < 0.3 + 0.3 * a + 0.1 * X[:, 1]).astype(int)
    X = (X - X.mean(0)) / X.std(0)
    return X, y, a


def test_group_reweighing_equalises_the_weighted_label_rate(tabular):
    _, y, a = tabular
    w = group_reweighing_weights(y, a)
    assert w.shape == y.shape and np.isfinite(w).all() and (w > 0).all()
    rates = [np.sum(w[(a == g) & (y == 1)]) / np.sum(w[a == g]) for g in (0, 1)]
    assert rates[0] == pytest.approx(rates[1]) == pytest.approx(y.mean())
    assert len(np.unique(w)) == 4


def reference_label_bias(X, y, a, iterations=100):
    """FS utils/labelbias.py::jiang_weights, written straight: every fit, no merging."""
    g = (a == 0).astype(float)
    w, m = np.ones(len(y)), 0.0
    for t in range(1, iterations + 1):
        pred = LogisticRegression().fit(X, y, sample_weight=w).predict(X)
        if t != iterations:
            e = -m * g
            sigma = np.exp(e) / (np.exp(e) + np.exp(-e))
            w = np.where(y == 1, 1 - sigma, sigma)
        m += pred.mean() - pred[g == 1].mean()
    return w


def test_label_bias_equals_the_straight_protocol(tabular):
    X, y, a = tabular
    ours = label_bias_weights(X, y, a)
    np.testing.assert_allclose(ours, reference_label_bias(X, y, a), rtol=1e-9)
    assert ((ours > 0) & (ours < 1)).all()
    assert (ours[a == 1] == 0.5).all() and len(np.unique(ours[a == 0])) == 2  # only m·1[a = 0] moves them


def test_influence_lp_satisfies_its_constraints():
    rng = np.random.default_rng(1)
    fair, util = rng.normal(size=300), rng.normal(size=300)
    x = influence_lp(fair, util, fair_loss=10.0, alpha=0.5, beta=0.5, gamma=0.2)  # first branch
    assert (x >= -1e-9).all() and (x <= 1 + 1e-9).all()
    assert util @ x <= 1e-7 and x.sum() <= 0.5 * 300 + 1e-7
    x = influence_lp(fair, util, fair_loss=0.1, alpha=1, beta=0.5, gamma=0.2)  # second branch
    assert fair @ x <= 0.5 * -0.1 + 1e-7 and util @ x <= 0.2 * util[util < 0].sum() + 1e-7


def test_influence_lp_with_zero_beta_gamma_removes_nothing():
    """German's hyperparameters (beta = gamma = 0): the second branch's optimum is x = 0, so IF = GBC."""
    rng = np.random.default_rng(3)
    fair, util = rng.normal(size=200), rng.normal(size=200)
    np.testing.assert_allclose(influence_lp(fair, util, fair_loss=0.01, alpha=1, beta=0, gamma=0), 0, atol=1e-12)


def test_influence_weights_are_fractions(tabular):
    X, y, a = tabular
    w = influence_weights(X[:400], y[:400], X[400:], y[400:], a[400:], l2=2.26, alpha=1, beta=0.5, gamma=0.2)
    assert ((w >= -1e-9) & (w <= 1 + 1e-9)).all() and w.shape == (400,)


def test_postpro_meets_equalized_odds_on_its_fit_data():
    rng = np.random.default_rng(2)
    n = 20000
    a = rng.integers(0, 2, n)
    y = (rng.random(n) < 0.3 + 0.3 * a).astype(int)
    scores = np.clip(0.3 * y + 0.25 * a + rng.normal(0.2, 0.2, n), 0, 1)
    pred = postpro_predict(scores, y, a, scores, a, tolerance=0.05, seed=7)
    m = split_metrics(y, pred, a)
    assert abs(m["tpr_a0"] - m["tpr_a1"]) <= 0.05 + 0.02
    assert abs(m["fpr_a0"] - m["fpr_a1"]) <= 0.05 + 0.02
    np.testing.assert_array_equal(pred, postpro_predict(scores, y, a, scores, a, tolerance=0.05, seed=7))


def test_group_reweighing_on_top_of_initial_weights_uses_weighted_counts(tabular):
    _, y, a = tabular
    initial = np.random.default_rng(4).random(len(y)) + 0.5
    w = group_reweighing_weights(y, a, initial=initial)
    n = initial.sum()
    for g in (0, 1):
        for label in (0, 1):
            cell = (a == g) & (y == label)
            expected = initial[y == label].sum() * initial[a == g].sum() / (n * initial[cell].sum())
            np.testing.assert_allclose(w[cell], initial[cell] * expected)


@pytest.mark.parametrize("n_values", [3, 40, 5000])
def test_merge_duplicates_is_numpy_unique_over_rows(n_values):
    # few values: many duplicates; 5000 values in 8 columns: the combined key is re-ranked
    # before it overflows; -0.0 equals 0.0 as in numpy's comparison of rows
    rng = np.random.default_rng(n_values)
    X = rng.integers(0, n_values, size=(4000, 8)) / 7.0 - 1.0
    X[rng.random(X.shape) < 0.05] = -0.0
    y, a = rng.integers(0, 2, 4000), rng.integers(0, 2, 4000)
    X[2000:], y[2000:], a[2000:] = X[:2000], y[:2000], a[:2000]
    first, inverse = merge_duplicates(X, y, a)
    _, numpy_first, numpy_inverse = np.unique(np.column_stack([X, y, a]), axis=0, return_index=True,
                                              return_inverse=True)
    assert np.array_equal(first, numpy_first) and np.array_equal(inverse, numpy_inverse.ravel())
    assert len(first) <= 2000  # the second half repeats the first
