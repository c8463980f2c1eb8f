"""Config ``fairinfl.scores``, ``prune`` and ``reduction`` as frozen dataclasses, and each
dataset's training settings (``algorithms.md`` §2.6–2.8, D6, D16, D22, D26).

:func:`dataset_training` merges ``fairinfl.training`` with a dataset's ``training`` (and,
for the pruned retrains, its ``retrain``) into one :class:`~fairscore.models.settings.Training`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairscore.models.settings import Training
from fairscore.settings import section

__all__ = ["Prune", "Reduction", "Scoring", "dataset_training"]


@dataclass(frozen=True)
class Scoring:
    """How S(i) is computed: the group factor ``alpha`` (D16), the ``kernel`` (D6) and its
    ``chunk_size``, the step size ``eta``, and the examples per forward/JVP batch
    (``batch_size``) and per per-example-gradient batch (``grad_batch_size``)."""

    alpha: str
    kernel: str
    chunk_size: int
    eta: float
    batch_size: int = 1024
    grad_batch_size: int = 256


@dataclass(frozen=True)
class Prune:
    """Which score prune-by-fairness ranks (``constraint``) and how (``sign``), the strategies
    and the kept fractions."""

    constraint: str
    sign: str
    strategies: tuple[str, ...]
    fractions: tuple[float, ...]


@dataclass(frozen=True)
class Reduction:
    """fairlearn ``ExponentiatedGradient`` + ``DemographicParity`` (D22); ``steps`` per oracle
    call (None: the training budget)."""

    bound: float
    eps: float
    max_iter: int
    eta0: float
    steps: int | None


def dataset_training(infl: dict, dataset: str, *, retrain: bool = False) -> Training:
    """``fairinfl.training`` with ``fairinfl.<dataset>.training`` (and ``retrain`` for the pruned
    retrains) merged over it."""
    entry = infl[dataset]
    parts = [infl["training"], entry.get("training", {})] + ([entry.get("retrain", {})] if retrain else [])
    return section(Training, *parts, where=f"fairinfl.{dataset}.{'retrain' if retrain else 'training'}")
