"""AIF360 preprocessing: Table 7 counts of the FairShap paper, relabelling, tidy files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.compare import paper_named_counts
from fairscore.data import (
    LABEL,
    PROTECTED,
    load_aif360_preproc,
    place_aif360_raw_files,
    read_tidy,
    stratify_codes,
)
from fairscore.errors import ConfigError
from fairscore.fileio import write_csv

PAIRS = [("german", "sex"), ("german", "age"), ("adult", "sex"), ("adult", "race"),
         ("compas", "sex"), ("compas", "race")]


@pytest.fixture(scope="session")
def loaded(raw_dir, default_config):
    place_aif360_raw_files({e["aif360_path"]: raw_dir / name for name, e in default_config["raw_files"].items()})
    return {pair: load_aif360_preproc(*pair) for pair in PAIRS}


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "_".join(p))
def test_group_label_counts_equal_fairshap_table7(loaded, root, pair):
    frame, meta = loaded[pair]
    ours = paper_named_counts(frame, meta, dataset=pair[0], protected=pair[1])
    paper = pd.read_csv(root / "reference" / "dataset_stats.csv")
    paper = paper[(paper.dataset == pair[0]) & (paper.protected == pair[1])]
    got = dict(zip(zip(ours.group, ours.label), ours["count"], strict=True))
    want = dict(zip(zip(paper.group, paper.label), paper["count"], strict=True))
    assert got == want


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "_".join(p))
def test_label_is_favourable_and_protected_is_privileged(loaded, pair):
    frame, meta = loaded[pair]
    assert set(frame[LABEL]) == {0, 1} and set(frame[PROTECTED]) == {0, 1}
    assert list(frame.columns[:-2]) == meta["features"]
    # the relabelling is a bijection back to AIF360's original codes
    codes = stratify_codes(frame, meta)
    assert np.array_equal(codes[:, 0] == meta["label_orig"]["favourable"], frame[LABEL] == 1)
    assert np.array_equal(codes[:, 1] == meta["protected_orig"]["privileged"], frame[PROTECTED] == 1)


def test_compas_favourable_label_is_no_recidivism_and_female_is_privileged(loaded):
    frame, meta = loaded[("compas", "sex")]
    assert meta["label_names"]["1"] == "No recid." and meta["label_orig"]["favourable"] == 0.0
    assert meta["group_names"]["1"] == "Female"
    assert int(frame[LABEL].sum()) == 2795 and int(frame[PROTECTED].sum()) == 1031


def test_distinct_feature_rows_match_environment_facts(loaded):
    distinct = {d: len(loaded[(d, p)][0].iloc[:, :-2].drop_duplicates()) for d, p in
                [("german", "sex"), ("adult", "sex"), ("compas", "sex")]}
    assert distinct == {"german": 75, "adult": 242, "compas": 72}


def test_tidy_round_trip(loaded, tmp_path):
    frame, _ = loaded[("german", "age")]
    write_csv(frame, tmp_path / "t.csv")
    X, y, a = read_tidy(tmp_path / "t.csv")
    assert np.array_equal(X.to_numpy(), frame.iloc[:, :-2].to_numpy())
    assert np.array_equal(y, frame[LABEL]) and np.array_equal(a, frame[PROTECTED])


def test_unknown_dataset_is_named():
    with pytest.raises(ConfigError, match="'bank'"):
        load_aif360_preproc("bank", "age")
