"""Table 1: penultimate features (and logits) of the pre-trained backbone for LFW or FairFace, with the splits."""

import numpy as np
import torch

from fairscore.fileio import write_npz
from fairscore.models.vision import embed, load_model
from fairscore.fairshap.faces import split_fairface, split_lfw
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    torch.set_num_threads(params.workers)
    model, _ = load_model(inputs.model)
    with np.load(inputs.images) as data:
        images, y = data["images"], data["y"]
        partition = data["partition"] if "partition" in data else None
    if params.dataset == "lfw":
        part = split_lfw(y, validation_fraction=params.lfw_validation_fraction, seed=params.seed)
    else:
        part = split_fairface(y, partition, reference_size=params.reference_size, seed=params.seed)
    X, logit = embed(model, images, batch_size=params.batch_size, device=params.device, amp=params.amp, logits=True)
    write_npz(outputs.embeddings, {"X": X, "logit": logit, "y": np.asarray(y), "part": part,
                                   "row": np.arange(len(y))})
    counts = {p: int((part == p).sum()) for p in np.unique(part)}
    return {"seeds": {"split": params.seed}, "data_source": {"dataset": params.dataset, "parts": counts}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
