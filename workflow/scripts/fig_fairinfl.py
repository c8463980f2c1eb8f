"""Fig. 2 / 3 / 4 (a)(b)(c): FairInfl on Adult, CelebA or Jigsaw, pruning strategies and baselines over the runs."""

import pandas as pd

from fairscore.fileio import read_csv
from fairscore.reporting.fairinfl_figures import fairinfl_figure, fairinfl_summary
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run

_FIGURES = {"adult": ("Adult", 2), "celeba": ("CelebA", 3), "jigsaw": ("Jigsaw", 4)}


def main(inputs, params, outputs):
    prune = pd.concat([read_csv(p) for p in inputs.prune], ignore_index=True)
    baselines = pd.concat([read_csv(p) for p in [*inputs.baselines, *inputs.lfatr]], ignore_index=True)
    dataset, figure = _FIGURES[params.dataset]
    training = params.training
    network = (f"ResNet (blocks {list(training['blocks'])}) with two fully connected layers (512 → {training['hidden']} → 1)"
               if training["architecture"] == "resnet_two_fc" else f"MLP Dense({training['hidden']}) – ReLU – Dense(1)")
    reduction = (", reduction (fairlearn exponentiated gradient with a DP constraint around the same network)"
                 if "reduction" in params.baselines else "")
    write_figure(fairinfl_figure(prune, baselines), fairinfl_summary(prune, baselines), dict(outputs.items()),
                 name="fig_fairinfl", dpi=params.figures["dpi"], runs=prune["run"].nunique(), dataset=dataset,
                 figure=figure, network=network, reduction=reduction)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
