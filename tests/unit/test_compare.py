"""Verdicts of the comparison with the paper's Table 2: ours and the authors'-code recipe column."""

from __future__ import annotations

import pandas as pd
import pytest

from fairscore.reporting.compare import compare_table2, recipe_note, summarise_comparison, within_printed

RECIPE = "FairShap EOp (authors' code)"


def german_cells(root, *, recipe=False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's German–sex cells, and ours fabricated from them with known shifts."""
    paper = pd.read_csv(root / "reference" / "fairshap_table2.csv")
    german = paper[(paper.dataset == "german") & (paper.protected == "sex")]
    assert len(german) == 9 * 4
    ours = []
    for row in german.itertuples():
        se = row.se / 1.96  # our se equal to the paper's
        shift = {"accuracy": 0.0, "macro_f1": 1.0 * se, "eop": 5.0 * se, "eodds": 0.0}[row.metric]
        label = {"Postpro": "PostPro", "FairShap phi_EOp": "FairShap EOp",
                 "FairShap phi_EOdds": "FairShap EOdds"}.get(row.method, row.method)
        if label == "IF":
            continue  # a method we did not run
        cell = {"dataset": "german", "protected": "sex", "method": label, "metric": row.metric,
                "variant": "paper" if row.metric in ("eop", "eodds") else "mean",
                "mean": row.mean + shift, "se": se, "ci95": row.se, "marker": "", "n_splits": 50}
        ours.append(cell)
        if recipe and label == "FairShap EOp":  # the recipe hits the printed mean to 0.001
            ours.append({**cell, "method": RECIPE, "mean": row.mean + 0.001})
    return pd.DataFrame(ours), german


def test_known_differences_give_the_expected_verdicts(root):
    ours, german = german_cells(root)
    result = compare_table2(ours, german, threshold=2.0)
    verdict = result.set_index(["paper_method", "metric"])["verdict"]
    assert verdict[("GBC", "accuracy")] == "reproduced"
    assert verdict[("GBC", "macro_f1")] == "reproduced"  # z = 1/sqrt(2)
    assert verdict[("GBC", "eop")] == "differs"  # z = 5/sqrt(2) > 2
    assert (verdict.loc["IF"] == "not run").all()
    assert result.loc[result.paper_method == "GBC"].set_index("metric")["z"]["eop"] == pytest.approx(5 / 2 ** 0.5)
    # without a recipe method, the authors' code column is our own row
    assert result["authors_verdict"].equals(result["verdict"])
    summary = summarise_comparison(result, threshold=2.0, tolerance=0.002)
    assert summary.startswith(f"# Table 2 against the paper (|z| ≤ 2): ours: {(result.verdict == 'reproduced').sum()} "
                              "of 36 cells reproduced")
    assert "| german | sex | GBC | eop |" in summary and "authors' code" not in summary


def test_missing_or_single_split_cells_are_undetermined_not_differing(root):
    ours, german = german_cells(root)
    gbc = ours["method"] == "GBC"
    ours.loc[gbc & (ours["metric"] == "accuracy"), "mean"] = float("nan")
    ours.loc[gbc & (ours["metric"] == "eop"), "n_splits"] = 1
    verdict = compare_table2(ours, german, threshold=2.0).set_index(["paper_method", "metric"])["verdict"]
    assert verdict[("GBC", "accuracy")] == "undetermined" and verdict[("GBC", "eop")] == "undetermined"
    assert (verdict.loc["IF"] == "not run").all()


def test_recipe_rows_fill_the_authors_code_column(root):
    ours, german = german_cells(root, recipe=True)
    result = compare_table2(ours, german, threshold=2.0, recipes={"FairShap EOp": RECIPE})
    eop = result[result["paper_method"] == "FairShap phi_EOp"].set_index("metric")
    assert (eop["authors_method"] == RECIPE).all() and (eop["method"] == "FairShap EOp").all()
    assert eop.loc["eop", "verdict"] == "differs" and eop.loc["eop", "authors_verdict"] == "reproduced"
    other = result[result["paper_method"] == "GBC"]
    assert (other["authors_method"] == "GBC").all()
    # of the 8 FairShap cells: phi_EOp's 4 (recipe at +0.001) and phi_EOdds' unshifted accuracy and EOdds
    assert within_printed(result, tolerance=0.002) == (6, 8)
    assert within_printed(result, tolerance=0.0005) == (2, 8)
    summary = summarise_comparison(result, threshold=2.0, tolerance=0.002, note="NOTE")
    assert "authors' code: " in summary.splitlines()[0] and "within 0.002 of the paper's printed mean: 6 of 8" in summary
    assert "\nNOTE\n" in summary
    ours_part, authors_part = summary.split("## ours: cells that differ")[1].split("## authors' code: cells that differ")
    assert "| paper | ours | z |" in ours_part and "| FairShap phi_EOp | eop |" in ours_part
    assert "| paper | authors' code | z |" in authors_part  # 7 of the fixture's authors'-code cells differ
    agreeing = summarise_comparison(result.assign(authors_verdict="reproduced"), threshold=2.0, tolerance=0.002)
    assert agreeing.split("## authors' code: cells that differ")[1].strip() == "None."


def test_recipe_note_says_which_dataset_gets_which_recipe():
    mixed = {"kind": "fairshap", "recipe_of": "fairshap_eop",
             "group_reweigh": {"german": False, "adult": True, "compas": True}}
    pure = {"kind": "fairshap", "recipe_of": "phi_acc", "group_reweigh": {"german": False, "adult": False, "compas": False}}
    note = recipe_note({"phi_acc_authors": pure, "fairshap_eop_authors": mixed, "fairshap_eodds_authors": mixed})
    assert note.startswith("The paper's Table 2 mixes two FairShap recipes of the authors' benchmark script: pure "
                           "FairShap on German; FairShap with group reweighing (Kamiran–Calders weights applied on top "
                           "of the FairShap weights) on Adult and COMPAS. ")
    assert note.count("pure FairShap on") == 1  # the pure-everywhere recipe (phi_acc) is not a mix
    per_pair = {**mixed, "group_reweigh": {"german": False, "adult": True, "compas": True, "compas_sex": False}}
    assert ("pure FairShap on German and COMPAS–sex; FairShap with group reweighing (Kamiran–Calders weights "
            "applied on top of the FairShap weights) on Adult and COMPAS (other pairs).") in recipe_note({"x": per_pair})
    assert recipe_note({}) == "" and recipe_note({"phi_acc_authors": pure}) == ""
