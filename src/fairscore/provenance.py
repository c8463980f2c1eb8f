"""Provenance sidecars: what produced a file, from what, with which software.

One JSON record per job (``workflow.md`` §8), written after the outputs are complete.
Snakemake's own metadata lacks the git commit, package versions, seeds and output
checksums; the sidecar fills these gaps so that ``fairscore audit`` (later) can
follow any table back to the raw downloads.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from .fileio import canonical_json, sha256_bytes, sha256_file

__all__ = ["SCHEMA_VERSION", "file_record", "git_state", "job_record", "machine_description", "package_versions"]

SCHEMA_VERSION = 1

_PACKAGES = (
    "numpy", "pandas", "scipy", "scikit-learn", "torch", "torchvision", "aif360", "fairlearn",
    "error-parity", "cvxpy", "snakemake", "fairscore",
)


def file_record(path: str | os.PathLike) -> dict:
    """Path, size in bytes and sha256 of a file; of a directory, its file count, total bytes and
    the sha256 of its sorted ``<sha256>  <relative path>`` lines (every file under it)."""
    p = Path(path)
    if not p.is_dir():
        return {"path": str(path), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
    files = sorted(f for f in p.rglob("*") if f.is_file())
    listing = "".join(f"{sha256_file(f)}  {f.relative_to(p).as_posix()}\n" for f in files)
    return {"path": str(path), "files": len(files), "bytes": sum(f.stat().st_size for f in files),
            "sha256": sha256_bytes(listing.encode())}


def git_state(cwd: str | os.PathLike = ".") -> dict | None:
    """Commit, dirty flag and ``git describe`` of the checkout at ``cwd``; None outside git."""
    def git(*args: str) -> str:
        return subprocess.run(("git", *args), cwd=cwd, capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    return {
        "commit": commit,
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "describe": git("describe", "--always", "--dirty", "--tags"),
    }


def package_versions() -> dict:
    """Versions of Python and the stack (``importlib.metadata``); torch's CUDA if loaded."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    torch = sys.modules.get("torch")  # never import torch just to describe it
    if torch is not None:
        versions["torch_cuda"] = torch.version.cuda
        versions["cudnn"] = torch.backends.cudnn.version() if torch.cuda.is_available() else None
    return versions


def machine_description() -> str:
    """CPU model and core count (e.g. 'AMD EPYC, 2 cores'), for labelling timings."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def _host() -> dict:
    info = {"name": socket.gethostname(), "platform": platform.platform(), "cpus": os.cpu_count()}
    torch = sys.modules.get("torch")
    if torch is not None:
        info["gpu"] = torch.cuda.get_device_name() if torch.cuda.is_available() else None
        info["deterministic_algorithms"] = torch.are_deterministic_algorithms_enabled()
    return info


def _slurm() -> dict | None:
    keys = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_PARTITION",
            "SLURM_JOB_NODELIST")
    found = {k: os.environ[k] for k in keys if k in os.environ}
    return found or None


def job_record(
    *,
    rule: str,
    wildcards: dict,
    params: dict,
    inputs: list[str],
    outputs: list[str],
    started: datetime,
    finished: datetime,
    seeds: dict | None = None,
    data_source: dict | None = None,
    config: dict | None = None,
    measured: dict | None = None,
) -> dict:
    """Build the sidecar record of one job (``workflow.md`` §8); ``measured`` holds what the job
    timed itself (e.g. the seconds of each split's computation, without start-up and I/O)."""
    params_json = canonical_json(params)
    packages = package_versions()
    config_files = os.environ.get("FAIRSCORE_CONFIG_FILES")
    return {
        "schema": SCHEMA_VERSION,
        "rule": rule,
        "wildcards": wildcards,
        "params": params,
        "params_sha256": sha256_bytes(params_json.encode()),
        "config_sha256": sha256_bytes(canonical_json(config).encode()) if config is not None else None,
        "config_files": config_files.split(os.pathsep) if config_files else None,
        "inputs": [file_record(p) for p in inputs],
        "outputs": [file_record(p) for p in outputs],
        "seeds": seeds or {},
        "data_source": data_source,
        "git": git_state(),
        "packages": packages,
        "host": _host(),
        "slurm": _slurm(),
        "time": {
            "start": started.isoformat(),
            "end": finished.isoformat(),
            "wall_seconds": round((finished - started).total_seconds(), 3),
            "measured": measured or {},
        },
        "snakemake": {"version": packages["snakemake"]},
    }
