"""FairInfl Adult data (D7): AIF360 AdultDataset, balanced by `balancing` (default: every (label, sex) cell
downsampled to the smallest)."""

import numpy as np

from fairscore.datasets.aif360 import load_aif360_adult_full, place_aif360_raw_files
from fairscore.fairinfl.rundata import balanced_rows
from fairscore.fileio import write_npz
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    place_aif360_raw_files(dict(zip(params.aif360_paths, inputs.raw, strict=True)))
    X, y, z, names = load_aif360_adult_full()
    rows = balanced_rows(y, z, balancing=params.balancing, seed=params.balance_seed)
    write_npz(outputs.data, {"X": X[rows], "y": y[rows], "z": z[rows], "source_row": rows,
                             "feature_names": np.array(names)})
    cells = [int(((y[rows] == label) & (z[rows] == group)).sum()) for label in (0, 1) for group in (0, 1)]
    print(f"AdultDataset rows {len(y)}, balancing {params.balancing}: {len(rows)} rows, "
          f"(label, sex) cells (0, 0) (0, 1) (1, 0) (1, 1): {cells}")
    return {"seeds": {"balance_seed": params.balance_seed}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
