"""The adapter between a Snakemake ``script:`` job and a package function.

Every workflow script is ``run(snakemake, main)``: logging goes to the rule's log,
``main(inputs, params, outputs)`` does the work with package functions, and the
provenance sidecar (named output ``prov``) is written last, after every other
output is complete. ``main`` may return ``{"seeds": ..., "data_source": ..., "measured": ...}``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timezone

from .fileio import write_json
from .provenance import job_record

__all__ = ["run"]


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
            )
            write_json(prov, record)
        except Exception:  # the reason goes to the rule log too, not only to Snakemake's console
            logging.getLogger(__name__).exception("job failed")
            raise
        logging.getLogger(__name__).info("wrote provenance %s", prov)
