"""Table 2 cells and their paper-layout renderings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.reporting.tables import paper_layout_cells, render_latex, render_markdown, table2_cells


@pytest.fixture(scope="module")
def per_split():
    rng = np.random.default_rng(0)
    rows = []
    for dataset, protected in (("german", "sex"), ("german", "age"), ("compas", "sex"), ("compas", "race")):
        for method, bias in (("GBC", 0.10), ("FairShap EOp", 0.0), ("IF", 0.10)):
            for split in range(10):
                eop = rng.normal(bias, 0.03)
                rows.append({"dataset": dataset, "protected": protected, "method": method, "split": split,
                             "accuracy": rng.normal(0.7, 0.01), "macro_f1": rng.normal(0.6, 0.01),
                             "eop": eop, "eop_abs": abs(eop), "eodds": eop / 2, "eodds_abs": abs(eop) / 2})
    return pd.DataFrame(rows)


def test_cells_have_every_column_and_variant(per_split):
    cells = table2_cells(per_split, metrics=["accuracy", "macro_f1", "eop", "eodds"])
    assert list(cells.columns) == ["dataset", "protected", "method", "metric", "variant", "mean", "sd", "se",
                                   "ci95", "n_splits", "marker"]
    assert len(cells) == 4 * 3 * (2 + 2 * 2)
    eop = cells[(cells.metric == "eop") & (cells.variant == "paper") & (cells.protected == "sex")
                & (cells.dataset == "german")].set_index("method")
    assert eop.loc["FairShap EOp", "marker"] == "" and eop.loc["GBC", "marker"] == "‡"


def test_markdown_and_latex_layout(per_split):
    cells = table2_cells(per_split, metrics=["accuracy", "macro_f1", "eop", "eodds"])
    md = render_markdown(cells)
    assert "## german" in md and "## compas" in md
    assert "| Method | sex: Acc | sex: MF1 | sex: EOp | sex: EOp (abs) | sex: EOdds | sex: EOdds (abs) | age: Acc" in md
    assert md.startswith("# Table 2 (FairShap): mean ± 95 % half-width t(0.975, S−1)·SE over S splits")
    gbc = next(line for line in md.splitlines() if line.startswith("| GBC"))
    german_sex_acc = cells.query("dataset == 'german' and protected == 'sex' and method == 'GBC' "
                                 "and metric == 'accuracy'").iloc[0]
    assert f"{german_sex_acc['mean']:.3f} ± {german_sex_acc['ci95']:.3f}" in gbc
    assert gbc.count("±") == 12 and "‡" in gbc
    tex = render_latex(cells)
    assert tex.startswith(r"\begin{tabular}") and tex.rstrip().endswith(r"\end{tabular}")
    assert r"$\pm$" in tex and r"$^\ddagger$" in tex and tex.count(r"\\") == 2 * (1 + 1 + 3)


def test_reference_rows_and_diagnostics_are_unmarked_and_outside_the_paper_layout(per_split):
    metrics = ["accuracy", "macro_f1", "eop", "eodds"]
    plain = table2_cells(per_split, metrics=metrics)
    constant = per_split[per_split.method == "GBC"].assign(method="Majority class", eop=0.0, eop_abs=0.0, eodds=0.0,
                                                          eodds_abs=0.0)
    both = pd.concat([per_split, constant], ignore_index=True)
    both["pos_rate_a0"] = both["pos_rate_a1"] = 0.5
    cells = table2_cells(both, metrics=metrics, diagnostics=["pos_rate_a0", "pos_rate_a1"],
                         references=["Majority class"])
    # the compared rows and their markers are those of the table without the reference, first
    pd.testing.assert_frame_equal(cells.iloc[:len(plain)], plain)
    rest = cells.iloc[len(plain):]
    assert (rest["marker"] == "").all()
    assert set(rest.loc[rest.metric.isin(metrics), "method"]) == {"Majority class"}
    assert set(rest.loc[rest.metric == "pos_rate_a0", "method"]) == {"GBC", "FairShap EOp", "IF", "Majority class"}
    # compared, the majority row would be the best EOp of every column and mark FairShap EOp
    marked = table2_cells(both, metrics=metrics)
    fs = marked[(marked.method == "FairShap EOp") & (marked.metric == "eop") & (marked.variant == "absolute")]
    assert fs["marker"].isin(["‡", "†"]).all()
    assert (plain[(plain.method == "FairShap EOp") & (plain.metric == "eop")]["marker"] == "").all()
    paper = paper_layout_cells(cells, metrics=metrics, references=["Majority class"])
    pd.testing.assert_frame_equal(paper, plain)
    assert render_markdown(paper) == render_markdown(plain)

def test_ranks_put_the_highest_accuracy_and_the_smallest_gap_first():
    from fairscore.reporting.tables import rank_methods, render_ranking

    cells = pd.DataFrame([
        {"dataset": "d", "protected": "p", "method": m, "metric": metric, "variant": variant, "mean": value,
         "marker": marker}
        for m, acc, gap, marker in (("A", 0.80, 0.10, np.nan), ("B", 0.70, 0.02, "‡"), ("C", 0.80, 0.05, "†"))
        for metric, variant, value in (("accuracy", "mean", acc), ("eop", "paper", gap))])
    ranked = rank_methods(cells).set_index(["method", "metric"])["rank"]
    assert ranked[("A", "accuracy")] == ranked[("C", "accuracy")] == 1 and ranked[("B", "accuracy")] == 3
    assert [ranked[(m, "eop")] for m in "BCA"] == [1, 2, 3]
    md = render_ranking(rank_methods(cells))
    assert "| A | 0.800 (1) | 0.100 (3) | 2.0 |" in md and "| B | 0.700 (3)‡ | 0.020 (1)‡ | 2.0 |" in md
    assert "nan" not in md
