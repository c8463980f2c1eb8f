"""Fig. 8 runs: FairShap weights against growing shares of the validation split, one pair."""

import json

import pandas as pd

from fairscore.datasets.tidy import read_tidy, stratify_codes
from fairscore.protocols.fairshap_studies import ablation_runs
from fairscore.fileio import write_csv
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    strata = stratify_codes(pd.read_csv(inputs.table), json.loads(open(inputs.meta).read()))
    ab = params.ablation
    runs = ablation_runs(X, y, a, strata, params.seeds, fractions=ab["fractions"], valuations=ab["valuations"],
                         train_fraction=ab["train_fraction"], validation_fraction=ab["validation_fraction"],
                         dataset=params.pair["dataset"], **params.fairshap)
    write_csv(runs, outputs.per_run)
    return {"seeds": {"repeat_seeds": list(params.seeds)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
