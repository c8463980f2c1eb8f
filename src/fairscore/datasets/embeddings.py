"""Text embeddings for the Jigsaw experiment (FairInfl §6.4, D21): each comment encoded once.

A transformers encoder (default ``bert-base-uncased``; any name or local directory that
``AutoModel``/``AutoTokenizer`` load) turns each comment into one vector, the pooler output
by default, in evaluation mode and without gradients, so the result depends only on the
text, the weights and ``max_length``. The workflow caches the vectors in one file, so
scores, pruning and figures rerun without re-encoding.
"""

from __future__ import annotations

import numpy as np
import torch

from fairscore.errors import DataError
from fairscore.models.device import resolve_device

__all__ = ["POOLINGS", "load_encoder", "text_embeddings"]

POOLINGS = ("pooler", "cls", "mean")


def load_encoder(name: str, *, device: str = "auto"):
    """(tokenizer, model) of ``name``, the model in evaluation mode on ``device``.

    Weights come from the Hugging Face cache or a local directory; a name that cannot be
    loaded (no network, not cached) is a DataError saying how to make it available.
    """
    from transformers import AutoModel, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = AutoModel.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise DataError(f"text encoder {name!r} could not be loaded ({type(exc).__name__}: {exc}). Download it where "
                        "the Hugging Face hub is reachable (e.g. `hf download bert-base-uncased`) and copy the cache "
                        "(HF_HOME), or set the encoder to a local directory holding config.json, the weights and the "
                        "tokenizer files") from exc
    return tokenizer, model.eval().to(resolve_device(device))


@torch.no_grad()
def text_embeddings(texts, tokenizer, model, *, max_length: int = 128, batch_size: int = 64,
                    pooling: str = "pooler") -> np.ndarray:
    """One float32 vector per text: the encoder's ``pooler`` output, its [CLS] state (``cls``) or
    the attention-masked mean of the last hidden states (``mean``); texts longer than
    ``max_length`` tokens are truncated."""
    if pooling not in POOLINGS:
        raise DataError(f"pooling = {pooling!r}; expected one of {POOLINGS}")
    texts = [str(t) for t in texts]
    device = next(model.parameters()).device
    out = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, max_length=max_length,
                          return_tensors="pt").to(device)
        result = model(**batch)
        if pooling == "pooler":
            if getattr(result, "pooler_output", None) is None:
                raise DataError(f"encoder {type(model).__name__} has no pooler; expected pooling 'cls' or 'mean'")
            vectors = result.pooler_output
        elif pooling == "cls":
            vectors = result.last_hidden_state[:, 0]
        else:
            mask = batch["attention_mask"].unsqueeze(-1).to(result.last_hidden_state.dtype)
            vectors = (result.last_hidden_state * mask).sum(1) / mask.sum(1)
        out.append(vectors.float().cpu().numpy())
    hidden = model.config.hidden_size
    return np.concatenate(out) if out else np.zeros((0, hidden), dtype=np.float32)
