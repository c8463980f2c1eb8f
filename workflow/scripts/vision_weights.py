"""Table 1: FairShap (A = Y) values of the LFW training embeddings against the FairFace reference set."""

import numpy as np
import pandas as pd

from fairscore.fileio import write_csv
from fairscore.fairshap.faces import vision_weights
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    with np.load(inputs.lfw) as lfw, np.load(inputs.fairface) as ff:
        train, ref = lfw["part"] == "train", ff["part"] == "reference"
        X, y, rows = lfw["X"][train], lfw["y"][train], lfw["row"][train]
        X_ref, y_ref = ff["X"][ref], ff["y"][ref]
    values = vision_weights(X, y, X_ref, y_ref, k=params.k, valuation=params.valuation, **params.shapley)
    write_csv(pd.concat([pd.DataFrame({"row": rows, "y": y}), values], axis=1), outputs.weights)
    return {"data_source": {"lfw_train": int(train.sum()), "fairface_reference": int(ref.sum())}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
