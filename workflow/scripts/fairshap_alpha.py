"""Fig. 7 runs: one FairShap method at every α on every split of one pair."""

import numpy as np

from fairscore.datasets.tidy import read_tidy
from fairscore.protocols.fairshap_studies import alpha_curve_runs
from fairscore.fileio import read_csv, write_csv
from fairscore.datasets.splits import read_split
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    splits = [read_split(p, n_rows=len(X), **params.split_fractions) for p in inputs.splits]
    runs = alpha_curve_runs(params.method["valuation"], params.alphas, X, y, a, splits, params.seeds,
                            dataset=params.pair["dataset"],
                            fairshap=[dict(np.load(p)) for p in inputs.fairshap],
                            known={alpha: read_csv(p)
                                   for alpha, p in zip(params.from_table2, inputs.table2, strict=True)})
    write_csv(runs, outputs.per_split)
    return {"seeds": {"split_seeds": list(params.seeds)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
