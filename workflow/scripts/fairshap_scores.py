"""FairShap valuations and weights for every split of one pair (reference = validation)."""

import time

from fairscore.datasets.tidy import read_tidy
from fairscore.protocols.table2 import fairshap_split_scores
from fairscore.fileio import write_npz
from fairscore.datasets.splits import read_split
from fairscore.pipeline.progress import progress
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    seconds, sizes = [], []
    for split_path, out in progress(list(zip(inputs.splits, outputs.scores, strict=True)), "FairShap splits"):
        split = read_split(split_path, n_rows=len(X), **params.split_fractions)
        start = time.perf_counter()
        scores = fairshap_split_scores(X, y, a, split, **params.fairshap)
        seconds.append(time.perf_counter() - start)
        sizes.append([len(split["train"]), len(split["validation"])])
        write_npz(out, scores)
    return {"measured": {"fairshap_seconds": seconds, "train_reference_rows": sizes}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
