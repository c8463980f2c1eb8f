"""Speed of the FairShap valuations: ours vs the straightforward loop vs pyDVL, in one run.

Writes ``results/benchmarks/fairshap_speed.csv`` (one row per case and implementation,
with the ratio to ours) and a JSON with the machine. Cases (issue 3, paper §5.5):
Adult-sex and COMPAS-race split 0 (all valuations; needs ``snakemake fairshap_scores``
or at least ``splits`` first) and synthetic continuous data of 20k, 60k and 100k rows ×
18 features, 80/20 train/reference.

* ``ours``: :func:`fairscore.shapley.fair_shapley_values`, all valuations: the default
  CPU path (numba kernels), the pure numpy path (up to ``--numpy-max-train`` training
  rows), and torch on a device when ``--device cuda`` is given;
* ``loop``: the straightforward implementation — one reference point at a time, a stable
  argsort and the recursion for that column, all valuations accumulated;
* ``pydvl``: pyDVL 0.10 ``KNNShapleyValuation`` (φ_acc only, one valuation).

Where a slow implementation would run for minutes, it is timed on a random subset of the
reference points and scaled linearly (its cost is linear in the reference count); such
rows say ``extrapolated``. Run: ``.venv/bin/python benchmarks/fairshap_speed.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fairscore.data import read_tidy
from fairscore.experiments import standardised_parts
from fairscore.fileio import atomic_path, write_json
from fairscore.shapley import fair_shapley_values
from fairscore.splits import read_split

OUT = Path("results/benchmarks")


def loop_valuations(X, y, R, yr, ar, k=5):
    """The straightforward loop: Phi column by column, accumulated into the base means."""
    n = len(X)
    cells = {"acc": np.ones(len(R), bool), "tpr_a0": (yr == 1) & (ar == 0), "tpr_a1": (yr == 1) & (ar == 1),
             "tnr_a0": (yr == 0) & (ar == 0), "tnr_a1": (yr == 0) & (ar == 1)}
    sums = {c: np.zeros(n) for c in cells}
    inv = 1.0 / np.maximum(k, np.arange(1, n))
    for j in range(len(R)):
        d = np.zeros(n)
        for f in range(X.shape[1]):
            d += (X[:, f] - R[j, f]) ** 2
        order = np.argsort(d, kind="stable")
        m = (y[order] == yr[j]).astype(float)
        s = np.empty(n)
        s[-1] = m[-1] / max(k, n)
        s[:-1] = (m[:-1] - m[1:]) * inv
        s = np.cumsum(s[::-1])[::-1]
        col = np.empty(n)
        col[order] = s
        for c, mask in cells.items():
            if mask[j]:
                sums[c] += col
    return {c: sums[c] / cells[c].sum() for c in cells}


def pydvl_acc(X, y, R, yr, k=5):
    from pydvl.valuation import Dataset, KNNShapleyValuation
    from sklearn.neighbors import KNeighborsClassifier

    valuation = KNNShapleyValuation(KNeighborsClassifier(n_neighbors=k), Dataset(R, yr), progress=False)
    return valuation.fit(Dataset(X, y)).result.values


def timed(fn, *args, repeats=1):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def subset_time(fn, X, y, R, yr, ar, budget_refs, rng, with_groups=True):
    """Time fn on at most budget_refs reference points; scale to all of them."""
    m = len(R)
    if m <= budget_refs:
        args = (X, y, R, yr, ar) if with_groups else (X, y, R, yr)
        return timed(fn, *args), False
    pick = np.sort(rng.choice(m, budget_refs, replace=False))
    args = (X, y, R[pick], yr[pick], ar[pick]) if with_groups else (X, y, R[pick], yr[pick])
    return timed(fn, *args) * m / budget_refs, True


def tabular_case(pair):
    X, y, a = read_tidy(f"results/data/{pair}.csv")
    split = read_split(f"results/splits/{pair}/0.csv")
    parts = standardised_parts(X, split)
    tr, va = split["train"], split["validation"]
    return parts["train"], y[tr], parts["validation"], y[va], a[va]


def synthetic_case(n, n_features=18, seed=0):
    """Two Gaussian classes with a binary attribute, standard-normal features (D23)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    a = rng.integers(0, 2, n)
    X = rng.standard_normal((n, n_features)) + 0.5 * y[:, None]
    cut = int(0.8 * n)
    return X[:cut], y[:cut], X[cut:], y[cut:], a[cut:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="also time ours on this torch device (e.g. cuda)")
    parser.add_argument("--numpy-max-train", type=int, default=40_000, help="largest case for the numpy path")
    parser.add_argument("--sizes", default="20000,60000,100000")
    parser.add_argument("--loop-refs", type=int, default=400, help="reference points timed for the loop")
    parser.add_argument("--pydvl-refs", type=int, default=100, help="reference points timed for pyDVL")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    cases = [("adult_sex split 0", lambda: tabular_case("adult_sex")),
             ("compas_race split 0", lambda: tabular_case("compas_race"))]
    cases += [(f"synthetic {int(n) // 1000}k x 18", lambda n=int(n): synthetic_case(n)) for n in args.sizes.split(",")]
    rows = []
    for name, make in cases:
        X, y, R, yr, ar = make()
        fair_shapley_values(X[:500], y[:500], R[:200], yr[:200], ar[:200], device="numba")  # compile once
        ours = timed(lambda *a: fair_shapley_values(*a, device="numba"), X, y, R, yr, ar,
                     repeats=3 if len(X) < 50_000 else 1)
        results = [("ours (numba, CPU default)", ours, False)]
        if len(X) <= args.numpy_max_train:
            results.append(("ours (numpy)", timed(lambda *a: fair_shapley_values(*a, device="numpy"),
                                                  X, y, R, yr, ar, repeats=3), False))
        if args.device:
            results.append((f"ours (torch {args.device})",
                            timed(lambda *a: fair_shapley_values(*a, device=args.device), X, y, R, yr, ar, repeats=3),
                            False))
        results.append(("loop", *subset_time(loop_valuations, X, y, R, yr, ar, args.loop_refs, rng)))
        results.append(("pydvl (phi_acc only)", *subset_time(pydvl_acc, X, y, R, yr, ar, args.pydvl_refs, rng,
                                                             with_groups=False)))
        for impl, seconds, extrapolated in results:
            rows.append({"case": name, "n_train": len(X), "n_ref": len(R), "n_features": X.shape[1],
                         "implementation": impl, "seconds": round(seconds, 4), "extrapolated": extrapolated,
                         "ratio_to_ours": round(seconds / ours, 2)})
            print(rows[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    with atomic_path(OUT / "fairshap_speed.csv") as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)
    write_json(OUT / "fairshap_speed.json", {"machine": platform.processor() or platform.machine(),
                                             "platform": platform.platform(), "cpus": os.cpu_count()})


if __name__ == "__main__":
    main()
