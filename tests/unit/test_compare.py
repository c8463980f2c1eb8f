"""Verdicts of the comparison with the paper's Table 2."""

from __future__ import annotations

import pandas as pd
import pytest

from fairscore.compare import compare_table2, summarise_comparison


def test_known_differences_give_the_expected_verdicts(root):
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
        ours.append({"dataset": "german", "protected": "sex", "method": label, "metric": row.metric,
                     "variant": "paper" if row.metric in ("eop", "eodds") else "mean",
                     "mean": row.mean + shift, "se": se, "ci95": row.se, "marker": ""})
    result = compare_table2(pd.DataFrame(ours), german)
    verdict = result.set_index(["paper_method", "metric"])["verdict"]
    assert verdict[("GBC", "accuracy")] == "reproduced"
    assert verdict[("GBC", "macro_f1")] == "reproduced"  # z = 1/sqrt(2)
    assert verdict[("GBC", "eop")] == "differs"  # z = 5/sqrt(2) > 2
    assert (verdict.loc["IF"] == "not run").all()
    assert result.loc[result.paper_method == "GBC"].set_index("metric")["z"]["eop"] == pytest.approx(5 / 2 ** 0.5)
    summary = summarise_comparison(result)
    assert summary.startswith(f"# Table 2 against the paper: {(result.verdict == 'reproduced').sum()} of 36 cells")
    assert "| german | sex | GBC | eop |" in summary
