"""fairscore: per-example fairness scores (FairInfl, FairShap) and their reproduction pipeline.

The library API, for use without Snakemake (``docs/library.md``):

* :class:`FairShapWeights` — scikit-learn style estimator: FairShap valuations of training
  rows against a reference set, and ``sample_weight_`` for any estimator;
* :func:`fair_shapley_values`, :func:`knn_shapley_matrix`, :func:`normalise_weights`,
  :func:`interpolate_weights` — the FairShap building blocks it calls;
* :func:`fairinfl_scores` — FairInfl influence scores S(i) of a trained single-logit torch model;
* :class:`FairMLPClassifier` — the FairInfl network and trainer as a scikit-learn classifier.

Names are imported on first use, so ``import fairscore`` loads neither scikit-learn nor torch.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("fairscore")
except PackageNotFoundError:  # running from src/ without installation
    __version__ = "0.0.0"

#: public name -> module that defines it (imported on first access)
_PUBLIC = {
    "FairShapWeights": "fairscore.fairshap.estimator",
    "fair_shapley_values": "fairscore.fairshap.valuation",
    "knn_shapley_matrix": "fairscore.fairshap.knn",
    "normalise_weights": "fairscore.fairshap.weights",
    "interpolate_weights": "fairscore.fairshap.weights",
    "fairinfl_scores": "fairscore.fairinfl.scorer",
    "FairMLPClassifier": "fairscore.models.tabular",
}

__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:  # static analysers see the names; at run time __getattr__ imports them
    from fairscore.fairinfl.scorer import fairinfl_scores
    from fairscore.fairshap.estimator import FairShapWeights
    from fairscore.fairshap.knn import knn_shapley_matrix
    from fairscore.fairshap.valuation import fair_shapley_values
    from fairscore.fairshap.weights import interpolate_weights, normalise_weights
    from fairscore.models.tabular import FairMLPClassifier


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'fairscore' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_PUBLIC})
