"""The workflow on a real single-node SLURM cluster started on localhost.

Needs root and Debian's slurm-wlm and munge (``.ci/run`` installs them; elsewhere the
test is skipped). The test writes ``/etc/slurm/slurm.conf`` and ``gres.conf`` (one fake
GPU, ``File=/dev/null``, so GPU rules are scheduled) only where no SLURM configuration
exists, or where the one there is its own leftover from an interrupted run, and removes
them afterwards; job steps inside an allocation read that default
path. State, logs and pid files live in a temporary folder. The daemons are stopped by
process id at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from fairscore.fileio import sha256_file

from .conftest import copy_workflow

DAEMONS = ("munged", "slurmctld", "slurmd")
SLURM_ETC = Path("/etc/slurm")
CLUSTER_LINE = "ClusterName=fairscore-test"


def _foreign_config(conf: Path = SLURM_ETC / "slurm.conf") -> bool:
    """True where a SLURM configuration exists that this test did not write.

    A configuration whose first line is this test's own cluster name is a leftover of an
    interrupted run (the clean-up never ran), so the test may overwrite it.
    """
    if not conf.exists():
        return False
    lines = conf.read_text(errors="replace").splitlines()
    return not lines or lines[0] != CLUSTER_LINE


_MISSING = ("needs root and slurm-wlm + munge (installed by .ci/run)"
            if os.geteuid() != 0 or not all(Path(f"/usr/sbin/{d}").exists() for d in DAEMONS) else
            "a SLURM configuration exists on this machine; the test does not touch it"
            if _foreign_config() else None)
# CI sets FAIRSCORE_REQUIRE_SLURM=1: there a missing cluster is a failure, not a skip.
needs_cluster = pytest.mark.skipif(_MISSING is not None and os.environ.get("FAIRSCORE_REQUIRE_SLURM") != "1",
                                   reason=str(_MISSING))


def _pid(path: Path, timeout: float = 20) -> int:
    deadline = time.time() + timeout
    while not path.exists() and time.time() < deadline:
        time.sleep(0.2)
    return int(path.read_text().split()[0])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Start munged, slurmctld and slurmd; yield the environment that talks to them."""
    if _MISSING is not None:
        pytest.fail(f"SLURM test required (FAIRSCORE_REQUIRE_SLURM=1) but {_MISSING}")
    base = tmp_path_factory.mktemp("slurm")
    host = socket.gethostname().split(".")[0]
    for sub in ("state", "spool"):
        (base / sub).mkdir()
    conf = SLURM_ETC / "slurm.conf"
    conf.write_text("\n".join([
        CLUSTER_LINE, f"SlurmctldHost={host}", "AuthType=auth/munge",
        "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory", "SlurmUser=root", "SlurmdUser=root",
        f"StateSaveLocation={base}/state", f"SlurmdSpoolDir={base}/spool",
        f"SlurmctldPidFile={base}/slurmctld.pid", f"SlurmdPidFile={base}/slurmd.pid",
        f"SlurmctldLogFile={base}/slurmctld.log", f"SlurmdLogFile={base}/slurmd.log",
        "AccountingStorageType=accounting_storage/none", "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none", "MinJobAge=600", "ReturnToService=2", "GresTypes=gpu",
        f"NodeName={host} CPUs={os.cpu_count()} RealMemory=8000 Gres=gpu:1 State=UNKNOWN",
        f"PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP", ""]))
    (SLURM_ETC / "gres.conf").write_text("Name=gpu File=/dev/null\n")
    env = dict(os.environ)
    pids = []
    try:
        munge_run = Path("/run/munge")
        munge_run.mkdir(exist_ok=True)
        shutil.chown(munge_run, "munge", "munge")
        munge_pid = munge_run / "fairscore-test.pid"  # munged runs as user munge: its own folder
        munge_pid.unlink(missing_ok=True)
        subprocess.run(["/usr/sbin/runuser", "-u", "munge", "--", "/usr/sbin/munged", "--pid-file", str(munge_pid)],
                       check=True, env=env)
        pids.append(_pid(munge_pid))
        for daemon in ("slurmctld", "slurmd"):
            subprocess.run([f"/usr/sbin/{daemon}"], check=True, env=env)
            pids.append(_pid(base / f"{daemon}.pid"))
        deadline = time.time() + 60
        while "idle" not in subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True,
                                           text=True).stdout and time.time() < deadline:
            time.sleep(1)
        yield env
    finally:
        for pid in reversed(pids):
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        for name in ("slurm.conf", "gres.conf"):
            (SLURM_ETC / name).unlink(missing_ok=True)


@needs_cluster
def test_workflow_runs_every_job_under_slurm_with_the_local_outputs(cluster, root, shared_build, tmp_path):
    overlay = ("--configfile", "tests/config/test.yaml", "tests/slurm/gpu.yaml")
    remote = copy_workflow(root, tmp_path / "slurm")
    proc = subprocess.run([os.sys.executable, "-m", "snakemake", "--workflow-profile", "tests/slurm/profile",
                           "fairshap_scores", *overlay], cwd=remote, env=cluster, capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    local = shared_build  # built without the GPU overlay: it changes resources, not values

    sidecars = sorted((remote / "results" / "provenance").rglob("*.json"))
    assert len(sidecars) == 8
    job_ids = {}
    for path in sidecars:
        record = json.loads(path.read_text())
        assert record["slurm"] and record["slurm"]["SLURM_JOB_ID"], path
        job_ids[path.parent.name] = record["slurm"]["SLURM_JOB_ID"]
        for out in record["outputs"]:  # same bytes as the local run
            assert sha256_file(local / out["path"]) == out["sha256"], out["path"]
    show = subprocess.run(["scontrol", "show", "job", job_ids["fairshap_scores"]], env=cluster,
                          capture_output=True, text=True).stdout
    assert "gpu:1" in show  # the GPU rule asked for the (fake) GPU


def test_only_a_configuration_this_test_wrote_counts_as_its_own(tmp_path):
    conf = tmp_path / "slurm.conf"
    assert not _foreign_config(conf)
    conf.write_text(f"{CLUSTER_LINE}\nSlurmctldHost=x\n")
    assert not _foreign_config(conf)
    for other in ("ClusterName=production\n", "", f"# {CLUSTER_LINE}\n"):
        conf.write_text(other)
        assert _foreign_config(conf), other
