"""`fairscore audit`: a clean lineage passes; a changed intermediate, a deleted sidecar and a
changed raw file each fail, naming the file."""

from __future__ import annotations

import json
import shutil

import pytest

from fairscore.cli import main as cli

from .conftest import build

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
