"""Snakemake runs of `table2`: the test config twice from scratch (determinism), the same build
with the authors'-code recipe overlay on top, and a dataset added only through config (a CSV the
test writes)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from .conftest import build, copy_workflow, snakemake

TABLES = ("table2.csv", "table2.md", "table2.tex")


@pytest.fixture(scope="module")
def first_run(shared_build):
    return shared_build


def test_table2_files_cover_every_pair_method_and_metric(first_run):
    cells = pd.read_csv(first_run / "results" / "tables" / "table2.csv")
    assert set(zip(cells.dataset, cells.protected)) == {("german", "sex"), ("compas", "race")}
    assert cells.method.nunique() == 10 and (cells.n_splits == 3).all()
    assert set(zip(cells.metric, cells.variant)) == {("accuracy", "mean"), ("macro_f1", "mean"),
                                                     ("eop", "paper"), ("eop", "absolute"),
                                                     ("eodds", "paper"), ("eodds", "absolute"),
                                                     ("pos_rate_a0", "mean"), ("pos_rate_a1", "mean"),
                                                     ("balanced_accuracy", "mean")}
    md = (first_run / "results" / "tables" / "table2.md").read_text()
    assert "## german" in md and "| FairShap EOdds |" in md
    # the majority-class reference and the diagnostics are in the CSVs only, without markers
    assert "Majority class" not in md and "BAcc" not in md
    majority = cells[cells.method == "Majority class"]
    assert (majority.loc[majority.metric.isin(["eop", "eodds"]), "mean"] == 0).all()
    assert majority["marker"].isna().all()
    per_split = pd.read_csv(first_run / "results" / "tables" / "table2_per_split.csv")
    assert {"pos_rate_a0", "pos_rate_a1", "balanced_accuracy"} <= set(per_split.columns)


def test_snakemake_report_contains_the_tables(first_run):
    import zipfile

    snakemake(first_run, "--report", "report.zip", "table2", "--configfile", "tests/config/test.yaml")
    names = zipfile.ZipFile(first_run / "report.zip").namelist()
    for table in ("table2.md", "table2.csv", "table2.tex"):
        assert any(n.endswith(table) for n in names), table


def test_second_run_from_scratch_gives_byte_identical_tables(first_run, root, tmp_path):
    second = copy_workflow(root, tmp_path / "again")
    build(second, "table2")
    for name in TABLES:
        assert (second / "results" / "tables" / name).read_bytes() == \
            (first_run / "results" / "tables" / name).read_bytes(), name


def test_the_recipe_overlay_adds_the_authors_code_rows_next_to_the_defaults(first_run, tmp_path):
    work = tmp_path / "recipes"
    shutil.copytree(first_run, work, symlinks=True)  # the default build stays untouched for the tests above
    snakemake(work, "--cores", "2", "table2", "--configfile", "tests/config/test.yaml",
              "config/recipes/authors_code.yaml")
    for name in ("german_sex", "compas_race"):
        assert len(list((work / "results" / "scores" / "fairshap_authors" / name).glob("*.npz"))) == 3
    cells = pd.read_csv(work / "results" / "tables" / "table2.csv")
    default = pd.read_csv(first_run / "results" / "tables" / "table2.csv")
    methods = list(dict.fromkeys(cells.method))
    assert methods[methods.index("FairShap EOp") + 1] == "FairShap EOp (authors' code)"
    assert methods[methods.index("FairShap EOdds") + 1] == "FairShap EOdds (authors' code)"
    recipe = cells[cells.method.str.endswith("(authors' code)")]
    assert len(recipe) == 2 * 3 * 9 and recipe["mean"].notna().all()
    # the default rows are the same numbers (markers may move: the recipe rows are compared too)
    keys = ["dataset", "protected", "method", "metric", "variant"]
    same = default.merge(cells, on=keys, suffixes=("", "_recipe"))
    assert len(same) == len(default) and np.array_equal(same["mean"], same["mean_recipe"])
    md = (work / "results" / "tables" / "table2.md").read_text()
    assert "| FairShap EOp (authors' code) |" in md


def test_a_csv_dataset_runs_through_the_whole_table_from_config_alone(root, tmp_path):
    work = copy_workflow(root, tmp_path / "csv")
    rng = np.random.default_rng(0)
    n = 600
    group = rng.choice(["north", "south"], n, p=[0.6, 0.4])
    hours = rng.normal(40, 8, n).round(1)
    job = rng.choice(["clerk", "farmer", "nurse"], n)
    outcome = np.where(rng.random(n) < 0.25 + 0.25 * (group == "north") + 0.005 * (hours - 40), "hired", "no")
    pd.DataFrame({"region": group, "hours": hours, "job": job, "outcome": outcome}).to_csv(work / "toy.csv", index=False)
    overlay = {
        "n_splits": 3,
        "run_pairs": ["toy_region"],
        "datasets": {"toy": {"loader": "csv", "path": "toy.csv", "label": "outcome", "favourable": "hired",
                             "privileged": {"region": "north"}, "numeric": ["hours"],
                             "categorical": ["job", "region"]}},
        "pairs": {"toy_region": {"dataset": "toy", "protected": "region"}},
        "methods": {"if": {"datasets": {"toy": {"l2": 1.0, "alpha": 1.0, "beta": 0.5, "gamma": 0.2}}}},
    }
    (work / "toy.yaml").write_text(yaml.safe_dump(overlay))
    snakemake(work, "--cores", "2", "table2", "--configfile", "toy.yaml")
    cells = pd.read_csv(work / "results" / "tables" / "table2.csv")
    # every method but OptPrep, which needs an aif360 distortion function for the dataset
    assert set(cells.dataset) == {"toy"} and cells.method.nunique() == 9 and "OptPrep" not in set(cells.method)
    table = pd.read_csv(work / "results" / "data" / "toy_region.csv")
    assert list(table.columns) == ["hours", "job=clerk", "job=farmer", "job=nurse", "region=north",
                                   "region=south", "label", "protected"]
