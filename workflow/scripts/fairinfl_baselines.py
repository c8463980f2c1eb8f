"""FairInfl run r: the ERM (λ = 0) and reduction (fairlearn ExponentiatedGradient) baselines."""

import numpy as np
import pandas as pd

from fairscore.fairinfl import erm_metrics, reduction_metrics, run_data, run_seeds
from fairscore.fileio import write_csv
from fairscore.workflow import run


def main(inputs, params, outputs):
    data = np.load(inputs.data)
    d = run_data(data["X"], data["y"], data["z"], run=params.run, test_fraction=params.test_fraction)
    rows = [{"run": params.run, "method": "ERM", **erm_metrics(d, params.training, run=params.run)},
            {"run": params.run, "method": "reduction",
             **reduction_metrics(d, params.training, params.reduction, run=params.run)}]
    write_csv(pd.DataFrame(rows), outputs.runs)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
