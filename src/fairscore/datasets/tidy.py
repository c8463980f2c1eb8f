"""The tidy table every tabular dataset is written as, and small helpers over it.

A tidy table has one column per feature, then ``label`` (favourable = 1) and ``protected``
(privileged = 1), in the loader's row order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fairscore.errors import DataError

__all__ = [
    "LABEL",
    "PROTECTED",
    "balance_cells",
    "group_label_counts",
    "read_tidy",
    "stratify_codes",
]



LABEL = "label"


PROTECTED = "protected"


def stratify_codes(frame: pd.DataFrame, meta: dict) -> np.ndarray:
    """The (label, protected) pair in the loader's original encoding, shape (n, 2).

    The authors stratify on AIF360's raw label and protected arrays before
    relabelling; sklearn orders classes by their string form, so the original
    encoding is needed to reproduce their splits row for row.
    """
    lab, prot = meta["label_orig"], meta["protected_orig"]
    label = np.where(frame[LABEL].to_numpy() == 1, lab["favourable"], lab["unfavourable"])
    group = np.where(frame[PROTECTED].to_numpy() == 1, prot["privileged"], prot["unprivileged"])
    return np.column_stack([label.astype(float), group.astype(float)])


def group_label_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Row counts per (protected, label) cell, as a tidy frame with column ``count``."""
    return frame.groupby([PROTECTED, LABEL]).size().rename("count").reset_index()


def read_tidy(path: str | Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Read a tidy table; return (features as float frame, label, protected)."""
    frame = pd.read_csv(path)
    missing = [c for c in (LABEL, PROTECTED) if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected a tidy table from the `data` rule")
    X = frame.drop(columns=[LABEL, PROTECTED]).astype(float)
    return X, frame[LABEL].to_numpy(), frame[PROTECTED].to_numpy()


def balance_cells(y, z, *, seed: int) -> np.ndarray:
    """Rows kept when every (label, group) cell is downsampled, without replacement, to the
    smallest cell (``RandomState(seed)``, cells in (label, group) order); sorted ascending."""
    y, z = np.asarray(y).ravel(), np.asarray(z).ravel()
    cells = [np.flatnonzero((y == label) & (z == group)) for label in np.unique(y) for group in np.unique(z)]
    smallest = min(len(c) for c in cells)
    if smallest == 0:
        raise DataError("a (label, group) cell is empty; cannot balance")
    rng = np.random.RandomState(seed)
    return np.sort(np.concatenate([rng.choice(c, smallest, replace=False) for c in cells]))
