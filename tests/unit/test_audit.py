"""`fairscore audit` without Snakemake: the current config's hash and stale files; the .npz reader that names a
damaged file; a CSV dataset whose file is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from fairscore.pipeline import audit as audit_module
from fairscore.pipeline.audit import AuditError, Node, current_config_sha256, stale
from fairscore.errors import ConfigError, DataError
from fairscore.fileio import read_npz, write_npz
from fairscore.pipeline.workflow import check_dataset_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_dir(tmp_path):
    """The config files of the repository, the way a run directory holds them."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "override.yaml").write_text(yaml.safe_dump({"n_splits": 3}))
    return tmp_path


def test_config_hash_follows_the_merged_config(run_dir):
    base = current_config_sha256(run_dir, ["override.yaml"])
    assert current_config_sha256(run_dir, ["override.yaml"]) == base
    assert current_config_sha256(run_dir, []) != base
    (run_dir / "override.yaml").write_text(yaml.safe_dump({"n_splits": 4}))
    assert current_config_sha256(run_dir, ["override.yaml"]) != base


def test_config_hash_of_a_missing_file_names_it(run_dir):
    with pytest.raises(AuditError, match=r"gone\.yaml: config file not found"):
        current_config_sha256(run_dir, ["gone.yaml"])


def lineage(config_sha256):
    """table <- split <- raw (a source), each job recorded with ``config_sha256``."""
    record = {"config_sha256": config_sha256}
    raw = Node("data/raw.csv", "r", None, None)
    split = Node("results/splits/p/0.csv", "s", record, "results/provenance/make_splits/p.json", [raw])
    return Node("results/tables/t.csv", "t", record, "results/provenance/t/t.json", [split])


def test_stale_separates_changed_params_from_a_changed_config(run_dir, monkeypatch):
    current = current_config_sha256(run_dir, ["override.yaml"])
    monkeypatch.setattr(audit_module, "_changed_params", lambda root, target, files: ["results/tables/t.csv"])
    found = stale(lineage("another config"), root=run_dir, config_files=["override.yaml"])
    assert found.params_changed == ["results/tables/t.csv"]
    assert found.config_changed == ["results/splits/p/0.csv"]
    monkeypatch.setattr(audit_module, "_changed_params", lambda root, target, files: [])
    found = stale(lineage(current), root=run_dir, config_files=["override.yaml"])
    assert found.params_changed == [] and found.config_changed == []


def test_a_flipped_byte_in_an_npz_names_the_file(tmp_path):
    path = tmp_path / "0.npz"
    write_npz(path, {"w_eop": np.arange(1000.0)})
    assert np.array_equal(read_npz(path)["w_eop"], np.arange(1000.0))
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=rf"{path}: not a readable \.npz file") as err:
        read_npz(path)
    assert err.value.__cause__ is not None


def test_a_csv_dataset_whose_file_is_gone_is_a_config_error_naming_key_and_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "toy.csv").write_text("a,label\n1,0\n")
    config = {"pairs": {"toy_a": {"dataset": "toy"}, "german_sex": {"dataset": "german"}},
              "datasets": {"toy": {"loader": "csv", "path": "toy.csv"}, "german": {"loader": "aif360_preproc"}}}
    check_dataset_files(config, ["toy_a", "german_sex"])
    config["datasets"]["toy"]["path"] = "gone.csv"
    check_dataset_files(config, ["german_sex"])  # only the pairs of the run count
    with pytest.raises(ConfigError, match=r"run\.yaml: datasets\.toy\.path: gone\.csv does not exist \(pair toy_a\)"):
        check_dataset_files(config, ["toy_a"], source="run.yaml")
