"""Every target the README lists, and every paper target of workflow/targets.yaml, dry-runs on the test config
and plans the rules the map names; `fig_fairinfl_adult` plans FairInfl Fig. 2 alone."""

from __future__ import annotations

import re

import pytest

from fairscore.pipeline.targets import load_targets

from .conftest import snakemake

#: --configfile arguments of each `config` value of the map (tests/config/test.yaml keeps the dry runs small)
CONFIGS = {"default": ("--configfile", "tests/config/test.yaml"),
           "deep": ("--configfile", "tests/config/test.yaml", "config/deep_fixture.yaml")}
SECTION = "## Running one target"
JOB = re.compile(r"^(?:local)?rule (\w+):$")
FIELD = re.compile(r"^    (input|output|wildcards): (.*)$")


def readme_tables(readme: str) -> list[list[str]]:
    """The backticked names in the first column of each table of the README's target section, per table."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    tables, rows = [], []
    for line in [*section.splitlines(), ""]:
        if line.startswith("|"):
            rows.append(line)
            continue
        if rows:
            first = [row.split("|")[1] for row in rows[2:]]  # after the header and the --- row
            tables.append([name for cell in first for name in re.findall(r"`([^`]+)`", cell)])
            rows = []
    return tables


def planned_jobs(log: str) -> list[dict]:
    """Each job of a dry run's log: its rule, input and output files and wildcards."""
    jobs = []
    for line in log.splitlines():
        if match := JOB.match(line):
            jobs.append({"rule": match[1], "input": [], "output": [], "wildcards": ""})
        elif jobs and (match := FIELD.match(line)):
            key, value = match.groups()
            jobs[-1][key] = value if key == "wildcards" else value.split(", ")
    return jobs


@pytest.fixture(scope="module")
def paper_targets(root):
    return load_targets(root)


@pytest.fixture(scope="module")
def readme_targets(root):
    tables = readme_tables((root / "README.md").read_text())
    assert len(tables) == 2 and all(tables), f"README '{SECTION}': expected two tables of targets, got {tables}"
    return dict(zip(CONFIGS, tables))


@pytest.fixture(scope="module")
def dry_runs(test_workflow, readme_targets, paper_targets):
    """One dry run per config of every README and map target that needs it: the jobs it plans."""
    runs = {}
    for config, args in CONFIGS.items():
        names = dict.fromkeys([*readme_targets[config], *(n for t in paper_targets if t.config == config
                                                              for n in t.names)])
        proc = snakemake(test_workflow, "-n", "--cores", "2", *names, *args)
        runs[config] = planned_jobs(proc.stdout + proc.stderr)
    return runs


def test_the_readme_lists_every_paper_target_under_its_config(readme_targets, paper_targets):
    for target in paper_targets:
        missing = [name for name in target.names if name not in readme_targets[target.config]]
        assert not missing, f"README '{SECTION}' lacks {missing} ({target.paper} {target.element}) in its " \
                            f"{target.config} table"


def test_every_readme_target_dry_runs(readme_targets, dry_runs):
    for config, names in readme_targets.items():
        planned = {job["rule"] for job in dry_runs[config]}
        assert set(names) <= planned, f"{config}: not planned: {sorted(set(names) - planned)}"


def test_every_paper_target_builds_its_files_with_the_rules_of_the_map(paper_targets, dry_runs):
    for target in paper_targets:
        jobs = dry_runs[target.config]
        producers = {path: job["rule"] for job in jobs for path in job["output"]}
        for name in target.names:
            (job,) = [job for job in jobs if job["rule"] == name]
            assert sorted(job["input"]) == sorted(target.files), name
        for rule, paths in target.outputs.items():
            assert {producers.get(path) for path in paths} == {rule}, f"{target.name}: {paths} not all from {rule}"


def test_fig_fairinfl_adult_plans_fairinfl_fig2_alone(test_workflow):
    proc = snakemake(test_workflow, "-n", "--cores", "2", "fig_fairinfl_adult", *CONFIGS["default"])
    jobs = planned_jobs(proc.stdout + proc.stderr)
    figures = [job for job in jobs if job["rule"].startswith("fig_") and job["rule"] != "fig_fairinfl_adult"]
    assert [(job["rule"], job["wildcards"]) for job in figures] == [("fig_fairinfl", "infl=adult")]
    assert not [job for job in jobs if re.search("celeba|jigsaw", job["wildcards"])]
