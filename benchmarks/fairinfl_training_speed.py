"""Speed of the FairInfl MLP's training steps: the direct loop vs autograd + ``torch.optim.AdamW``.

Writes ``results/benchmarks/fairinfl_training.csv`` (one row per case and implementation: seconds
per optimiser step, the ratio to the direct loop, and whether the trained parameters are
identical) and ``fairinfl_training.json`` (the machine). Cases: the Adult MLP (98 → 64 → 1),
batches of 128 from 6,676 synthetic standard-normal rows (FairInfl Adult's training-set size):

* ``lam=0 weighted``: the reduction baseline's oracle (``FairMLPClassifier`` with sample weights);
* ``lam=1``: the score model, ERM's λ = 1 counterpart and every retrain trained alone.

Implementations: ``direct`` (:func:`fairscore.models.mlp_direct.train_mlp_direct`, the default
of :func:`fairscore.models.tabular.train_fair`) and ``autograd`` (``train_fair(direct=False)``,
the straightforward loop). Threads: 1, as in a pipeline job (Snakemake sets
``OMP_NUM_THREADS`` to the job's threads). Each is timed ``--repeats`` times after one warm-up
call (median). Run: ``.venv/bin/python benchmarks/fairinfl_training_speed.py``.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from fairinfl_speed import median_seconds  # benchmarks/ is on sys.path when a script in it runs

from fairscore.fileio import write_csv, write_json
from fairscore.models.tabular import mlp, train_fair
from fairscore.pipeline.provenance import machine_description

OUT = Path("results/benchmarks")
N, FEATURES, HIDDEN, BATCH = 6676, 98, 64, 128


def timed_training(X, y, z, *, lam, weights, steps, repeats, direct):
    """Median seconds of ``train_fair`` (:func:`fairinfl_speed.median_seconds`) and the last trained model."""
    models = []

    def train():
        models.append(train_fair(mlp(X.shape[1], HIDDEN, seed=0), X, y, z, lam=lam, steps=steps, seed=0,
                                 batch_size=BATCH, sample_weight=weights, direct=direct))

    return median_seconds(train, repeats), models[-1]


def measure(*, n=N, steps=1000, repeats=3) -> pd.DataFrame:
    """One row per case and implementation (seconds per step, ratio to ``direct``, identical parameters)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, FEATURES)).astype(np.float32)
    y, z = rng.integers(0, 2, n), rng.integers(0, 2, n)
    rows = []
    for case, lam, weights in (("lam=0 weighted", 0.0, rng.exponential(size=n)), ("lam=1", 1.0, None)):
        results = {direct: timed_training(X, y, z, lam=lam, weights=weights, steps=steps, repeats=repeats,
                                          direct=direct) for direct in (True, False)}
        identical = all(torch.equal(p, q) for p, q in zip(results[True][1].parameters(),
                                                           results[False][1].parameters(), strict=True))
        for direct, name in ((True, "direct"), (False, "autograd")):
            rows.append({"case": case, "n": n, "steps": steps, "implementation": name,
                         "seconds_per_step": results[direct][0] / steps,
                         "ratio_to_direct": results[direct][0] / results[True][0], "identical_parameters": identical})
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    table = measure(steps=args.steps, repeats=args.repeats)
    print(table.to_string(index=False))
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(table, OUT / "fairinfl_training.csv")
    write_json(OUT / "fairinfl_training.json", {"machine": machine_description(), "platform": platform.platform(),
                                                "torch_threads": torch.get_num_threads(), "repeats": args.repeats})
    if not table["identical_parameters"].all():
        raise SystemExit("the direct loop's parameters differ from autograd's")


if __name__ == "__main__":
    main()
