"""Every cell of the paper's Table 2 next to ours, with a verdict (|z| <= threshold)."""

import pandas as pd

from fairscore.compare import compare_table2, summarise_comparison
from fairscore.fileio import atomic_path, write_csv
from fairscore.workflow import run


def main(inputs, params, outputs):
    result = compare_table2(pd.read_csv(inputs.cells), pd.read_csv(inputs.paper), threshold=params.threshold)
    write_csv(result, outputs.csv)
    with atomic_path(outputs.md) as tmp:
        tmp.write_text(summarise_comparison(result, threshold=params.threshold))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
