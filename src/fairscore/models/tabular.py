"""FairInfl models and trainer (``algorithms.md`` §2.7, §3.2; D7, D16, D17, D22).

* :func:`mlp` — Dense(hidden) – ReLU – Dense(1) with flax's default initialisation
  (truncated LeCun-normal weights, zero biases);
* :func:`resnet_two_fc` — the CelebA network: a CIFAR-style torchvision ResNet (3 × 3 stem,
  no max-pool) with two fully connected layers on top (D20); :func:`build_model` picks
  either from the ``training`` config;
* :func:`train_fair` — hinge loss on ỹ = 2y − 1 plus λ·|m₁ − m₀| per minibatch (m_a the
  mean logit of group a in the batch), AdamW with decoupled weight decay, a stepped
  learning-rate schedule, seeded epoch permutations, the last partial batch dropped and
  a fixed number of optimiser steps; λ = 0 is ERM, λ = 1 lfatr and every pruned retrain;
* :class:`FairMLPClassifier` — the same network and trainer as a scikit-learn estimator
  honouring ``sample_weight``, for fairlearn's ``ExponentiatedGradient`` (the "reduction"
  baseline).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin

from fairscore.errors import ConfigError, DataError
from fairscore.datasets.images import augment as augment_images
from fairscore.fairinfl.influence import predict_logits
from fairscore.models.device import autocast, resolve_device
from fairscore.models.mlp_direct import is_plain_mlp, train_mlp_direct, train_stacked_mlp_direct
from fairscore.models.settings import Training
from fairscore.pipeline.progress import progress

__all__ = [
    "ARCHITECTURES",
    "FairMLPClassifier",
    "build_model",
    "mlp",
    "predict_labels",
    "resnet_two_fc",
    "train_fair",
    "train_stacked",
]


ARCHITECTURES = ("mlp", "resnet_two_fc")


_TRUNC_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2] (flax variance_scaling)


def mlp(in_features: int, hidden: int = 64, *, seed: int, dtype=torch.float32) -> torch.nn.Sequential:
    """Single-logit MLP with truncated LeCun-normal weights and zero biases, seeded."""
    generator = torch.Generator().manual_seed(int(seed))
    model = torch.nn.Sequential(torch.nn.Linear(in_features, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    with torch.no_grad():
        for layer in (model[0], model[2]):
            std = math.sqrt(1.0 / layer.in_features) / _TRUNC_STD
            torch.nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std, generator=generator)
            layer.bias.zero_()
    return model.to(dtype)


def resnet_two_fc(*, seed: int, blocks=(2, 2, 2, 2), hidden: int = 256) -> torch.nn.Module:
    """CIFAR-style ResNet (torchvision ``ResNet`` with ``BasicBlock``; ``blocks`` (2, 2, 2, 2) is
    ResNet-18) with a 3 × 3 stride-1 stem and no max-pool, then pooled 512 → Linear(512, hidden)
    → ReLU → Linear(hidden, 1): the paper's "ResNet-18 with two fully-connected layers" (D20).
    torchvision's initialisation, drawn under ``torch.manual_seed(seed)`` without touching the
    global generator."""
    from torchvision.models.resnet import BasicBlock, ResNet

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        model = ResNet(BasicBlock, list(blocks), num_classes=1)
        model.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        model.maxpool = torch.nn.Identity()
        model.fc = torch.nn.Sequential(torch.nn.Linear(512, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    return model


def build_model(training: Training, in_features: int, *, seed: int) -> torch.nn.Module:
    """The network of ``training.architecture`` on :func:`~fairscore.models.device.resolve_device`
    of ``training.device``."""
    if training.architecture == "mlp":
        model = mlp(in_features, training.hidden, seed=seed)
    elif training.architecture == "resnet_two_fc":
        model = resnet_two_fc(seed=seed, blocks=training.blocks, hidden=training.hidden)
    else:
        raise ConfigError(f"training.architecture = {training.architecture!r}; expected one of {ARCHITECTURES}")
    return model.to(resolve_device(training.device))


def _group_gap(logits: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    g1, g0 = z > 0, z <= 0
    m1 = (logits * g1).sum() / (g1.sum() + 1e-8)
    m0 = (logits * g0).sum() / (g0.sum() + 1e-8)
    return (m1 - m0).abs()


def _batch_schedule(n: int, *, steps: int, batch_size: int, seed: int):
    """Row positions of each minibatch: a ``RandomState(seed)`` permutation per epoch, full
    batches only (one batch of all rows when n < batch_size), ``steps`` batches in all."""
    rng = np.random.RandomState(seed)
    size = min(batch_size, n)
    step = 0
    while step < steps:
        order = rng.permutation(n)
        for k in range(min(n // size, steps - step)):
            yield order[k * size:(k + 1) * size]
            step += 1


def train_fair(model: torch.nn.Module, X, y, z, *, lam: float, steps: int, seed: int, batch_size: int = 128,
               lr: float = 1e-3, betas=(0.9, 0.999), weight_decay: float = 5e-4, lr_boundaries=(),
               lr_decay: float = 1.0, sample_weight=None, augment: bool = False,
               amp: bool = False, direct: bool | None = None) -> torch.nn.Module:
    """Train ``model`` in place for ``steps`` optimiser steps and return it (evaluation mode).

    The loss of a batch is mean(w·hinge) + λ·|m₁ − m₀| (w = ``sample_weight``, default 1).
    Batches come from ``np.random.RandomState(seed).permutation`` per epoch, full batches
    only; a set smaller than ``batch_size`` is one batch. The learning rate is multiplied
    by ``lr_decay`` after each step count in ``lr_boundaries``. ``augment`` (images) pads,
    crops and flips every batch (:func:`fairscore.datasets.images.augment`, generator seeded by
    ``seed``); ``amp`` runs the forward pass in bfloat16 autocast on CUDA (ignored on CPU).
    """
    p0 = next(model.parameters())
    X = torch.as_tensor(np.asarray(X), dtype=p0.dtype, device=p0.device)
    n = len(X)
    if n == 0:
        raise DataError("cannot train on an empty set")
    t = torch.as_tensor(2.0 * np.asarray(y).ravel() - 1.0, dtype=p0.dtype, device=p0.device)
    z = torch.as_tensor(np.asarray(z).ravel(), dtype=p0.dtype, device=p0.device)
    w = None if sample_weight is None else torch.as_tensor(np.asarray(sample_weight, dtype=np.float64),
                                                           dtype=p0.dtype, device=p0.device)
    batches = progress(_batch_schedule(n, steps=steps, batch_size=batch_size, seed=seed), f"training (λ = {lam}) steps",
                       total=steps)
    if direct is None:
        direct = is_plain_mlp(model) and not augment
    elif direct and (augment or not is_plain_mlp(model)):
        raise ConfigError("train_fair(direct=True) trains fairscore.models.tabular.mlp's network on the CPU, "
                          "without augment; use direct=None or False for other models")
    if direct:
        return train_mlp_direct(model, X, t, z, w, batches, lam=lam, lr=lr, betas=betas, weight_decay=weight_decay,
                                lr_boundaries=lr_boundaries, lr_decay=lr_decay).eval()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, betas=tuple(betas), eps=1e-8, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimiser, milestones=list(lr_boundaries), gamma=lr_decay)
    generator = torch.Generator().manual_seed(int(seed))
    model.train()
    for idx in batches:
        idx = torch.as_tensor(idx, device=p0.device)
        inputs = augment_images(X[idx], generator) if augment else X[idx]
        with autocast(p0.device, amp):
            logits = model(inputs).squeeze(-1).to(p0.dtype)
        hinge = torch.clamp(1 - t[idx] * logits, min=0)
        loss = (hinge if w is None else w[idx] * hinge).mean()
        if lam:
            loss = loss + lam * _group_gap(logits, z[idx])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()
    return model.eval()


def predict_labels(model: torch.nn.Module, X, *, batch_size: int = 4096) -> np.ndarray:
    """Hard predictions 1[f(x) > 0] (FI ``binary_correct``)."""
    return (predict_logits(model, X, batch_size=batch_size) > 0).cpu().numpy().astype(int)


class FairMLPClassifier(ClassifierMixin, BaseEstimator):
    """The FairInfl MLP and trainer as a scikit-learn classifier that honours ``sample_weight``.

    λ is 0 here (reduction puts the constraint in the Lagrangian); ``fit`` trains a fresh
    network from ``seed`` for ``steps`` steps, so clones are independent and deterministic.
    ``fit`` takes X of shape (n, n_features) and y of shape (n,) in {0, 1}; the trained
    single-logit network is ``model_`` (scores: :func:`fairscore.fairinfl_scores`).

    Examples
    --------
    >>> import numpy as np
    >>> from fairscore import FairMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 3))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = FairMLPClassifier(hidden=8, steps=20, batch_size=16).fit(X, y)
    >>> clf.predict(X).shape
    (64,)
    """

    def __init__(self, hidden=64, steps=1000, batch_size=128, lr=1e-3, weight_decay=5e-4, seed=0):
        self.hidden = hidden
        self.steps = steps
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.seed = seed

    def fit(self, X, y, sample_weight=None):
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y).astype(int).ravel()
        self.classes_ = np.array([0, 1])
        self.model_ = mlp(X.shape[1], self.hidden, seed=self.seed)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        train_fair(self.model_, X, y, np.zeros(len(y)), lam=0.0, steps=self.steps, seed=self.seed,
                   batch_size=self.batch_size, lr=self.lr, weight_decay=self.weight_decay, sample_weight=weights)
        return self

    def predict(self, X):
        return predict_labels(self.model_, np.asarray(X, dtype=np.float32))


def train_stacked(models: list[torch.nn.Module], X, y, z, subsets: list, *, lam: float, steps: int, seed: int,
                  batch_size: int = 128, lr: float = 1e-3, betas=(0.9, 0.999), weight_decay: float = 5e-4,
                  lr_boundaries=(), lr_decay: float = 1.0, direct: bool | None = None) -> list[torch.nn.Module]:
    """Train several same-shaped models at once, model m on rows ``subsets[m]`` (D17).

    Exactly :func:`train_fair` for each model (same loss, optimiser, schedule and batch
    order from ``seed``), run as one ``torch.func.vmap`` over stacked parameters: the sum
    of the per-model losses has the per-model gradients, and AdamW acts element-wise.
    :func:`mlp`'s networks on the CPU take the same kernels without autograd
    (:func:`~fairscore.models.mlp_direct.train_stacked_mlp_direct`, bit for bit; ``direct``
    False forces the ``vmap`` loop). Every subset needs at least ``batch_size`` rows.
    Returns the models, trained in place.
    """
    if any(len(s) < batch_size for s in subsets) or len(models) != len(subsets):
        raise DataError(f"train_stacked needs one subset per model, each of at least batch_size = {batch_size} rows")
    p0 = next(models[0].parameters())
    X = torch.as_tensor(np.asarray(X), dtype=p0.dtype, device=p0.device)
    t = torch.as_tensor(2.0 * np.asarray(y).ravel() - 1.0, dtype=p0.dtype, device=p0.device)
    z = torch.as_tensor(np.asarray(z).ravel(), dtype=p0.dtype, device=p0.device)
    schedules = [_batch_schedule(len(s), steps=steps, batch_size=batch_size, seed=seed) for s in subsets]
    subsets = [np.asarray(s) for s in subsets]
    batches = (torch.as_tensor(np.stack([s[b] for s, b in zip(subsets, rows, strict=True)]), device=p0.device)
               for rows in progress(zip(*schedules, strict=True), f"training steps of {len(models)} stacked models",
                                    total=steps))
    plain = all(is_plain_mlp(model) for model in models)
    if direct and not plain:
        raise ConfigError("train_stacked(direct=True) trains fairscore.models.tabular.mlp's networks on the CPU; "
                          "use direct=None or False for other models")
    train = train_stacked_mlp_direct if plain and direct is not False else _train_stacked_vmap
    train(models, X, t, z, batches, lam=lam, lr=lr, betas=betas, weight_decay=weight_decay,
          lr_boundaries=lr_boundaries, lr_decay=lr_decay)
    return [model.eval() for model in models]


def _train_stacked_vmap(models, X, t, z, batches, *, lam, lr, betas, weight_decay, lr_boundaries, lr_decay) -> None:
    """:func:`train_stacked`'s loop for any network: ``torch.func.vmap`` over the stacked
    parameters, autograd and ``torch.optim.AdamW``; the models are trained in place."""
    import copy

    from torch.func import functional_call, stack_module_state, vmap

    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")

    def forward(p, b, x):
        return functional_call(base, (p, b), (x,)).squeeze(-1)

    optimiser = torch.optim.AdamW(list(params.values()), lr=lr, betas=tuple(betas), eps=1e-8,
                                  weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimiser, milestones=list(lr_boundaries), gamma=lr_decay)
    for idx in batches:
        logits = vmap(forward)(params, buffers, X[idx])
        loss = torch.clamp(1 - t[idx] * logits, min=0).mean(dim=1)
        if lam:
            loss = loss + lam * vmap(_group_gap)(logits, z[idx])
        optimiser.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimiser.step()
        schedule.step()
    with torch.no_grad():
        for m, model in enumerate(models):
            for name, value in model.named_parameters():
                value.copy_(params[name][m])
