"""Speed of the FairInfl MLP's training steps: the direct loops vs autograd + ``torch.optim.AdamW``.

Writes ``results/benchmarks/fairinfl_training.csv`` (one row per case and implementation: seconds
per optimiser step, the ratio to the direct loop, and whether the trained parameters are
identical) and ``fairinfl_training.json`` (the machine). Cases: the Adult MLP (98 → 64 → 1),
batches of 128 from 6,676 synthetic standard-normal rows (FairInfl Adult's training-set size):

* ``lam=0 weighted``: the reduction baseline's oracle (``FairMLPClassifier`` with sample weights);
* ``lam=1``: the score model, ERM's λ = 1 counterpart and every retrain trained alone;
* ``stacked lam=1`` and ``stacked lam=0``: the pruned retrains of one run, 33 models trained
  together on subsets of 5 %–100 % of the rows (at least one batch), as
  :func:`fairscore.fairinfl.runs.retrain_pruned` does (λ = 0: the ``authors_code`` variant).

Implementations: ``direct`` (:func:`fairscore.models.mlp_direct.train_mlp_direct` and
:func:`~fairscore.models.mlp_direct.train_stacked_mlp_direct`, the defaults of
:func:`fairscore.models.tabular.train_fair` and :func:`~fairscore.models.tabular.train_stacked`)
against ``autograd`` (``train_fair(direct=False)``, the straightforward loop) and ``vmap``
(``train_stacked(direct=False)``, ``torch.func.vmap`` and autograd). Seconds per step are per
optimiser step, i.e. for all 33 models of a stacked step. Threads: 1, as in a pipeline job
(Snakemake sets ``OMP_NUM_THREADS`` to the job's threads). Each is timed ``--repeats`` times
after one warm-up call (median). Run: ``.venv/bin/python benchmarks/fairinfl_training_speed.py``.
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
from fairscore.models.tabular import mlp, train_fair, train_stacked
from fairscore.pipeline.provenance import machine_description

OUT = Path("results/benchmarks")
N, FEATURES, HIDDEN, BATCH = 6676, 98, 64, 128


#: the pruned retrains of one FairInfl Adult run: 3 strategies x 11 kept fractions
STACKED_FRACTIONS = np.tile(np.linspace(0.05, 1.0, 11), 3)


def _timed(train, repeats):
    """Median seconds of ``train()`` (:func:`fairinfl_speed.median_seconds`) and its last trained models."""
    models = []
    seconds = median_seconds(lambda: models.append(train()), repeats)
    return seconds, models[-1]


def _cases(X, y, z, rng, steps):
    """(case, names of the direct and the reference implementation, train(direct) -> models)."""
    n, fit = len(X), {"steps": steps, "seed": 0, "batch_size": BATCH}
    subsets = [np.sort(rng.choice(n, size=max(BATCH, int(f * n)), replace=False)) for f in STACKED_FRACTIONS]
    weights = rng.exponential(size=n)
    for case, lam, w in (("lam=0 weighted", 0.0, weights), ("lam=1", 1.0, None)):
        yield case, "autograd", lambda direct, lam=lam, w=w: [
            train_fair(mlp(X.shape[1], HIDDEN, seed=0), X, y, z, lam=lam, sample_weight=w, direct=direct, **fit)]
    for case, lam in (("stacked lam=1", 1.0), ("stacked lam=0", 0.0)):
        yield case, "vmap", lambda direct, lam=lam: train_stacked(
            [mlp(X.shape[1], HIDDEN, seed=0) for _ in subsets], X, y, z, subsets, lam=lam, direct=direct, **fit)


def measure(*, n=N, steps=1000, repeats=3) -> pd.DataFrame:
    """One row per case and implementation (seconds per step, ratio to ``direct``, identical parameters)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, FEATURES)).astype(np.float32)
    y, z = rng.integers(0, 2, n), rng.integers(0, 2, n)
    rows = []
    for case, reference, train in _cases(X, y, z, rng, steps):
        results = {direct: _timed(lambda direct=direct: train(direct), repeats) for direct in (True, False)}
        identical = all(torch.equal(p, q) for a, b in zip(results[True][1], results[False][1], strict=True)
                        for p, q in zip(a.parameters(), b.parameters(), strict=True))
        for direct, name in ((True, "direct"), (False, reference)):
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
        raise SystemExit("a direct loop's parameters differ from the reference loop's")


if __name__ == "__main__":
    main()
