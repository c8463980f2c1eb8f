"""Fig. 6: histograms of the FairShap EOp and EOdds weights of one split, by group and label."""

import json

import numpy as np
import pandas as pd

from fairscore.datasets.tidy import read_tidy
from fairscore.reporting.figures import describe_pairs, write_figure
from fairscore.reporting.fairshap_figures import weights_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    _, y, a = read_tidy(inputs.table)
    meta = json.loads(open(inputs.meta).read())
    scores = np.load(inputs.scores)
    rows = scores["row"]
    frame = pd.DataFrame({"row": rows, "group": a[rows], "label": y[rows],
                          "w_eop": scores["w_eop"], "w_eodds": scores["w_eodds"]})
    fig = weights_figure(frame, columns={"w_eop": "φ_EOp", "w_eodds": "φ_EOdds"}, group_names=meta["group_names"],
                         label_names=meta["label_names"],
                         legend_title=f"{meta['protected_attribute']}, {meta['label_name']}")
    write_figure(fig, frame, dict(outputs.items()), name="fig_weights", dpi=params.figures["dpi"],
                 pair=describe_pairs(pd.DataFrame([params.pair])), split=params.split, n_train=len(rows))


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
