"""Reruns: a parameter change reruns only the jobs that depend on it; a run stopped with
SIGINT or killed with SIGKILL, then rerun, ends identical to the uninterrupted run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml

from .conftest import private_copy, snakemake

CONFIG = ("--configfile", "tests/config/test.yaml")
TABLES = ("table2.csv", "table2.md", "table2.tex")


@pytest.fixture(scope="module")
def clean(shared_build, tmp_path_factory):
    work = private_copy(shared_build, tmp_path_factory.mktemp("reruns") / "work")
    return work, {t: (work / "results" / "tables" / t).read_bytes() for t in TABLES}


def test_changing_one_method_parameter_reruns_only_its_jobs(clean):
    work, _ = clean
    (work / "fewer.yaml").write_text(yaml.safe_dump({"methods": {"labelbias": {"iterations": 50}}}))
    out = snakemake(work, "--cores", "2", "table2", *CONFIG, "fewer.yaml", "-n").stdout  # both files, one flag
    stats = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("Job stats:")[1].split("\n\n")[0], re.M))
    assert stats == {"table2_method": "2", "table2": "1", "total": "3"}
    assert set(re.findall(r"wildcards: .*method=(\w+)", out)) == {"labelbias"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_then_rerun_is_identical(clean, sig, tmp_path):
    work = private_copy(clean[0], tmp_path / "work")  # its own: the rerun rebuilds only what table2 needs
    tables = clean[1]
    pair = work / "results" / "table2" / "german_sex"  # one pair's per-method files: half the rebuild
    shutil.rmtree(pair)
    shutil.rmtree(work / "results" / "tables")
    # SIGINT back to its default: a non-interactive shell starts background jobs with it ignored
    proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2", "table2", *CONFIG], cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 600
    while len(list(pair.glob("*.csv"))) < 3 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, sig)
    proc.wait(timeout=300)
    assert not (work / "results" / "tables" / "table2.md").exists()  # stopped before the end
    if sig == signal.SIGKILL:  # a killed run leaves its lock behind
        snakemake(work, "--unlock", *CONFIG)
    snakemake(work, "--cores", "2", "table2", *CONFIG)
    for name in TABLES:
        assert (work / "results" / "tables" / name).read_bytes() == tables[name], name


SCORE = "results/scores/fairshap/german_sex/1.npz"
PER_METHOD = "results/table2/german_sex/labelbias.csv"
SIDECAR = "results/provenance/table2_method/german_sex/labelbias.json"  # the record of PER_METHOD


@pytest.mark.parametrize("victim", [SCORE, PER_METHOD, SIDECAR], ids=["score", "per-method CSV", "sidecar"])
def test_a_deleted_intermediate_is_rebuilt_by_a_plain_rerun(clean, victim):
    work, tables = clean
    (work / victim).unlink()
    proc = snakemake(work, "--cores", "2", "table2", *CONFIG)
    named = PER_METHOD if victim == SIDECAR else victim  # a lost record makes the file it lists unrecorded
    assert "Rebuilding 1 damaged file(s)" in proc.stderr and f"    {named}: " in proc.stderr
    assert (work / victim).exists()
    for name in TABLES:
        assert (work / "results" / "tables" / name).read_bytes() == tables[name], name
    assert "Nothing to be done" in snakemake(work, "--cores", "2", "table2", *CONFIG).stderr


def test_a_flipped_byte_in_a_score_file_fails_the_job_that_reads_it_naming_the_fix(clean):
    work, tables = clean
    path = work / SCORE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    proc = snakemake(work, "--cores", "2", "table2", *CONFIG, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "BadZipFile" not in out
    assert f"{SCORE}: bytes differ from the record results/provenance/fairshap_scores/german_sex.json" in out
    command = re.search(r"Rebuild it with: (snakemake .*)", out).group(1)
    assert command.startswith(f"snakemake {SCORE} --forcerun {SCORE} --cores all --configfile ")
    snakemake(work, *command.split()[1:])  # the command the error names
    snakemake(work, "--cores", "2", "table2", *CONFIG)
    for name in TABLES:
        assert (work / "results" / "tables" / name).read_bytes() == tables[name], name
