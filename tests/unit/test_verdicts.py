"""Every claim's decision rule: fabricated runs for which it must pass, must fail and must be undetermined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from fairscore.errors import ConfigError
from fairscore.reporting.claims import CLAIMS, PAPER_COUNTS, Curves, decide, fixture_verdicts
from fairscore.reporting.verdicts import (
    NOT_REPRODUCED,
    REPRODUCED,
    UNDETERMINED,
    Estimate,
    Settings,
    cell_verdicts,
    near_constant,
    near_constant_rule,
    tost,
)

S = Settings(threshold=2.0, margin=0.02, alpha=0.05)
FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
NOISE = (-0.002, -0.001, 0.0, 0.001, 0.002)  # the runs' deviations: se ≈ 0.0007


def flat(f):
    return 0.80, 0.10


def runs(fractions=FRACTIONS, n=5, **strategies) -> pd.DataFrame:
    """Prune runs: each strategy's curve f -> (accuracy, |violation|); unnamed strategies are flat."""
    rows = []
    for run in range(n):
        for strategy in ("random", "fairness", "accuracy"):
            curve = strategies.get(strategy, flat)
            for f in fractions:
                acc, v = curve(f)
                rows.append({"run": run, "strategy": strategy, "fraction": f, "accuracy": acc + NOISE[run],
                             "violation_abs": v + NOISE[run]})
    return pd.DataFrame(rows)


def reference(method, acc=0.80, v=0.02, n=5) -> pd.DataFrame:
    return pd.DataFrame([{"run": r, "method": method, "accuracy": acc + NOISE[r], "violation_abs": v + NOISE[r]}
                         for r in range(n)])


def at(fractions, inside, outside):
    """A curve that is ``inside`` (acc, v) at the given kept fractions and ``outside`` elsewhere."""
    return lambda f: inside if any(np.isclose(f, x) for x in fractions) else outside


def verdict(key, *args):
    return decide(key, *args, settings=S)["verdict"]


# ----------------------------------------------------------------------------- one case table for every curve rule
CURVE_CASES = {
    # key: (pass runs, fail runs, undetermined runs, extra argument maker or None)
    "adult_tradeoff": (
        runs(fairness=at([0.3], (0.80, 0.02), (0.70, 0.10))),
        runs(fairness=at([1.0], (0.80, 0.02), (0.70, 0.10))),  # only the unpruned model matches: must fail
        runs(fairness=at([0.3], (0.80, 0.02), (0.70, 0.10))),
        lambda case: reference("reduction") if case != "undetermined" else reference("erm")),
    "adult_random": (
        runs(random=lambda f: (0.80 - 0.1 * (1 - f), 0.10)),
        runs(),  # no accuracy drop
        runs(fractions=(0.1, 0.2, 0.5), random=lambda f: (0.80 - 0.1 * (1 - f), 0.10)),  # no 1.0
        None),
    "adult_tracks": (
        runs(),
        runs(fairness=at([0.3, 0.5], (0.75, 0.10), (0.80, 0.10))),  # equal only at 1.0 and ≤ 0.2: must fail
        runs(fractions=(0.1, 0.2, 1.0)),  # nothing strictly between 0.2 and 1
        None),
    "adult_margin": (
        runs(fairness=lambda f: (0.80, 0.02 if f < 0.4 else 0.10)),
        runs(),
        runs(fractions=(0.05, 0.5, 1.0)),
        None),
    "adult_anomaly": (
        runs(fairness=lambda f: (0.80, 0.30 if f < 0.1 else 0.02)),
        runs(fairness=lambda f: (0.80, 0.02)),
        runs(fractions=(0.1, 0.2, 1.0)),
        None),
    "celeba_lowers": (
        runs(fairness=lambda f: (0.80, 0.02 if f < 1 else 0.10)),
        runs(),
        runs(n=1, fairness=lambda f: (0.80, 0.02 if f < 1 else 0.10)),  # a single run
        None),
    "celeba_tracks": (
        runs(),
        runs(fairness=at([0.5], (0.70, 0.10), (0.80, 0.10))),
        runs().assign(accuracy=np.nan),
        None),
    "celeba_drop": (
        runs(fairness=lambda f: (0.60 if f < 0.2 else 0.80, 0.10)),
        runs(),
        runs(fractions=(0.05, 0.3, 1.0), fairness=lambda f: (0.60 if f < 0.2 else 0.80, 0.10)),  # no 0.2
        None),
    "jigsaw_lowers": (
        runs(fairness=lambda f: (0.80, 0.02 if f < 1 else 0.10)),
        runs(fairness=lambda f: (0.80, 0.12 if f < 1 else 0.10)),
        runs(fractions=(0.05, 1.0)),
        None),
    "jigsaw_lfatr": (
        runs(fairness=at([0.3], (0.80, 0.02), (0.70, 0.10))),
        runs(fairness=at([1.0], (0.80, 0.02), (0.70, 0.10))),  # fraction 1.0 IS lfatr: must fail
        runs(fairness=at([0.3], (0.80, 0.02), (0.70, 0.10))),
        lambda case: reference("lfatr") if case != "undetermined" else reference("lfatr", n=1)),
    "jigsaw_leads": (
        runs(accuracy=lambda f: (0.80 if f < 0.2 else 0.70, 0.10), random=lambda f: (0.70, 0.10),
             fairness=lambda f: (0.70, 0.10)),
        runs(),
        runs(fractions=(0.2, 0.5, 1.0)),
        None),
}


