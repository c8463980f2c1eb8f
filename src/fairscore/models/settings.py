"""How a network is built and trained: config ``fairinfl.training`` (and each dataset's
``training`` / ``retrain`` merged over it) as a frozen dataclass (``algorithms.md`` §2.7, D17, D20)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Training"]


@dataclass(frozen=True)
class Training:
    """The network, its training loss's λ, the step budget and the AdamW schedule.

    Required keys are the ones ``config/schema.json`` requires of ``fairinfl.training``; the
    optional ones default here: an MLP (``architecture``), ResNet-18 ``blocks`` when it is
    ``resnet_two_fc``, no augmentation, no bfloat16 autocast, ``device`` ``auto``.
    """

    hidden: int
    lam: float
    epochs: int
    steps: int | None
    batch_size: int
    lr: float
    betas: tuple[float, float]
    weight_decay: float
    lr_boundaries: tuple[int, ...]
    lr_decay: float
    architecture: str = "mlp"
    blocks: tuple[int, ...] = (2, 2, 2, 2)
    augment: bool = False
    amp: bool = False
    device: str = "auto"

    def steps_for(self, n_train: int) -> int:
        """``steps`` when set, else ``epochs`` × ⌈n_train / batch_size⌉ (D17)."""
        return int(self.steps) if self.steps else int(self.epochs) * math.ceil(n_train / self.batch_size)

    def optimiser(self) -> dict:
        """The keyword arguments of :func:`fairscore.models.tabular.train_fair` that set the optimiser."""
        return {"batch_size": self.batch_size, "lr": self.lr, "betas": self.betas, "weight_decay": self.weight_decay,
                "lr_boundaries": self.lr_boundaries, "lr_decay": self.lr_decay}
