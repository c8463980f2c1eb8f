"""Cross-family: FairShap values as a prune strategy of the FairInfl Adult protocol."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.errors import DataError
from fairscore.protocols.cross_family import fairshap_cross_values, fairshap_prune_runs
from fairscore.fairinfl.runs import prune_runs, score_model
from fairscore.fairinfl.rundata import run_data
from fairscore.fairinfl.pruning import keep_indices
from fairscore.fairshap.valuation import fair_shapley_values

from .test_fairinfl import SCORING, TRAINING, prune, toy_data

SHAPLEY = {"k": 3, "sign": "privileged", "device": "numpy", "memory_mb": 16}


def test_fairshap_keeps_the_largest_values_ties_by_index():
    key = np.array([0.5, -3.0, 0.1, 2.0, 0.5, 0.0])
    np.testing.assert_array_equal(keep_indices("fairshap", 0.5, n=6, key=key), [0, 3, 4])  # 2.0, 0.5, 0.5
    # tie 0.5 at rows 0 and 4: the lower index is removed first, so row 4 stays
    np.testing.assert_array_equal(keep_indices("fairshap", 2 / 6, n=6, key=key), [3, 4])
    np.testing.assert_array_equal(keep_indices("fairshap", 1.0, n=6, key=key), np.arange(6))
    # signed, unlike "fairness" which keeps the largest |S|
    np.testing.assert_array_equal(keep_indices("fairness", 1 / 6, n=6, fairness=key), [1])
    np.testing.assert_array_equal(keep_indices("fairshap", 1 / 6, n=6, key=key), [3])


@pytest.mark.parametrize(("key", "match"), [
    (None, r"prune strategy 'fairshap' needs the scores argument key="),
    (np.zeros(5), r"fairshap scores of shape \(5,\); expected \(6,\)"),
    (np.array([0.0, 1.0, np.nan, 0.0, 0.0, 0.0]), r"fairshap scores\[2\] = nan; expected finite scores"),
])
def test_fairshap_bad_key_is_a_data_error(key, match):
    with pytest.raises(DataError, match=match):
        keep_indices("fairshap", 0.5, n=6, key=key)


def test_cross_values_value_each_row_once_against_the_other_folds():
    X, y, z = toy_data(n=60, d=3, seed=1)
    values, fold = fairshap_cross_values(X, y, z, folds=3, seed=7, **SHAPLEY)
    assert values.shape[0] == 60 and {"acc", "eop", "eodds", "eodds_abs"} <= set(values.columns)
    assert sorted(np.unique(fold)) == [0, 1, 2] and np.isfinite(values.to_numpy()).all()
    for f in range(3):  # folds stratified on (label, group): every cell split near-evenly
        for cell in {(a, b) for a, b in zip(y, z, strict=True)}:
            in_cell = (y == cell[0]) & (z == cell[1])
            assert abs((in_cell & (fold == f)).sum() - in_cell.sum() / 3) < 1
    for f in range(3):
        train, ref = fold == f, fold != f
        direct = fair_shapley_values(X[train], y[train], X[ref], y[ref], z[ref], **SHAPLEY)
        pd.testing.assert_frame_equal(values[train].reset_index(drop=True), direct * (train.sum() / 60))
    again, fold_again = fairshap_cross_values(X, y, z, folds=3, seed=7, **SHAPLEY)
    pd.testing.assert_frame_equal(values, again)
    np.testing.assert_array_equal(fold, fold_again)
    _, other = fairshap_cross_values(X, y, z, folds=3, seed=8, **SHAPLEY)
    assert not np.array_equal(fold, other)


@pytest.mark.parametrize(("folds", "match"), [(1, r"folds = 1; expected an integer in \[2, 60\]"),
                                              (40, r"a \(label, group\) cell has \d+ rows; expected at least folds")])
def test_cross_values_bad_folds(folds, match):
    X, y, z = toy_data(n=60, d=3, seed=1)
    with pytest.raises(DataError, match=match):
        fairshap_cross_values(X, y, z, folds=folds, seed=0, **SHAPLEY)


def test_fairshap_prune_retrains_like_prune_runs():
    X, y, z = toy_data()
    d = run_data(X, y, z, run=0)
    _, scores, lfatr = score_model(d, TRAINING, SCORING, run=0)
    values, _ = fairshap_cross_values(d.X_train, d.y_train, d.z_train, folds=2, seed=0, **SHAPLEY)
    runs = fairshap_prune_runs(d, values["eodds"].to_numpy(), training=TRAINING, fractions=[0.5, 1.0], run=0)
    reference = prune_runs(d, scores, training=TRAINING, prune=prune(strategies=["fairness"]), run=0)
    assert list(runs.columns) == list(reference.columns)
    assert list(runs.strategy) == ["fairshap", "fairshap"] and list(runs.kept) == [160, 320]
    full = runs[runs.fraction == 1.0]  # all rows kept: the same model as lfatr
    assert np.allclose(full.accuracy, lfatr["accuracy"]) and np.allclose(full.violation, lfatr["violation"])
