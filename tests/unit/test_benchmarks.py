"""benchmarks/fairshap_speed.py: its inputs are read as the pipeline writes them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fairscore.datasets.splits import stratified_split, write_split
from fairscore.datasets.tidy import LABEL, PROTECTED

ROOT = Path(__file__).resolve().parents[2]


def _module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fairshap_speed_reads_a_pipeline_split_with_the_configured_fractions(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame({"f0": rng.standard_normal(n), "f1": rng.integers(0, 3, n),
                          LABEL: rng.integers(0, 2, n), PROTECTED: rng.integers(0, 2, n)})
    (tmp_path / "results" / "data").mkdir(parents=True)
    frame.to_csv(tmp_path / "results" / "data" / "adult_sex.csv", index=False)
    fractions = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["splits"]
    split = stratified_split(frame[[LABEL, PROTECTED]].to_numpy(), seed=1, train_fraction=fractions["train_fraction"],
                             validation_fraction=fractions["validation_fraction"])
    (tmp_path / "results" / "splits" / "adult_sex").mkdir(parents=True)
    write_split(split, tmp_path / "results" / "splits" / "adult_sex" / "0.csv")
    monkeypatch.chdir(tmp_path)
    X, y, R, yr, ar = _module("fairshap_speed").tabular_case("adult_sex")
    assert X.shape == (len(split["train"]), 2) and R.shape == (len(split["validation"]), 2)
    assert np.array_equal(y, frame[LABEL].to_numpy()[split["train"]])
    assert np.array_equal(ar, frame[PROTECTED].to_numpy()[split["validation"]])
