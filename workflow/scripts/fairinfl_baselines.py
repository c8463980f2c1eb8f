"""FairInfl run r: the configured baselines, ERM (λ = 0) and reduction (fairlearn ExponentiatedGradient)."""

from fairscore.fairinfl.runs import baseline_rows
from fairscore.fairinfl.rundata import load_run_data, run_seeds
from fairscore.fairinfl.settings import Reduction
from fairscore.fileio import read_csv, write_csv
from fairscore.models.settings import Training
from fairscore.pipeline.workflow import run
from fairscore.settings import section


def main(inputs, params, outputs):
    d = load_run_data(inputs.data, run=params.run, **params.data)
    # a protocol variant on the default's data may copy the default's reduction row (same oracle)
    default = "default" in inputs.keys()
    rows = baseline_rows(d, section(Training, params.training), section(Reduction, params.reduction),
                         baselines=params.baselines, run=params.run,
                         default_rows=read_csv(inputs.default) if default else None,
                         default_training=section(Training, params.default_training) if default else None)
    write_csv(rows, outputs.runs)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
