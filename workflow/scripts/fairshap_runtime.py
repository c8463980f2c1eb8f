"""Fig. 10 runs: seconds to compute each method's weights on synthetic data."""

from fairscore.protocols.runtime import runtime_runs
from fairscore.fileio import write_csv
from fairscore.pipeline.provenance import machine_description
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    r = dict(params.runtime)
    runs = runtime_runs(r.pop("methods"), **r).assign(machine=machine_description())
    write_csv(runs, outputs.runs)
    return {"seeds": {"runtime_seed": params.runtime["seed"]}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
