"""App. C.3, Fig. 5: predicted against real one-step change of test outputs."""

import numpy as np
import torch

from fairscore.fairinfl.runs import first_order_pairs
from fairscore.fairinfl.rundata import load_run_data
from fairscore.reporting.fairinfl_figures import first_order_figure
from fairscore.reporting.figures import write_figure
from fairscore.models.tabular import mlp
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    fo = params.first_order
    d = load_run_data(inputs.data, run=fo["run"], **params.data)
    model = mlp(d.X_train.shape[1], params.training["hidden"], seed=0)
    model.load_state_dict(torch.load(inputs.model[0]))
    pairs = first_order_pairs(model, d, n_pairs=fo["pairs"], eta=fo["eta"], lam=params.training["lam"],
                              seed=fo["seed"])
    r = float(np.corrcoef(pairs["predicted"], pairs["real"])[0, 1])
    write_figure(first_order_figure(pairs, pearson=r), pairs, dict(outputs.items()), name="fig_first_order",
                 dpi=params.figures["dpi"], n_pairs=fo["pairs"], run=fo["run"], eta=fo["eta"], pearson=f"{r:.6f}")
    return {"seeds": {"pair_seed": fo["seed"]}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
