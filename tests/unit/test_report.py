"""Report sections: verdicts from fabricated results with known outcomes, and the HTML page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from fairscore.reporting.compare import compare_table2
from fairscore.errors import DataError
from fairscore.reporting.sections import (
    DEEP_CLAIMS,
    aggregation_section,
    authors_code_note,
    claims_section,
    constant_predictor_section,
    dataset_counts,
    decision_rows,
    decisions_section,
    fairinfl_constant_section,
    runtime_section,
    table2_cells_section,
)
from fairscore.reporting.report import (
    ReportInputs,
    build_deep_report,
    fairinfl_claims,
    markdown_to_html,
    report_claims,
)
from fairscore.reporting.verdicts import Settings

S = Settings(threshold=2.0, margin=0.02, alpha=0.05)
CONSTANT = {"rate_margin": 0.02, "balanced_accuracy": 0.55}

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


def test_adult_claims_follow_the_measured_curves():
    first_order = pd.DataFrame({"predicted": np.arange(10.0), "real": np.arange(10.0) * 2 + 1})
    good = fairinfl_claims(prune_runs(0.02), baselines(), first_order, settings=S).set_index("key")["verdict"]
    bad = fairinfl_claims(prune_runs(0.20), baselines(), None, settings=S).set_index("key")["verdict"]
    assert good["adult_margin"] == "reproduced" and bad["adult_margin"] == "not reproduced"
    assert good["adult_tradeoff"] == "reproduced" and bad["adult_tradeoff"] == "not reproduced"
    assert good["adult_random"] == "reproduced" and good["adult_anomaly"] == "reproduced"
    assert good["first_order"] == "reproduced" and "first_order" not in bad.index
    missing = fairinfl_claims(prune_runs(0.02), baselines().iloc[:0], None, settings=S).set_index("key")
    assert missing.loc["adult_tradeoff", "verdict"] == "undetermined"
    assert missing.loc["adult_tradeoff", "reason"] == "no reduction runs"


def inputs(**changes) -> ReportInputs:
    """Report inputs with only what the claims need (the other fields are not read by report_claims)."""
    fields = {"comparison": None, "cells": None, "counts": None, "prune": prune_runs(0.02), "baselines": baselines(),
              "first_order": None, "runtime": None, "paper_runtimes": None, "split_seconds": None, "decisions": [],
              "config": {}, "ranking": None, "settings": S, "tolerance": 0.002, "constant": CONSTANT}
    return ReportInputs(**{**fields, **changes})


def test_claims_without_deep_outputs_are_undetermined_and_a_variant_sits_beside_ours():
    claims = report_claims(inputs())
    deep = claims[claims["key"].isin(DEEP_CLAIMS)]
    assert len(deep) == len(DEEP_CLAIMS) and (deep["verdict"] == "undetermined").all()
    assert deep["reason"].str.startswith("not run here").all()
    assert set(claims["run"]) == {"default"}
    variant = (prune_runs(0.20), baselines(), {"lam": 0.0, "sign": "signed"})
    first_order = pd.DataFrame({"predicted": np.arange(10.0), "real": np.arange(10.0)})
    both = report_claims(inputs(variant=variant, first_order=first_order))
    theirs = both[both["run"] == "authors_code"].set_index("key")["verdict"]
    assert theirs["adult_margin"] == "not reproduced" and "first_order" not in theirs.index
    text = claims_section(both[both["key"].isin(["adult_margin", "first_order"])])
    assert "| ours: evidence | ours | authors' code: evidence | authors' code |" in text
    assert "not part of the protocol variant" in text
    margin = text.splitlines()[2]
    assert " | reproduced | " in margin and margin.endswith(" | not reproduced |")
    note = authors_code_note(variant[2])
    assert "without its fairness term" in note and "broadcast" in note and "lam = 0.0, sign = signed" in note


def test_deep_claims_from_the_deep_report_replace_not_run():
    deep = pd.DataFrame([{"key": k, "source": "s", "claim": k, "rule": "r", "evidence": "e", "verdict": "reproduced",
                          "reason": np.nan} for k in DEEP_CLAIMS])
    claims = report_claims(inputs(deep_claims=deep))
    assert (claims.loc[claims["key"].isin(DEEP_CLAIMS), "verdict"] == "reproduced").all()
    assert claims["reason"].notna().all()


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


def deep_inputs():
    table1 = pd.DataFrame({"variant": ["celeba", "lfw", "lfw_fairshap"], "training_set": ["CelebA", "LFWA", "LFWA FS"],
                           "accuracy": [0.76, 0.77, 0.80], "tpr_women": [0.58, 0.63, 0.78], "tpr_men": [0.92, 0.90, 0.81],
                           "eop": [0.34, 0.27, 0.03], "n": 10954, **{f"paper_{c}": 0.5 for c in
                                                                     ("accuracy", "tpr_women", "tpr_men", "eop")}})
    lfatr = baselines().assign(method="lfatr")
    extremes = pd.DataFrame({"end": ["highest"] * 20 + ["lowest"] * 20, "z": [1] * 9 + [0] * 11 + [1] * 17 + [0] * 3})
    return table1, (prune_runs(0.02), lfatr), (prune_runs(0.02), lfatr), extremes


def test_deep_report_on_fixtures_says_so_everywhere_and_gives_no_verdicts():
    markdown, claims = build_deep_report(*deep_inputs(), settings=S, fixtures=["celeba", "jigsaw"])
    assert (claims["verdict"] == "undetermined").all() and (claims["reason"] == "fixture data (celeba, jigsaw)").all()
    lines = markdown.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith(("# ", "## "))]
    assert len(headings) >= 3 and all(lines[i + 2].startswith("> **Fixture data** (celeba, jigsaw)") for i in headings)
    assert "| reproduced |" not in markdown and "not reproduced" not in markdown
    real, claims = build_deep_report(*deep_inputs(), settings=S, fixtures=[])
    assert "Fixture data" not in real and "reproduced" in set(claims["verdict"])


def test_table2_cells_show_the_authors_code_column(root):
    paper = pd.read_csv(root / "reference" / "fairshap_table2.csv")
    paper = paper[(paper.dataset == "german") & (paper.protected == "sex") & (paper.method == "FairShap phi_EOp")]
    cells = pd.DataFrame([{"dataset": "german", "protected": "sex", "method": m, "metric": r.metric,
                           "variant": "mean", "mean": r.mean + shift, "se": 0.01, "ci95": 0.02, "marker": "",
                           "n_splits": 50} for r in paper.itertuples()
                          for m, shift in (("FairShap EOp", 0.3), ("FS authors", 0.0))])
    plain = table2_cells_section(compare_table2(cells[cells.method == "FairShap EOp"], paper, threshold=2.0))
    assert "authors' code" not in plain
    text = table2_cells_section(compare_table2(cells, paper, threshold=2.0, recipes={"FairShap EOp": "FS authors"}))
    assert "| paper | ours | difference | z | verdict | authors' code | z | verdict |" in text
    assert re.search(r"\| differs \| [0-9.]+ ± 0\.020 \| \+0\.0 \| reproduced \|$", text.splitlines()[2])


def test_near_constant_rows_are_flagged_next_to_the_majority_row():
    def rows(method, a0, a1, bacc, eop):
        return [{"dataset": "d", "protected": "p", "method": method, "metric": m, "variant": v, "mean": x}
                for m, v, x in (("pos_rate_a0", "mean", a0), ("pos_rate_a1", "mean", a1),
                                ("balanced_accuracy", "mean", bacc), ("eop", "paper", eop))]
    cells = pd.DataFrame(rows("GBC", 0.3, 0.5, 0.70, 0.2) + rows("FairShap", 0.01, 0.02, 0.51, 0.01)
                         + rows("Majority class", 0.0, 0.0, 0.5, 0.0))
    text, flagged = constant_predictor_section(cells, **CONSTANT, majority="Majority class")
    lines = [line for line in text.splitlines() if line.startswith("| d |")]
    assert flagged == 1 and lines[0].startswith("| d | p | Majority class (reference) |")
    assert lines[1].endswith("|  |") and lines[2].endswith("| yes |")
    text, flagged = constant_predictor_section(cells[~cells["metric"].str.startswith("pos")], **CONSTANT,
                                               majority=None)
    assert flagged == 0 and "Not available" in text and "pos_rate_a0" in text
    prune, base = prune_runs(0.02), baselines()
    assert "Not available" in fairinfl_constant_section(prune, base, **CONSTANT)
    diagnostics = {"pos_rate_a0": 0.0, "pos_rate_a1": 0.1, "balanced_accuracy": 0.6}
    flagged = fairinfl_constant_section(prune.assign(**diagnostics), base.assign(**{**diagnostics, "pos_rate_a0": 0.3}),
                                        **CONSTANT)
    assert "| fairness | 0.2 | 0.000 | 0.100 | 0.600 |" in flagged and flagged.count("| yes |") == 15
    assert re.search(r"^\| reduction \|  \| 0\.300 \| 0\.100 \| 0\.600 \| 0\.022 \|  \|$", flagged, flags=re.MULTILINE)


def test_runtime_section_says_one_run_where_a_size_was_timed_once():
    runtime = pd.DataFrame({"method": "fairshap", "n_features": 18, "n_total": [60000, 60000, 100000],
                            "seconds": [4.0, 5.0, 12.0], "machine": "2 cores"})
    paper = pd.DataFrame({"what": ["FairShap weights synthetic"] * 2, "n_total": [60000, 100000], "n_features": 18,
                          "seconds_mean": [14.7, 47.8], "seconds_sd": [np.nan, np.nan], "machine": "i7"})
    lines = runtime_section(runtime, paper, pd.DataFrame(columns=["dataset"])).splitlines()
    assert "| 4.5 ± 0.71 | 2 cores |" in lines[2] and "| 12 (one run) | 2 cores |" in lines[3]
    assert "nan" not in "".join(lines)
