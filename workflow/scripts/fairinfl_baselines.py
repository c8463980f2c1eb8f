"""FairInfl run r: the configured baselines, ERM (λ = 0) and reduction (fairlearn ExponentiatedGradient)."""

import pandas as pd

from fairscore.fairinfl.runs import erm_metrics, reduction_metrics
from fairscore.fairinfl.rundata import load_run_data, run_seeds
from fairscore.fileio import write_csv
from fairscore.pipeline.workflow import run
from fairscore.fairinfl.settings import Reduction
from fairscore.models.settings import Training
from fairscore.settings import section


def main(inputs, params, outputs):
    d = load_run_data(inputs.data, run=params.run, **params.data)
    training, rows = section(Training, params.training), []
    if "erm" in params.baselines:
        rows.append({"run": params.run, "method": "ERM", **erm_metrics(d, training, run=params.run)})
    if "reduction" in params.baselines:
        rows.append({"run": params.run, "method": "reduction",
                     **reduction_metrics(d, training, section(Reduction, params.reduction), run=params.run)})
    write_csv(pd.DataFrame(rows), outputs.runs)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
