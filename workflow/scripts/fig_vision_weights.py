"""Paper Fig. 3: the FairShap weights of the LFW training images by sex, and the images with the largest φ."""

import numpy as np
import pandas as pd

from fairscore.reporting.fairshap_figures import vision_weights_figure
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    frame = pd.read_csv(inputs.weights)
    column = f"phi_{params.valuation}"
    top = frame.sort_values(column, ascending=False, kind="stable").head(params.top)
    with np.load(inputs.images) as data:
        images = data["images"][top["row"].to_numpy()]
    frame["top"] = frame["row"].isin(top["row"])
    fig = vision_weights_figure(frame, images, top, valuation=params.valuation)
    write_figure(fig, frame, dict(outputs.items()), name="fig_vision_weights", dpi=params.figures["dpi"],
                 n_train=len(frame), valuation=params.valuation, top=len(top), k=params.k)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
