"""Every method of the extended Table 2 ranked per (dataset, protected) column, with the paired tests."""

import pandas as pd

from fairscore.fileio import atomic_path, write_csv
from fairscore.reporting.tables import rank_methods, render_ranking
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    ranked = rank_methods(pd.read_csv(inputs.cells))
    write_csv(ranked, outputs.csv)
    with atomic_path(outputs.md) as tmp:
        tmp.write_text(render_ranking(ranked))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