@pytest.mark.parametrize("key", sorted(CURVE_CASES))
@pytest.mark.parametrize("case, expected", [("pass", REPRODUCED), ("fail", NOT_REPRODUCED),
                                            ("undetermined", UNDETERMINED)])
def test_every_curve_rule_can_pass_fail_and_be_undetermined(key, case, expected):
    *cases, extra = CURVE_CASES[key]
    prune = cases[("pass", "fail", "undetermined").index(case)]
    args = (Curves(prune),) + ((extra(case),) if extra else ())
    row = decide(key, *args, settings=S)
    assert row["verdict"] == expected, row
    assert bool(row["reason"]) == (expected == UNDETERMINED)
    assert row["rule"] and "{" not in row["rule"]  # the settings are filled in


def test_every_claim_is_covered_by_a_test():
    covered = set(CURVE_CASES) | {"first_order", "extremes", "table1_eop", "table1_accuracy", "table1_men"}
    assert set(CLAIMS) == covered


def test_first_order_rule():
    x = np.arange(10.0)
    assert verdict("first_order", pd.DataFrame({"predicted": x, "real": 2 * x + 1})) == REPRODUCED
    noisy = pd.DataFrame({"predicted": x, "real": np.random.default_rng(0).normal(size=10)})
    assert verdict("first_order", noisy) == NOT_REPRODUCED
    assert verdict("first_order", None) == UNDETERMINED
    assert verdict("first_order", pd.DataFrame({"predicted": [1.0, 2.0], "real": [1.0, 2.0]})) == UNDETERMINED


def extremes(top_men, low_men, n=20):
    return pd.DataFrame({"end": ["highest"] * n + ["lowest"] * n,
                         "z": [1] * top_men + [0] * (n - top_men) + [1] * low_men + [0] * (n - low_men)})


def test_extremes_rule_tests_the_counts_not_the_direction():
    (top, n), (low, _) = PAPER_COUNTS["highest"], PAPER_COUNTS["lowest"]
    assert verdict("extremes", extremes(top, low, n)) == REPRODUCED  # the paper's own counts pass
    assert verdict("extremes", extremes(0, 1)) == NOT_REPRODUCED  # right direction, no evidence
    assert verdict("extremes", extremes(11, 9)) == NOT_REPRODUCED
    only_top = extremes(9, 17)[lambda d: d["end"] == "highest"]
    assert verdict("extremes", only_top) == UNDETERMINED


def table1(**changes) -> pd.DataFrame:
    table = pd.DataFrame({"variant": ["celeba", "lfw", "lfw_fairshap"],
                          "training_set": ["CelebA", "LFWA", "LFWA FairShap phi_EOp"],
                          "accuracy": [0.76, 0.77, 0.80], "tpr_women": [0.58, 0.63, 0.78],
                          "tpr_men": [0.92, 0.90, 0.81], "eop": [0.34, 0.27, 0.03], "n": 10954,
                          "paper_eop": [0.34, 0.26, 0.03], "paper_accuracy": [0.759, 0.772, 0.799]})
    return table.assign(**changes)


