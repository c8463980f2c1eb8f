"""Figures: every drawing function renders from its tidy data and writes valid, repeatable files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairscore.protocols.metrics import aggregate, split_metrics
from fairscore.reporting.figures import CAPTIONS, save_figure, write_figure
from fairscore.reporting.fairshap_figures import (
    ablation_figure,
    alpha_figure,
    runtime_figure,
    synthetic_tpr_tnr_figure,
    synthetic_weights_figure,
    tradeoff_figure,
    weights_figure,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def per_split(keys: dict[str, list], n_splits=3, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for combo in pd.MultiIndex.from_product(list(keys.values()), names=list(keys)):
        for split in range(n_splits):
            y, pred, group = (rng.integers(0, 2, 80) for _ in range(3))
            rows.append({**dict(zip(keys, combo, strict=True)), "split": split, **split_metrics(y, pred, group)})
    return pd.DataFrame(rows)


METRICS = ["accuracy", "macro_f1", "eop", "eodds"]
PAIRS = {"dataset": ["german"], "protected": ["sex"]}


@pytest.fixture(scope="module")
def figures():
    cells = aggregate(per_split({**PAIRS, "method": ["GBC", "FairShap EOp"]}), keys=["dataset", "protected", "method"],
                      metrics=METRICS)
    alpha = aggregate(per_split({**PAIRS, "method": ["FairShap EOp"], "alpha": [0.0, 0.5, 1.0]}),
                      keys=["dataset", "protected", "method", "alpha"], metrics=METRICS)
    ablation = aggregate(per_split({**PAIRS, "method": ["FairShap EOp"], "fraction": [0.5, 1.0]}),
                         keys=["dataset", "protected", "method", "fraction"], metrics=METRICS)
    rng = np.random.default_rng(1)
    weights = pd.DataFrame({"group": rng.integers(0, 2, 200), "label": rng.integers(0, 2, 200),
                            "w_eop": rng.random(200), "w_eodds": rng.random(200)})
    runtime = pd.DataFrame({"method": ["fairshap"] * 2 + ["group_rw"] * 2, "label": ["FairShap"] * 2 + ["Group RW"] * 2,
                            "n_features": 8, "n_total": [100, 200] * 2, "mean": [0.1, 0.3, 0.01, 0.02],
                            "sd": [0.01, np.nan] * 2})  # the largest size timed once (repeats_large: 1)
    paper = pd.DataFrame({"what": ["FairShap weights synthetic"], "n_total": [60000], "n_features": [18],
                          "seconds_mean": [14.7], "machine": ["Intel"]})
    points = pd.DataFrame({"x0": rng.standard_normal(60), "x1": rng.standard_normal(60), "label": [0, 1] * 30,
                           "group": [0, 0, 1, 1] * 15, "part": "train", "tpr": rng.random(60), "tnr": rng.random(60),
                           "w_eop": rng.random(60), "w_eodds": rng.random(60), "top_eop": [True] + [False] * 59,
                           "top_eodds": [False] * 59 + [True]})
    models = pd.DataFrame({"weighting": ["none", "eop", "eodds"], "coef0": [1.0, 1.0, 2.0], "coef1": [1.0, 2.0, 1.0],
                           "intercept": 0.0, "accuracy": 0.8, "eop_abs": 0.1, "eodds_abs": 0.2})
    return {
        "tradeoff": lambda: tradeoff_figure(cells),
        "weights": lambda: weights_figure(weights, columns={"w_eop": "φ_EOp", "w_eodds": "φ_EOdds"},
                                          group_names={"0": "Female", "1": "Male"},
                                          label_names={"0": "Bad", "1": "Good"}, legend_title="sex, credit"),
        "alpha": lambda: alpha_figure(alpha, metrics=METRICS, aggregation="absolute"),
        "ablation": lambda: ablation_figure(ablation, cells[cells.method == "GBC"], metrics=METRICS),
        "runtime": lambda: runtime_figure(runtime, paper, n_features=8, machine="test CPU"),
        "tpr_tnr": lambda: synthetic_tpr_tnr_figure(points),
        "synthetic_weights": lambda: synthetic_weights_figure(points, models),
    }


@pytest.mark.parametrize("name", ["tradeoff", "weights", "alpha", "ablation", "runtime", "tpr_tnr",
                                  "synthetic_weights"])
def test_each_figure_writes_a_png_and_pdf_with_the_same_bytes_twice(figures, name, tmp_path):
    outputs = []
    for attempt in ("a", "b"):
        png, pdf = tmp_path / f"{attempt}.png", tmp_path / f"{attempt}.pdf"
        save_figure(figures[name](), png, pdf, dpi=60)
        assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 5000
        assert pdf.read_bytes().startswith(b"%PDF")
        outputs.append((png.read_bytes(), pdf.read_bytes()))
    assert outputs[0] == outputs[1]


def test_figure_axes_are_labelled(figures):
    for name, draw in figures.items():
        fig = draw()
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_xlabel() and ax.get_ylabel(), name


def test_write_figure_writes_data_and_caption(figures, tmp_path):
    paths = {k: tmp_path / f"f.{k}" for k in ("png", "pdf", "data", "caption")}
    data = pd.DataFrame({"x": [1.5]})
    write_figure(figures["tpr_tnr"](), data, paths, name="fig_synthetic_tpr_tnr", dpi=50, k=5)
    assert pd.read_csv(paths["data"]).equals(data)
    assert "K = 5" in paths["caption"].read_text()
    with pytest.raises(KeyError):
        CAPTIONS["fig_alpha"].format(k=5)  # every field a caption names must be supplied
