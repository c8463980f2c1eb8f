"""One Table 2 method on every split of one pair: per-split test metrics."""

from fairscore.datasets.aif360 import load_aif360_dataset, place_aif360_raw_files
from fairscore.datasets.tidy import read_tidy
from fairscore.protocols.table2 import table2_method_runs
from fairscore.fileio import read_npz, write_csv
from fairscore.datasets.splits import read_split
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    X, y, a = read_tidy(inputs.table)
    fairshap = [read_npz(p) for p in inputs.fairshap] or None
    fairinfl = [read_npz(p) for p in inputs.fairinfl] or None
    aif360 = None
    if params.method["kind"] == "optprep":
        place_aif360_raw_files(dict(zip(params.aif360_paths, inputs.raw, strict=True)))
        aif360 = load_aif360_dataset(params.pair["dataset"], params.pair["protected"])
    splits = [read_split(p, n_rows=len(X), **params.split_fractions) for p in inputs.splits]
    runs = table2_method_runs(params.method, X, y, a, splits, params.seeds,
                              dataset=params.pair["dataset"], fairshap=fairshap, fairinfl=fairinfl,
                              aif360=aif360, protected=params.pair["protected"])
    write_csv(runs, outputs.per_split)
    return {"seeds": {"split_seeds": list(params.seeds)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