@pytest.mark.parametrize("key", ["table1_eop", "table1_accuracy", "table1_men"])
def test_table1_rules(key):
    assert verdict(key, table1()) == REPRODUCED
    worse = table1(eop=[0.34, 0.27, 0.28], accuracy=[0.76, 0.77, 0.70], tpr_women=[0.91, 0.63, 0.80],
                   tpr_men=[0.92, 0.90, 0.81])
    assert verdict(key, worse) == NOT_REPRODUCED
    assert verdict(key, table1().drop(columns="n")) == UNDETERMINED
    assert verdict(key, table1()[lambda d: d["variant"] != "lfw"]) == UNDETERMINED


def test_table1_evidence_quotes_the_reference_not_typed_numbers():
    row = decide("table1_eop", table1(paper_eop=[0.5, 0.444, 0.111]), settings=S)
    assert "paper 0.111 vs 0.444" in row["evidence"]


def test_tost_needs_evidence_of_equivalence():
    a, b = Estimate(0.80, 0.001, 5), Estimate(0.805, 0.001, 5)
    assert tost(a, b, margin=0.02, alpha=0.05)[0]
    assert not tost(a, b, margin=0.002, alpha=0.05)[0]  # outside the margin
    assert not tost(Estimate(0.80, 0.05, 5), b, margin=0.02, alpha=0.05)[0]  # too noisy to show it


def test_cell_verdicts_four_outcomes():
    z, v = cell_verdicts([0.50, 0.60, np.nan, 0.50, np.nan], [0.01] * 5, [50, 50, 50, 1, np.nan], [0.50] * 5,
                         [0.01] * 5, threshold=2.0, configured=[True, True, True, True, False])
    assert list(v) == [REPRODUCED, "differs", UNDETERMINED, UNDETERMINED, "not run"]
    assert z[0] == 0 and z[1] == pytest.approx(0.1 / np.sqrt(2e-4)) and np.isnan(z[3])


def test_near_constant_flags_constant_and_chance_predictions():
    flags = near_constant([0.0, 0.30, 0.30, 0.99, np.nan], [0.4, 0.35, 0.35, 0.5, np.nan], [0.7, 0.70, 0.52, 0.7, np.nan],
                          rate_margin=0.02, min_balanced_accuracy=0.55)
    assert flags.tolist() == [True, False, True, True, False]


def test_fixture_data_gives_no_verdicts():
    claims = pd.DataFrame([decide("celeba_lowers", Curves(CURVE_CASES["celeba_lowers"][0]), settings=S)])
    assert claims.loc[0, "verdict"] == REPRODUCED
    fixed = fixture_verdicts(claims, ["celeba"])
    assert fixed.loc[0, "verdict"] == UNDETERMINED and "fixture data (celeba)" == fixed.loc[0, "reason"]
    assert fixture_verdicts(claims, []) is claims


def test_docs_show_every_rule_at_the_config_settings(root):
    report = yaml.safe_load((root / "config" / "config.yaml").read_text())["report"]
    settings, docs = Settings.from_config(report), (root / "docs" / "verdicts.md").read_text()
    for key, claim in CLAIMS.items():
        rule = claim.rule.format(threshold=settings.threshold, margin=settings.margin, alpha=settings.alpha)
        assert f"(`{key}`)" in docs and rule in docs, key
    constant = report["constant_predictor"]
    assert f"`rate_margin` ({constant['rate_margin']:g})" in docs
    assert f"`balanced_accuracy` ({constant['balanced_accuracy']:g})" in docs
    assert f"within {constant['rate_margin']:g} of 0 or 1" in near_constant_rule(**constant)


def test_settings_name_a_missing_key():
    assert Settings.from_config({"threshold": 2, "equivalence_margin": 0.02, "equivalence_alpha": 0.05}) == S
    with pytest.raises(ConfigError, match="report.equivalence_margin"):
        Settings.from_config({"threshold": 2, "equivalence_alpha": 0.05})
