"""One GPU check: time every GPU path of the pipeline and check it against the CPU.

On one CUDA device, within about 8 minutes:

* ``fairshap``: FairShap valuations (:func:`fairscore.fairshap.valuation.fair_shapley_values`) on the
  CUDA backend for an Adult-split-sized synthetic set, 100k x 18 and 100k x 200 (80/20
  train/reference), each against the CPU (numba) result, to 1e-9;
* ``fairinfl``: FairInfl O(n) fairness scores (:func:`fairscore.fairinfl.influence.fairness_scores`)
  of a ResNet-18 with two fully-connected layers (:func:`fairscore.models.tabular.resnet_two_fc`)
  on CelebA-sized 28 x 28 x 3 synthetic images: examples per second, the time extrapolated
  to CelebA's 162,770 training images, and agreement of float32 and float64 scores on the
  device with float64 CPU scores on a subset (max |difference| relative to the largest CPU score);
* ``training``: optimiser steps per second of :func:`fairscore.models.tabular.train_fair` with
  bfloat16 autocast (``amp``) and the CelebA config's batch size, augmentation and optimiser, and
  the time extrapolated to the default CelebA experiment's steps (:func:`celeba_training`);
* ``deep_dag``: the whole ``deep`` DAG on ``config/deep_fixture.yaml`` with every
  ``device`` set to ``cuda`` (an overlay config file), in a temporary copy of the workflow.

Writes ``results/benchmarks/gpu.csv`` (check, size, seconds, rate, max_abs_diff,
tolerance, ok; ``rate`` is the CPU time over the accelerator time for FairShap, examples
or steps per second otherwise) and exits 1 if any check disagrees. Without CUDA it says so and runs the
same checks at tiny size on the CPU (torch ``cpu`` backend against numba; autocast is then
a no-op); the ``deep`` DAG is skipped there, since tests/workflow/test_deep_run.py builds
it. Run: ``.venv/bin/python benchmarks/gpu_check.py``.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml

from fairscore.fileio import atomic_path
from fairscore.fairinfl.influence import fairness_scores
from fairscore.fairshap.valuation import fair_shapley_values
from fairscore.datasets.synthetic import gaussian_classes
from fairscore.fairinfl.settings import dataset_training
from fairscore.models.tabular import resnet_two_fc, train_fair

ROOT = Path(__file__).resolve().parents[1]
CELEBA_TRAIN = 162_770
FAIRSHAP_TOLERANCE = 1e-9
#: FairInfl scores against float64 CPU ones, relative to the largest: strict float32 (the scores
#: switch TF32 off; with it, an H200 was 0.9-1.2 % off) and float64 on the device
FAIRINFL_TOLERANCE = {"float32": 1e-3, "float64": 1e-9}
#: FairShap's chunk budget on each backend (the pipeline's default, 256 MB, is sized for a CPU)
FAIRSHAP_MEMORY_MB = {"cuda": 8192, "cpu": 256}
#: (name, rows, features) of the FairShap cases; Adult-sized: its 60/20 split of 45,222 rows
FAIRSHAP_CASES = {"cuda": [("adult-split sized", 36_178, 18), ("100k x 18", 100_000, 18),
                           ("100k x 200", 100_000, 200)],
                  "cpu": [("tiny", 600, 18), ("tiny", 600, 200)]}
#: images scored (timed), images checked against float64, training steps and batch, ResNet blocks
#: (the CUDA training check takes its batch size from the CelebA config)
SIZES = {"cuda": {"images": 4096, "subset": 64, "steps": 100, "blocks": (2, 2, 2, 2), "hidden": 256},
         "cpu": {"images": 8, "subset": 4, "steps": 2, "batch": 4, "blocks": (1, 1, 1, 1), "hidden": 16}}
#: config keys of the deep DAG that choose a device
DEVICE_KEYS = [("fairshap", "device"), ("fairshap_vision", "device"), ("text_embeddings", "device"),
               ("fairinfl", "celeba", "training", "device"), ("fairinfl", "jigsaw", "training", "device")]
WORKFLOW_PARTS = ("Snakefile", "workflow", "config", "envs", "profiles", "src", "reference")


def timed(fn):
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


def row(check, size, seconds, rate=math.nan, max_abs_diff=math.nan, tolerance=math.nan, ok=True):
    out = {"check": check, "size": size, "seconds": round(seconds, 3), "rate": rate,
           "max_abs_diff": max_abs_diff, "tolerance": tolerance, "ok": bool(ok)}
    print(out, flush=True)
    return out


def fairshap_checks(mode: str, device: str) -> list[dict]:
    rows = []
    fair_shapley_values(*_fairshap_data(500, 18), device=device)  # compile and initialise once
    fair_shapley_values(*_fairshap_data(500, 18), device="numba")
    for name, n, features in FAIRSHAP_CASES[mode]:
        data = _fairshap_data(n, features)
        cpu, cpu_seconds = timed(lambda: fair_shapley_values(*data, device="numba"))
        accel, seconds = timed(lambda: fair_shapley_values(*data, device=device,
                                                           memory_mb=FAIRSHAP_MEMORY_MB[mode]))
        diff = float(np.abs(accel.to_numpy() - cpu.to_numpy()).max())
        size = f"{name}: {len(data[0])} train x {len(data[2])} reference x {features} features"
        rows.append(row(f"fairshap {device}", size, seconds, rate=round(cpu_seconds / seconds, 2),
                        max_abs_diff=diff, tolerance=FAIRSHAP_TOLERANCE, ok=diff <= FAIRSHAP_TOLERANCE))
    return rows


def _fairshap_data(n, features):
    X, y, a = gaussian_classes(n, features, seed=[0, n, features])
    cut = int(round(0.8 * n))
    return X[:cut], y[:cut], X[cut:], y[cut:], a[cut:]


def _images(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3, 28, 28), dtype=np.float32)
    return X, rng.integers(0, 2, n), rng.integers(0, 2, n)


def fairinfl_checks(mode: str, device: torch.device) -> list[dict]:
    size = SIZES[mode]
    model = resnet_two_fc(seed=0, blocks=size["blocks"], hidden=size["hidden"]).to(device).eval()
    X, y, z = _images(size["images"], 0)
    fairness_scores(model, X[:16], z[:16], y[:16])  # warm-up (cuDNN autotuning, allocations)
    _, seconds = timed(lambda: fairness_scores(model, X, z, y))
    rate = len(X) / seconds
    rows = [row(f"fairinfl {device.type} examples/s", f"{len(X)} images 28x28x3, ResNet blocks {size['blocks']}",
                seconds, rate=round(rate, 1)),
            row(f"fairinfl {device.type} extrapolated", f"{CELEBA_TRAIN} images (CelebA train)",
                CELEBA_TRAIN / rate, rate=round(rate, 1))]
    Xs, ys, zs = X[: size["subset"]], y[: size["subset"]], z[: size["subset"]]
    reference_model = resnet_two_fc(seed=0, blocks=size["blocks"], hidden=size["hidden"]).double().eval()
    reference = fairness_scores(reference_model, Xs.astype(np.float64), zs, ys)
    for precision, tolerance in FAIRINFL_TOLERANCE.items():
        scored = model if precision == "float32" else reference_model.to(device)
        ours = fairness_scores(scored, Xs.astype(np.float32 if precision == "float32" else np.float64), zs, ys)
        diff = float(np.abs(ours - reference).max() / np.abs(reference).max())
        rows.append(row(f"fairinfl {device.type} {precision} vs float64 cpu", f"{len(Xs)} images", math.nan,
                        max_abs_diff=diff, tolerance=tolerance, ok=diff <= tolerance))
    return rows


def celeba_training(config: dict):
    """The CelebA score model's training settings (``fairinfl.celeba``) and the optimiser steps of
    the default CelebA experiment: per run the score model, ERM (if configured) and one retrain
    per prune strategy and fraction, each on the full-data step budget (D17)."""
    infl = config["fairinfl"]
    training, retrain = dataset_training(infl, "celeba"), dataset_training(infl, "celeba", retrain=True)
    per_run = (training.steps_for(CELEBA_TRAIN) * (1 + ("erm" in infl["celeba"]["baselines"]))
               + len(infl["prune"]["strategies"]) * len(infl["prune"]["fractions"]) * retrain.steps_for(CELEBA_TRAIN))
    return training, infl["celeba"]["runs"], per_run


def training_check(mode: str, device: torch.device) -> list[dict]:
    size = SIZES[mode]
    training, runs, per_run = celeba_training(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))
    batch = training.batch_size if mode == "cuda" else size["batch"]
    model = resnet_two_fc(seed=0, blocks=size["blocks"], hidden=size["hidden"]).to(device)
    X, y, z = _images(batch * 4, 1)
    kwargs = {**training.optimiser(), "batch_size": batch, "augment": training.augment, "amp": True}
    train_fair(model, X, y, z, lam=1.0, steps=1, seed=0, **kwargs)  # warm-up
    _, seconds = timed(lambda: train_fair(model, X, y, z, lam=1.0, steps=size["steps"], seed=0, **kwargs))
    finite = all(torch.isfinite(p).all() for p in model.parameters())
    rate = size["steps"] / seconds
    return [row(f"training {device.type} bf16 autocast steps/s",
                f"{size['steps']} steps of {batch} images, augment {training.augment}", seconds,
                rate=round(rate, 2), ok=finite),
            row(f"training {device.type} extrapolated", f"CelebA default: {runs} runs x {per_run} steps",
                runs * per_run / rate, rate=round(rate, 2))]


def deep_dag_check() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for part in WORKFLOW_PARTS:
            (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, work / part)
        (work / "data").symlink_to(ROOT / "data")
        overlay = {}
        for keys in DEVICE_KEYS:
            node = overlay
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = "cuda"
        (work / "cuda.yaml").write_text(yaml.safe_dump(overlay))
        command = [sys.executable, "-m", "snakemake", "--cores", "all", "deep", "--configfile",
                   "config/deep_fixture.yaml", "cuda.yaml"]
        proc, seconds = timed(lambda: subprocess.run(command, cwd=work, capture_output=True, text=True))
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
            for log in sorted((work / "results" / "logs").rglob("*.log")):  # the failed jobs' own logs
                text = log.read_text(errors="replace")
                if "Traceback" in text or "Error" in text:
                    print(f"--- {log.relative_to(work)}", text[-2000:], sep="\n")
    return row("deep DAG cuda", "config/deep_fixture.yaml, every device: cuda", seconds, ok=proc.returncode == 0)


def guarded(name, check, *args) -> list[dict]:
    """The rows of ``check(*args)``; a check that raises is one failed row naming the error,
    so that one broken path does not hide the figures of the others."""
    try:
        out = check(*args)
    except Exception as error:  # noqa: BLE001 - reported as a failed check, with its traceback
        traceback.print_exc()
        return [row(name, f"raised {type(error).__name__}: {error}"[:300], math.nan, ok=False)]
    return out if isinstance(out, list) else [out]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/gpu.csv"))
    args = parser.parse_args(argv)
    if torch.cuda.is_available():
        mode, device = "cuda", torch.device("cuda")
        print(f"CUDA device: {torch.cuda.get_device_name(0)}", flush=True)
    else:
        mode, device = "cpu", torch.device("cpu")
        print("no CUDA device: running the same checks at tiny size on the CPU", flush=True)
    rows = guarded(f"fairshap {device.type}", fairshap_checks, mode, device.type)
    rows += guarded(f"fairinfl {device.type}", fairinfl_checks, mode, device)
    rows += guarded(f"training {device.type}", training_check, mode, device)
    if mode == "cuda":
        rows += guarded("deep DAG cuda", deep_dag_check)
    else:
        print("deep DAG skipped on the CPU: tests/workflow/test_deep_run.py already builds it", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.out) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)
    failed = [r["check"] for r in rows if not r["ok"]]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"all {len(rows)} checks agree; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
