"""Seeded 70/15/15 splits, jointly stratified on (label, group) (Decision D3).

Reproduces FS ``utils/aif360_utils.py::stratified_aif360_split`` called twice with
the same seed: ``train_test_split`` keeps ``int(0.7 n)`` rows for training, then
splits the rest into ``int(0.5 rest)`` validation rows and the remaining test rows.
Rows keep the order that ``train_test_split`` returns; that order is the "training
index" used to break ties in kNN-Shapley (D2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .errors import DataError
from .fileio import atomic_path

__all__ = ["PARTS", "joint_strata", "read_split", "split_seeds", "stratified_split", "write_split"]

PARTS = ("train", "validation", "test")


def split_seeds(n_splits: int, *, seed: int = 42, high: int = 12345679) -> list[int]:
    """The authors' split seeds: ``RandomState(seed).randint(high, size=n_splits)``.

    With the defaults the first seeds are 6423388, 6550634, 10081351, ...
    """
    if n_splits < 1:
        raise DataError(f"n_splits = {n_splits}; expected an integer >= 1")
    return [int(s) for s in np.random.RandomState(seed).randint(high, size=n_splits)]


def joint_strata(stratify) -> np.ndarray:
    """One label per row: 2-D columns joined as sklearn joins them (same classes, same order); 1-D as is."""
    stratify = np.asarray(stratify)
    if stratify.ndim == 2:
        stratify = np.array([" ".join(row.astype(str)) for row in stratify])
    return stratify


def stratified_split(
    stratify: np.ndarray, *, seed: int, train_fraction: float = 0.7, validation_fraction: float = 0.5
) -> dict[str, np.ndarray]:
    """Split row positions into train / validation / test.

    Parameters
    ----------
    stratify : ndarray of shape (n_rows, k)
        Columns jointly stratified on (sklearn joins them per row); the authors
        pass (label, protected) in AIF360's original encoding.
    seed : int
        ``random_state`` of both ``train_test_split`` calls.
    train_fraction : float
        Share of rows for training, ``int(train_fraction * n)`` rows.
    validation_fraction : float
        Share of the remaining rows for validation; the rest is the test split.

    Returns
    -------
    dict of str to ndarray of int
        ``train``, ``validation`` and ``test`` row positions, in split order.
    """
    stratify = joint_strata(stratify)
    n = len(stratify)
    n_train = int(train_fraction * n)
    positions = np.arange(n)
    train, rest = train_test_split(
        positions, test_size=n - n_train, stratify=stratify, shuffle=True, random_state=seed
    )
    n_val = int(validation_fraction * len(rest))
    val_pos, test_pos = train_test_split(
        np.arange(len(rest)), test_size=len(rest) - n_val, stratify=stratify[rest],
        shuffle=True, random_state=seed,
    )
    return {"train": train, "validation": rest[val_pos], "test": rest[test_pos]}


def write_split(split: dict[str, np.ndarray], path: str | Path) -> None:
    """Write a split as CSV with columns ``row,part``, train rows first, atomically."""
    frame = pd.concat(
        [pd.DataFrame({"row": split[part], "part": part}) for part in PARTS], ignore_index=True
    )
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")


def read_split(path: str | Path) -> dict[str, np.ndarray]:
    """Read a split file written by :func:`write_split`."""
    frame = pd.read_csv(path)
    if list(frame.columns) != ["row", "part"] or not set(frame["part"]) <= set(PARTS):
        raise DataError(f"{path}: expected columns row,part with parts {PARTS}")
    return {part: frame.loc[frame["part"] == part, "row"].to_numpy() for part in PARTS}
