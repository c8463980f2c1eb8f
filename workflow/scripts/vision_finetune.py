"""Table 1: fine-tune the pre-trained backbone (FairFace train, or LFW train unweighted / φ_acc / FairShap
weighted), early stopping on the matching validation set; predictions on the FairFace test split."""

import numpy as np
import pandas as pd
import torch

from fairscore.errors import DataError
from fairscore.fileio import write_csv
from fairscore.models.vision import load_model, predict_logits, save_model, train_classifier
from fairscore.pipeline.workflow import run


def _arrays(images_path, embeddings_path):
    with np.load(images_path) as images, np.load(embeddings_path) as emb:
        return images["images"], emb["y"], emb["part"]


def main(inputs, params, outputs):
    torch.set_num_threads(params.workers)
    model, name = load_model(inputs.model)
    ff_images, ff_y, ff_part = _arrays(inputs.fairface_images, inputs.fairface)
    weights = None
    if params.variant == "fairface":  # early stopping on the reference ("FairFace validation") set
        train, val = ff_part == "train", ff_part == "reference"
        images, y = ff_images, ff_y
    else:
        images, y, part = _arrays(inputs.lfw_images, inputs.lfw)
        train, val = part == "train", part == "validation"
        if params.weight_column:
            table = pd.read_csv(inputs.weights)
            if not np.array_equal(table["row"].to_numpy(), np.flatnonzero(train)):
                raise DataError(f"{inputs.weights}: rows differ from the LFW training rows of {inputs.lfw}")
            weights = table[params.weight_column].to_numpy()
    settings = params.finetune
    model, history = train_classifier(model, images[train], y[train], epochs=settings["epochs"],
                                      batch_size=settings["batch_size"], lr=settings["lr"], seed=params.seed,
                                      sample_weight=weights, val=(images[val], y[val]),
                                      patience=settings["patience"], device=params.device, amp=params.amp)
    test = ff_part == "test"
    logit = predict_logits(model, ff_images[test], batch_size=settings["batch_size"], device=params.device,
                           amp=params.amp)
    save_model(outputs.model, model, name=name)
    write_csv(history, outputs.history)
    write_csv(pd.DataFrame({"row": np.flatnonzero(test), "y": ff_y[test], "logit": logit,
                            "pred": (logit > 0).astype(int)}), outputs.predictions)
    return {"seeds": {"batch_order": params.seed},
            "data_source": {"variant": params.variant, "train": int(train.sum()), "validation": int(val.sum()),
                            "test": int(test.sum()), "weights": params.weight_column},
            "measured": {"epochs_run": len(history), "best_val_accuracy": float(history["val_accuracy"].max())}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
