"""benchmarks/: their inputs are read as the pipeline writes them, and they measure what they say."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
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


def test_host_calibration_gives_the_three_positive_speeds_the_json_records():
    calibration = _module("fairshap_speed").host_calibration(n=2_000, repeats=2)
    assert set(calibration) == {"argsort_ns_per_point", "gather_ns_per_point", "matmul_gflops"}
    assert all(np.isfinite(v) and v > 0 for v in calibration.values()), calibration


def _benchmark_file(path, wall, cpu):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
                    f"{wall}\t0:00:00\t10.5\t20\t5\t6\t0\t0\t0\t{cpu}\n")


def test_default_run_jobs_ranks_every_benchmark_file_and_sums_rules(tmp_path):
    module = _module("default_run_jobs")
    _benchmark_file(tmp_path / "table2_method" / "adult_sex" / "gbc.tsv", 30.0, 55.0)
    _benchmark_file(tmp_path / "table2_method" / "german_sex" / "gbc.tsv", 4.0, 3.5)
    _benchmark_file(tmp_path / "fairshap_runtime" / "fairshap_runtime.tsv", 600.0, 1150.0)
    jobs = module.job_table(tmp_path)
    assert jobs[["rule", "job", "wall_s", "cpu_s"]].values.tolist() == [
        ["fairshap_runtime", "fairshap_runtime", 600.0, 1150.0], ["table2_method", "adult_sex/gbc", 30.0, 55.0],
        ["table2_method", "german_sex/gbc", 4.0, 3.5]]
    rules = module.rule_table(jobs)
    assert rules.values.tolist() == [["fairshap_runtime", 1, 600.0, 1150.0], ["table2_method", 2, 34.0, 58.5]]
    table = module.markdown(jobs, top=2).splitlines()
    assert len(table) == 5 and "adult_sex/gbc | 0.5 | 0.9" in table[3] and "all 3 jobs | | 10.6 | 20.1" in table[4]


def test_default_run_jobs_names_the_folder_without_benchmarks(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        _module("default_run_jobs").job_table(tmp_path)


def test_fairinfl_training_speed_times_each_direct_loop_and_its_reference_and_finds_them_identical(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # as when the script runs: it imports fairinfl_speed
    table = _module("fairinfl_training_speed").measure(n=300, steps=20, repeats=1)
    assert sorted(map(tuple, table[["case", "implementation"]].values)) == [
        ("lam=0 weighted", "autograd"), ("lam=0 weighted", "direct"), ("lam=1", "autograd"), ("lam=1", "direct"),
        ("stacked lam=0", "direct"), ("stacked lam=0", "vmap"), ("stacked lam=1", "direct"), ("stacked lam=1", "vmap")]
    assert table["identical_parameters"].all() and (table["seconds_per_step"] > 0).all()
    assert (table.loc[table["implementation"] == "direct", "ratio_to_direct"] == 1).all()
