"""FairInfl scores of every Table 2 training split of one pair (cross-family comparison)."""

from fairscore.datasets.tidy import read_tidy
from fairscore.protocols.cross_family import fairinfl_split_scores
from fairscore.fileio import write_npz
from fairscore.datasets.splits import read_split
from fairscore.pipeline.progress import progress
from fairscore.pipeline.workflow import run
from fairscore.fairinfl.settings import Scoring
from fairscore.models.settings import Training
from fairscore.settings import section


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    for k, (split_path, out) in enumerate(progress(list(zip(inputs.splits, outputs.scores, strict=True)),
                                                   "FairInfl splits")):
        split = read_split(split_path, n_rows=len(X), **params.split_fractions)
        write_npz(out, fairinfl_split_scores(X, y, a, split, training=section(Training, params.training),
                                             scoring=section(Scoring, params.scores), split_index=k,
                                             constraints=params.constraints))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
