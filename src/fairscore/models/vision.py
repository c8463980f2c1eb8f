"""Torchvision backbones for the image cases: build, save/load, embed, predict and train.

A backbone with one logit is pre-trained on CelebA (A = Y = sex for FairShap's faces) and its
penultimate features embed LFW and FairFace. The paper's Inception-ResNet-V1 is not in
torchvision, so the backbone is a stated deviation (D13).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch
import torchvision

from fairscore.errors import ConfigError, DataError
from fairscore.fileio import atomic_path
from fairscore.models.device import autocast, resolve_device
from fairscore.pipeline.progress import progress

__all__ = [
    "TABLE1_LABELS",
    "backbone",
    "embed",
    "group_rates",
    "load_model",
    "predict_logits",
    "save_model",
    "train_classifier",
]

log = logging.getLogger(__name__)


#: Table 1 rows: fine-tune variant (or ``celeba``, the pre-trained network as is) → the paper's label
TABLE1_LABELS = {"fairface": "FairFace", "celeba": "CelebA", "lfw": "LFWA", "lfw_acc": "LFWA phi_acc",
                 "lfw_fairshap": "LFWA FairShap phi_EOp"}


def backbone(name: str = "resnet18", *, seed: int) -> torch.nn.Module:
    """A torchvision classification network with one output logit and a seeded random initialisation.

    Parameters
    ----------
    name : str
        A torchvision model name (``torchvision.models.list_models()``), built with
        ``weights=None, num_classes=1``.
    seed : int
        Seed of the initialisation; the global torch RNG is left untouched.

    Returns
    -------
    torch.nn.Module
        The network on the CPU, in training mode.
    """
    if name not in torchvision.models.list_models(module=torchvision.models):
        raise ConfigError(f"backbone = {name!r}; expected a torchvision classification model, e.g. resnet18")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = torchvision.models.get_model(name, weights=None, num_classes=1)
    _head(model)  # fails early for networks without a final linear layer
    return model


def save_model(path, model: torch.nn.Module, *, name: str) -> None:
    """Save the backbone name and CPU state dict to ``path`` atomically."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        torch.save({"backbone": name, "state_dict": state}, tmp)


