"""Splits (D3): the authors' seeds, 70/15/15 sizes, joint stratification, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from fairscore.data import load_aif360_preproc, place_aif360_raw_files, stratify_codes
from fairscore.errors import DataError
from fairscore.splits import read_split, split_seeds, stratified_split, write_split


def test_seeds_are_the_authors_recipe():
    seeds = split_seeds(50)
    assert seeds[:5] == [6423388, 6550634, 10081351, 4304572, 2234489]
    assert seeds[-1] == 11184121 and len(set(seeds)) == 50


def test_seed_count_must_be_positive():
    with pytest.raises(DataError, match="n_splits = 0"):
        split_seeds(0)


@pytest.fixture(scope="module")
def strata():
    """An unbalanced (label, group) layout like German: 1000 rows, four cells."""
    rng = np.random.RandomState(0)
    label = (rng.rand(1000) < 0.7).astype(float)
    group = (rng.rand(1000) < 0.3).astype(float)
    return np.column_stack([label, group])


@pytest.mark.parametrize("seed", split_seeds(5))
def test_split_is_a_disjoint_complete_70_15_15_partition(strata, seed):
    split = stratified_split(strata, seed=seed)
    n = len(strata)
    allrows = np.concatenate([split["train"], split["validation"], split["test"]])
    assert sorted(allrows) == list(range(n))
    assert abs(len(split["train"]) - 0.70 * n) <= 1
    assert abs(len(split["validation"]) - 0.15 * n) <= 1
    assert abs(len(split["test"]) - 0.15 * n) <= 1


@pytest.mark.parametrize("seed", split_seeds(5))
def test_each_part_keeps_the_label_group_proportions(strata, seed):
    split = stratified_split(strata, seed=seed)
    cells = [tuple(c) for c in np.unique(strata, axis=0)]
    n = len(strata)
    for part, rows in split.items():
        for cell in cells:
            full = np.all(strata == cell, axis=1).sum()
            inpart = np.all(strata[rows] == cell, axis=1).sum()
            assert abs(inpart - full * len(rows) / n) <= 1, (part, cell)


def test_same_seed_same_indices_other_seed_other_indices(strata):
    a, b = stratified_split(strata, seed=7), stratified_split(strata, seed=7)
    c = stratified_split(strata, seed=8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["train"], c["train"])


def test_split_file_round_trip(strata, tmp_path):
    split = stratified_split(strata, seed=3)
    write_split(split, tmp_path / "s.csv")
    back = read_split(tmp_path / "s.csv")
    assert all(np.array_equal(split[k], back[k]) for k in split)


def test_bad_split_file_is_named(tmp_path):
    (tmp_path / "s.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="s.csv"):
        read_split(tmp_path / "s.csv")


def test_matches_the_authors_call_on_german_sex(raw_dir, default_config):
    """FS: train_test_split(DataFrame(features), stratify=hstack([labels, protected])) twice."""
    place_aif360_raw_files({e["aif360_path"]: raw_dir / name for name, e in default_config["raw_files"].items()})
    from aif360.algorithms.preprocessing.optim_preproc_helpers.data_preproc_functions import (
        load_preproc_data_german,
    )

    ds = load_preproc_data_german(["sex"])
    frame, meta = load_aif360_preproc("german", "sex")
    for seed in split_seeds(3):
        n = ds.features.shape[0]
        strat = np.hstack([ds.labels, ds.protected_attributes])
        tr, vt = train_test_split(pd.DataFrame(ds.features), test_size=n - int(0.7 * n),
                                  stratify=strat, shuffle=True, random_state=seed)
        m = len(vt)
        va, te = train_test_split(pd.DataFrame(ds.features[vt.index]), test_size=m - int(0.5 * m),
                                  stratify=strat[vt.index], shuffle=True, random_state=seed)
        ours = stratified_split(stratify_codes(frame, meta), seed=seed)
        assert list(ours["train"]) == list(tr.index)
        assert list(ours["validation"]) == list(vt.index[va.index])
        assert list(ours["test"]) == list(vt.index[te.index])
