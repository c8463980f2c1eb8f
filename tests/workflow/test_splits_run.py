"""A real Snakemake run of the `splits` target on the test config."""

from __future__ import annotations

import json

import pytest
import yaml

from fairscore.fileio import sha256_file
from fairscore.datasets.splits import read_split, split_seeds

from .conftest import build, snakemake

PAIRS = ["german_sex", "compas_race"]


@pytest.fixture(scope="module")
def run(test_workflow):
    build(test_workflow, "splits")
    return test_workflow


def load(path):
    return json.loads(path.read_text())


def test_split_files_exist_for_the_test_pairs_only(run):
    assert sorted(p.name for p in (run / "results" / "splits").iterdir()) == sorted(PAIRS)
    for pair in PAIRS:
        assert sorted(p.name for p in (run / "results" / "splits" / pair).iterdir()) == ["0.csv", "1.csv", "2.csv"]
        n_rows = 1000 if pair == "german_sex" else 5278
        split = read_split(run / "results" / "splits" / pair / "0.csv", n_rows=n_rows, train_fraction=0.7,
                           validation_fraction=0.5)
        sizes = {k: len(v) for k, v in split.items()}
        assert sizes == ({"train": 700, "validation": 150, "test": 150} if pair == "german_sex"
                         else {"train": 3694, "validation": 792, "test": 792})


def test_every_job_has_a_sidecar_whose_hashes_match(run):
    sidecars = sorted((run / "results" / "provenance").rglob("*.json"))
    rules = {p.parent.name for p in sidecars}
    assert rules == {"download_raw", "preprocess", "make_splits"}
    assert len(sidecars) == 2 + 2 + 2  # german.data + compas csv, two pairs, two pairs
    for path in sidecars:
        record = load(path)
        assert record["outputs"], path
        for f in record["inputs"] + record["outputs"]:
            assert sha256_file(run / f["path"]) == f["sha256"], (path, f["path"])
        assert record["packages"]["aif360"] == "0.6.1"
        assert any(f.endswith("tests/config/test.yaml") for f in record["config_files"])


def test_sidecars_record_seeds_and_data_source(run):
    record = load(run / "results" / "provenance" / "make_splits" / "german_sex.json")
    assert record["seeds"]["split_seeds"] == split_seeds(3)
    config = yaml.safe_load((run / "config" / "config.yaml").read_text())
    raw = load(run / "results" / "provenance" / "download_raw" / "german.data.json")
    assert raw["data_source"]["source"] in {"upstream", "wheel"}
    assert raw["data_source"]["sha256"] == config["raw_files"]["german.data"]["sha256"]


def test_second_run_has_nothing_to_do(run):
    proc = snakemake(run, "--cores", "2", "splits", "--configfile", "tests/config/test.yaml", "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr
