"""A classifier fitted once per distinct training input (the reduction baseline's oracle).

fairlearn's ``ExponentiatedGradient`` asks its oracle for a best response at every iteration
and at up to four multiples of the averaged multipliers when it evaluates the duality gap;
many of those calls carry the same relabelled targets and weights (while the averaged
multipliers are 0, every multiple of them is the unconstrained problem again). On FairInfl
Adult run 0, 18 of the 46 oracle fits repeated an earlier fit's inputs exactly.
:class:`MemoizedClassifier` fits ``estimator`` once per distinct ``(X, y, sample_weight)``
and hands the fitted copy back for a repeat, which is exact when the estimator's fit is a
deterministic function of its inputs (``FairMLPClassifier``: a fixed seed, no global random
state).
"""

from __future__ import annotations

import hashlib

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

__all__ = ["FitMemo", "MemoizedClassifier"]


class FitMemo(dict):
    """Fitted estimators keyed by the digest of their training inputs.

    ``sklearn.base.clone`` deep-copies parameters that are not estimators; a memo returns
    itself instead, so every clone of a :class:`MemoizedClassifier` shares one memo.
    """

    def __deepcopy__(self, memo):
        return self


class MemoizedClassifier(ClassifierMixin, BaseEstimator):
    """``estimator`` fitted once per distinct ``(X, y, sample_weight)``; repeats reuse that fit.

    ``memo`` (a :class:`FitMemo`) is shared by every clone; ``None`` remembers nothing (every
    fit trains).
    ``fits_`` says whether this fit trained (True) or reused an earlier fit (False).
    """

    def __init__(self, estimator, memo=None):
        self.estimator = estimator
        self.memo = memo

    def fit(self, X, y, sample_weight=None):
        memo = self.memo if self.memo is not None else FitMemo()
        key = _digest(X, y, sample_weight)
        self.fits_ = key not in memo
        if self.fits_:
            memo[key] = clone(self.estimator).fit(X, y, sample_weight=sample_weight)
        self.estimator_ = memo[key]
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)


def _digest(*arrays) -> str:
    """sha256 over each array's dtype, shape and bytes (``None`` counted as absent)."""
    h = hashlib.sha256()
    for a in arrays:
        if a is None:
            h.update(b"none;")
            continue
        a = np.ascontiguousarray(np.asarray(a))
        if a.dtype == object:
            raise TypeError("MemoizedClassifier digests numeric arrays only; got an object array")
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()
