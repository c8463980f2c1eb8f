"""FairInfl run r: train the full-data λ = 1 model (lfatr) and score every training example."""

import numpy as np
import pandas as pd
import torch

from fairscore.fairinfl import run_data, run_seeds, score_model
from fairscore.fileio import atomic_path, write_csv, write_npz
from fairscore.workflow import run


def main(inputs, params, outputs):
    data = np.load(inputs.data)
    d = run_data(data["X"], data["y"], data["z"], run=params.run, test_fraction=params.test_fraction)
    model, scores, metrics = score_model(d, params.training, params.scores, run=params.run)
    write_npz(outputs.scores, scores)
    with atomic_path(outputs.model) as tmp:
        torch.save(model.state_dict(), tmp)
    write_csv(pd.DataFrame([{"run": params.run, "method": "lfatr", **metrics}]), outputs.lfatr)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
