"""Splits (D3): the authors' seeds, 70/15/15 sizes, joint stratification, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from fairscore.datasets.aif360 import load_aif360_preproc, place_aif360_raw_files
from fairscore.datasets.tidy import stratify_codes
from fairscore.errors import DataError
from fairscore.datasets.splits import (
    min_stratum_rows,
    part_sizes,
    read_split,
    split_seeds,
    stratified_split,
    write_split,
)


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


RECIPE = {"train_fraction": 0.7, "validation_fraction": 0.5}


def test_split_file_round_trip(strata, tmp_path):
    split = stratified_split(strata, seed=3)
    write_split(split, tmp_path / "s.csv")
    back = read_split(tmp_path / "s.csv", n_rows=len(strata), **RECIPE)
    assert all(np.array_equal(split[k], back[k]) for k in split)


def test_bad_split_file_is_named(tmp_path):
    (tmp_path / "s.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="s.csv"):
        read_split(tmp_path / "s.csv", n_rows=1, **RECIPE)


def test_part_sizes_follow_the_recipe():
    assert part_sizes(1000, **RECIPE) == {"train": 700, "validation": 150, "test": 150}
    assert part_sizes(5278, **RECIPE) == {"train": 3694, "validation": 792, "test": 792}


@pytest.fixture()
def split_file(strata, tmp_path):
    path = tmp_path / "1.csv"
    write_split(stratified_split(strata, seed=3), path)
    return path


def edit_row(path, line: int, value) -> None:
    """Set the ``row`` field of one line of a split file (line 1 is the header)."""
    lines = path.read_text().splitlines()
    lines[line - 1] = f"{value},{lines[line - 1].split(',')[1]}"
    path.write_text("\n".join(lines) + "\n")


def test_one_changed_digit_of_a_split_file_is_a_duplicate_and_a_missing_row(split_file):
    lines = split_file.read_text().splitlines()
    row = int(lines[17].split(",")[0])
    changed = int(str(row)[:-1] + str((row % 10 + 1) % 10))  # the last digit, one up
    edit_row(split_file, 18, changed)
    with pytest.raises(DataError) as err:
        read_split(split_file, n_rows=1000, **RECIPE)
    message = str(err.value)
    assert str(split_file) in message and f"row {changed} appears 2 times" in message
    assert f"row(s) {row} of the tidy table in no part" in message and "--forcerun make_splits" in message


def test_a_row_moved_to_another_part_gives_the_expected_and_found_sizes(split_file):
    text = split_file.read_text().splitlines()
    text[1] = text[1].replace(",train", ",test")
    split_file.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match=r"expected 700 train rows, found 699; expected 150 test rows, found 151"):
        read_split(split_file, n_rows=1000, **RECIPE)


def test_a_split_of_another_table_or_recipe_is_refused(split_file):
    with pytest.raises(DataError, match=r"row\(s\) 999, 998(, \d+)? outside the tidy table's 998 rows \(0 to 997\)"):
        read_split(split_file, n_rows=998, **RECIPE)
    with pytest.raises(DataError, match=r"train_fraction 0\.6.*expected 600 train rows, found 700"):
        read_split(split_file, n_rows=1000, train_fraction=0.6, validation_fraction=0.5)


def test_a_row_that_is_not_a_number_names_the_line(split_file):
    edit_row(split_file, 5, "17x")
    with pytest.raises(DataError, match=r"1\.csv: row '17x' on line 5 is not a row number"):
        read_split(split_file, n_rows=1000, **RECIPE)


@pytest.mark.parametrize("train_fraction", [0.5, 0.6, 0.7, 0.8])
def test_smallest_stratum_splits_for_every_seed_and_one_row_less_is_refused(train_fraction):
    least = min_stratum_rows(train_fraction=train_fraction)
    assert least - np.ceil(train_fraction * least) >= 2
    layout = np.array([0] * least + [1] * 200 + [2] * 90 + [3] * 31)
    for seed in split_seeds(20):
        split = stratified_split(layout, seed=seed, train_fraction=train_fraction)
        assert sum(np.sum(layout[rows] == 0) for rows in split.values()) == least
    with pytest.raises(DataError, match=rf"stratum '0': {least - 1} .*at least {least} rows in every stratum"):
        stratified_split(layout[1:], seed=1, train_fraction=train_fraction)


def test_the_minimum_for_70_15_15_is_seven():
    assert min_stratum_rows(train_fraction=0.7) == 7


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
