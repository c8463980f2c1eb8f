"""Cross-family figure: the FairInfl Adult prune strategies and prune by FairShap, over the runs."""

import pandas as pd

from fairscore.fileio import read_csv
from fairscore.reporting.fairinfl_figures import fairinfl_figure, fairinfl_summary
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    prune = pd.concat([read_csv(p) for p in [*inputs.prune, *inputs.fairshap]], ignore_index=True)
    baselines = pd.concat([read_csv(p) for p in [*inputs.baselines, *inputs.lfatr]], ignore_index=True)
    cross = params.fairshap_prune
    write_figure(fairinfl_figure(prune, baselines), fairinfl_summary(prune, baselines),
                 dict(outputs.items()), name="fig_cross_fairinfl_adult", dpi=params.figures["dpi"],
                 runs=prune["run"].nunique(), valuation=cross["valuation"], folds=cross["folds"], seed=cross["seed"],
                 k=params.k)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
