"""Snakemake run of `fairshap_figures` on the test config: every figure, its data and caption."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from .conftest import PNG_MAGIC, SHARED_TARGETS, build, copy_workflow, private_copy, report_entries, snakemake

FIGURES = ("fig_tradeoff", "fig_weights", "fig_alpha", "fig_ablation", "fig_runtime", "fig_synthetic_tpr_tnr",
           "fig_synthetic_weights")


@pytest.fixture(scope="module")
def built(shared_build, tmp_path_factory):
    return private_copy(shared_build, tmp_path_factory.mktemp("figures") / "work")


@pytest.fixture(scope="module")
def test_config(built):
    base = yaml.safe_load((built / "config" / "config.yaml").read_text())
    overlay = yaml.safe_load((built / "tests" / "config" / "test.yaml").read_text())
    for key, value in overlay["fairshap_figures"].items():
        base["fairshap_figures"][key].update(value)
    return base["fairshap_figures"]


def figure_dir(built):
    return built / "results" / "figures" / "fairshap"


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_has_png_pdf_data_and_caption(built, name):
    out = figure_dir(built)
    png = (out / f"{name}.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 20_000
    assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert len(pd.read_csv(out / f"{name}.csv")) > 0
    caption = (out / f"{name}.caption.md").read_text()
    assert "paper" in caption and len(caption) > 150 and not re.search(r"\{[a-z_]+\}", caption)


def test_every_figure_job_has_a_provenance_sidecar(built):
    for job in ("fig_tradeoff", "fig_weights", "fig_alpha", "fig_ablation", "fig_runtime", "fig_synthetic"):
        record = json.loads((built / "results" / "provenance" / job / f"{job}.json").read_text())
        assert record["rule"] == job and record["outputs"]


def test_alpha_zero_equals_the_unweighted_gbc_of_table2(built, test_config):
    gbc = pd.read_csv(built / "results" / "tables" / "table2_per_split.csv").query("method == 'GBC'")
    for pair in ("german_sex", "compas_race"):
        dataset, protected = pair.split("_")
        for method in test_config["alpha"]["methods"]:
            runs = pd.read_csv(built / "results" / "fairshap" / "alpha" / pair / f"{method}.csv")
            assert sorted(runs.alpha.unique()) == test_config["alpha"]["values"]
            zero = runs[runs.alpha == 0.0].set_index("split")
            ref = gbc[(gbc.dataset == dataset) & (gbc.protected == protected)].set_index("split")
            pd.testing.assert_frame_equal(zero[["accuracy", "macro_f1", "eop", "eodds"]],
                                          ref[["accuracy", "macro_f1", "eop", "eodds"]])


def test_ablation_fractions_and_repeats_are_the_configured_ones(built, test_config):
    data = pd.read_csv(figure_dir(built) / "fig_ablation.csv")
    weighted = data[data.method != "GBC"]
    assert sorted(weighted.fraction.unique()) == test_config["ablation"]["fractions"]
    assert set(data.n_splits) == {test_config["ablation"]["repeats"]}


def test_runtime_data_covers_sizes_methods_and_feature_counts(built, test_config):
    rt = test_config["runtime"]
    summary = pd.read_csv(figure_dir(built) / "fig_runtime.csv")
    assert set(summary.n_total) == set(rt["sizes"]) and set(summary.repeats) == {rt["repeats"]}
    assert set(summary.label) == {"FairShap", "Group RW", "LabelBias", "IF"}
    assert set(summary[summary.method == "fairshap"].n_features) == set(rt["fairshap_features"])
    caption = (figure_dir(built) / "fig_runtime.caption.md").read_text()
    assert "OptPrep is not shown" in caption
    assert f"BLAS threads: Group RW {rt['baseline_blas_threads']}, LabelBias {rt['baseline_blas_threads']}" in caption


def test_rebuilding_one_figure_reruns_only_that_figure(built):
    (figure_dir(built) / "fig_tradeoff.png").unlink()
    dry = snakemake(built, "-n", "fairshap_figures", "--configfile", "tests/config/test.yaml").stdout
    stats = dry.split("Job stats:")[1].split("total")[0]
    jobs = re.findall(r"^(\w+)\s+\d+$", stats, flags=re.MULTILINE)
    assert sorted(jobs) == ["fairshap_figures", "fig_tradeoff"], dry
    build(built, "fig_tradeoff")
    assert (figure_dir(built) / "fig_tradeoff.png").exists()


def test_the_snakemake_report_holds_every_figure_and_table_with_its_captions(built):
    snakemake(built, "--report", "report.zip", *SHARED_TARGETS, "--configfile", "tests/config/test.yaml")
    with zipfile.ZipFile(built / "report.zip") as archive:
        entries = report_entries(archive)
        for name in FIGURES:
            png, caption = (f"results/figures/fairshap/{name}{ext}" for ext in (".png", ".caption.md"))
            assert entries[png]["labels"]["file"] == "figure" and entries[caption]["labels"]["file"] == "caption"
            assert entries[png]["labels"]["figure"] == entries[caption]["labels"]["figure"]
            # the caption the job wrote, byte for byte, and workflow/report/<name>.rst rendered with the job
            assert archive.read(f"report/{entries[caption]['data_uri']}") == (built / caption).read_bytes()
            assert archive.read(f"report/{entries[png]['data_uri']}").startswith(PNG_MAGIC)
            assert "FairShap paper" in entries[png]["caption"] and f">{caption}</" in entries[png]["caption"], name
    for table in ("table2.csv", "table2.md", "table2.tex"):
        assert "FairShap Table 2" in entries[f"results/tables/{table}"]["caption"], table
    assert not [path for path, entry in entries.items() if "system-message" in entry["caption"]]  # rst errors
    # every figure the test config builds (FairShap, FairInfl Adult and its panel, cross-family) is in it
    pngs = {str(p.relative_to(built)) for p in (built / "results").rglob("*.png")}
    assert len(pngs) >= len(FIGURES) + 4 and pngs <= set(entries), sorted(pngs - set(entries))


#: prints every PNG output of every rule (the image and text ones too) with its report flag and caption
FLAGS = """
import json, pathlib, sys
from snakemake.api import SnakemakeApi
from snakemake.io import get_flag_value, is_flagged
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings
with SnakemakeApi(OutputSettings()) as api:
    workflow = api.workflow(resource_settings=ResourceSettings(), snakefile=pathlib.Path("Snakefile"),
                            config_settings=ConfigSettings(configfiles=[pathlib.Path("tests/config/test.yaml")]))
    pngs = [(rule.name, str(f),
             is_flagged(f, "report") and get_flag_value(f, "report").caption.get_path_or_uri(secret_free=True))
            for rule in workflow._workflow.rules for f in rule.output if str(f).endswith(".png")]
sys.stdout.write(json.dumps(pngs))
"""


def test_every_figure_of_every_rule_is_in_the_report_with_a_caption(root, tmp_path):
    work = copy_workflow(root, tmp_path / "flags")
    proc = subprocess.run([sys.executable, "-c", FLAGS], cwd=work, capture_output=True, text=True, check=True)
    pngs = json.loads(proc.stdout)
    assert {"fig_tradeoff", "fig_fairinfl", "fig_vision_weights", "fig_cross_fairinfl_adult"} <= {r for r, *_ in pngs}
    unwrapped = [(rule, path) for rule, path, caption in pngs if not caption]
    assert unwrapped == [], "figures not marked report(...)"
    missing = [caption for *_, caption in pngs if not (caption.startswith(str(work)) and Path(caption).is_file())]
    assert missing == [], "report captions that do not exist"
