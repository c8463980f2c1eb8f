"""AIF360 preprocessing: Table 7 counts of the FairShap paper, relabelling, tidy files."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from fairscore.reporting.compare import paper_named_counts
from fairscore.datasets.tidy import LABEL, PROTECTED, group_label_counts, read_tidy, stratify_codes
from fairscore.datasets.aif360 import load_aif360_preproc, place_aif360_raw_files
from fairscore.datasets.csvdata import load_csv_dataset
from fairscore.errors import ConfigError, DataError
from fairscore.fileio import write_csv
from fairscore.datasets.splits import stratified_split

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


# --- the CSV loader (loader: csv) -------------------------------------------------------------

TOY = {"label": "outcome", "favourable": "hired", "privileged": {"region": "north"}, "numeric": ["hours"],
       "categorical": ["job"]}


def toy_frame(n: int = 80) -> pd.DataFrame:
    """n rows, every (outcome × region) cell n/4 rows, hours 30..69, three jobs."""
    return pd.DataFrame({"region": ["north", "south"] * (n // 2),
                         "outcome": (["hired"] * 2 + ["no"] * 2) * (n // 4),
                         "hours": [30 + i % 40 for i in range(n)],
                         "job": [("clerk", "farmer", "nurse")[i % 3] for i in range(n)]})


def write(tmp_path, frame: pd.DataFrame, name: str = "toy.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def load(path, spec=TOY, protected="region"):
    return load_csv_dataset(path, spec, protected, train_fraction=0.7)


def test_csv_dataset_is_one_hot_encoded_and_relabelled(tmp_path):
    frame, meta = load(write(tmp_path, toy_frame()))
    assert list(frame.columns) == ["hours", "job=clerk", "job=farmer", "job=nurse", "label", "protected"]
    assert frame[LABEL].sum() == 40 and frame[PROTECTED].sum() == 40
    assert meta["label_names"] == {"1": "hired", "0": "not hired"} and meta["group_names"]["1"] == "north"


def test_empty_csv_is_named(tmp_path):
    (tmp_path / "toy.csv").write_text("")
    with pytest.raises(DataError, match=r"toy\.csv: the file is empty"):
        load(tmp_path / "toy.csv")


def test_header_only_csv_is_named_with_its_columns(tmp_path):
    (tmp_path / "toy.csv").write_text("region,outcome,hours,job\n")
    with pytest.raises(DataError, match=r"toy\.csv: header only \(columns \['region', 'outcome', 'hours', 'job'\]\)"):
        load(tmp_path / "toy.csv")


def test_string_in_a_numeric_column_names_column_value_and_line(tmp_path):
    frame = toy_frame().astype({"hours": object})
    frame.loc[6, "hours"], frame.loc[9, "hours"] = "Captain", "?"
    with pytest.raises(DataError) as err:
        load(write(tmp_path, frame))
    message = str(err.value)
    assert "toy.csv" in message and "column 'hours'" in message and "'Captain' on line 8 (data row 7)" in message
    assert "2 non-numeric value(s)" in message


def test_missing_value_names_column_and_line(tmp_path):
    frame = toy_frame()
    frame.loc[3, "job"] = None
    with pytest.raises(DataError, match=r"toy\.csv: missing value\(s\) in column\(s\) \['job'\], the first in "
                                        r"column 'job' on line 5"):
        load(write(tmp_path, frame))


def test_tiny_label_group_cell_names_every_count_and_the_minimum(tmp_path):
    frame = toy_frame()
    drop = frame.index[(frame.outcome == "hired") & (frame.region == "south")][2:]
    with pytest.raises(DataError) as err:
        load(write(tmp_path, frame.drop(index=drop)))
    message = str(err.value)
    assert "toy.csv" in message and "(outcome = hired) × (not region = north): 2" in message
    assert "(outcome = hired) × (region = north): 20" in message
    assert "at least 7 rows in every cell" in message


def test_smallest_cell_that_the_split_takes_is_accepted(tmp_path):
    frame = toy_frame()
    drop = frame.index[(frame.outcome == "hired") & (frame.region == "south")][7:]
    loaded, meta = load(write(tmp_path, frame.drop(index=drop).reset_index(drop=True)))
    cells = group_label_counts(loaded).set_index([PROTECTED, LABEL])["count"]
    assert cells[(0, 1)] == 7
    assert len(stratified_split(stratify_codes(loaded, meta), seed=3)["test"]) > 0


def test_three_valued_label_needs_an_explicit_mapping(tmp_path):
    frame = toy_frame()
    frame.loc[2::8, "outcome"] = "waitlist"  # 10 of the "no" rows
    with pytest.raises(DataError) as err:
        load(write(tmp_path, frame))
    message = str(err.value)
    assert "toy.csv" in message and "label column 'outcome' has 3 values ['hired', 'no', 'waitlist']" in message
    assert "favourable: [a, b]" in message
    loaded, meta = load(tmp_path / "toy.csv", {**TOY, "favourable": ["hired", "waitlist"]})
    assert loaded[LABEL].sum() == 50 and meta["label_names"]["1"] == "outcome in [hired, waitlist]"


def test_favourable_value_absent_from_the_label_names_the_values_present(tmp_path):
    with pytest.raises(DataError, match=r"favourable value\(s\) \['Hired'\] not found in column 'outcome'; "
                                        r"values present: \['hired', 'no'\]"):
        load(write(tmp_path, toy_frame()), {**TOY, "favourable": "Hired"})


def test_protected_attribute_with_one_group_names_the_values_present(tmp_path):
    frame = toy_frame().assign(region="north")
    with pytest.raises(DataError) as err:
        load(write(tmp_path, frame))
    message = str(err.value)
    assert "toy.csv" in message and "protected column 'region' has a single class" in message
    assert "values present: ['north']" in message


@pytest.mark.parametrize("listed", ["numeric", "categorical"])
def test_label_column_listed_as_a_feature_is_refused(tmp_path, listed):
    spec = {**TOY, listed: [*TOY[listed], "outcome"]}
    with pytest.raises(ConfigError, match=rf"toy\.csv: the label column 'outcome' is listed as a feature in "
                                          rf"\['{listed}'\]"):
        load(write(tmp_path, toy_frame()), spec)


def test_threshold_label_ricci_style(tmp_path):
    """Ricci-like: pass = Combine >= 70, protected race with White privileged; Combine is not a feature."""
    rng = np.random.RandomState(0)
    n = 120
    race = np.array(["White", "Black", "Hispanic"])[np.arange(n) % 3]
    combine = np.round(np.where(np.arange(n) % 2 == 0, 75, 60) + rng.uniform(-4, 4, n), 2)
    table = pd.DataFrame({"Position": np.where(np.arange(n) % 5 == 0, "Captain", "Lieutenant"),
                          "Oral": rng.uniform(40, 90, n).round(1), "Written": rng.uniform(40, 90, n).round(1),
                          "Race": race, "Combine": combine})
    spec = {"label": "Combine", "favourable": {">=": 70}, "privileged": {"Race": "White"},
            "numeric": ["Oral", "Written"], "categorical": ["Position"]}
    frame, meta = load(write(tmp_path, table, "ricci.csv"), spec, "Race")
    assert np.array_equal(frame[LABEL], (combine >= 70).astype(int))
    assert np.array_equal(frame[PROTECTED], (race == "White").astype(int))
    assert "Combine" not in frame.columns and meta["label_names"] == {"1": "Combine >= 70", "0": "not Combine >= 70"}


def test_threshold_on_a_non_numeric_column_names_the_value(tmp_path):
    spec = {**TOY, "privileged": {"region": {">=": 1}}}
    with pytest.raises(DataError, match=r"column 'region' \(compared by privileged\.region\) holds 'north' on line 2"):
        load(write(tmp_path, toy_frame()), spec)


def test_unknown_threshold_operator_is_named(tmp_path):
    spec = {**TOY, "label": "hours", "favourable": {"=>": 50}}
    with pytest.raises(ConfigError, match=r"favourable = \{'=>': 50\}: unknown operator\(s\) \['=>'\]"):
        load(write(tmp_path, toy_frame()), {**spec, "numeric": []})


def test_privileged_group_as_a_list_and_as_a_threshold(tmp_path):
    frame = toy_frame().assign(age=[20 + (i // 4) % 4 * 10 for i in range(80)])
    path = write(tmp_path, frame)
    by_list, _ = load(path, {**TOY, "privileged": {"age": [40, 50]}}, "age")
    by_threshold, meta = load(path, {**TOY, "privileged": {"age": {">": 35}}}, "age")
    assert np.array_equal(by_list[PROTECTED], by_threshold[PROTECTED]) and by_list[PROTECTED].sum() == 40
    assert meta["group_names"]["1"] == "age > 35"


RICCI = {"loader": "csv", "path": "ricci.csv", "label": "Combine", "favourable": {">=": 70},
         "privileged": {"Race": ["White"]}, "numeric": ["Oral", "Written"], "categorical": ["Position"]}


def test_threshold_and_list_rules_pass_the_config_schema(default_config, root):
    config = copy.deepcopy(default_config)
    config["datasets"]["ricci"] = RICCI
    validate(config, str(root / "config" / "schema.json"))
    config["datasets"]["ricci"] = {**RICCI, "favourable": {"=>": 70}}
    with pytest.raises(WorkflowError, match="favourable"):
        validate(config, str(root / "config" / "schema.json"))
