"""Speed of the FairInfl scores: ours (one backward + one JVP) vs the explicit kernel vs inference.

Writes ``results/benchmarks/fairinfl_speed.csv`` (one row per case and implementation, with
the ratios) and ``fairinfl_speed.json`` (the machine). Cases (FairInfl Adult): the Adult MLP
(98 → 64 → 1) on n = 2,000 and 10,000 synthetic standard-normal rows, and on the full
resampled Adult (``results/data/fairinfl_adult.npz``; run ``snakemake fairinfl_scores``
first, else the case is skipped).

* ``ours``: :func:`fairscore.fairinfl.influence.fairness_scores` (DP, all n, exact);
* ``explicit``: :func:`fairscore.fairinfl.influence.explicit_scores` — every per-example gradient
  (``vmap(grad)``), the n × n kernel, Eq. 35 summed;
* ``inference``: one forward pass over the n rows (:func:`fairscore.fairinfl.influence.predict_logits`).

Each is timed ``--repeats`` times after one warm-up call (median; the explicit kernel once). Run: ``.venv/bin/python benchmarks/fairinfl_speed.py``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from fairscore.fileio import write_csv, write_json
from fairscore.fairinfl.influence import explicit_scores, fairness_scores, predict_logits
from fairscore.pipeline.provenance import machine_description
from fairscore.models.tabular import mlp

OUT = Path("results/benchmarks")


def median_seconds(fn, repeats):
    fn()  # warm-up: first-call allocations and dispatch caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cases(adult: Path):
    rng = np.random.default_rng(0)
    for n in (2000, 10000):
        yield f"synthetic n={n}", rng.standard_normal((n, 98)).astype(np.float32), rng.integers(0, 2, n), \
            rng.integers(0, 2, n)
    if adult.exists():
        data = np.load(adult)
        X = data["X"]
        yield f"resampled Adult n={len(X)}", ((X - X.mean(0)) / (X.std(0) + 1e-12)).astype(np.float32), data["y"], \
            data["z"]
    else:
        print(f"{adult} missing: the Adult case is skipped (run snakemake fairinfl_scores first)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--adult", type=Path, default=Path("results/data/fairinfl_adult.npz"))
    args = parser.parse_args()
    rows = []
    for case, X, y, z in cases(args.adult):
        model = mlp(X.shape[1], 64, seed=0)
        timings = {
            "inference": median_seconds(lambda: predict_logits(model, X), args.repeats),  # noqa: B023
            "ours": median_seconds(lambda: fairness_scores(model, X, z, y), args.repeats),  # noqa: B023
            "explicit": median_seconds(lambda: explicit_scores(model, X, z, y), 1),  # noqa: B023 (2 calls)
        }
        ours, slow = fairness_scores(model, X, z, y), explicit_scores(model, X, z, y)
        err = float(np.max(np.abs(ours - slow)) / np.max(np.abs(slow)))
        for impl, seconds in timings.items():
            rows.append({"case": case, "n": len(X), "implementation": impl, "seconds": seconds,
                         "ratio_to_ours": seconds / timings["ours"],
                         "ours_in_inference_passes": timings["ours"] / timings["inference"],
                         "max_rel_difference_ours_vs_explicit": err})
        print(case, {k: round(v, 4) for k, v in timings.items()}, f"explicit/ours {timings['explicit'] / timings['ours']:.0f}x")
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(pd.DataFrame(rows), OUT / "fairinfl_speed.csv")
    write_json(OUT / "fairinfl_speed.json", {"machine": machine_description(), "platform": platform.platform(),
                                             "torch_threads": torch.get_num_threads(), "repeats": args.repeats})


if __name__ == "__main__":
    main()
