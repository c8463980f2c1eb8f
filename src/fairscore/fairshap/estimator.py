"""FairShap as a scikit-learn style estimator: fit valuations of training rows against a
reference set and hand their sample weights to any estimator (``algorithms.md`` §1.5).

:class:`FairShapWeights` calls the same functions as the pipeline's Table 2 path
(:func:`fairscore.protocols.table2.fairshap_split_scores` and ``_predict_fairshap``):
features standardised by a scaler fit on the training rows, the valuations of
:func:`~fairscore.fairshap.valuation.fair_shapley_values`, then
:func:`~fairscore.fairshap.weights.normalise_weights` and
:func:`~fairscore.fairshap.weights.interpolate_weights`. For the same rows and settings
its ``sample_weight_`` equals the weights the pipeline gives the gradient-boosting classifier.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.preprocessing import StandardScaler

from fairscore.errors import DataError
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.fairshap.weights import interpolate_weights, normalise_weights

__all__ = [
    "FairShapWeights",
]


def _features(name: str, X) -> np.ndarray:
    """``X`` as a float64 2-D array, or a DataError naming the argument."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise DataError(f"{name} has shape {X.shape}; expected a 2-D array of shape (n_rows, n_features)")
    return X


class FairShapWeights(BaseEstimator):
    """FairShap valuations of training rows and the sample weights built from them.

    Each training row is valued by its exact kNN-Shapley contribution to a fairness
    metric (or the accuracy) of a K-nearest-neighbour classifier on a reference set,
    usually a validation split with known groups. The valuations, min–max normalised to
    mean 1 and interpolated with uniform weights by ``alpha``, are sample weights for
    any estimator that accepts ``sample_weight``.

    Parameters
    ----------
    valuation : str, default="eop"
        The valuation that becomes the weights: with binary groups ``"acc"``, ``"eop"``,
        ``"eodds"``, ``"eodds_abs"`` or a per-cell rate such as ``"tpr_a0"``; without
        groups (``a_ref=None``, the case A = Y) ``"acc"``, ``"eop"``, ``"eop_bounded"``;
        with more than two groups ``"acc"``, ``"eop"``, ``"eodds"``. Every valuation is
        kept in ``valuations_``.
    k : int, default=5
        Neighbours K of the kNN utility.
    alpha : float in [0, 1], default=1.0
        Interpolation to uniform weights: 0 gives all ones, 1 the pure FairShap weights.
    sign : {"privileged", "data"}, default="privileged"
        Signs of the binary EOp/EOdds valuations (D12; see
        :func:`~fairscore.fairshap.valuation.fair_shapley_values`).
    standardize : bool, default=True
        Standardise the features of both sets by a scaler fit on the training rows, as the
        paper and the pipeline do; ``False`` uses them as given.
    tie_order : {"index", "authors"}, default="index"
        Order of training rows at equal distance (D2, D30).
    device : str, default="auto"
        ``"auto"``, ``"numba"``, ``"numpy"`` or a torch device name; the values do not
        depend on it.
    memory_mb : int, default=256
        Memory budget of one chunk of reference columns.

    Attributes
    ----------
    valuations_ : DataFrame of shape (n_train, n_valuations)
        Every FairShap valuation of every training row.
    values_ : ndarray of shape (n_train,)
        The ``valuation`` column of ``valuations_``.
    sample_weight_ : ndarray of shape (n_train,)
        ``(1 - alpha) + alpha * w``, with ``w`` the values min–max scaled to [0, 1] and
        then to mean 1; pass it as ``sample_weight`` when fitting on the same rows.
    scaler_ : StandardScaler or None
        The scaler fit on the training rows (``None`` when ``standardize=False``).
    n_features_in_ : int
        Number of features.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from fairscore import FairShapWeights
    >>> rng = np.random.default_rng(0)
    >>> X, a = rng.normal(size=(120, 3)), rng.integers(0, 2, 120)
    >>> y = (X[:, 0] + 0.5 * a + rng.normal(scale=0.5, size=120) > 0).astype(int)
    >>> fs = FairShapWeights("eop", alpha=0.5).fit(X[:80], y[:80], X_ref=X[80:], y_ref=y[80:], a_ref=a[80:])
    >>> fs.sample_weight_.shape, round(float(fs.sample_weight_.mean()), 6)
    ((80,), 1.0)
    >>> clf = LogisticRegression().fit(X[:80], y[:80], sample_weight=fs.sample_weight_)
    """

    def __init__(self, valuation="eop", *, k=5, alpha=1.0, sign="privileged", standardize=True,
                 tie_order="index", device="auto", memory_mb=256):
        self.valuation = valuation
        self.k = k
        self.alpha = alpha
        self.sign = sign
        self.standardize = standardize
        self.tie_order = tie_order
        self.device = device
        self.memory_mb = memory_mb

    def fit(self, X, y, *, X_ref=None, y_ref=None, a_ref=None):
        """Value every training row against the reference set and build its sample weight.

        Parameters
        ----------
        X : array-like of shape (n_train, n_features)
            Training features (raw; standardised here when ``standardize=True``).
            Named ``X_train`` in the errors of the valuation.
        y : array-like of shape (n_train,)
            Binary training labels, 1 = favourable (``y_train`` in the errors).
        X_ref : array-like of shape (n_ref, n_features)
            Reference features, e.g. a validation split (required).
        y_ref : array-like of shape (n_ref,)
            Binary reference labels (required).
        a_ref : array-like of shape (n_ref,), optional
            Protected group of each reference row: 0/1 (1 = privileged), or more than two
            groups; ``None`` values the labels as groups (A = Y).

        Returns
        -------
        self : FairShapWeights
        """
        missing = [name for name, value in (("X_ref", X_ref), ("y_ref", y_ref)) if value is None]
        if missing:
            raise DataError(f"fit got no {' and no '.join(missing)}; FairShap values the training rows against a "
                            "reference set: pass X_ref and y_ref (e.g. a validation split) and, for group "
                            "fairness, a_ref")
        X, X_ref = _features("X", X), _features("X_ref", X_ref)
        if X.shape[1] != X_ref.shape[1]:
            raise DataError(f"X has {X.shape[1]} features and X_ref {X_ref.shape[1]}; expected the same features")
        self.scaler_ = StandardScaler().fit(X) if self.standardize else None
        if self.scaler_ is not None:
            X, X_ref = self.scaler_.transform(X), self.scaler_.transform(X_ref)
        valuations = fair_shapley_values(X, y, X_ref, y_ref, a_ref, k=self.k, sign=self.sign, device=self.device,
                                         memory_mb=self.memory_mb, tie_order=self.tie_order)
        if self.valuation not in valuations.columns:
            raise DataError(f"valuation = {self.valuation!r}; expected one of {list(valuations.columns)} for "
                            f"{'no' if a_ref is None else 'these'} reference groups")
        self.valuations_ = valuations
        self.values_ = valuations[self.valuation].to_numpy()
        self.sample_weight_ = interpolate_weights(normalise_weights(self.values_), self.alpha)
        self.n_features_in_ = X.shape[1]
        return self
