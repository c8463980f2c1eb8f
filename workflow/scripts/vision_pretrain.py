"""Table 1: pre-train the backbone on CelebA train for sex, early stopping on CelebA valid."""

import numpy as np
import torch

from fairscore.errors import DataError
from fairscore.fileio import write_csv
from fairscore.models.vision import backbone, save_model, train_classifier
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    torch.set_num_threads(params.workers)
    with np.load(inputs.images) as data:
        images, sex, part = data["images"], data[params.label], data["partition"]
    train, valid = part == "train", part == "valid"
    if not train.any() or not valid.any():
        raise DataError(f"{inputs.images}: {train.sum()} train and {valid.sum()} valid CelebA images; expected both")
    settings = params.pretrain
    model = backbone(params.backbone, seed=params.seed)
    model, history = train_classifier(model, images[train], sex[train], epochs=settings["epochs"],
                                      batch_size=settings["batch_size"], lr=settings["lr"], seed=params.seed,
                                      val=(images[valid], sex[valid]), patience=settings["patience"],
                                      device=params.device, amp=params.amp)
    save_model(outputs.model, model, name=params.backbone)
    write_csv(history, outputs.history)
    return {"seeds": {"init": params.seed, "batch_order": params.seed},
            "data_source": {"train": int(train.sum()), "valid": int(valid.sum()), "label": params.label},
            "measured": {"epochs_run": len(history), "best_val_accuracy": float(history["val_accuracy"].max())}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
