"""Table 1: accuracy and per-sex rates on the FairFace test split (official val) of every training set,
next to the paper's numbers (reference/fairshap_table1_vision.csv, read only to be shown alongside)."""

import numpy as np
import pandas as pd

from fairscore.fileio import atomic_path, write_csv
from fairscore.models.vision import TABLE1_LABELS, group_rates
from fairscore.pipeline.workflow import run

COLUMNS = ["accuracy", "tpr_women", "tpr_men", "eop"]


def main(inputs, params, outputs):
    rows = []
    for variant in TABLE1_LABELS:
        if variant == "celeba":  # the pre-trained network as is: its logits were saved with the embeddings
            with np.load(inputs.fairface) as ff:
                test = ff["part"] == "test"
                y, pred = ff["y"][test], (ff["logit"][test] > 0).astype(int)
        else:
            frame = pd.read_csv(inputs.predictions[list(params.variants).index(variant)])
            y, pred = frame["y"].to_numpy(), frame["pred"].to_numpy()
        label = TABLE1_LABELS[variant]
        if variant == "lfw_fairshap" and params.valuation != "eop":
            label = f"LFWA FairShap phi_{params.valuation}"  # not the paper's row: no paper numbers join
        rows.append({"variant": variant, "training_set": label, **group_rates(pred, y)})
    ours = pd.DataFrame(rows)
    paper = pd.read_csv(inputs.paper).rename(columns={c: f"paper_{c}" for c in COLUMNS})
    table = ours.merge(paper, on="training_set", how="left")
    write_csv(table, outputs.csv)
    shown = table[["training_set", *COLUMNS, *(f"paper_{c}" for c in COLUMNS), "n"]].copy()
    with atomic_path(outputs.md) as tmp:
        tmp.write_text("Table 1 (FairShap faces): FairFace test split (official val), ours vs paper. "
                       "EOp = |TPR women − TPR men|.\n\n" + shown.to_markdown(index=False, floatfmt=".3f") + "\n")


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
