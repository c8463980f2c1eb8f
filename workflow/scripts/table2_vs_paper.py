"""Every cell of the paper's Table 2 next to ours and the authors'-code recipe's, each with a verdict."""

import pandas as pd

from fairscore.reporting.compare import compare_table2, recipe_note, summarise_comparison
from fairscore.fileio import atomic_path, write_csv
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    result = compare_table2(pd.read_csv(inputs.cells), pd.read_csv(inputs.paper), threshold=params.threshold,
                            recipes=params.recipes)
    write_csv(result, outputs.csv)
    with atomic_path(outputs.md) as tmp:
        tmp.write_text(summarise_comparison(result, threshold=params.threshold, tolerance=params.tolerance,
                                            note=recipe_note(params.recipe_methods)))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
