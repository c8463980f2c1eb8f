"""Cross-family, run r: FairShap values of the training rows by K-fold cross-valuation, then
retrain on the rows with the largest values at each kept fraction (strategy ``fairshap``)."""


from fairscore.protocols.cross_family import fairshap_cross_values, fairshap_prune_runs
from fairscore.fairinfl.rundata import load_run_data, run_seeds
from fairscore.fileio import write_csv, write_npz
from fairscore.pipeline.workflow import run
from fairscore.models.settings import Training
from fairscore.settings import section


def main(inputs, params, outputs):
    d = load_run_data(inputs.data, run=params.run, **params.data)
    cross = params.fairshap_prune
    values, fold = fairshap_cross_values(d.X_train, d.y_train, d.z_train, folds=cross["folds"], seed=cross["seed"],
                                         **params.fairshap)
    write_npz(outputs.scores, {**{name: values[name].to_numpy() for name in values}, "fold": fold})
    runs = fairshap_prune_runs(d, values[cross["valuation"]].to_numpy(), training=section(Training, params.training),
                               fractions=params.fractions, run=params.run)
    write_csv(runs, outputs.runs)
    return {"seeds": {**run_seeds(params.run), "folds": cross["seed"]}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
