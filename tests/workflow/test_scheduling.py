"""Local runs schedule once per finished job (fairscore.pipeline.workflow.drop_local_rate_limit)."""

from __future__ import annotations

from types import SimpleNamespace

from fairscore.pipeline.workflow import drop_local_rate_limit

from .conftest import snakemake

SNAKEFILE = """
from fairscore.pipeline.workflow import drop_local_rate_limit
{hook}
rule all:
    input: expand("out/{{i}}.txt", i=range(8))
rule one:
    output: "out/{{i}}.txt"
    shell: "sleep {seconds}; touch {{output}}"
"""
HOOK = "onstart:\n    drop_local_rate_limit(workflow)\n"


def _scheduling_passes(workdir, hook, seconds):
    workdir.mkdir()
    (workdir / "Snakefile").write_text(SNAKEFILE.format(hook=hook, seconds=seconds))
    log = snakemake(workdir, "--cores", "2", "--verbose").stderr
    assert log.count("Finished jobid") == 9, log[-2000:]
    return log.count("Resources before job selection")


def test_a_local_run_schedules_once_per_finished_job(tmp_path):
    assert _scheduling_passes(tmp_path / "hooked", HOOK, seconds=1) <= 9


def test_without_the_hook_the_pinned_snakemake_multiplies_its_passes(tmp_path):
    # If a Snakemake upgrade stops arming a timer per pass, this fails: the hook can then go.
    assert _scheduling_passes(tmp_path / "plain", "", seconds=2) > 18


def test_a_cluster_run_keeps_its_rate_limit():
    limiter = object()
    cluster = SimpleNamespace(local_exec=False, scheduler=SimpleNamespace(job_rate_limiter=limiter))
    assert not drop_local_rate_limit(cluster) and cluster.scheduler.job_rate_limiter is limiter
    local = SimpleNamespace(local_exec=True, scheduler=SimpleNamespace(job_rate_limiter=limiter))
    assert drop_local_rate_limit(local) and local.scheduler.job_rate_limiter is None
