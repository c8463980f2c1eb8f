"""Provenance records and all-or-nothing writes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from fairscore.fileio import atomic_path, sha256_file, write_json
from fairscore.provenance import SCHEMA_VERSION, file_record, job_record


def test_job_record_hashes_inputs_and_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("a\n1\n")
    out.write_text("b\n2\n")
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    record = job_record(rule="r", wildcards={"pair": "german_sex"}, params={"b": 2, "a": 1},
                        inputs=[str(src)], outputs=[str(out)], started=t0,
                        finished=t0 + timedelta(seconds=1.5), seeds={"split_seeds": [1]})
    assert record["schema"] == SCHEMA_VERSION
    assert record["inputs"] == [{"path": str(src), "bytes": 4, "sha256": sha256_file(src)}]
    assert record["outputs"][0]["sha256"] == sha256_file(out)
    assert record["slurm"] == {"SLURM_JOB_ID": "4242"}
    assert record["time"]["wall_seconds"] == 1.5
    assert record["packages"]["numpy"] and record["packages"]["python"]
    # params hash is order-independent
    other = job_record(rule="r", wildcards={}, params={"a": 1, "b": 2}, inputs=[], outputs=[],
                       started=t0, finished=t0)
    assert other["params_sha256"] == record["params_sha256"]


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "sub" / "x.json"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_write_json_is_sorted_and_complete(tmp_path):
    write_json(tmp_path / "x.json", {"b": 1, "a": [1, 2]})
    text = (tmp_path / "x.json").read_text()
    assert json.loads(text) == {"a": [1, 2], "b": 1} and text.index('"a"') < text.index('"b"')


def test_a_directory_is_recorded_by_its_files(tmp_path):
    folder = tmp_path / "fixture"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("bb")
    record = file_record(folder)
    assert record["files"] == 2 and record["bytes"] == 3
    (folder / "sub" / "b.txt").write_text("bc")  # same size, other content
    assert file_record(folder)["sha256"] != record["sha256"]
