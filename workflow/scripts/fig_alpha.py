"""Fig. 7: metrics against α for the FairShap methods, every pair."""

import pandas as pd

from fairscore.protocols.metrics import aggregate
from fairscore.reporting.figures import aggregation_text, describe_pairs, write_figure
from fairscore.reporting.fairshap_figures import alpha_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    frames = [pd.read_csv(path).assign(dataset=params.pairs[pair]["dataset"],
                                       protected=params.pairs[pair]["protected"], method=params.labels[method])
              for (pair, method), path in zip(params.jobs, inputs.per_split, strict=True)]
    per_split = pd.concat(frames, ignore_index=True)
    cells = aggregate(per_split, keys=["dataset", "protected", "method", "alpha"], metrics=list(params.metrics))
    aggregation = params.figures["gap_aggregation"]
    write_figure(alpha_figure(cells, metrics=list(params.metrics), aggregation=aggregation), cells,
                 dict(outputs.items()), name="fig_alpha", dpi=params.figures["dpi"],
                 alphas=", ".join(f"{v:g}" for v in sorted(per_split["alpha"].unique())),
                 n_splits=per_split["split"].nunique(), pairs=describe_pairs(cells),
                 aggregation=aggregation_text(aggregation))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
