"""One FairInfl run's data (paper §6.2; ``algorithms.md`` §2.6, §4.4, D7): the run's seeds,
its train/test split, the cell balancing and the feature scaling, without file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from fairscore.datasets.tidy import balance_cells
from fairscore.errors import ConfigError, DataError
from fairscore.datasets.images import to_float

__all__ = [
    "BALANCING",
    "RunData",
    "balanced_rows",
    "load_run_data",
    "run_data",
    "run_seeds",
]


@dataclass(frozen=True)
class RunData:
    """One run's standardised train/test features, labels and groups (float32 for training)."""

    X_train: np.ndarray
    y_train: np.ndarray
    z_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    z_test: np.ndarray


def run_seeds(run: int) -> dict[str, int]:
    """D7 seeds of run r: split r, init 117 + 711r, batch order 117117 + 711r, random subsets 4426 + 42r."""
    return {"split": run, "init": 117 + 711 * run, "batch": 117117 + 711 * run, "subset": 4426 + 42 * run}


FEATURES = ("standardise", "none", "pixels")


#: Adult balancing: every (label, sex) cell to the smallest (D7), both sexes to the smaller, or none
BALANCING = ("label_sex", "sex", "none")


def balanced_rows(y, z, *, balancing: str, seed: int) -> np.ndarray:
    """Rows of (y, z) kept by ``balancing`` (sorted ascending).

    ``label_sex``: every (label, group) cell downsampled to the smallest
    (:func:`fairscore.datasets.tidy.balance_cells`, D7); ``sex``: both groups downsampled to the
    smaller, labels left as they fall (the same function with one label cell); ``none``:
    every row.
    """
    if balancing not in BALANCING:
        raise ConfigError(f"balancing = {balancing!r}; expected one of {BALANCING}")
    y, z = np.asarray(y).ravel(), np.asarray(z).ravel()
    if balancing == "none":
        return np.arange(len(y))
    return balance_cells(y if balancing == "label_sex" else np.zeros_like(y), z, seed=seed)


def run_data(X, y, z, *, run: int, test_fraction: float = 0.2, test=None, features: str = "standardise") -> RunData:
    """Run ``run``'s train/test parts of (X, y, z) as float32 features.

    Without ``test`` (Adult): an 80/20 split stratified on the label (``random_state`` =
    run). With a boolean ``test`` mask (CelebA, Jigsaw): that fixed partition for every run.
    ``features``: ``standardise`` (StandardScaler fit on train), ``none`` (as stored, e.g.
    BERT vectors) or ``pixels`` (uint8 images scaled to [0, 1]).
    """
    if features not in FEATURES:
        raise DataError(f"features = {features!r}; expected one of {FEATURES}")
    y, z = np.asarray(y), np.asarray(z)
    if test is None:
        rows = np.arange(len(y))
        train, test_rows = train_test_split(rows, test_size=test_fraction, stratify=y,
                                            random_state=run_seeds(run)["split"])
    else:
        test = np.asarray(test, dtype=bool)
        train, test_rows = np.flatnonzero(~test), np.flatnonzero(test)
    if features == "standardise":
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test_rows])
    elif features == "pixels":
        X_train, X_test = to_float(X[train]), to_float(X[test_rows])
    else:
        X_train, X_test = X[train], X[test_rows]
    return RunData(np.asarray(X_train, dtype=np.float32), y[train], z[train],
                   np.asarray(X_test, dtype=np.float32), y[test_rows], z[test_rows])


def load_run_data(path, *, run: int, test_fraction: float = 0.2, features: str = "standardise") -> RunData:
    """:func:`run_data` of a cached data file: features ``X`` (tabular, embeddings) or ``images``;
    the partition as a boolean ``test`` or a ``partition`` column (train / test; other
    partitions, e.g. CelebA's valid, are left out); neither means a random split per run."""
    with np.load(path, allow_pickle=False) as data:
        X = data["X"] if "X" in data else data["images"]
        y, z = data["y"], data["z"]
        test = data["test"] if "test" in data else None
        if "partition" in data:
            used = np.isin(data["partition"], ["train", "test"])
            X, y, z, test = X[used], y[used], z[used], data["partition"][used] == "test"
    return run_data(X, y, z, run=run, test_fraction=test_fraction, test=test, features=features)
