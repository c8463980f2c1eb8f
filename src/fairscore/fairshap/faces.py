"""FairShap on faces, the paper's Table 1 (Arnaiz-Rodriguez & Oliver §5.1, App. D.3; ``algorithms.md`` §4.3).

A = Y = sex. FairShap (A = Y, §1.3) values the LFW training images, embedded by the
CelebA-pre-trained backbone of :mod:`fairscore.models.vision`, against a FairFace reference
set; the network is then fine-tuned on LFW with those values as sample weights (§1.5).
Here: the valuation and the LFW / FairFace splits.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from fairscore.errors import ConfigError, DataError
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.fairshap.weights import normalise_weights

__all__ = [
    "split_fairface",
    "split_lfw",
    "vision_weights",
]

log = logging.getLogger(__name__)


def vision_weights(X_lfw, y_lfw, X_ref, y_ref, *, k: int = 5, valuation: str = "eop", **shapley) -> pd.DataFrame:
    """FairShap (A = Y, §1.3) values of LFW training embeddings against reference embeddings.

    Parameters
    ----------
    X_lfw, y_lfw : array-like of shape (n, d) and (n,)
        LFW training embeddings and sex (1 = male).
    X_ref, y_ref : array-like of shape (m, d) and (m,)
        Reference embeddings (FairFace) and sex.
    k : int
        Neighbours K.
    valuation : str
        A = Y valuation column of :func:`fairscore.fairshap.valuation.fair_shapley_values`
        (default ``eop`` = φ_TPR + φ_TNR − 1/N, D13).
    **shapley
        ``device``, ``memory_mb``… passed on.

    Returns
    -------
    DataFrame
        ``phi_acc, phi_<valuation>, w_acc, w_<valuation>``: the values and their
        min–max, mean-1 weights (§1.5).
    """
    values = fair_shapley_values(X_lfw, y_lfw, X_ref, y_ref, None, k=k, **shapley)
    if valuation not in values.columns:
        raise ConfigError(f"valuation = {valuation!r}; expected one of {list(values.columns)} (A = Y)")
    out = pd.DataFrame({"phi_acc": values["acc"].to_numpy()})
    if valuation != "acc":
        out[f"phi_{valuation}"] = values[valuation].to_numpy()
    for name in list(out.columns):
        out["w_" + name[4:]] = normalise_weights(out[name].to_numpy())
    return out


def split_lfw(y, *, validation_fraction: float, seed: int) -> np.ndarray:
    """``train`` / ``validation`` per LFW image: a seeded split stratified on sex."""
    y = np.asarray(y).ravel()
    if not 0 < validation_fraction < 1:
        raise ConfigError(f"lfw_validation_fraction = {validation_fraction}; expected a number in (0, 1)")
    _, val = train_test_split(np.arange(len(y)), test_size=validation_fraction, random_state=seed, stratify=y)
    part = np.full(len(y), "train", dtype=object)
    part[val] = "validation"
    return part.astype(str)


def split_fairface(y, partition, *, reference_size: int, seed: int) -> np.ndarray:
    """``reference`` / ``train`` / ``test`` per FairFace image (D13).

    The official ``val`` partition is the paper's test split; the paper's 17,349-image
    "validation" (reference) set is a seeded sample of the official ``train`` partition,
    stratified on sex, of ``reference_size`` images, capped at half that partition so
    that FairFace training rows remain; the other ``train`` images are ``train``.
    """
    y, partition = np.asarray(y).ravel(), np.asarray(partition).astype(str).ravel()
    unknown = sorted(set(partition) - {"train", "val"})
    if unknown:
        raise DataError(f"FairFace partitions {unknown}; expected train and val")
    train = np.flatnonzero(partition == "train")
    if len(train) < 2 or not (partition == "val").any():
        raise DataError(f"FairFace: {len(train)} train and {(partition == 'val').sum()} val images; expected both")
    size = min(int(reference_size), len(train) // 2)
    if size < int(reference_size):
        log.warning("reference_size %d capped at %d (half of the %d FairFace train images)", reference_size, size,
                    len(train))
    ref, _ = train_test_split(train, train_size=size, random_state=seed, stratify=y[train])
    part = np.where(partition == "val", "test", "train").astype(object)
    part[ref] = "reference"
    return part.astype(str)
