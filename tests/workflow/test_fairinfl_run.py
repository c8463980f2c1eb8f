"""Snakemake run of `fairinfl_adult` and `fairinfl_sensitivity` on the test config: data, scores, pruning,
baselines, figures, two protocol variants and the sensitivity panel."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from fairscore.pipeline.targets import load_targets

from .conftest import PNG_MAGIC


@pytest.fixture(scope="module")
def built(shared_build):
    return shared_build


def test_balanced_adult_has_1669_rows_per_cell(built):
    data = np.load(built / "results" / "data" / "fairinfl_adult.npz")
    assert data["X"].shape == (6676, 98)
    for label in (0, 1):
        for group in (0, 1):
            assert ((data["y"] == label) & (data["z"] == group)).sum() == 1669


def test_scores_cover_every_training_example_and_constraint(built):
    for run in (0, 1):
        scores = np.load(built / "results" / "scores" / "fairinfl" / "adult" / f"{run}.npz")
        assert {"fairness_dp", "fairness_eo", "accuracy", "loss"} <= set(scores.files)
        assert scores["fairness_dp"].shape == (5340,) and np.isfinite(scores["fairness_dp"]).all()


def test_prune_runs_keep_the_configured_counts(built):
    runs = pd.read_csv(built / "results" / "fairinfl" / "adult" / "prune" / "0.csv")
    assert set(runs.strategy) == {"random", "fairness", "accuracy"}
    assert sorted(runs.kept.unique()) == [534, 2670, 5340]
    lfatr = pd.read_csv(built / "results" / "fairinfl" / "adult" / "lfatr" / "0.csv").iloc[0]
    assert np.allclose(runs[runs.fraction == 1.0].accuracy, lfatr.accuracy)


def test_baselines_and_figures(built):
    baselines = pd.read_csv(built / "results" / "fairinfl" / "adult" / "baselines" / "1.csv")
    assert list(baselines.method) == ["ERM", "reduction"] and baselines.accuracy.between(0.5, 1).all()
    out = built / "results" / "figures" / "fairinfl"
    targets = {target.name: target for target in load_targets(built)}
    for target in ("fairinfl_fig2", "fairinfl_fig5", "fairinfl_fig1"):  # Adult, first order, toy
        ((rule, paths),) = targets[target].outputs.items()  # the rule that draws it, from workflow/targets.yaml
        png = built / paths[0]
        name = png.stem
        assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 20_000
        assert len(pd.read_csv(out / f"{name}.csv")) > 0 and "FairInfl" in (out / f"{name}.caption.md").read_text()
        assert json.loads((built / "results" / "provenance" / name / f"{name}.json").read_text())["rule"] == rule
    pairs = pd.read_csv(out / "fig_first_order.csv")
    assert len(pairs) == 100 and np.corrcoef(pairs.predicted, pairs.real)[0, 1] > 0.99


def test_variants_write_the_default_format_and_reuse_what_cannot_differ(built):
    base = built / "results" / "fairinfl" / "adult"
    default = pd.read_csv(base / "prune" / "0.csv")
    signed = pd.read_csv(base / "variants" / "signed" / "prune" / "0.csv")
    authors = pd.read_csv(base / "variants" / "authors_code" / "prune" / "0.csv")
    assert list(signed.columns) == list(default.columns) == list(authors.columns)
    assert {"pos_rate_a0", "pos_rate_a1", "balanced_accuracy"} <= set(default.columns)
    assert default.balanced_accuracy.between(0, 1).all()
    # signed changes only the kept end: it reads the default scores and copies the random and accuracy rows
    assert not (built / "results" / "scores" / "fairinfl" / "adult" / "variants" / "signed").exists()
    kept = signed.strategy != "fairness"
    pd.testing.assert_frame_equal(signed[kept].reset_index(drop=True), default[kept].reset_index(drop=True))
    pruned = (signed.strategy == "fairness") & (signed.fraction < 1.0)  # other kept rows, so other models
    assert not np.allclose(signed[pruned].violation, default[pruned].violation)
    assert (built / "results" / "scores" / "fairinfl" / "adult" / "variants" / "authors_code" / "1.npz").exists()
    assert len(pd.read_csv(base / "variants" / "authors_code" / "lfatr" / "1.csv")) == 1


def test_sensitivity_panel_compares_every_variant_with_random(built):
    out = built / "results" / "figures" / "fairinfl"
    assert (out / "fig_sensitivity.png").read_bytes().startswith(PNG_MAGIC)
    summary = pd.read_csv(out / "fig_sensitivity.csv")
    assert list(dict.fromkeys(summary.variant)) == ["default", "signed", "authors_code"]
    assert set(summary.fraction) == {0.1, 0.5} and (summary.runs == 2).all()
    assert summary.rescues_claim.isin(["yes", "no"]).all()
    caption = (out / "fig_sensitivity.caption.md").read_text()
    rescued = sorted(set(summary.variant[summary.rescues_claim == "yes"]))
    assert ("No variant rescues the claim." in caption) == (not rescued)
