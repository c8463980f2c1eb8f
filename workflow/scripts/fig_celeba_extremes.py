"""FairInfl App. C.4: the CelebA training images with the highest and lowest fairness scores S(i)."""

from pathlib import Path

import numpy as np
import pandas as pd

from fairscore.fairinfl.runs import extreme_examples
from fairscore.datasets.images import image_array
from fairscore.reporting.fairinfl_figures import image_grid_figure
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    index = pd.read_csv(inputs.index[0])
    train = index[index["partition"] == "train"].reset_index(drop=True)
    extremes = extreme_examples(np.load(inputs.scores[0])[f"fairness_{params.constraint}"], count=params.top)
    rows = extremes.join(train[["image", "y", "z"]], on="train")
    images = [image_array(Path(params.root) / p).transpose(1, 2, 0) for p in rows["image"]]
    titles = [f"{'man' if z else 'woman'}, {'smiling' if y else 'not smiling'}" for y, z in zip(rows["y"], rows["z"])]
    counts = {f"{end}_{sex}": int(((rows["end"] == e) & (rows["z"] == m)).sum())
              for end, e in (("top", "highest"), ("bottom", "lowest")) for sex, m in (("men", 1), ("women", 0))}
    fig = image_grid_figure(images, titles, rows=4, row_labels=["highest S(i)", "lowest S(i)"])
    write_figure(fig, rows, dict(outputs.items()), name="fig_celeba_extremes", dpi=params.figures["dpi"],
                 count=params.top, constraint=params.constraint, run=params.run, **counts)
    return {"measured": counts}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
