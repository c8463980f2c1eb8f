"""`fairscore audit`: a clean lineage passes; a changed intermediate, a deleted sidecar and a
changed raw file each fail, naming the file; a config that gives other job parameters makes the
files stale. On the same build: a truncated or deleted raw download is fetched again by a plain
rerun, and a CSV dataset whose file is gone stops the run naming it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from fairscore.pipeline.cli import main as cli

from .conftest import build, snakemake

TARGET = "results/splits/german_sex/0.csv"


@pytest.fixture(scope="module")
def run(test_workflow):
    build(test_workflow, "splits")
    return test_workflow


def audit(run, capsys, *extra):
    code = cli(["audit", TARGET, "--root", str(run), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_clean_lineage_passes_and_reaches_the_raw_download(run, capsys):
    code, out, _ = audit(run, capsys)
    assert code == 0
    assert "[make_splits]" in out and "[preprocess]" in out and "[download_raw]" in out
    assert "results/raw/german.data" in out and "every file matches its record" in out
    assert "every file is current for" in out


def test_json_lineage(run, capsys):
    code, out, _ = audit(run, capsys, "--json")
    tree = json.loads(out)
    assert code == 0 and tree["rule"] == "make_splits" and tree["seeds"]["split_seeds"]
    raw = tree["inputs"][0]["inputs"][0]
    assert raw["path"] == "results/raw/german.data" and raw["data_source"]["sha256"] == raw["sha256"]


@pytest.mark.parametrize("victim", ["results/data/german_sex.csv", "results/raw/german.data"])
def test_changed_file_fails_naming_it(run, capsys, victim):
    path = run / victim
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n")
        code, _, err = audit(run, capsys)
    finally:
        path.write_bytes(original)
    assert code == 1 and f"{victim}: bytes changed" in err


def test_deleted_sidecar_fails_naming_the_unrecorded_file(run, capsys, tmp_path):
    sidecar = run / "results/provenance/preprocess/german_sex.json"
    shutil.move(sidecar, tmp_path / "kept.json")
    try:
        code, _, err = audit(run, capsys)
    finally:
        shutil.move(tmp_path / "kept.json", sidecar)
    assert code == 1 and "results/data/german_sex.csv: no provenance record" in err


def test_a_config_with_other_job_parameters_makes_the_files_stale(run, capsys):
    (run / "reseed.yaml").write_text(yaml.safe_dump({"splits": {"seed": 7}}))
    code, _, err = audit(run, capsys, "--configfile", "tests/config/test.yaml", "reseed.yaml")
    assert code == 3 and "STALE" in err and f"    {TARGET}" in err
    assert "results/data/german_sex.csv" not in err  # preprocess does not depend on the split seed
    code, _, _ = audit(run, capsys, "--configfile", "tests/config/test.yaml", "reseed.yaml", "--bytes-only")
    assert code == 0


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_damaged_raw_download_is_fetched_again_by_a_plain_rerun(run, damage):
    raw, table = run / "results/raw/german.data", run / "results/data/german_sex.csv"
    raw_bytes, table_bytes = raw.read_bytes(), table.read_bytes()
    if damage == "truncate":
        raw.write_bytes(raw_bytes[: len(raw_bytes) // 2])
    else:
        raw.unlink()
    proc = build(run, "data")
    assert "results/raw/german.data: " in proc.stderr and "Rebuilding 1 damaged file(s)" in proc.stderr
    assert raw.read_bytes() == raw_bytes and table.read_bytes() == table_bytes


def test_a_csv_dataset_whose_file_is_gone_stops_the_run_naming_it(run):
    rng = np.random.default_rng(0)
    n = 300
    region = rng.choice(["north", "south"], n)
    frame = pd.DataFrame({"region": region, "hours": rng.normal(40, 8, n).round(1),
                          "outcome": np.where(rng.random(n) < 0.3 + 0.3 * (region == "north"), "hired", "no")})
    frame.to_csv(run / "toy.csv", index=False)
    toy = {"loader": "csv", "path": "toy.csv", "label": "outcome", "favourable": "hired",
           "privileged": {"region": "north"}, "numeric": ["hours"], "categorical": ["region"]}
    overlay = {"run_pairs": ["toy_region"], "datasets": {"toy": toy},
               "pairs": {"toy_region": {"dataset": "toy", "protected": "region"}}}
    (run / "toy.yaml").write_text(yaml.safe_dump(overlay))
    snakemake(run, "--cores", "2", "splits", "--configfile", "tests/config/test.yaml", "toy.yaml")
    (run / "gone.yaml").write_text(yaml.safe_dump({"datasets": {"toy": {"path": "gone.csv"}}}))
    proc = snakemake(run, "--cores", "2", "splits", "--configfile", "tests/config/test.yaml", "toy.yaml", "gone.yaml",
                     check=False)
    assert proc.returncode != 0 and "datasets.toy.path: gone.csv does not exist (pair toy_region)" in proc.stderr
    (run / "toy.csv").write_text(frame.iloc[:200].to_csv(index=False))  # the same path, other rows
    proc = snakemake(run, "--cores", "2", "splits", "--configfile", "tests/config/test.yaml", "toy.yaml")
    assert "preprocess" in proc.stderr and "make_splits" in proc.stderr  # rebuilt from the new file
    assert len(pd.read_csv(run / "results/data/toy_region.csv")) == 200
