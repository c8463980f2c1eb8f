"""The adapter between a Snakemake ``script:`` job and a package function.

Every workflow script is ``run(snakemake, main)``: logging goes to the rule's log,
``main(inputs, params, outputs)`` does the work with package functions, and the
provenance sidecar (named output ``prov``) is written last, after every other
output is complete. Before ``main`` runs, every input that another job wrote is checked
against that job's sidecar (size and sha256); a mismatch or a missing sidecar fails the
job naming the file and the command that rebuilds it (``docs/recovery.md``).
``main`` may return ``{"seeds": ..., "data_source": ..., "measured": ...}``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from fairscore.errors import ConfigError
from fairscore.fileio import write_json
from fairscore.pipeline.provenance import check_inputs, job_record, write_index

__all__ = ["check_dataset_files", "drop_local_rate_limit", "mark_incomplete", "run"]


def check_dataset_files(config: dict, pairs: list[str], *, source: str = "config") -> None:
    """Raise :class:`ConfigError` naming the key and the file when a ``loader: csv`` dataset of a
    pair in ``pairs`` points at a file that does not exist. Snakemake would otherwise drop the
    ``preprocess`` job of a pair whose tidy table already exists and carry on with the old table."""
    for pair in pairs:
        name = config["pairs"][pair]["dataset"]
        dataset = config["datasets"][name]
        if dataset["loader"] == "csv" and not Path(dataset["path"]).is_file():
            raise ConfigError(f"{source}: datasets.{name}.path: {dataset['path']} does not exist (pair {pair}); "
                              f"expected the dataset's CSV file, relative to the run directory")


def drop_local_rate_limit(workflow) -> bool:
    """Let a local run schedule when a job ends, not also on Snakemake's rate-limit timers.

    Snakemake 9.27 applies ``--max-jobs-per-timespan`` (default 100/1s) to local runs too, and
    every scheduling pass arms a timer for one more pass, so the passes multiply with the jobs
    finished (1,095 passes for 40 jobs of 3 s on 2 cores), each one re-reading the size of every
    ready job's inputs: in the default run the main process used 54 % of one of the two cores.
    Locally nothing needs rate-limiting, and a pass still runs whenever a job ends; cluster
    executors keep their limit. Called from the Snakefile's ``onstart``; returns whether the
    limit was dropped.
    """
    scheduler = workflow.scheduler
    if not workflow.local_exec or getattr(scheduler, "job_rate_limiter", None) is None:
        return False
    scheduler.job_rate_limiter = None
    return True


def mark_incomplete(paths: list[str], *, persistence: str | os.PathLike = ".snakemake") -> None:
    """Mark ``paths`` as incomplete outputs the way Snakemake marks those of a job it is running
    (a JSON file named by the urlsafe base64 of the path under ``.snakemake/incomplete``). With
    ``--rerun-incomplete`` (profiles/default) Snakemake then reruns their jobs when they are part of
    the requested target, and every job downstream of them; Snakemake removes a mark once the job
    has finished."""
    folder = Path(persistence) / "incomplete"
    folder.mkdir(parents=True, exist_ok=True)
    max_len = os.pathconf(folder, "PC_NAME_MAX") or 255
    for path in paths:
        b64 = urlsafe_b64encode(str(path).encode()).decode()
        chunks = [b64[i:i + max_len - 1] for i in range(0, len(b64), max_len - 1)]
        marker = folder.joinpath(*("@" + c for c in chunks[:-1]), chunks[-1])
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"external_jobid": None}))


def run(smk, main: Callable) -> None:
    """Run ``main`` for the Snakemake job ``smk`` and write its provenance sidecar."""
    with contextlib.ExitStack() as stack:
        if len(smk.log):  # everything the job prints goes to its rule log
            log_fh = stack.enter_context(open(smk.log[0], "a"))
            stack.enter_context(contextlib.redirect_stderr(log_fh))
            stack.enter_context(contextlib.redirect_stdout(log_fh))
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
        logging.captureWarnings(True)
        started = datetime.now(timezone.utc)
        try:
            tic = time.perf_counter()
            input_records = check_inputs(list(smk.input))
            check_seconds = time.perf_counter() - tic
            logging.getLogger(__name__).info("checked %d inputs against their records in %.3f s",
                                             len(input_records), check_seconds)
            extra = main(smk.input, smk.params, smk.output) or {}
            finished = datetime.now(timezone.utc)
            prov = smk.output.prov
            record = job_record(
                rule=smk.rule,
                wildcards=dict(smk.wildcards.items()),
                params=dict(smk.params.items()),
                inputs=list(smk.input),
                outputs=[p for p in smk.output if p != prov],
                started=started,
                finished=finished,
                seeds=extra.get("seeds"),
                data_source=extra.get("data_source"),
                config=dict(smk.config),
                measured=extra.get("measured"),
                input_records=input_records,
                input_check_seconds=check_seconds,
            )
            write_json(prov, record)
            write_index([o["path"] for o in record["outputs"]], prov)
        except Exception:  # the reason goes to the rule log too, not only to Snakemake's console
            logging.getLogger(__name__).exception("job failed")
            raise
        logging.getLogger(__name__).info("wrote provenance %s", prov)
