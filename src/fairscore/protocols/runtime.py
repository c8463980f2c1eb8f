"""FairShap's run-time study (paper Fig. 10): the weighting time of FairShap and of the
baselines on synthetic data of growing size, without file I/O.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from fairscore.protocols.baselines import (
    group_reweighing_weights,
    influence_weights,
    label_bias_weights,
)
from fairscore.errors import ConfigError
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.fairshap.weights import normalise_weights
from fairscore.datasets.synthetic import gaussian_classes
from fairscore.pipeline.progress import Progress

__all__ = [
    "RUNTIME_LABELS",
    "RUNTIME_NOT_APPLICABLE",
    "runtime_runs",
]


def _runtime_weight_functions(labelbias: dict, influence: dict, fairshap: dict) -> dict:
    """Method -> f(X_train, y_train, a_train, X_ref, y_ref, a_ref) returning training weights."""
    return {
        "fairshap": lambda Xt, yt, at, Xr, yr, ar: normalise_weights(
            fair_shapley_values(Xt, yt, Xr, yr, ar, **fairshap)["eop"]),
        "group_rw": lambda Xt, yt, at, Xr, yr, ar: group_reweighing_weights(yt, at),
        "labelbias": lambda Xt, yt, at, Xr, yr, ar: label_bias_weights(Xt, yt, at, **labelbias),
        "influence": lambda Xt, yt, at, Xr, yr, ar: influence_weights(Xt, yt, Xr, yr, ar, **influence),
    }


#: runtime-figure method -> label (as in the tables)
RUNTIME_LABELS = {"fairshap": "FairShap", "group_rw": "Group RW", "labelbias": "LabelBias", "influence": "IF",
                  "optprep": "OptPrep"}


#: runtime-figure methods that cannot run on the synthetic data, with the reason
RUNTIME_NOT_APPLICABLE = {
    "optprep": "OptPrep needs a small discrete feature domain and a dataset-specific distortion function; "
               "it is undefined on continuous synthetic features",
}


def runtime_runs(methods, *, sizes, n_features, repeats, seed, reference_fraction=0.2, shift=1.0,
                 fairshap_features=(), labelbias=None, influence=None, fairshap=None, repeats_large=None,
                 large_size=None, baseline_blas_threads=None) -> pd.DataFrame:
    """Fig. 10: seconds to compute each method's training weights on synthetic data.

    Data: :func:`fairscore.datasets.synthetic.gaussian_classes` with ``n_total`` rows, the first
    ``(1 - reference_fraction)`` for training and the rest as the reference (validation)
    set. Each (method, size, feature count) is timed ``repeats`` times with fresh data
    (``repeats_large`` times at sizes of at least ``large_size``, where one call takes
    seconds to minutes; ``None`` keeps ``repeats`` everywhere; repeat r draws the same
    data either way), after one untimed warm-up call on the smallest size (imports, JIT compilation);
    FairShap is also timed at every count in ``fairshap_features``. Methods of
    :data:`RUNTIME_NOT_APPLICABLE` get one row with ``seconds`` NaN and the reason.

    ``baseline_blas_threads`` caps the BLAS threads (threadpoolctl) while the baselines run:
    they are sequential algorithms on small matrices, which a second BLAS thread slows (on 2
    cores LabelBias ran 2.5-4x faster on one thread at 1k-5k rows, alike at 20k-100k).
    FairShap keeps the library default: its kernel runs on numba's threads and its distance
    product is large. ``None`` leaves every method at the default. Column ``blas_threads``
    records the cap (NaN: the default).
    """
    functions = _runtime_weight_functions(labelbias or {}, influence or {}, fairshap or {})
    if repeats_large is not None and large_size is None:
        raise ConfigError(f"runtime repeats_large = {repeats_large!r} without large_size; expected the "
                          "smallest size it applies to")
    unknown = set(methods) - set(functions) - set(RUNTIME_NOT_APPLICABLE)
    if unknown:
        raise ConfigError(f"runtime methods {sorted(unknown)}; expected some of "
                          f"{sorted(set(functions) | set(RUNTIME_NOT_APPLICABLE))}")
    cases = [(m, n_features) for m in methods if m in functions]
    if "fairshap" in methods:
        cases += [("fairshap", f) for f in fairshap_features if f != n_features]
    rows = [{"method": m, "n_total": np.nan, "n_features": n_features, "repeat": np.nan, "seconds": np.nan,
             "note": RUNTIME_NOT_APPLICABLE[m]} for m in methods if m in RUNTIME_NOT_APPLICABLE]
    counts = [repeats_large if repeats_large is not None and n >= large_size else repeats for n in sizes]
    tracker = Progress(len(cases) * sum(counts), "timed weight computations")
    for method, features in cases:
        blas_threads = None if method == "fairshap" else baseline_blas_threads
        with threadpool_limits(blas_threads, user_api="blas"):  # None: no limit
            rows += _timed_runs(functions[method], method, features, sizes, counts, seed=seed, shift=shift,
                                reference_fraction=reference_fraction, tracker=tracker,
                                blas_threads=np.nan if blas_threads is None else blas_threads)
    tracker.finish()
    return pd.DataFrame(rows)


def _timed_runs(function, method, features, sizes, counts, *, seed, shift, reference_fraction, tracker,
                blas_threads) -> list[dict]:
    """One untimed warm-up call, then ``counts[i]`` timed calls at ``sizes[i]`` rows: one row each."""
    rows = []
    X, y, a = gaussian_classes(min(sizes), features, seed=[seed, features])  # warm-up: imports, JIT
    n_warm = int(round((1.0 - reference_fraction) * len(y)))
    function(X[:n_warm], y[:n_warm], a[:n_warm], X[n_warm:], y[n_warm:], a[n_warm:])
    for n, count in zip(sizes, counts, strict=True):
        n_train = int(round((1.0 - reference_fraction) * n))
        for repeat in range(count):
            X, y, a = gaussian_classes(n, features, seed=[seed, n, features, repeat], shift=shift)
            start = time.perf_counter()
            function(X[:n_train], y[:n_train], a[:n_train], X[n_train:], y[n_train:], a[n_train:])
            rows.append({"method": method, "n_total": n, "n_features": features, "repeat": repeat,
                         "seconds": time.perf_counter() - start, "note": "", "blas_threads": blas_threads})
            tracker.advance()  # after the clock stopped
    return rows
