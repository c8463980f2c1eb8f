"""fairscore.models.vision: backbone and embeddings, training, group rates, weights and splits (Table 1)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairscore.errors import ConfigError, DataError
from fairscore.models.vision import backbone, embed, group_rates, train_classifier
from fairscore.fairshap.faces import split_fairface, split_lfw, vision_weights


class Tiny(torch.nn.Module):
    """A batch-norm-free one-logit classifier: mean pixel per channel → linear layers."""

    def __init__(self, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.body = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(3, 4))
        self.fc = torch.nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(torch.relu(self.body(x)))


def bright_dark(n=32, seed=0):
    """y = 1: bright images, y = 0: dark images."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    images = rng.integers(0, 60, (n, 3, 8, 8)).astype(np.uint8) + (y * 180).astype(np.uint8)[:, None, None, None]
    return images, y


def state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_resnet_embeddings_are_the_fc_input():
    model = backbone("resnet18", seed=0)
    images = np.random.default_rng(0).integers(0, 256, (3, 3, 32, 32), dtype=np.uint8)
    X, logits = embed(model, images, batch_size=2, device="cpu", logits=True)
    assert X.shape == (3, 512) and X.dtype == np.float32 and logits.shape == (3,)
    expected = model.fc(torch.from_numpy(X)).detach().numpy().ravel()
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-5)
    assert embed(backbone("resnet18", seed=0), images, batch_size=3, device="cpu") == pytest.approx(X, abs=1e-5)


def test_backbone_errors_are_clear():
    with pytest.raises(ConfigError, match="backbone = 'inception_resnet_v1'"):
        backbone("inception_resnet_v1", seed=0)
    with pytest.raises(DataError, match=r"expected \(n, 3, h, w\) uint8"):
        embed(Tiny(), np.zeros((2, 3, 4, 4), dtype=np.float32), device="cpu")


def test_training_is_deterministic_and_learns_an_easy_task():
    images, y = bright_dark()
    runs = [train_classifier(Tiny(), images, y, epochs=15, batch_size=8, lr=0.05, seed=3, device="cpu")
            for _ in range(2)]
    (a, hist_a), (b, hist_b) = runs
    assert all(torch.equal(v, state(b)[k]) for k, v in state(a).items())
    assert hist_a["loss"].tolist() == hist_b["loss"].tolist()
    assert hist_a["loss"].iloc[-1] < 0.5 * hist_a["loss"].iloc[0]
    assert not a.training


def test_zero_weight_removes_an_example():
    images, y = bright_dark(16)
    other_images, other_y = images.copy(), y.copy()
    other_images[5], other_y[5] = 255 - images[5], 1 - y[5]  # a different example at position 5
    weights = np.ones(16)
    weights[5] = 0.0
    fits = [train_classifier(Tiny(), im, lab, epochs=2, batch_size=4, lr=0.05, seed=0, sample_weight=weights,
                             device="cpu")[0] for im, lab in ((images, y), (other_images, other_y))]
    assert all(torch.allclose(v, state(fits[1])[k]) for k, v in state(fits[0]).items())
    unweighted = train_classifier(Tiny(), other_images, other_y, epochs=2, batch_size=4, lr=0.05, seed=0,
                                  device="cpu")[0]
    assert not all(torch.allclose(v, state(unweighted)[k]) for k, v in state(fits[1]).items())


def test_early_stopping_keeps_the_best_epoch():
    images, y = bright_dark(16)
    val = (images, 1 - y)  # flipped labels: validation accuracy falls as the model learns
    model, history = train_classifier(Tiny(), images, y, epochs=20, batch_size=4, lr=0.05, seed=0, val=val,
                                      patience=3, device="cpu")
    best = history.loc[history["best"], "epoch"].max()
    assert len(history) == best + 3 < 20  # stopped after 3 epochs without improvement
    logits = embed(model, val[0], device="cpu", logits=True)[1]
    assert np.mean((logits > 0) == val[1]) == history["val_accuracy"].max()


def test_training_errors_are_clear():
    images, y = bright_dark(4)
    with pytest.raises(DataError, match="4 images and 3 labels"):
        train_classifier(Tiny(), images, y[:3], epochs=1, batch_size=2, lr=0.1, seed=0, device="cpu")
    with pytest.raises(DataError, match="expected binary 0/1"):
        train_classifier(Tiny(), images, y + 1, epochs=1, batch_size=2, lr=0.1, seed=0, device="cpu")
    with pytest.raises(DataError, match="non-negative"):
        train_classifier(Tiny(), images, y, epochs=1, batch_size=2, lr=0.1, seed=0, sample_weight=[1, -1, 1, 1],
                         device="cpu")
    with pytest.raises(ConfigError, match="device = 'gpu'"):
        train_classifier(Tiny(), images, y, epochs=1, batch_size=2, lr=0.1, seed=0, device="gpu")


def test_group_rates_by_hand():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    pred = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 0])  # women 3/4 right, men 5/6 right
    rates = group_rates(pred, y)
    assert rates["accuracy"] == pytest.approx(0.8)
    assert rates["tpr_women"] == pytest.approx(0.75) and rates["tpr_men"] == pytest.approx(5 / 6)
    assert rates["eop"] == pytest.approx(5 / 6 - 0.75) and rates["n"] == 10
    with pytest.raises(DataError, match="one sex only"):
        group_rates([1, 0], [1, 1])


def test_vision_weights_have_mean_one():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), np.arange(30) % 2
    X_ref, y_ref = rng.normal(size=(12, 4)), np.arange(12) % 3 == 0
    out = vision_weights(X, y, X_ref, y_ref.astype(int), k=3)
    assert list(out.columns) == ["phi_acc", "phi_eop", "w_acc", "w_eop"]
    assert out[["w_acc", "w_eop"]].mean().to_numpy() == pytest.approx([1.0, 1.0])
    with pytest.raises(ConfigError, match="valuation = 'eodds'"):
        vision_weights(X, y, X_ref, y_ref.astype(int), k=3, valuation="eodds")


def test_splits_are_stratified_and_seeded():
    y = np.arange(50) % 2
    part = split_lfw(y, validation_fraction=0.2, seed=1)
    assert (part == "validation").sum() == 10 and ((part == "validation") & (y == 1)).sum() == 5
    assert (split_lfw(y, validation_fraction=0.2, seed=1) == part).all()
    partition = np.array(["train"] * 40 + ["val"] * 10)
    ff = split_fairface(y, partition, reference_size=1000, seed=0)  # capped at half of train
    assert (ff == "reference").sum() == 20 and (ff[40:] == "test").all() and (ff == "train").sum() == 20
    with pytest.raises(DataError, match=r"partitions \['test'\]"):
        split_fairface(y, np.array(["test"] * 50), reference_size=5, seed=0)
