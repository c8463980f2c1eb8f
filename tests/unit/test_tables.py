"""Table 2 cells and their paper-layout renderings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.tables import render_latex, render_markdown, table2_cells


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
    gbc = next(line for line in md.splitlines() if line.startswith("| GBC"))
    assert gbc.count("±") == 12 and "‡" in gbc
    tex = render_latex(cells)
    assert tex.startswith(r"\begin{tabular}") and tex.rstrip().endswith(r"\end{tabular}")
    assert r"$\pm$" in tex and r"$^\ddagger$" in tex and tex.count(r"\\") == 2 * (1 + 1 + 3)
