"""Snakemake `deep`: every image and text table and figure, built from upstream-format fixtures on CPU."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml

from .conftest import PNG_MAGIC, report_entries, snakemake

CONFIGS = ("--configfile", "tests/config/test.yaml", "config/deep_fixture.yaml")


@pytest.fixture(scope="module")
def deep(test_workflow):
    snakemake(test_workflow, "--cores", "2", "deep", *CONFIGS)
    return test_workflow


def test_deep_builds_the_fairinfl_celeba_and_jigsaw_figures(deep):
    fixture = yaml.safe_load((deep / "config" / "deep_fixture.yaml").read_text())["fairinfl"]
    figures = deep / "results" / "figures" / "fairinfl"
    for name in ("fig_fairinfl_celeba", "fig_fairinfl_jigsaw", "fig_celeba_extremes"):
        assert (figures / f"{name}.png").read_bytes()[:8] == PNG_MAGIC
        assert (figures / f"{name}.caption.md").read_text().strip()
    for dataset in ("celeba", "jigsaw"):
        runs = fixture[dataset]["runs"]
        prune = pd.concat([pd.read_csv(deep / "results" / "fairinfl" / dataset / "prune" / f"{r}.csv")
                           for r in range(runs)])
        assert len(prune) == runs * 3 * len(fixture["prune"]["fractions"])
        assert prune["accuracy"].between(0, 1).all() and prune["violation_abs"].between(0, 1).all()
        baselines = pd.read_csv(deep / "results" / "fairinfl" / dataset / "baselines" / "0.csv")
        assert set(baselines["method"]) == ({"ERM"} if dataset == "celeba" else {"ERM", "reduction"})


def test_celeba_scores_cover_the_official_training_partition(deep):
    index = pd.read_csv(deep / "results" / "external" / "celeba.csv")
    n_train = int((index["partition"] == "train").sum())
    with np.load(deep / "results" / "scores" / "fairinfl" / "celeba" / "0.npz") as scores:
        assert {"fairness_dp", "fairness_eo", "accuracy", "loss"} <= set(scores.files)
        assert all(scores[name].shape == (n_train,) and np.isfinite(scores[name]).all() for name in scores.files)
    extremes = pd.read_csv(deep / "results" / "figures" / "fairinfl" / "fig_celeba_extremes.csv")
    assert extremes["end"].value_counts().to_dict() == {"highest": 5, "lowest": 5}
    assert extremes[extremes["end"] == "highest"]["score"].min() >= extremes[extremes["end"] == "lowest"]["score"].max()
    with np.load(deep / "results" / "images" / "celeba_crop28.npz") as images:
        assert images["images"].shape == (len(index), 3, 28, 28)


def test_gpu_rules_request_a_gpu_when_configured(deep):
    overlay = deep / "tests" / "config" / "gpu_on.yaml"
    overlay.write_text(yaml.safe_dump({"fairinfl": {"celeba": {"gpu": True}}}))
    proc = snakemake(deep, "-n", "--forcerun", "fairinfl_scores_run", "-p", "fairinfl_celeba", *CONFIGS,
                     str(overlay.relative_to(deep)))
    jobs = [block for block in proc.stdout.split("\n\n") if "rule fairinfl_scores_run:" in block]
    assert jobs and all("gpu=1" in block for block in jobs)


def test_deep_builds_table1_and_the_face_figures(deep):
    results = deep / "results"
    table = pd.read_csv(results / "tables" / "table1.csv")
    assert table["training_set"].tolist() == ["FairFace", "CelebA", "LFWA", "LFWA phi_acc", "LFWA FairShap phi_EOp"]
    rates = table[["accuracy", "tpr_women", "tpr_men", "eop"]].to_numpy()
    assert ((rates >= 0) & (rates <= 1)).all()
    np.testing.assert_allclose(table["eop"], (table["tpr_women"] - table["tpr_men"]).abs())
    assert table["paper_eop"].notna().all()  # joined from reference/fairshap_table1_vision.csv
    assert "LFWA FairShap phi_EOp" in (results / "tables" / "table1.md").read_text()
    weights = pd.read_csv(results / "fairshap_vision" / "weights.csv")
    assert weights[["w_acc", "w_eop"]].mean().to_numpy() == pytest.approx([1.0, 1.0])
    for name in ("fig_vision_weights", "fig_vision_projection"):
        assert (results / "figures" / "fairshap_vision" / f"{name}.png").read_bytes().startswith(PNG_MAGIC)
        assert (results / "provenance" / name / f"{name}.json").is_file()
    for variant in ("fairface", "lfw", "lfw_acc", "lfw_fairshap"):
        assert (results / "provenance" / "vision_finetune" / f"{variant}.json").is_file()


def test_deep_report_states_every_statement_with_evidence(deep):
    claims = pd.read_csv(deep / "results" / "report" / "deep_claims.csv")
    # fixtures: random data, so no statement gets a verdict and every section says so
    assert (claims["verdict"] == "undetermined").all() and claims["reason"].str.startswith("fixture data").all()
    assert {"FairShap §5.1, Table 1", "FairInfl §6.3, Fig. 3", "FairInfl §6.4, Fig. 4"} <= set(claims["source"])
    page = (deep / "results" / "report" / "deep.html").read_text()
    assert page.count("data:image/png;base64,") == 5 and "LFWA FairShap phi_EOp" in page
    markdown = (deep / "results" / "report" / "deep.md").read_text()
    headings = re.findall(r"^#{1,2} ", markdown, flags=re.MULTILINE)
    assert len(headings) >= 4 and markdown.count("**Fixture data**") == len(headings)
    assert page.count("Fixture data") == len(headings)


def test_the_snakemake_report_holds_every_image_and_text_figure_and_table(deep):
    snakemake(deep, "--report", "report.zip", "deep", *CONFIGS)
    with zipfile.ZipFile(deep / "report.zip") as archive:
        entries = report_entries(archive)
        for figure in ("fairinfl/fig_fairinfl_celeba", "fairinfl/fig_fairinfl_jigsaw", "fairinfl/fig_celeba_extremes",
                       "fairshap_vision/fig_vision_weights", "fairshap_vision/fig_vision_projection"):
            png, caption = (f"results/figures/{figure}{ext}" for ext in (".png", ".caption.md"))
            assert archive.read(f"report/{entries[png]['data_uri']}").startswith(PNG_MAGIC)
            assert archive.read(f"report/{entries[caption]['data_uri']}") == (deep / caption).read_bytes()
            assert f">{caption}</" in entries[png]["caption"], figure  # workflow/report/<figure>.rst, rendered
    assert "CelebA (paper Fig. 3)" in entries["results/figures/fairinfl/fig_fairinfl_celeba.png"]["caption"]
    for path in ("results/tables/table1.csv", "results/tables/table1.md", "results/report/deep.md",
                 "results/report/deep.html"):
        assert entries[path]["caption"], path
    assert not [path for path, entry in entries.items() if "system-message" in entry["caption"]]  # rst errors
