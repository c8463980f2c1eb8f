"""Decode one image dataset once into a cached uint8 array (crop or resize), with labels and partitions."""

import pandas as pd

from fairscore.fileio import write_npz
from fairscore.datasets.images import image_arrays
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    index = pd.read_csv(inputs.index)
    arrays = image_arrays(index, params.root, size=params.size, mode=params.mode)
    write_npz(outputs.images, arrays)
    return {"data_source": {"dir": params.root, "rows": len(index), "size": params.size, "mode": params.mode}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
