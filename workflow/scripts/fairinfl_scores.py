"""FairInfl run r: train the full-data λ = 1 model (lfatr) and score every training example
(a protocol variant with the default's score model loads that model instead of training it)."""

import pandas as pd
import torch

from fairscore.fairinfl.rundata import load_run_data, run_seeds
from fairscore.fairinfl.runs import score_model
from fairscore.fileio import atomic_path, write_csv, write_npz
from fairscore.models.tabular import build_model
from fairscore.pipeline.workflow import run
from fairscore.fairinfl.settings import Scoring
from fairscore.models.settings import Training
from fairscore.settings import section


def main(inputs, params, outputs):
    d = load_run_data(inputs.data, run=params.run, **params.data)
    model, training = None, section(Training, params.training)
    if "model" in inputs.keys():
        model = build_model(training, d.X_train.shape[1], seed=run_seeds(params.run)["init"])
        model.load_state_dict(torch.load(inputs.model, weights_only=True))
    model, scores, metrics = score_model(d, training, section(Scoring, params.scores), run=params.run, model=model)
    write_npz(outputs.scores, scores)
    with atomic_path(outputs.model) as tmp:
        torch.save(model.state_dict(), tmp)
    write_csv(pd.DataFrame([{"run": params.run, "method": "lfatr", **metrics}]), outputs.lfatr)
    return {"seeds": run_seeds(params.run)}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
