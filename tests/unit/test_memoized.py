"""The reduction's memoized oracle: one training per distinct input, the same mitigator as refitting."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.base import clone

from fairscore.models.memoized import FitMemo, MemoizedClassifier
from fairscore.models.tabular import FairMLPClassifier


def _data(n=240, seed=0):
    """Labels and a feature that both follow the group: the DP bound binds, the reduction mixes predictors."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)).astype(np.float32)
    z = rng.integers(0, 2, n)
    X[:, 1] += 1.5 * z
    y = (X[:, 0] + 1.5 * z + 0.5 * rng.standard_normal(n) > 0.5).astype(int)
    return X, y, z


def _mitigator(estimator):
    return ExponentiatedGradient(estimator, constraints=DemographicParity(difference_bound=0.01), eps=0.01,
                                 max_iter=6, eta0=2.0, run_linprog_step=True)


def test_memoized_oracle_trains_each_distinct_input_once_and_gives_the_refitted_mitigator():
    X, y, z = _data()
    estimator = FairMLPClassifier(hidden=8, steps=200, batch_size=32, seed=3)
    plain = _mitigator(estimator).fit(X, y, sensitive_features=z)
    memo = FitMemo()
    memoized = _mitigator(MemoizedClassifier(estimator, memo)).fit(X, y, sensitive_features=z)
    asked = memoized.n_oracle_calls_ - memoized.n_oracle_calls_dummy_returned_
    assert asked == plain.n_oracle_calls_ - plain.n_oracle_calls_dummy_returned_
    assert 0 < len(memo) < asked  # fairlearn repeated some inputs, and each was trained once
    assert (plain.weights_ > 0).sum() >= 2  # a mixture: the repeated fits' weights mattered
    np.testing.assert_array_equal(memoized.weights_.to_numpy(), plain.weights_.to_numpy())
    np.testing.assert_array_equal(memoized._pmf_predict(X), plain._pmf_predict(X))


def test_a_memoized_fit_reuses_only_an_identical_input():
    X, y, _ = _data(n=64)
    memo = FitMemo()
    clf = MemoizedClassifier(FairMLPClassifier(hidden=4, steps=5, batch_size=16), memo)
    w = np.linspace(0.5, 1.5, len(y))
    first = clf.fit(X, y, sample_weight=w).estimator_
    assert clf.fits_
    assert clf.fit(X, y, sample_weight=w.copy()).estimator_ is first and not clf.fits_
    w2 = w.copy()
    w2[7] = np.nextafter(w2[7], 2.0)  # one weight one ulp apart: a different input
    assert clf.fit(X, y, sample_weight=w2).estimator_ is not first and clf.fits_
    assert clf.fit(X, 1 - y, sample_weight=w).fits_
    assert clf.fit(X, y).fits_  # no weights is not the same input as weights
    assert len(memo) == 4


def test_clones_share_the_memo_and_object_inputs_are_refused():
    memo = FitMemo()
    clf = MemoizedClassifier(FairMLPClassifier(hidden=4, steps=5), memo)
    assert clone(clf, safe=False).memo is memo and clone(clf).memo is memo
    X, y, _ = _data(n=32)
    with pytest.raises(TypeError, match="numeric arrays only"):
        clf.fit(X, y.astype(object))