def load_model(path) -> tuple[torch.nn.Module, str]:
    """(model, backbone name) saved by :func:`save_model`, on the CPU in evaluation mode."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = backbone(saved["backbone"], seed=0)
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved["backbone"]


def _head(model: torch.nn.Module) -> torch.nn.Linear:
    """The final linear layer (the one-logit classifier) of ``model``."""
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if not linears or linears[-1].out_features != 1:
        raise ConfigError(f"{type(model).__name__}: no final nn.Linear with one output; expected a one-logit classifier")
    return linears[-1]


def _check_images(images, name: str = "images") -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != 3 or images.dtype != np.uint8:
        raise DataError(f"{name} of shape {images.shape} and dtype {images.dtype}; expected (n, 3, h, w) uint8")
    return images


def _batches(images: np.ndarray, batch_size: int, device: torch.device):
    for start in range(0, len(images), batch_size):
        yield torch.from_numpy(images[start:start + batch_size]).to(device).float().div_(255.0)


@torch.no_grad()
def embed(model: torch.nn.Module, images, *, batch_size: int = 256, device: str = "auto", amp: bool = False,
          logits: bool = False):
    """Penultimate-layer features: the input of the final linear layer, in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        A one-logit classifier (see :func:`backbone`).
    images : ndarray of shape (n, 3, h, w), uint8
        Pixels, scaled to [0, 1] per batch.
    batch_size, device, amp
        Batch size; ``auto``, ``cpu`` or ``cuda``; bf16 autocast on CUDA.
    logits : bool
        Also return the output logit of every image.

    Returns
    -------
    ndarray of shape (n, d), float32
        The features, and the (n,) float32 logits when ``logits``.
    """
    images = _check_images(images)
    dev = resolve_device(device)
    model = model.to(dev).eval()
    captured = []
    hook = _head(model).register_forward_hook(lambda _m, inputs, _out: captured.append(inputs[0].detach()))
    feats, outs = [], []
    try:
        for x in progress(_batches(images, batch_size, dev), "embedding batches", total=-(-len(images) // batch_size),
                          log=log):
            with autocast(dev, amp):
                out = model(x)
            feats.append(captured.pop().float().cpu())
            outs.append(out.float().reshape(-1).cpu())
    finally:
        hook.remove()
    width = _head(model).in_features
    X = torch.cat(feats).numpy() if feats else np.zeros((0, width), dtype=np.float32)
    if logits:
        return X.astype(np.float32), (torch.cat(outs).numpy() if outs else np.zeros(0, dtype=np.float32))
    return X.astype(np.float32)


def predict_logits(model: torch.nn.Module, images, *, batch_size: int = 256, device: str = "auto",
                   amp: bool = False) -> np.ndarray:
    """The (n,) float32 logits of ``model`` on ``images`` (evaluation mode); predict male when > 0."""
    return embed(model, images, batch_size=batch_size, device=device, amp=amp, logits=True)[1]


def train_classifier(model: torch.nn.Module, images, y, *, epochs: int, batch_size: int, lr: float, seed: int,
                     sample_weight=None, val=None, patience: int | None = None, device: str = "auto",
                     amp: bool = False):
    """Train a one-logit classifier with (weighted) binary cross-entropy and Adam.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place (all layers).
    images : ndarray of shape (n, 3, h, w), uint8
        Training images, scaled to [0, 1] per batch.
    y : array-like of shape (n,)
        Binary labels (1 = male).
    epochs, batch_size, lr : int, int, float
        Passes over the data, batch size and Adam's learning rate.
    seed : int
        Seed of the batch order (a private generator).
    sample_weight : array-like of shape (n,), optional
        Non-negative weights; each batch's loss is Σ wᵢ ℓᵢ / batch size, so weights of
        mean 1 (§1.5) keep the loss scale and a weight of 0 removes the example from the
        loss (batch-norm statistics still see its pixels).
    val : tuple (images, y), optional
        Validation set: its accuracy (threshold 0.5) is measured after every epoch and
        the state of the best epoch (earliest on ties) is restored at the end.
    patience : int, optional
        Stop after this many epochs without a better validation accuracy (paper: 30).
    device : {"auto", "cpu", "cuda"}
        ``auto`` = CUDA if available.
    amp : bool
        bf16 autocast, on CUDA only.

    Returns
    -------
    model : torch.nn.Module
        In evaluation mode, on ``device``.
    history : DataFrame
        One row per epoch: ``epoch, loss, val_accuracy, best``.
    """
    images = _check_images(images)
    y = np.asarray(y).ravel()
    if len(y) != len(images) or len(y) == 0:
        raise DataError(f"{len(images)} images and {len(y)} labels; expected the same non-zero number")
    if not set(np.unique(y).tolist()) <= {0, 1}:
        raise DataError(f"labels {sorted(np.unique(y).tolist())}; expected binary 0/1")
    if epochs < 1 or batch_size < 1 or not lr > 0:
        raise ConfigError(f"epochs = {epochs}, batch_size = {batch_size}, lr = {lr}; expected positive values")
    if patience is not None and patience < 1:
        raise ConfigError(f"patience = {patience}; expected a positive integer or None")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64).ravel()
        if len(sample_weight) != len(y) or not np.isfinite(sample_weight).all() or (sample_weight < 0).any() \
                or sample_weight.sum() <= 0:
            raise DataError(f"sample_weight of length {len(sample_weight)}; expected {len(y)} finite, non-negative "
                            "weights that are not all 0")
    if val is not None:
        val_images, val_y = _check_images(val[0], "validation images"), np.asarray(val[1]).ravel()
        if len(val_y) != len(val_images) or len(val_y) == 0:
            raise DataError(f"{len(val_images)} validation images and {len(val_y)} labels; expected the same "
                            "non-zero number")
    dev = resolve_device(device)
    model = model.to(dev)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(int(seed))
    labels = torch.as_tensor(y, dtype=torch.float32)
    weights = None if sample_weight is None else torch.as_tensor(sample_weight, dtype=torch.float32)
    rows, best_acc, best_state, stale = [], -1.0, None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total, seen = 0.0, 0
        for start in progress(range(0, len(y), batch_size), f"epoch {epoch} of {epochs}: batches", log=log):
            idx = order[start:start + batch_size]
            x = torch.from_numpy(images[idx.numpy()]).to(dev).float().div_(255.0)
            with autocast(dev, amp):
                out = model(x)
            losses = torch.nn.functional.binary_cross_entropy_with_logits(
                out.float().reshape(-1), labels[idx].to(dev), reduction="none")
            loss = losses.mean() if weights is None else (losses * weights[idx].to(dev)).sum() / len(idx)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
        row = {"epoch": epoch, "loss": total / seen, "val_accuracy": np.nan, "best": False}
        if val is not None:
            pred = predict_logits(model, val_images, batch_size=batch_size, device=device, amp=amp) > 0
            row["val_accuracy"] = float(np.mean(pred == val_y))
            if row["val_accuracy"] > best_acc:
                best_acc, stale, row["best"] = row["val_accuracy"], 0, True
                best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
            else:
                stale += 1
        rows.append(row)
        log.info("epoch %d: loss %.4f, validation accuracy %.4f", epoch, row["loss"], row["val_accuracy"])
        if val is not None and patience is not None and stale >= patience:
            log.info("early stop after epoch %d: no better validation accuracy in %d epochs", epoch, patience)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    history = pd.DataFrame(rows)
    if val is None:
        history["best"] = history["epoch"] == history["epoch"].max()
    return model.eval(), history


def group_rates(pred, y) -> dict:
    """Table 1's columns for A = Y = sex (1 = male).

    Returns
    -------
    dict
        ``accuracy``; ``tpr_women`` = accuracy on y = 0 (TNR); ``tpr_men`` = accuracy on
        y = 1 (TPR); ``eop`` = |tpr_women − tpr_men|; ``n`` test images.
    """
    pred, y = np.asarray(pred).ravel(), np.asarray(y).ravel()
    if len(pred) != len(y):
        raise DataError(f"{len(pred)} predictions and {len(y)} labels; expected the same number")
    for name, values in (("predictions", pred), ("labels", y)):
        if not set(np.unique(values).tolist()) <= {0, 1}:
            raise DataError(f"{name} {sorted(np.unique(values).tolist())[:5]}; expected binary 0/1")
    if not (y == 0).any() or not (y == 1).any():
        raise DataError(f"labels of {len(y)} images hold one sex only; the group rates need women and men")
    tpr_women, tpr_men = float(np.mean(pred[y == 0] == 0)), float(np.mean(pred[y == 1] == 1))
    return {"accuracy": float(np.mean(pred == y)), "tpr_women": tpr_women, "tpr_men": tpr_men,
            "eop": abs(tpr_women - tpr_men), "n": int(len(y))}
