"""FairInfl run r: retrain on the examples each prune strategy keeps at each fraction."""

import numpy as np

from fairscore.fairinfl.rundata import load_run_data, run_seeds
from fairscore.fairinfl.runs import prune_runs
from fairscore.fairinfl.settings import Prune
from fairscore.fileio import read_csv, write_csv
from fairscore.models.settings import Training
from fairscore.pipeline.workflow import run
from fairscore.settings import section


def main(inputs, params, outputs):
    d = load_run_data(inputs.data, run=params.run, **params.data)
    # a protocol variant copies the default's rows of the strategies that cannot differ
    reused = read_csv(inputs.reused) if "reused" in inputs.keys() else None
    runs = prune_runs(d, dict(np.load(inputs.scores)), training=section(Training, params.training),
                      prune=section(Prune, params.prune), run=params.run, reused=reused, reuse=params.get("reuse", []))
    write_csv(runs, outputs.runs)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
