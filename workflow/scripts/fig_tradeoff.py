"""Fig. 5: utility against fairness per pair, from the Table 2 per-split results."""

import pandas as pd

from fairscore.protocols.metrics import aggregate
from fairscore.reporting.figures import aggregation_text, describe_pairs, write_figure
from fairscore.reporting.fairshap_figures import tradeoff_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    per_split = pd.read_csv(inputs.per_split)
    cells = aggregate(per_split, keys=["dataset", "protected", "method"],
                      metrics=["accuracy", "macro_f1", "eop", "eodds"])
    aggregation = params.figures["gap_aggregation"]
    write_figure(tradeoff_figure(cells, aggregation=aggregation), cells, dict(outputs.items()), name="fig_tradeoff",
                 dpi=params.figures["dpi"], n_splits=per_split["split"].nunique(), pairs=describe_pairs(cells),
                 aggregation=aggregation_text(aggregation))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
