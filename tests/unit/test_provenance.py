"""Provenance records and all-or-nothing writes."""

from __future__ import annotations

import contextlib
import json
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta, timezone

import pytest

from fairscore.pipeline import provenance
from fairscore.fileio import atomic_path, sha256_file, write_json
from fairscore.pipeline.provenance import (
    SCHEMA_VERSION,
    Damage,
    RecordMismatchError,
    check_inputs,
    damaged_outputs,
    file_record,
    find_record,
    job_record,
    write_index,
)
from fairscore.pipeline.workflow import mark_incomplete


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


def test_snakemakes_directory_marker_is_not_part_of_the_record(tmp_path):
    folder = tmp_path / "fixture"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    before = file_record(folder)
    (folder / ".snakemake_timestamp").touch()  # what Snakemake adds once the job has finished
    assert file_record(folder) == before
    (folder / "b.txt").touch()  # any other new file, even an empty one, changes it
    after = file_record(folder)
    assert after["files"] == 2 and after["sha256"] != before["sha256"]


def write_job(root, sidecar, outputs, inputs=()):
    """A fake job: its outputs on disk and its sidecar recording them (and ``inputs``)."""
    for path, text in outputs.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    write_json(root / sidecar, {"rule": "r", "inputs": [file_record(root / p) | {"path": p} for p in inputs],
                                "outputs": [file_record(root / p) | {"path": p} for p in outputs]})
    with contextlib.chdir(root):
        write_index(list(outputs), sidecar)


@pytest.fixture
def jobs(tmp_path, monkeypatch):
    """raw (a download) -> table -> per-method CSV, each with its sidecar; a source file beside them."""
    monkeypatch.setenv("FAIRSCORE_CONFIG_FILES", "tests/config/test.yaml:config/config.yaml")
    write_job(tmp_path, "results/provenance/download_raw/x.json", {"results/raw/x.data": "1,2\n3,4\n"})
    write_job(tmp_path, "results/provenance/preprocess/p.json", {"results/data/p.csv": "a,b\n1,2\n"},
              inputs=["results/raw/x.data"])
    write_job(tmp_path, "results/provenance/table2_method/p/m.json", {"results/table2/p/m.csv": "x\n1\n"},
              inputs=["results/data/p.csv"])
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "paper.csv").write_text("v\n1\n")
    return tmp_path


def test_check_inputs_passes_recorded_and_source_files_and_returns_their_records(jobs):
    inputs = ["results/data/p.csv", "reference/paper.csv", "results/provenance/preprocess/p.json"]
    records = check_inputs(inputs, root=jobs)
    assert [r["path"] for r in records] == inputs
    assert records[0] == file_record(jobs / inputs[0]) | {"path": inputs[0]}


def test_check_inputs_finds_records_through_the_index_without_reading_every_sidecar(jobs, monkeypatch):
    monkeypatch.setattr(provenance, "load_records", lambda *a, **k: pytest.fail("read every sidecar"))
    assert check_inputs(["results/raw/x.data", "results/data/p.csv"], root=jobs)


def test_a_stale_or_missing_index_entry_falls_back_to_the_sidecars(jobs):
    index = jobs / "results/provenance/.index/results/data/p.csv.sidecar"
    assert find_record("results/data/p.csv", root=jobs)[1] == "results/provenance/preprocess/p.json"
    index.write_text("results/provenance/download_raw/x.json\n")  # names a sidecar that does not list it
    assert find_record("results/data/p.csv", root=jobs) is None
    index.unlink()
    assert find_record("results/data/p.csv", root=jobs) is None
    assert check_inputs(["results/data/p.csv"], root=jobs)[0]["path"] == "results/data/p.csv"
    (jobs / "results/data/p.csv").write_text("changed")
    with pytest.raises(RecordMismatchError, match="results/data/p.csv: bytes differ"):
        check_inputs(["results/data/p.csv"], root=jobs)


def test_check_inputs_names_file_both_hashes_sizes_and_the_rebuild_command(jobs):
    table = jobs / "results/data/p.csv"
    recorded = sha256_file(table)
    table.write_text("a,b\n1,3\n")  # same size, other bytes
    with pytest.raises(RecordMismatchError) as err:
        check_inputs(["results/data/p.csv"], root=jobs)
    message = str(err.value)
    assert message.startswith("results/data/p.csv: bytes differ from the record results/provenance/preprocess/p.json")
    assert recorded in message and sha256_file(table) in message and message.count("8 bytes") == 2
    assert ("snakemake results/data/p.csv --forcerun results/data/p.csv --cores all "
            "--configfile tests/config/test.yaml") in message


def test_check_inputs_refuses_a_truncated_raw_file(jobs):
    (jobs / "results/raw/x.data").write_text("1,2\n")
    with pytest.raises(RecordMismatchError, match=r"recorded 8 bytes.*the file has 4 bytes"):
        check_inputs(["results/raw/x.data"], root=jobs)


def test_check_inputs_refuses_a_workflow_output_without_sidecar(jobs):
    (jobs / "results/provenance/preprocess/p.json").unlink()
    with pytest.raises(RecordMismatchError, match=r"results/data/p.csv: no provenance record lists this file"):
        check_inputs(["results/data/p.csv"], root=jobs)


def test_damaged_outputs_none_when_everything_matches(jobs):
    assert damaged_outputs(jobs) == []


def test_damaged_outputs_finds_missing_resized_and_unrecorded_files_and_what_to_rerun(jobs):
    (jobs / "results/raw/x.data").write_text("1,2\n")
    (jobs / "results/table2/p/m.csv").unlink()
    (jobs / "results/provenance/preprocess/p.json").unlink()
    assert damaged_outputs(jobs) == [
        Damage("results/data/p.csv", "read by results/provenance/table2_method/p/m.json but no record lists it",
               ("results/data/p.csv",)),
        Damage("results/raw/x.data", "4 bytes, results/provenance/download_raw/x.json recorded 8",
               ("results/raw/x.data",)),
        Damage("results/table2/p/m.csv", "missing (recorded by results/provenance/table2_method/p/m.json)",
               ("results/provenance/table2_method/p/m.json",)),
    ]


def test_an_unrecorded_and_deleted_input_reruns_the_job_that_read_it(jobs):
    (jobs / "results/provenance/preprocess/p.json").unlink()
    (jobs / "results/data/p.csv").unlink()
    assert [d.rerun for d in damaged_outputs(jobs)] == [("results/provenance/table2_method/p/m.json",)]


def test_mark_incomplete_writes_snakemakes_marker(tmp_path):
    mark_incomplete(["results/raw/x.data", "results/" + "d" * 300], persistence=tmp_path)
    short = tmp_path / "incomplete" / urlsafe_b64encode(b"results/raw/x.data").decode()
    assert json.loads(short.read_text()) == {"external_jobid": None}
    long_id = urlsafe_b64encode(("results/" + "d" * 300).encode()).decode()
    chunked = [p for p in (tmp_path / "incomplete").rglob("*") if p.is_file() and p != short]
    assert len(chunked) == 1 and chunked[0].parent.name.startswith("@")
    assert chunked[0].parent.name[1:] + chunked[0].name == long_id


def test_job_record_reuses_the_checked_input_records(jobs):
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    checked = check_inputs(["results/data/p.csv"], root=jobs)
    record = job_record(rule="r", wildcards={}, params={}, inputs=["results/data/p.csv"], outputs=[], started=t0,
                        finished=t0, input_records=checked, input_check_seconds=0.01234)
    assert record["inputs"] is checked and record["time"]["input_check_seconds"] == 0.0123
