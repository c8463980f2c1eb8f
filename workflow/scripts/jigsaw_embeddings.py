"""Encode every race-annotated Jigsaw comment once; cache vectors, labels, groups and partition."""

import time

import pandas as pd

from fairscore.datasets.embeddings import load_encoder, text_embeddings
from fairscore.fileio import write_npz
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    index = pd.read_csv(inputs.index[0], keep_default_na=False)
    settings = dict(params.encoder)
    tokenizer, model = load_encoder(settings.pop("encoder"), device=settings.pop("device"))
    start = time.perf_counter()
    X = text_embeddings(index["text"], tokenizer, model, **settings)
    seconds = time.perf_counter() - start
    write_npz(outputs.embeddings, {"X": X, "y": index["y"].to_numpy(), "z": index["z"].to_numpy(),
                                   "test": (index["partition"] == "test").to_numpy(), "id": index["id"].to_numpy()})
    return {"measured": {"encode_seconds": seconds, "rows": len(index), "device": str(next(model.parameters()).device)},
            "data_source": {"encoder": params.encoder["encoder"], "dim": int(X.shape[1])}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
