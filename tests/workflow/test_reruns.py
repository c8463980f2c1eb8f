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

from .conftest import snakemake

CONFIG = ("--configfile", "tests/config/test.yaml")
TABLES = ("table2.csv", "table2.md", "table2.tex")


@pytest.fixture(scope="module")
def clean(test_workflow):
    snakemake(test_workflow, "--cores", "2", "table2", *CONFIG)
    return test_workflow, {t: (test_workflow / "results" / "tables" / t).read_bytes() for t in TABLES}


def test_changing_one_method_parameter_reruns_only_its_jobs(clean):
    work, _ = clean
    (work / "fewer.yaml").write_text(yaml.safe_dump({"methods": {"labelbias": {"iterations": 50}}}))
    out = snakemake(work, "--cores", "2", "table2", *CONFIG, "fewer.yaml", "-n").stdout  # both files, one flag
    stats = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("Job stats:")[1].split("\n\n")[0], re.M))
    assert stats == {"table2_method": "2", "table2": "1", "total": "3"}
    assert set(re.findall(r"wildcards: .*method=(\w+)", out)) == {"labelbias"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_then_rerun_is_identical(clean, sig):
    work, tables = clean
    shutil.rmtree(work / "results" / "table2")
    shutil.rmtree(work / "results" / "tables")
    # SIGINT back to its default: a non-interactive shell starts background jobs with it ignored
    proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2", "table2", *CONFIG], cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 600
    while len(list((work / "results" / "table2").rglob("*.csv"))) < 3 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, sig)
    proc.wait(timeout=300)
    assert not (work / "results" / "tables" / "table2.md").exists()  # stopped before the end
    if sig == signal.SIGKILL:  # a killed run leaves its lock behind
        snakemake(work, "--unlock", *CONFIG)
    snakemake(work, "--cores", "2", "table2", *CONFIG)
    for name in TABLES:
        assert (work / "results" / "tables" / name).read_bytes() == tables[name], name
