"""Snakemake `external_data` on upstream-format fixtures, and its clear failure when data are missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from fairscore.datasets.fixtures import write_celeba, write_fairface, write_jigsaw, write_lfw, write_tiny_bert

from .conftest import snakemake


@pytest.fixture(scope="module")
def fixture_config(test_workflow):
    root = test_workflow / "fixture_data"
    written = {"celeba": write_celeba(root / "celeba", n=6), "jigsaw": write_jigsaw(root / "jigsaw"),
               "lfw": write_lfw(root / "lfw"), "fairface": write_fairface(root / "fairface")}
    overlay = {"external": {name: {"dir": str(root / name)} for name in written},
               "text_embeddings": {"encoder": str(write_tiny_bert(root / "tiny_bert", hidden=16)), "device": "cpu"}}
    (test_workflow / "tests" / "config" / "external.yaml").write_text(yaml.safe_dump(overlay))
    return written


def run(workdir, *args, check=True):
    return snakemake(workdir, "--cores", "2", *args, "--configfile", "tests/config/test.yaml",
                     "tests/config/external.yaml", check=check)


def test_every_external_dataset_is_indexed_from_its_fixture(test_workflow, fixture_config):
    run(test_workflow, "external_data")
    out = test_workflow / "results" / "external"
    celeba = pd.read_csv(out / "celeba.csv")
    assert list(celeba.columns) == ["image", "y", "z", "partition"] and len(celeba) == 6
    assert (celeba["y"] == (fixture_config["celeba"]["Smiling"] == 1)).all()
    jigsaw = pd.read_csv(out / "jigsaw.csv")
    annotated = {p: int(f["black"].notna().sum()) for p, f in fixture_config["jigsaw"].items()}
    assert jigsaw["partition"].value_counts().to_dict() == annotated
    assert len(pd.read_csv(out / "lfw.csv")) == len(fixture_config["lfw"])
    assert len(pd.read_csv(out / "fairface.csv")) == len(fixture_config["fairface"])
    with np.load(test_workflow / "results" / "embeddings" / "jigsaw.npz") as cached:
        assert cached["X"].shape == (len(jigsaw), 16) and cached["X"].dtype == np.float32
        np.testing.assert_array_equal(cached["y"], jigsaw["y"])
        np.testing.assert_array_equal(cached["test"], jigsaw["partition"] == "test")


def test_missing_data_fail_with_one_clear_message_and_no_output(test_workflow, fixture_config):
    empty = test_workflow / "no_jigsaw_here"
    overlay = test_workflow / "tests" / "config" / "missing.yaml"
    overlay.write_text(yaml.safe_dump({"external": {"jigsaw": {"dir": str(empty)}}}))
    target = test_workflow / "results" / "external" / "jigsaw.csv"
    target.unlink(missing_ok=True)
    proc = snakemake(test_workflow, "--cores", "2", str(target.relative_to(test_workflow)), "--configfile",
                     "tests/config/test.yaml", "tests/config/external.yaml", str(overlay.relative_to(test_workflow)),
                     check=False)
    assert proc.returncode != 0 and not target.exists()
    log = (test_workflow / "results" / "logs" / "external_index" / "jigsaw.log").read_text()
    assert "missing train.csv, test_public_expanded.csv" in log and f"{empty}/train.csv" in log
    assert "kaggle" in log.lower()
