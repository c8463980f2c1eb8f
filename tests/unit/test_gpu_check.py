"""benchmarks/gpu_check.py in its CPU mode (no CUDA device): tiny sizes, every check agrees."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "benchmarks" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU mode runs only without CUDA")
def test_cpu_mode_writes_every_check_and_passes(gpu_check, tmp_path, capsys):
    out = tmp_path / "gpu.csv"
    assert gpu_check.main(["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "no CUDA device" in printed and "deep DAG skipped" in printed
    table = pd.read_csv(out)
    assert list(table.columns) == ["check", "size", "seconds", "rate", "max_abs_diff", "tolerance", "ok"]
    assert table["ok"].all()
    checks = set(table["check"])
    assert {"fairshap cpu", "fairinfl cpu float32 vs float64 cpu", "fairinfl cpu float64 vs float64 cpu",
            "training cpu bf16 autocast steps/s"} <= checks
    fairshap = table[table["check"] == "fairshap cpu"]
    assert len(fairshap) == 2 and (fairshap["max_abs_diff"] <= fairshap["tolerance"]).all()
    # the default CelebA experiment: 5 runs of the score model and ERM (16,000 steps each) and
    # 3 strategies x 11 fractions of 6,400-step retrains (config/config.yaml)
    extrapolated = table.set_index("check").loc["training cpu extrapolated"]
    assert extrapolated["size"] == f"CelebA default: 5 runs x {2 * 16_000 + 3 * 11 * 6_400} steps"
    assert extrapolated["seconds"] == pytest.approx(5 * 243_200 / extrapolated["rate"], rel=1e-2)


def test_a_disagreement_fails_the_check(gpu_check, tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_check, "FAIRSHAP_TOLERANCE", -1.0)  # no difference is below it
    monkeypatch.setattr(gpu_check, "FAIRSHAP_CASES", {"cpu": [("tiny", 200, 3)], "cuda": [("tiny", 200, 3)]})
    monkeypatch.setattr(gpu_check, "fairinfl_checks", lambda mode, device: [])
    monkeypatch.setattr(gpu_check, "training_check", lambda mode, device: gpu_check.row("training", "none", 0.0))
    monkeypatch.setattr(gpu_check, "deep_dag_check", lambda: gpu_check.row("deep DAG", "none", 0.0))
    out = tmp_path / "gpu.csv"
    assert gpu_check.main(["--out", str(out)]) == 1
    table = pd.read_csv(out)
    assert not table.loc[table["check"].str.startswith("fairshap"), "ok"].any()


def test_a_check_that_raises_is_a_failed_row_and_the_others_still_run(gpu_check, tmp_path, monkeypatch):
    def broken(mode, device):
        raise RuntimeError("no kernel image is available")

    monkeypatch.setattr(gpu_check, "FAIRSHAP_CASES", {"cpu": [("tiny", 200, 3)], "cuda": [("tiny", 200, 3)]})
    monkeypatch.setattr(gpu_check, "fairinfl_checks", broken)
    monkeypatch.setattr(gpu_check, "training_check", lambda mode, device: gpu_check.row("training", "none", 0.0))
    monkeypatch.setattr(gpu_check, "deep_dag_check", lambda: gpu_check.row("deep DAG", "none", 0.0))
    out = tmp_path / "gpu.csv"
    assert gpu_check.main(["--out", str(out)]) == 1
    table = pd.read_csv(out).set_index("check")
    failed = table.loc[table.index.str.startswith("fairinfl")]
    assert len(failed) == 1 and not failed["ok"].any()
    assert "RuntimeError: no kernel image is available" in failed["size"].iloc[0]
    assert table.loc[table.index.str.startswith("fairshap"), "ok"].all()
    assert bool(table.loc["training", "ok"])
