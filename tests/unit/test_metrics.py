"""Table 2 metrics against hand-computed values and fairlearn; aggregation; markers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import equalized_odds_difference, true_positive_rate_difference
from scipy import stats
from sklearn.metrics import f1_score

from fairscore.protocols.metrics import aggregate, ci95_factor, significance_markers, split_metrics

# group 0: y=1 -> pred 1,0 ; y=0 -> pred 0,0,1     group 1: y=1 -> pred 1,1,1 ; y=0 -> pred 1,0
Y = np.array([1, 1, 0, 0, 0, 1, 1, 1, 0, 0])
P = np.array([1, 0, 0, 0, 1, 1, 1, 1, 1, 0])
A = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])


def test_hand_computed_confusion_matrix():
    m = split_metrics(Y, P, A)
    assert m["accuracy"] == pytest.approx(7 / 10)
    assert m["tpr_a0"] == pytest.approx(1 / 2) and m["tpr_a1"] == pytest.approx(1.0)
    assert m["fpr_a0"] == pytest.approx(1 / 3) and m["fpr_a1"] == pytest.approx(1 / 2)
    assert m["eop"] == pytest.approx(-1 / 2) and m["eop_abs"] == pytest.approx(1 / 2)
    assert m["eodds"] == pytest.approx(0.5 * ((1 / 3 - 1 / 2) + (1 / 2 - 1)))
    assert m["eodds_abs"] == pytest.approx(0.5 * (1 / 6 + 1 / 2))
    # class 1: precision 4/6, recall 4/5; class 0: precision 3/4, recall 3/5
    f1_1, f1_0 = 2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5), 2 * (3 / 4) * (3 / 5) / (3 / 4 + 3 / 5)
    assert m["macro_f1"] == pytest.approx((f1_0 + f1_1) / 2)
    assert m["balanced_accuracy"] == pytest.approx((4 / 5 + 3 / 5) / 2)


def test_agrees_with_fairlearn_and_sklearn_where_definitions_coincide():
    rng = np.random.default_rng(0)
    y, p, a = rng.integers(0, 2, 500), rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    m = split_metrics(y, p, a)
    assert m["eop_abs"] == pytest.approx(true_positive_rate_difference(y, p, sensitive_features=a))
    assert m["eodds_abs"] == pytest.approx(equalized_odds_difference(y, p, sensitive_features=a, agg="mean"))
    assert m["macro_f1_ind"] == pytest.approx(f1_score(y, p, average="macro", zero_division=0))


def test_paper_macro_f1_is_zero_when_a_class_is_never_predicted():
    y, a = np.array([0, 1, 1, 0]), np.array([0, 0, 1, 1])
    m = split_metrics(y, np.ones(4, int), a)
    assert m["macro_f1"] == 0.0
    assert m["macro_f1_ind"] == pytest.approx(f1_score(y, np.ones(4, int), average="macro", zero_division=0))



def test_positive_rates_per_group_by_hand():
    m = split_metrics(Y, P, A)
    # group 0 predictions 1,0,0,0,1; group 1 predictions 1,1,1,1,0
    assert m["pos_rate_a0"] == pytest.approx(2 / 5) and m["pos_rate_a1"] == pytest.approx(4 / 5)


def test_a_constant_predictor_has_zero_gaps_equal_rates_and_chance_balanced_accuracy():
    for constant in (0, 1):
        m = split_metrics(Y, np.full(len(Y), constant), A)
        assert m["pos_rate_a0"] == m["pos_rate_a1"] == constant
        assert m["balanced_accuracy"] == 0.5
        assert m["eop"] == m["eodds"] == 0.0


def test_positive_rate_of_a_group_without_rows_is_nan():
    m = split_metrics(np.array([1, 0]), np.array([1, 1]), np.array([1, 1]))
    assert np.isnan(m["pos_rate_a0"]) and m["pos_rate_a1"] == 1.0

@pytest.fixture()
def per_split():
    rng = np.random.default_rng(1)
    rows = []
    for split in range(20):
        for method, shift in (("A", 0.0), ("B", 0.05), ("C", 0.0)):
            eop = rng.normal(0.1 - shift * 2, 0.05)
            rows.append({"method": method, "split": split, "accuracy": 0.7 + shift + rng.normal(0, 0.01),
                         "eop": eop, "eop_abs": abs(eop), "eodds": eop / 2, "eodds_abs": abs(eop) / 2})
    frame = pd.DataFrame(rows)
    frame.loc[frame.method == "C", ["accuracy", "eop", "eop_abs", "eodds", "eodds_abs"]] = \
        frame.loc[frame.method == "A", ["accuracy", "eop", "eop_abs", "eodds", "eodds_abs"]].to_numpy()
    return frame


def test_aggregation_variants(per_split):
    table = aggregate(per_split, keys=["method"], metrics=["accuracy", "eop"])
    a = per_split[per_split.method == "A"]
    paper = table[(table.method == "A") & (table.metric == "eop") & (table.variant == "paper")].iloc[0]
    absolute = table[(table.method == "A") & (table.metric == "eop") & (table.variant == "absolute")].iloc[0]
    assert paper["mean"] == pytest.approx(abs(a.eop.mean()))
    assert paper["sd"] == pytest.approx(a.eop.std(ddof=1))
    assert absolute["mean"] == pytest.approx(a.eop_abs.mean())
    assert paper["se"] == pytest.approx(paper["sd"] / np.sqrt(20))
    assert paper["ci95"] == pytest.approx(stats.t.ppf(0.975, 19) * paper["se"])


@pytest.mark.parametrize(("n_splits", "factor"), [(3, 4.30), (50, 2.01)])
def test_half_width_is_the_t_quantile_for_the_number_of_splits(n_splits, factor):
    values = np.random.RandomState(n_splits).normal(0.7, 0.05, n_splits)
    per_split = pd.DataFrame({"method": "A", "split": range(n_splits), "accuracy": values})
    cell = aggregate(per_split, keys=["method"], metrics=["accuracy"]).iloc[0]
    assert cell["se"] == pytest.approx(values.std(ddof=1) / np.sqrt(n_splits))
    assert cell["ci95"] / cell["se"] == pytest.approx(factor, abs=0.005)
    assert cell["ci95"] > 1.96 * cell["se"]


def test_half_width_of_a_single_split_is_undefined():
    cell = aggregate(pd.DataFrame({"method": ["A"], "split": [0], "accuracy": [0.7]}), keys=["method"],
                     metrics=["accuracy"]).iloc[0]
    assert np.isnan(cell["ci95"]) and np.isnan(ci95_factor(1))


def test_markers_against_the_best_method(per_split):
    table = aggregate(per_split, keys=["method"], metrics=["accuracy", "eop"])
    table["marker"] = significance_markers(per_split, table, column_keys=[])
    acc = table[table.metric == "accuracy"].set_index("method")["marker"]
    assert acc["B"] == "" and acc["A"] == "‡"  # B is best by 0.05 over 20 splits
    assert acc["C"] == "‡"
    paper = table[(table.metric == "eop") & (table.variant == "paper")].set_index("method")["marker"]
    assert paper["B"] == ""  # B has the smallest |mean signed EOp|
    # C has identical values to A: compared with the best, not with A; never marked against itself
    assert set(paper) <= {"", "†", "‡"}
