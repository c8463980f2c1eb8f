"""Snakemake run of `cross_family_fairinfl` on the test config: FairShap as a FairInfl prune strategy."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from fairscore.fairinfl.pruning import kept_count

from .conftest import PNG_MAGIC


@pytest.fixture(scope="module")
def built(shared_build):
    return shared_build


@pytest.fixture(scope="module")
def fractions(root):
    return yaml.safe_load((root / "tests" / "config" / "test.yaml").read_text())["fairinfl"]["prune"]["fractions"]


def test_every_run_keeps_round_f_n_rows_at_every_fraction(built, fractions):
    for run in (0, 1):
        runs = pd.read_csv(built / "results" / "cross_family" / "fairinfl_adult" / f"{run}.csv")
        prune = pd.read_csv(built / "results" / "fairinfl" / "adult" / "prune" / f"{run}.csv")
        assert list(runs.columns) == list(prune.columns) and set(runs.strategy) == {"fairshap"}
        assert (runs.run == run).all() and sorted(runs.fraction) == sorted(fractions)
        scores = np.load(built / "results" / "scores" / "cross_family" / "fairshap_adult" / f"{run}.npz")
        n = len(scores["eodds"])
        assert n == 5340 and np.isfinite(scores["eodds"]).all() and sorted(np.unique(scores["fold"])) == [0, 1]
        # scaled by n_k / n, all values sum to the size-weighted mean kNN accuracy of the folds
        assert 0.5 < scores["acc"].sum() < 1
        assert list(runs.kept) == [kept_count(f, n) for f in runs.fraction]
        # not above chance: on the test config the top 10 % by φ_EOdds are almost all (z=0, y=1) and (z=1, y=0)
        assert runs.accuracy.between(0, 1).all()
        # all rows kept: the same retrain as every other strategy at fraction 1
        full = runs[runs.fraction == 1.0].iloc[0]
        assert np.isclose(full.accuracy, prune[prune.fraction == 1.0].accuracy.iloc[0])


def test_figure_has_the_fourth_strategy(built):
    out = built / "results" / "figures" / "cross_family"
    png = out / "fig_cross_fairinfl_adult.png"
    assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 20_000
    assert (out / "fig_cross_fairinfl_adult.pdf").stat().st_size > 0
    data = pd.read_csv(out / "fig_cross_fairinfl_adult.csv")
    assert {"random", "fairness", "accuracy", "fairshap"} <= set(data.strategy.dropna())
    assert "FairShap" in (out / "fig_cross_fairinfl_adult.caption.md").read_text()
    prov = json.loads((built / "results" / "provenance" / "fig_cross_fairinfl_adult" /
                       "fig_cross_fairinfl_adult.json").read_text())
    assert prov["rule"] == "fig_cross_fairinfl_adult"
