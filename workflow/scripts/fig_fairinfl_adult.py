"""Fig. 2 (a)(b)(c): FairInfl on Adult, pruning strategies and baselines over the runs."""

import pandas as pd

from fairscore.plots import fairinfl_adult_figure, fairinfl_adult_summary, write_figure
from fairscore.workflow import run


def main(inputs, params, outputs):
    prune = pd.concat([pd.read_csv(p) for p in inputs.prune], ignore_index=True)
    baselines = pd.concat([pd.read_csv(p) for p in [*inputs.baselines, *inputs.lfatr]], ignore_index=True)
    write_figure(fairinfl_adult_figure(prune, baselines), fairinfl_adult_summary(prune, baselines),
                 dict(outputs.items()), name="fig_fairinfl_adult", dpi=params.figures["dpi"],
                 runs=prune["run"].nunique())


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
