"""Paper Fig. 4: 2-D PCA of the LFW training and FairFace reference embeddings, LFW points sized by weight."""

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from fairscore.reporting.fairshap_figures import vision_projection_figure
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    weights = pd.read_csv(inputs.weights)
    with np.load(inputs.lfw) as lfw, np.load(inputs.fairface) as ff:
        train, ref = lfw["part"] == "train", ff["part"] == "reference"
        X = np.concatenate([lfw["X"][train], ff["X"][ref]]).astype(np.float64)
        y = np.concatenate([lfw["y"][train], ff["y"][ref]])
        n_lfw = int(train.sum())
    pcs = PCA(n_components=2, svd_solver="full").fit_transform(X)
    weight = np.concatenate([weights[f"w_{params.valuation}"].to_numpy(), np.full(len(X) - n_lfw, np.nan)])
    frame = pd.DataFrame({"set": ["LFW train"] * n_lfw + ["FairFace reference"] * (len(X) - n_lfw), "y": y,
                          "pc1": pcs[:, 0], "pc2": pcs[:, 1], "weight": weight})
    fig = vision_projection_figure(frame, valuation=params.valuation)
    write_figure(fig, frame, dict(outputs.items()), name="fig_vision_projection", dpi=params.figures["dpi"],
                 n_lfw=n_lfw, n_ref=len(X) - n_lfw, valuation=params.valuation)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
