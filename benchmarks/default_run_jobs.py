"""Where the default run's time goes: every job's Snakemake benchmark, most expensive first.

Reads ``results/timings/<rule>/<wildcards>.tsv`` (one file per job, written by each rule's
``benchmark:``) and writes ``results/benchmarks/default_run_jobs.csv`` (one row per job: rule,
job (the path below the rule folder, i.e. its wildcards), wall seconds, CPU seconds, peak RSS in
MB) and ``default_run_rules.csv`` (the same summed per rule), then prints the ``--top`` most
expensive jobs by wall time as a Markdown table. CPU seconds are Snakemake's ``cpu_time``, the
last of its samples (every 0.5 s for 15 s, then every 30 s): a lower bound, up to 30 s short a job.
Run after ``snakemake --cores all``: ``.venv/bin/python benchmarks/default_run_jobs.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from fairscore.fileio import write_csv

TIMINGS = Path("results/timings")
OUT = Path("results/benchmarks")


def job_table(timings: Path) -> pd.DataFrame:
    """One row per benchmark file under ``timings``: rule, job, wall_s, cpu_s, max_rss_mb."""
    rows = []
    for path in sorted(timings.rglob("*.tsv")):
        last = pd.read_csv(path, sep="\t").iloc[-1]  # `benchmark: repeat(..., n)` writes n rows
        rule, *job = path.relative_to(timings).with_suffix("").parts
        rows.append({"rule": rule, "job": "/".join(job), "wall_s": float(last["s"]),
                     "cpu_s": float(last["cpu_time"]), "max_rss_mb": float(last["max_rss"])})
    if not rows:
        raise FileNotFoundError(f"{timings}: no Snakemake benchmark files (*.tsv); run the workflow first")
    return pd.DataFrame(rows).sort_values(["wall_s", "rule", "job"], ascending=[False, True, True],
                                          ignore_index=True)


def rule_table(jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs, wall and CPU seconds summed per rule, most expensive first."""
    grouped = jobs.groupby("rule").agg(jobs=("wall_s", "size"), wall_s=("wall_s", "sum"), cpu_s=("cpu_s", "sum"))
    return grouped.sort_values("wall_s", ascending=False).reset_index()


def markdown(jobs: pd.DataFrame, top: int) -> str:
    """The ``top`` rows of ``jobs`` as a Markdown table (minutes, one decimal)."""
    lines = ["| # | rule | job | wall min | CPU min |", "| --- | --- | --- | --- | --- |"]
    for i, row in enumerate(jobs.head(top).itertuples(), start=1):
        lines.append(f"| {i} | `{row.rule}` | {row.job} | {row.wall_s / 60:.1f} | {row.cpu_s / 60:.1f} |")
    total = f"| | all {len(jobs)} jobs | | {jobs.wall_s.sum() / 60:.1f} | {jobs.cpu_s.sum() / 60:.1f} |"
    return "\n".join([*lines, total])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timings", type=Path, default=TIMINGS)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    jobs = job_table(args.timings)
    write_csv(jobs, OUT / "default_run_jobs.csv")
    write_csv(rule_table(jobs), OUT / "default_run_rules.csv")
    print(markdown(jobs, args.top))


if __name__ == "__main__":
    main()
