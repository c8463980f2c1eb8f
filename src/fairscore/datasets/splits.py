"""Seeded 70/15/15 splits, jointly stratified on (label, group) (Decision D3).

Reproduces FS ``utils/aif360_utils.py::stratified_aif360_split`` called twice with
the same seed: ``train_test_split`` keeps ``int(0.7 n)`` rows for training, then
splits the rest into ``int(0.5 rest)`` validation rows and the remaining test rows.
Rows keep the order that ``train_test_split`` returns; that order is the "training
index" used to break ties in kNN-Shapley (D2).

A split file is validated whenever it is read (:func:`read_split`): its parts are
disjoint, hold every row of the tidy table once and have the sizes the recipe gives.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from fairscore.errors import DataError
from fairscore.fileio import atomic_path

__all__ = [
    "PARTS",
    "check_split",
    "joint_strata",
    "min_stratum_rows",
    "part_sizes",
    "read_split",
    "small_strata",
    "split_seeds",
    "stratified_split",
    "write_split",
]

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


def part_sizes(n_rows: int, *, train_fraction: float, validation_fraction: float) -> dict[str, int]:
    """Rows per part of the recipe: ``int(train_fraction n)`` train, ``int(validation_fraction rest)``
    validation, the remaining rows test."""
    n_train = int(train_fraction * n_rows)
    n_val = int(validation_fraction * (n_rows - n_train))
    return {"train": n_train, "validation": n_val, "test": n_rows - n_train - n_val}


def min_stratum_rows(*, train_fraction: float) -> int:
    """Fewest rows a stratum may have for the two stratified ``train_test_split`` calls.

    The first call gives a stratum of c rows at most ``ceil(train_fraction c)`` training
    rows (scikit-learn rounds each stratum's share down or up); the second call splits
    the rest and needs at least two rows of every stratum there. The minimum is the
    smallest c with ``c - ceil(train_fraction c) >= 2`` (7 for 70/15/15).
    """
    c = 2
    while c - math.ceil(round(train_fraction * c, 9)) < 2:
        c += 1
    return c


def small_strata(stratify, *, train_fraction: float) -> dict[str, int]:
    """The strata (as :func:`joint_strata` names them) with fewer rows than :func:`min_stratum_rows`."""
    names, counts = np.unique(joint_strata(stratify), return_counts=True)
    least = min_stratum_rows(train_fraction=train_fraction)
    return {str(name): int(count) for name, count in zip(names, counts, strict=True) if count < least}


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

    Raises
    ------
    DataError
        A stratum has fewer rows than :func:`min_stratum_rows` (named with its count).
    """
    stratify = joint_strata(stratify)
    small = small_strata(stratify, train_fraction=train_fraction)
    if small:
        counts = ", ".join(f"{name!r}: {count}" for name, count in small.items())
        raise DataError(
            f"too few rows in (label, group) stratum {counts} for the stratified split with train_fraction "
            f"{train_fraction:g}; expected at least {min_stratum_rows(train_fraction=train_fraction)} rows "
            "in every stratum"
        )
    n = len(stratify)
    sizes = part_sizes(n, train_fraction=train_fraction, validation_fraction=validation_fraction)
    positions = np.arange(n)
    train, rest = train_test_split(
        positions, test_size=n - sizes["train"], stratify=stratify, shuffle=True, random_state=seed
    )
    val_pos, test_pos = train_test_split(
        np.arange(len(rest)), test_size=sizes["test"], stratify=stratify[rest],
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


def check_split(split: dict[str, np.ndarray], n_rows: int, *, train_fraction: float,
                validation_fraction: float, source: str | Path) -> None:
    """Raise a :class:`DataError` naming ``source`` unless ``split`` is a valid split of ``n_rows`` rows.

    Valid: the parts are disjoint, together hold every row ``0 .. n_rows - 1`` exactly
    once, and have the sizes of :func:`part_sizes`. The message lists what is wrong
    (at most three duplicated, out-of-range or missing rows of each kind, then counts).
    """
    rows = np.concatenate([np.asarray(split[p]) for p in PARTS])
    problems = []
    outside = rows[(rows < 0) | (rows >= n_rows)]
    if outside.size:
        problems.append(f"row(s) {_some(outside)} outside the tidy table's {n_rows} rows (0 to {n_rows - 1})")
    values, counts = np.unique(rows, return_counts=True)
    for row in values[counts > 1][:3]:
        where = [p for p in PARTS for _ in range(int(np.sum(np.asarray(split[p]) == row)))]
        problems.append(f"row {row} appears {len(where)} times ({', '.join(where)})")
    if (counts > 1).sum() > 3:
        problems.append(f"{(counts > 1).sum()} rows appear more than once in all")
    missing = np.setdiff1d(np.arange(n_rows), rows)
    if missing.size:
        problems.append(f"row(s) {_some(missing)} of the tidy table in no part")
    expected = part_sizes(n_rows, train_fraction=train_fraction, validation_fraction=validation_fraction)
    for part in PARTS:
        if len(split[part]) != expected[part]:
            problems.append(f"expected {expected[part]} {part} rows, found {len(split[part])}")
    if problems:
        raise DataError(
            f"{source}: not a valid split of the {n_rows} rows of the tidy table (train_fraction "
            f"{train_fraction:g}, validation_fraction {validation_fraction:g}): {'; '.join(problems)}; "
            "rebuild the splits with `snakemake --cores 1 --forcerun make_splits <target>`"
        )


def _some(rows: np.ndarray) -> str:
    """At most three row numbers, then how many in all."""
    shown = ", ".join(str(r) for r in rows[:3])
    return shown if rows.size <= 3 else f"{shown}, ... ({rows.size} in all)"


def read_split(path: str | Path, *, n_rows: int, train_fraction: float,
               validation_fraction: float) -> dict[str, np.ndarray]:
    """Read a split file written by :func:`write_split`, validated by :func:`check_split`.

    Parameters
    ----------
    path : path of the split file.
    n_rows : int
        Rows of the tidy table the split belongs to.
    train_fraction, validation_fraction : float
        The recipe the split was made with (config ``splits``).
    """
    frame = pd.read_csv(path, dtype={"part": "category"})
    if list(frame.columns) != ["row", "part"] or not set(frame["part"].cat.categories) <= set(PARTS):
        raise DataError(f"{path}: expected columns row,part with parts {PARTS}")
    rows = frame["row"]
    if not pd.api.types.is_integer_dtype(rows):
        numbers = pd.to_numeric(rows, errors="coerce")
        first = int(np.flatnonzero(numbers.isna() | (numbers % 1 != 0))[0])
        raise DataError(f"{path}: row {rows.iloc[first]!r} on line {first + 2} is not a row number; "
                        "expected whole numbers in column row")
    rows, parts = rows.to_numpy(), frame["part"].to_numpy()
    split = {part: rows[parts == part] for part in PARTS}
    check_split(split, n_rows, train_fraction=train_fraction, validation_fraction=validation_fraction,
                source=path)
    return split
