"""Write one tiny upstream-format fixture (a dataset or the tiny BERT) where the fixture config points."""

from fairscore.datasets.fixtures import write_fixture
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    write_fixture(params.name, outputs.directory, **params.options)
    return {"data_source": {"fixture": params.name, "options": dict(params.options)}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
