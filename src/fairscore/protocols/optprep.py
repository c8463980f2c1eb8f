"""OptPrep: aif360's ``OptimPreproc`` (Calmon et al.), with its per-cell Python loops done on arrays.

aif360 fills the distortion matrix one pandas ``.iat`` write at a time (65,000 writes on Adult,
the same matrix for every split), builds its marginalisation masks by comparing every row with
every column in Python, and draws each training row's new values with one
``np.random.choice`` call per row. :class:`ArrayOptTools` and :func:`apply_randomized_mapping`
compute the same floats and consume the same global random stream, so the transformed data are
byte-identical (``tests/unit/test_optprep.py`` compares them with aif360's own code); Calmon's
program is still built by aif360 and solved by cvxpy/ECOS, unchanged.
"""

from __future__ import annotations

import functools
import importlib
from unittest import mock

import numpy as np
import pandas as pd
from aif360.algorithms.preprocessing import OptimPreproc, optim_preproc
from aif360.algorithms.preprocessing.optim_preproc_helpers.opt_tools import OptTools

__all__ = ["ArrayOptTools", "apply_randomized_mapping", "optprep_transform"]

_DISTORTIONS: dict = {}  # (distortion function, features, rows, columns) -> distortion matrix


@functools.cache
def _memoised_distortion(name: str):
    """aif360's ``get_distortion_<name>``, memoised: it is a pure function of (old, new)
    values, and OptTools calls it for every pair of the domain on every fit."""
    module = importlib.import_module(
        "aif360.algorithms.preprocessing.optim_preproc_helpers.distortion_functions")
    fn = getattr(module, f"get_distortion_{name}")
    cache: dict = {}

    def distortion(vold: dict, vnew: dict) -> float:
        key = (tuple(sorted(vold.items())), tuple(sorted(vnew.items())))
        if key not in cache:
            cache[key] = fn(vold, vnew)
        return cache[key]

    return distortion


class ArrayOptTools(OptTools):
    """aif360's ``OptTools`` with ``get_mask`` and ``set_distortion`` on arrays (same values)."""

    def get_mask(self, dfRef):  # noqa: N803 - aif360's signature
        """1.0 where a row's labels equal the column's on the columns' levels (aif360's rule)."""
        levels = list(dfRef.columns.names)
        rows = pd.DataFrame(index=dfRef.index).reset_index()[levels].values
        cols = pd.DataFrame(index=dfRef.columns).reset_index()[levels].values
        match = (rows[:, None, :] == cols[None, :, :]).all(axis=2)
        dfRef.iloc[:, :] = np.where(match, 1.0, dfRef.to_numpy())
        return dfRef

    def set_distortion(self, get_distortion, clist=()):
        """The distortion matrix of every (old, new) pair of the domain, computed once per domain
        and distortion function in a process, and the excess-distortion indicator matrices."""
        self.clist = list(clist)
        rows, cols = self.dfD.index.tolist(), self.dfD.columns.tolist()
        key = (get_distortion, tuple(self.XY_features), tuple(rows), tuple(cols))
        if key not in _DISTORTIONS:
            olds = [dict(zip(self.XY_features, t)) for t in rows]
            news = [dict(zip(self.XY_features, t)) for t in cols]
            matrix = np.array([[get_distortion(old, new) for new in news] for old in olds], dtype=np.float64)
            matrix.flags.writeable = False
            _DISTORTIONS[key] = matrix
        matrix = _DISTORTIONS[key]
        self.dfD.iloc[:, :] = matrix
        self.CMlist = [(matrix >= c).astype(np.float64) for c in self.clist]


def apply_randomized_mapping(df, dfMap, features=(), random_seed=None):  # noqa: N803 - aif360's signature
    """aif360's ``optim_preproc._apply_randomized_mapping`` with the per-row draws vectorised.

    ``np.random.choice(K, p=row)`` draws one ``random_sample()`` and returns
    ``searchsorted(cumsum(row) / sum, u, side="right")``; here the uniforms are drawn in one call
    (the same stream) and each distinct row's cumulative sum is searched once for all its rows.
    """
    if random_seed is not None:
        np.random.seed(seed=random_seed)  # noqa: NPY002 - aif360 seeds the global RNG
    features = list(features)
    df2 = df[features].copy()
    rem_cols = [c for c in df.columns if c not in features]
    idx_list = [tuple(i) for i in df2.itertuples(index=False)]
    codes = dfMap.index.get_indexer(idx_list)
    if (codes < 0).any():
        raise KeyError(f"{idx_list[int(np.flatnonzero(codes < 0)[0])]} is not in the mapping's index")
    draws_possible = dfMap.columns.tolist()
    probabilities = dfMap.to_numpy(dtype=np.float64)
    uniforms = np.random.random_sample(len(idx_list))  # noqa: NPY002
    draws = np.empty(len(idx_list), dtype=np.intp)
    for code in np.unique(codes):
        p = probabilities[code]
        if np.isnan(p).any() or (p < 0).any():
            raise ValueError(f"mapping row {dfMap.index[code]}: probabilities are not non-negative")
        if abs(p.sum() - 1.0) > np.sqrt(np.finfo(np.float64).eps):
            raise ValueError(f"mapping row {dfMap.index[code]}: probabilities do not sum to 1")
        cdf = p.cumsum()
        cdf /= cdf[-1]
        members = codes == code
        draws[members] = cdf.searchsorted(uniforms[members], side="right")
    df2.loc[:, dfMap.columns.names] = [draws_possible[x] for x in draws]
    return pd.concat([df2, df[rem_cols].copy()], axis=1) if rem_cols else df2


def optprep_transform(train_dataset, *, distortion, epsilon, clist, dlist, seed):
    """Calmon et al. optimized pre-processing (aif360 ``OptimPreproc``) of a training split.

    Parameters
    ----------
    train_dataset : aif360 BinaryLabelDataset
        The training rows in AIF360's original encoding (the distortion functions read
        its category names).
    distortion : str
        ``get_distortion_<distortion>`` from aif360 (``german``, ``adult``, ``compas``).
    epsilon, clist, dlist
        Discrimination and distortion control (FS: 0.05, [0.99, 1.99, 2.99], [0.1, 0.05, 0]).
    seed : int
        Passed to ``OptimPreproc`` (which seeds the global numpy RNG with it, D24).

    Returns
    -------
    features : ndarray of shape (n_train, n_features)
        Transformed features, columns aligned with the input.
    labels : ndarray of shape (n_train,)
        Transformed labels, favourable = 1.
    """
    attr = train_dataset.protected_attribute_names[0]
    privileged = float(np.asarray(train_dataset.privileged_protected_attributes[0]).ravel()[0])
    unprivileged = float(np.asarray(train_dataset.unprivileged_protected_attributes[0]).ravel()[0])
    options = {"distortion_fun": _memoised_distortion(distortion), "epsilon": epsilon,
               "clist": list(clist), "dlist": list(dlist)}
    optimiser = OptimPreproc(ArrayOptTools, options, unprivileged_groups=[{attr: unprivileged}],
                             privileged_groups=[{attr: privileged}], seed=seed, verbose=False)
    with mock.patch.object(optim_preproc, "_apply_randomized_mapping", apply_randomized_mapping):
        transformed = optimiser.fit(train_dataset).transform(train_dataset, transform_Y=True)
    transformed = train_dataset.align_datasets(transformed)
    labels = (transformed.labels.ravel() == train_dataset.favorable_label).astype(int)
    return transformed.features.astype(np.float64), labels
