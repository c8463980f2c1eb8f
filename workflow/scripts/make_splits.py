"""Write the seeded, jointly stratified 70/15/15 splits of one pair (D3)."""

import json

import pandas as pd

from fairscore.datasets.tidy import stratify_codes
from fairscore.datasets.splits import stratified_split, write_split
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    frame = pd.read_csv(inputs.table)
    meta = json.loads(open(inputs.meta).read())
    codes = stratify_codes(frame, meta)
    for seed, path in zip(params.seeds, outputs.splits, strict=True):
        split = stratified_split(
            codes, seed=seed, train_fraction=params.train_fraction,
            validation_fraction=params.validation_fraction,
        )
        write_split(split, path)
    return {"seeds": {"split_seeds": list(params.seeds)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
