"""Synthetic data for the FairShap figures (``algorithms.md`` §4.2, D23).

* :func:`gaussian_classes` — the run-time benchmark's generator (D23): a balanced
  binary label and binary attribute, standard-normal features, the label shifting
  the first feature and the attribute the second;
* :func:`gaussian_clusters` — one 2-D Gaussian cluster per (group, label), as in
  App. D.2: two classes (Fig. 11) or Zafar et al. (2017) Case I (Fig. 12).
"""

from __future__ import annotations

import numpy as np

from fairscore.errors import ConfigError

__all__ = ["gaussian_classes", "gaussian_clusters"]


def gaussian_classes(n: int, n_features: int, *, seed, shift: float = 1.0):
    """``n`` rows: y, a ~ Bernoulli(½); X ~ N(0, I) with ``shift·(2y − 1)`` added to feature 0
    and ``shift·(2a − 1)`` to feature 1 (when there are two or more). Returns X, y, a."""
    rng = np.random.default_rng(seed)
    y, a = rng.integers(0, 2, n), rng.integers(0, 2, n)
    X = rng.standard_normal((n, n_features))
    X[:, 0] += shift * (2 * y - 1)
    if n_features > 1:
        X[:, 1] += shift * (2 * a - 1)
    return X, y, a


def gaussian_clusters(clusters: list[dict], *, seed):
    """Rows drawn from one multivariate normal per cluster, shuffled.

    Each cluster is ``{"mean": [...], "cov": [[...]], "label": 0|1, "group": 0|1, "n": int}``.
    Returns X (n, d), y and a.
    """
    rng = np.random.default_rng(seed)
    X, y, a = [], [], []
    for i, c in enumerate(clusters):
        missing = {"mean", "cov", "label", "group", "n"} - set(c)
        if missing:
            raise ConfigError(f"cluster {i}: missing keys {sorted(missing)}")
        X.append(rng.multivariate_normal(c["mean"], c["cov"], size=int(c["n"])))
        y.append(np.full(int(c["n"]), int(c["label"])))
        a.append(np.full(int(c["n"]), int(c["group"])))
    order = rng.permutation(sum(len(v) for v in y))
    return np.vstack(X)[order], np.concatenate(y)[order], np.concatenate(a)[order]
