"""Text embeddings: a tiny locally built BERT, batch invariance, poolings, clear failure offline."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("transformers")

from fairscore.datasets.embeddings import load_encoder, text_embeddings  # noqa: E402
from fairscore.errors import DataError  # noqa: E402
from fairscore.datasets.fixtures import write_tiny_bert  # noqa: E402

TEXTS = ["a nice comment", "toxic comment with \"quotes\", commas", "", "the line break\nand more words than the rest"]


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    return load_encoder(str(write_tiny_bert(tmp_path_factory.mktemp("bert"), hidden=16)), device="cpu")


@pytest.mark.parametrize("pooling", ["pooler", "cls", "mean"])
def test_vectors_do_not_depend_on_the_batch(encoder, pooling):
    one = text_embeddings(TEXTS, *encoder, batch_size=1, pooling=pooling)
    all_ = text_embeddings(TEXTS, *encoder, batch_size=8, pooling=pooling)
    assert one.shape == (4, 16) and one.dtype == np.float32
    np.testing.assert_allclose(one, all_, atol=1e-5)
    assert np.array_equal(all_, text_embeddings(TEXTS, *encoder, batch_size=8, pooling=pooling))


def test_pooler_is_tanh_dense_of_the_cls_state(encoder):
    tokenizer, model = encoder
    cls = text_embeddings(TEXTS, tokenizer, model, pooling="cls")
    pooled = model.pooler.activation(model.pooler.dense(__import__("torch").from_numpy(cls))).detach().numpy()
    np.testing.assert_allclose(text_embeddings(TEXTS, tokenizer, model, pooling="pooler"), pooled, atol=1e-5)


def test_truncation_and_bad_pooling(encoder):
    long = ["comment " * 500]
    assert text_embeddings(long, *encoder, max_length=16).shape == (1, 16)
    with pytest.raises(DataError, match="pooling = 'max'"):
        text_embeddings(TEXTS, *encoder, pooling="max")


def test_an_unavailable_encoder_says_how_to_provide_it(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # no retries against the hub
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(DataError, match="(?s)text encoder 'bert-base-uncased' could not be loaded.*local directory"):
        load_encoder("bert-base-uncased", device="cpu")
