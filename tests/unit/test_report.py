"""Report sections: verdicts from fabricated results with known outcomes, and the HTML page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.errors import DataError
from fairscore.report import (
    aggregation_section,
    dataset_counts,
    decision_rows,
    decisions_section,
    extremes_claim,
    fairinfl_claims,
    markdown_to_html,
    prune_claims,
    table1_claims,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def prune_runs(fair_violation: float) -> pd.DataFrame:
    """Five runs; prune by fairness has |violation| ``fair_violation`` below 40 %, others 0.10."""
    rng = np.random.default_rng(0)
    rows = []
    for run in range(5):
        for strategy in ("random", "fairness", "accuracy"):
            for f in (0.05, 0.2, 0.3, 0.5, 1.0):
                acc = 0.80 - (0.10 * (1 - f) if strategy == "random" else 0.0) + rng.normal(0, 0.002)
                v = fair_violation if strategy == "fairness" and f < 0.4 else 0.10
                v = 0.30 if strategy == "fairness" and f < 0.1 else v
                rows.append({"run": run, "strategy": strategy, "fraction": f, "kept": 1, "accuracy": acc,
                             "violation": v + rng.normal(0, 0.002), "violation_abs": v + rng.normal(0, 0.002)})
    return pd.DataFrame(rows).assign(violation_abs=lambda d: d["violation_abs"].abs())


def baselines() -> pd.DataFrame:
    return pd.DataFrame([{"run": r, "method": "reduction", "accuracy": 0.80 + 0.001 * r, "violation": 0.02,
                          "violation_abs": 0.02 + 0.001 * r} for r in range(5)])


def test_claims_follow_the_measured_curves():
    first_order = pd.DataFrame({"predicted": np.arange(10.0), "real": np.arange(10.0) * 2 + 1})
    good = fairinfl_claims(prune_runs(0.02), baselines(), first_order).set_index("claim")["verdict"]
    bad = fairinfl_claims(prune_runs(0.20), baselines(), None).set_index("claim")["verdict"]
    margin = next(c for c in good.index if "lowers the violation by a large margin" in c)
    assert good[margin] == "reproduced" and bad[margin] == "not reproduced"
    trade_off = next(c for c in good.index if "reduction" in c)
    assert good[trade_off] == "reproduced" and bad[trade_off] == "not reproduced"
    assert good[next(c for c in good.index if "Random pruning" in c)] == "reproduced"
    assert good[next(c for c in good.index if "anomalously high" in c)] == "reproduced"
    assert good[next(c for c in good.index if "first-order" in c)] == "reproduced"
    assert not any("first-order" in c for c in bad.index)
    assert (good[[c for c in good.index if c.startswith(("CelebA", "Jigsaw"))]] == "not run").all()


def test_dataset_counts_verdicts():
    paper = pd.DataFrame({"dataset": ["d", "d", "e"], "protected": "p", "group": ["a", "b", "a"], "label": "y",
                          "count": [10, 20, 5]})
    ours = pd.DataFrame({"dataset": ["d", "d"], "protected": "p", "group": ["a", "b"], "label": "y",
                         "count": [10, 21]})
    verdicts = dataset_counts(ours, paper).set_index(["dataset", "group"])["verdict"]
    assert verdicts.to_dict() == {("d", "a"): "reproduced", ("d", "b"): "not reproduced", ("e", "a"): "not run"}


def test_aggregation_section_counts_a_changed_best_method():
    cells = pd.DataFrame([
        {"dataset": "d", "protected": "p", "method": m, "metric": "eop", "variant": v, "mean": x}
        for m, paper, absolute in (("A", 0.00, 0.09), ("B", 0.03, 0.04)) for v, x in (("paper", paper),
                                                                                      ("absolute", absolute))])
    text = aggregation_section(cells)
    assert "changes between the two aggregations in 1 of 1 columns: d–p eop: A → B" in text
    assert "| d | p | A | eop | 0.000 | 0.090 | ∞ |" in text


def test_decisions_flag_options_that_differ_from_the_authors_code():
    decisions = [{"id": "D16", "title": "alpha", "config": "fairinfl.scores.alpha", "authors": "centred"},
                 {"id": "D25", "title": "lb", "config": "methods.labelbias.constraint", "authors": "dp"},
                 {"id": "D5", "title": "lp", "config": None}]
    config = {"fairinfl": {"scores": {"alpha": "paper"}}, "methods": {"labelbias": {"constraint": "dp"}}}
    text = decisions_section(decision_rows(decisions, config))
    assert "| D16 | alpha | fairinfl.scores.alpha | paper | centred | yes |" in text
    assert "| D25 | lb | methods.labelbias.constraint | dp | dp | no |" in text
    assert "| D5 | lp | fixed in code |" in text
    with pytest.raises(DataError, match="'fairinfl.scores.eta'"):
        decision_rows([{"id": "D", "title": "t", "config": "fairinfl.scores.eta"}], config)


def test_html_embeds_local_images_and_refuses_urls(tmp_path):
    (tmp_path / "fig").mkdir()
    (tmp_path / "fig" / "a.png").write_bytes(PNG)
    page = markdown_to_html("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![a](fig/a.png)\n", base=tmp_path, title="t")
    assert "<table>" in page and 'src="data:image/png;base64,' in page and "fig/a.png" not in page
    with pytest.raises(DataError, match="expected a local file"):
        markdown_to_html("![x](https://example.org/x.png)", base=tmp_path, title="t")
    with pytest.raises(DataError, match="external URL"):
        markdown_to_html("[x](https://example.org)", base=tmp_path, title="t")
    with pytest.raises(DataError, match="does not exist"):
        markdown_to_html("![x](fig/missing.png)", base=tmp_path, title="t")


def test_celeba_and_jigsaw_statements_follow_the_curves():
    runs = prune_runs(0.02)
    fair, acc = runs["strategy"] == "fairness", runs["strategy"] == "accuracy"
    runs.loc[acc, "accuracy"] = runs.loc[fair, "accuracy"].to_numpy()  # same rows order: prune by accuracy ≡ fairness
    celeba = prune_claims(runs, baselines(), dataset="celeba").set_index("claim")["verdict"]
    assert celeba["Prune by fairness lowers the violation as the data shrink."] == "reproduced"
    assert celeba[next(c for c in celeba.index if c.startswith("Above 20 %"))] == "reproduced"
    assert celeba[next(c for c in celeba.index if "drops strikingly" in c)] == "not reproduced"  # flat accuracy
    assert (prune_claims(prune_runs(0.20), baselines(), dataset="celeba").iloc[0]["verdict"]) == "not reproduced"
    lfatr = pd.DataFrame([{"run": r, "method": "lfatr", "accuracy": 0.80 + 0.001 * r, "violation": 0.02,
                           "violation_abs": 0.02 + 0.001 * r} for r in range(5)])
    jigsaw = prune_claims(runs, lfatr, dataset="jigsaw").set_index("claim")["verdict"]
    like_lfatr = next(c for c in jigsaw.index if "like lfatr" in c)
    assert jigsaw[like_lfatr] == "reproduced"  # fairness at 0.2 and 0.3: accuracy 0.80, |violation| 0.02
    below = next(c for c in jigsaw.index if c.startswith("Below 20 %"))
    assert jigsaw[below] == "not reproduced"  # prune by accuracy is not ahead of random or fairness


def test_table1_and_extremes_statements():
    table = pd.DataFrame({"variant": ["celeba", "lfw", "lfw_fairshap"],
                          "training_set": ["CelebA", "LFWA", "LFWA FairShap phi_EOp"],
                          "accuracy": [0.76, 0.77, 0.80], "tpr_women": [0.58, 0.63, 0.78],
                          "tpr_men": [0.92, 0.90, 0.81], "eop": [0.34, 0.27, 0.03]})
    assert (table1_claims(table)["verdict"] == "reproduced").all()
    worse = table.assign(eop=[0.34, 0.27, 0.30], accuracy=[0.76, 0.77, 0.70])
    assert table1_claims(worse)["verdict"].tolist()[:2] == ["not reproduced", "not reproduced"]
    extremes = pd.DataFrame({"end": ["highest"] * 4 + ["lowest"] * 4, "z": [1, 0, 1, 0, 1, 1, 1, 0]})
    assert extremes_claim(extremes).loc[0, "verdict"] == "reproduced"
    assert extremes_claim(extremes.assign(z=1)).loc[0, "verdict"] == "not reproduced"
