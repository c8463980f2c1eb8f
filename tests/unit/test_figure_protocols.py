"""The FairShap figure protocols: α curves, reference-size ablation, run times, synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.errors import ConfigError
from fairscore.protocols.fairshap_studies import (
    ablation_runs,
    alpha_curve_runs,
    reference_subset,
    synthetic_case,
)
from fairscore.protocols.table2 import fairshap_split_scores, table2_method_runs
from fairscore.protocols.runtime import runtime_runs
from fairscore.datasets.splits import stratified_split
from fairscore.datasets.synthetic import gaussian_classes, gaussian_clusters


def toy(seed=0, n=300):
    X, y, a = gaussian_classes(n, 3, seed=seed)
    strata = np.column_stack([y, a])
    splits = [stratified_split(strata, seed=s) for s in (1, 2)]
    return X, y, a, strata, splits


def test_alpha_zero_is_the_unweighted_gbc_and_alpha_one_the_fairshap_method():
    X, y, a, _, splits = toy()
    seeds = [1, 2]
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    runs = alpha_curve_runs("eop", [0.0, 0.5, 1.0], X, y, a, splits, seeds, dataset="toy", fairshap=scores)
    assert sorted(runs["alpha"].unique()) == [0.0, 0.5, 1.0] and len(runs) == 6
    gbc = table2_method_runs({"kind": "gbc"}, X, y, a, splits, seeds, dataset="toy")
    pure = table2_method_runs({"kind": "fairshap", "valuation": "eop", "alpha": 1.0}, X, y, a, splits, seeds,
                              dataset="toy", fairshap=scores)
    metrics = ["accuracy", "macro_f1", "eop", "eodds"]
    pd.testing.assert_frame_equal(runs[runs.alpha == 0.0][metrics].reset_index(drop=True), gbc[metrics])
    pd.testing.assert_frame_equal(runs[runs.alpha == 1.0][metrics].reset_index(drop=True), pure[metrics])


def test_alpha_curve_fits_split_by_split_as_table2_runs_each_alpha():
    X, y, a, _, splits = toy()
    seeds = [1, 2]
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    runs = alpha_curve_runs("eodds", [0.25, 0.5], X, y, a, splits, seeds, dataset="toy", fairshap=scores)
    for alpha in (0.25, 0.5):
        one = table2_method_runs({"kind": "fairshap", "valuation": "eodds", "alpha": alpha}, X, y, a, splits, seeds,
                                 dataset="toy", fairshap=scores)
        pd.testing.assert_frame_equal(runs[runs.alpha == alpha].drop(columns="alpha").reset_index(drop=True), one)


def test_reference_subset_is_stratified_seeded_and_full_at_one():
    validation = np.arange(100, 300)
    strata = np.array(["a", "b", "c", "d"] * 50)
    sub = reference_subset(validation, strata, 0.25, seed=3)
    assert len(sub) == 50 and set(sub) <= set(validation)
    counts = pd.Series(strata[np.searchsorted(validation, sub)]).value_counts()
    assert (counts == 12).sum() + (counts == 13).sum() == 4  # each stratum keeps its quarter
    np.testing.assert_array_equal(sub, reference_subset(validation, strata, 0.25, seed=3))
    np.testing.assert_array_equal(reference_subset(validation, strata, 1.0, seed=3), validation)


def test_ablation_reports_each_fraction_and_the_unweighted_reference():
    X, y, a, strata, _ = toy(n=400)
    runs = ablation_runs(X, y, a, strata, [5, 6], fractions=[0.25, 1.0], valuations=["eop", "eodds"])
    assert len(runs) == 2 * (1 + 2 * 2)
    weighted = runs[runs.method != "gbc"]
    assert sorted(weighted.fraction.unique()) == [0.25, 1.0]
    n_validation = int(0.5 * (400 - int(0.6 * 400)))
    assert set(weighted[weighted.fraction == 1.0].n_reference) == {n_validation}
    assert set(weighted[weighted.fraction == 0.25].n_reference) == {int(round(0.25 * n_validation))}
    assert runs[runs.method == "gbc"].fraction.isna().all()


def test_runtime_runs_time_every_case_and_name_the_method_it_cannot_run():
    runs = runtime_runs(["fairshap", "group_rw", "optprep"], sizes=[100, 200], n_features=6, repeats=2, seed=0,
                        fairshap_features=[3])
    timed = runs[runs.seconds.notna()]
    assert len(timed) == 2 * 2 * 2 + 2 * 2  # (fairshap, group_rw) at 6 features + fairshap at 3 features
    assert (timed.seconds > 0).all()
    assert set(timed[timed.method == "fairshap"].n_features) == {3, 6}
    skipped = runs[runs.seconds.isna()]
    assert list(skipped.method) == ["optprep"] and "discrete" in skipped.note.iloc[0]
    with pytest.raises(ConfigError, match="'magic'"):
        runtime_runs(["magic"], sizes=[100], n_features=2, repeats=1, seed=0)


def test_gaussian_clusters_draw_each_cluster_with_its_label_and_group():
    clusters = [{"mean": [0, 0], "cov": [[1, 0], [0, 1]], "label": 1, "group": 0, "n": 30},
                {"mean": [5, 5], "cov": [[1, 0], [0, 1]], "label": 0, "group": 1, "n": 20}]
    X, y, a = gaussian_clusters(clusters, seed=0)
    assert X.shape == (50, 2) and (y == 1).sum() == 30 and ((y == 1) == (a == 0)).all()
    assert X[y == 0].mean() > 3 > X[y == 1].mean()
    np.testing.assert_array_equal(X, gaussian_clusters(clusters, seed=0)[0])
    with pytest.raises(ConfigError, match="cluster 1: missing keys \\['n'\\]"):
        gaussian_clusters([clusters[0], {k: v for k, v in clusters[1].items() if k != "n"}], seed=0)


def test_synthetic_case_values_training_points_and_fits_three_regressions():
    clusters = [{"mean": m, "cov": [[1, 0], [0, 1]], "label": lab, "group": g, "n": 60}
                for m, lab, g in (([1, 1], 1, 1), ([0, 1], 1, 0), ([-1, -1], 0, 1), ([0, -1], 0, 0))]
    X, y, a = gaussian_clusters(clusters, seed=1)
    points, models = synthetic_case(X, y, a, seed=1, top=10)
    train = points[points.part == "train"]
    assert train[["tpr", "tnr", "w_eop", "w_eodds"]].notna().all().all()
    assert points[points.part != "train"][["w_eop"]].isna().all().all()
    assert points.top_eop.sum() == 10 and points[points.top_eop].w_eop.min() >= train.w_eop.nlargest(10).min()
    assert list(models.weighting) == ["none", "eop", "eodds"] and models.accuracy.between(0, 1).all()
