"""FairInfl Adult data (D7): AIF360 AdultDataset, every (label, sex) cell downsampled to the smallest."""

import numpy as np

from fairscore.data import balance_cells, load_aif360_adult_full, place_aif360_raw_files
from fairscore.fileio import write_npz
from fairscore.workflow import run


def main(inputs, params, outputs):
    place_aif360_raw_files(dict(zip(params.aif360_paths, inputs.raw, strict=True)))
    X, y, z, names = load_aif360_adult_full()
    rows = balance_cells(y, z, seed=params.balance_seed)
    write_npz(outputs.data, {"X": X[rows], "y": y[rows], "z": z[rows], "source_row": rows,
                             "feature_names": np.array(names)})
    print(f"AdultDataset rows {len(y)}, balanced rows {len(rows)} ({len(rows) // 4} per (label, sex) cell)")
    return {"seeds": {"balance_seed": params.balance_seed}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
