"""Index of one external dataset (download first when configured): one row per example."""

from fairscore.datasets.external import external_index
from fairscore.fileio import write_csv
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    settings = {k: v for k, v in params.settings.items() if k != "fixture"}
    index = external_index(params.dataset, settings.pop("dir"), **settings)
    write_csv(index, outputs.index)
    return {"data_source": {"dataset": params.dataset, "dir": params.settings["dir"], "rows": len(index)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
