"""Fig. 8: metrics against the reference-set fraction, every pair."""

import pandas as pd

from fairscore.protocols.metrics import aggregate
from fairscore.reporting.fairshap_figures import ablation_figure
from fairscore.reporting.figures import aggregation_text, describe_pairs, write_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    frames = [pd.read_csv(path).assign(dataset=pair["dataset"], protected=pair["protected"])
              for pair, path in zip(params.pairs, inputs.per_run, strict=True)]
    runs = pd.concat(frames, ignore_index=True).rename(columns={"repeat": "split"})
    keys, metrics = ["dataset", "protected", "method", "fraction"], list(params.metrics)
    weighted = runs[runs["method"] != "gbc"].assign(method=lambda f: f["method"].map(params.labels))
    cells = aggregate(weighted, keys=keys, metrics=metrics)
    reference = aggregate(runs[runs["method"] == "gbc"].assign(method="GBC"), keys=keys[:3], metrics=metrics)
    data = pd.concat([cells, reference], ignore_index=True)
    aggregation = params.figures["gap_aggregation"]
    write_figure(ablation_figure(cells, reference, metrics=metrics, aggregation=aggregation), data,
                 dict(outputs.items()), name="fig_ablation", dpi=params.figures["dpi"],
                 repeats=runs["split"].nunique(), pairs=describe_pairs(cells), aggregation=aggregation_text(aggregation),
                 fractions=", ".join(f"{v:.0%}" for v in sorted(weighted["fraction"].unique())))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
