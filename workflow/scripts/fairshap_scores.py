"""FairShap valuations and weights for every split of one pair (reference = validation)."""

from fairscore.data import read_tidy
from fairscore.experiments import fairshap_split_scores
from fairscore.fileio import write_npz
from fairscore.splits import read_split
from fairscore.workflow import run


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    for split_path, out in zip(inputs.splits, outputs.scores, strict=True):
        write_npz(out, fairshap_split_scores(X, y, a, read_split(split_path), **params.fairshap))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
