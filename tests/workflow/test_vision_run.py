"""Snakemake `fairshap_vision` (Table 1, Figs. 3–4) end to end on the upstream-format fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .conftest import PNG_MAGIC, snakemake


def test_fairshap_vision_builds_table1_and_figures(test_workflow):
    snakemake(test_workflow, "--cores", "2", "fairshap_vision", "--configfile", "tests/config/test.yaml",
              "config/deep_fixture.yaml")
    results = test_workflow / "results"
    table = pd.read_csv(results / "tables" / "table1.csv")
    assert table["training_set"].tolist() == ["FairFace", "CelebA", "LFWA", "LFWA phi_acc", "LFWA FairShap phi_EOp"]
    rates = table[["accuracy", "tpr_women", "tpr_men", "eop"]].to_numpy()
    assert ((rates >= 0) & (rates <= 1)).all()
    np.testing.assert_allclose(table["eop"], (table["tpr_women"] - table["tpr_men"]).abs())
    assert table["paper_eop"].notna().all()  # joined from reference/fairshap_table1_vision.csv
    assert "LFWA FairShap phi_EOp" in (results / "tables" / "table1.md").read_text()
    weights = pd.read_csv(results / "fairshap_vision" / "weights.csv")
    assert weights[["w_acc", "w_eop"]].mean().to_numpy() == pytest.approx([1.0, 1.0])
    for name in ("fig_vision_weights", "fig_vision_projection"):
        assert (results / "figures" / "fairshap_vision" / f"{name}.png").read_bytes().startswith(PNG_MAGIC)
        assert (results / "provenance" / name / f"{name}.json").is_file()
    for variant in ("fairface", "lfw", "lfw_acc", "lfw_fairshap"):
        assert (results / "provenance" / "vision_finetune" / f"{variant}.json").is_file()

