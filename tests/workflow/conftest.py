"""Run Snakemake in a temporary copy of the workflow (Snakemake locks its directory).

The modules that only read what the test config builds share one build per session
(:func:`shared_build`); a module that changes files works on :func:`private_copy` of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

#: the first bytes of every PNG file
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

WORKFLOW_PARTS = ("Snakefile", "workflow", "config", "envs", "profiles", "src", "reference", "tests/config",
                  "tests/slurm")


def copy_workflow(root: Path, dest: Path) -> Path:
    for part in WORKFLOW_PARTS:
        src = root / part
        target = dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, target)
    (dest / "data").symlink_to(root / "data")  # the offline mirror made by ./setup.sh
    return dest


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=1200)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def report_entries(archive: zipfile.ZipFile) -> dict:
    """The entries of a `snakemake --report` zip (path -> name, labels, rendered caption, data_uri), as its
    report.html declares them."""
    page = archive.read("report/report.html").decode()
    start = page.index("var results = {") + len("var results = ")
    return json.JSONDecoder().raw_decode(page, start)[0]


def build(workdir: Path, *targets: str) -> subprocess.CompletedProcess:
    """Build ``targets`` on 2 cores with the small test config (tests/config/test.yaml)."""
    return snakemake(workdir, "--cores", "2", *targets, "--configfile", "tests/config/test.yaml")


#: what the modules reading the shared build check: one 2-core build of all of it per session
SHARED_TARGETS = ("reproduction_report", "cross_family", "cross_family_fairinfl", "fairshap_figures",
                  "fairshap_scores", "fairinfl_adult", "fairinfl_sensitivity")


@pytest.fixture(scope="session")
def shared_build(root, tmp_path_factory) -> Path:
    """The test config's :data:`SHARED_TARGETS`, built once; tests must not change its files."""
    tree = copy_workflow(root, tmp_path_factory.mktemp("shared"))
    build(tree, *SHARED_TARGETS)
    return tree


def private_copy(built: Path, dest: Path) -> Path:
    """A copy of a built tree (file times and Snakemake's metadata kept: nothing to rebuild)."""
    shutil.copytree(built, dest, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def test_workflow(root, tmp_path_factory) -> Path:
    """A fresh copy per test module, so each module sees only the jobs it ran."""
    return copy_workflow(root, tmp_path_factory.mktemp("workflow"))
