"""Provenance sidecars: what produced a file, from what, with which software.

One JSON record per job (``workflow.md`` §8), written after the outputs are complete.
Snakemake's own metadata lacks the git commit, package versions, seeds and output
checksums; the sidecar fills these gaps so that ``fairscore audit`` (later) can
follow any table back to the raw downloads.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fairscore.errors import FairscoreError
from fairscore.fileio import atomic_path, canonical_json, sha256_bytes, sha256_file

__all__ = ["DEFAULT_CONFIG", "SCHEMA_VERSION", "Damage", "RecordMismatchError", "check_inputs", "damaged_outputs",
           "file_record", "find_record", "git_state", "job_record", "load_records", "machine_description",
           "package_versions", "rebuild_command", "run_config_files", "write_index"]

SCHEMA_VERSION = 1

#: the Snakefile's ``configfile:``; Snakemake loads it first, before the ``--configfile`` files
DEFAULT_CONFIG = "config/config.yaml"

_PACKAGES = (
    "numpy", "pandas", "scipy", "scikit-learn", "torch", "torchvision", "aif360", "fairlearn",
    "error-parity", "cvxpy", "snakemake", "fairscore",
)


#: the empty file Snakemake writes into every ``directory()`` output once its job has finished
_SNAKEMAKE_DIRECTORY_MARKER = ".snakemake_timestamp"


def file_record(path: str | os.PathLike) -> dict:
    """Path, size in bytes and sha256 of a file; of a directory, its file count, total bytes and
    the sha256 of its sorted ``<sha256>  <relative path>`` lines (every file under it but the
    marker Snakemake adds to a ``directory()`` output after the job, ``.snakemake_timestamp``)."""
    p = Path(path)
    if not p.is_dir():
        return {"path": str(path), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
    files = sorted(f for f in p.rglob("*") if f.is_file() and f.name != _SNAKEMAKE_DIRECTORY_MARKER)
    listing = "".join(f"{sha256_file(f)}  {f.relative_to(p).as_posix()}\n" for f in files)
    return {"path": str(path), "files": len(files), "bytes": sum(f.stat().st_size for f in files),
            "sha256": sha256_bytes(listing.encode())}


class RecordMismatchError(FairscoreError, OSError):
    """A job's input differs from what the job that wrote it recorded, or no record lists it."""


def load_records(root: str | os.PathLike = ".", results: str = "results") -> dict[str, tuple[dict, str]]:
    """Map every output path named by a sidecar under ``results/provenance`` to (record, sidecar path).

    Read afresh on every call (nothing is cached that could go stale): one small JSON file per job,
    162 on the default run.
    """
    root = Path(root)
    produced = {}
    for sidecar in sorted((root / results / "provenance").rglob("*.json")):
        try:
            record = json.loads(sidecar.read_text())
        except (OSError, ValueError):
            continue  # an unreadable sidecar lists nothing: its outputs count as unrecorded
        if not isinstance(record, dict) or not isinstance(record.get("outputs"), list):
            continue
        for out in record["outputs"]:
            produced[out["path"]] = (record, str(sidecar.relative_to(root)))
    return produced


def _index_path(path: str, results: str) -> Path | None:
    """Where the name of the sidecar that lists ``path`` is kept (None for paths outside the run)."""
    p = Path(path)
    if p.is_absolute() or ".." in p.parts:
        return None
    return Path(results, "provenance", ".index", f"{p}.sidecar")


def write_index(outputs: list[str], sidecar: str, *, results: str = "results") -> None:
    """Note, for each output, which sidecar lists it, so that a job reading it finds the record
    without reading every sidecar. A hint only: :func:`find_record` checks that the sidecar named
    still lists the file, and falls back to reading all sidecars when it does not."""
    for path in outputs:
        index = _index_path(path, results)
        if index is not None:
            with atomic_path(index) as tmp:
                tmp.write_text(str(sidecar) + "\n")


def find_record(path: str, *, root: str | os.PathLike = ".", results: str = "results") -> tuple[dict, str] | None:
    """(record, sidecar) of the job that wrote ``path`` through the index; None when the index has no
    entry, or names a sidecar that is gone or no longer lists the file."""
    index = _index_path(path, results)
    try:
        sidecar = (Path(root) / index).read_text().strip()
        record = json.loads((Path(root) / sidecar).read_text())
    except (TypeError, OSError, ValueError):
        return None
    outputs = record.get("outputs") if isinstance(record, dict) else None
    if isinstance(outputs, list) and any(o.get("path") == path for o in outputs):
        return record, sidecar
    return None


def _is_workflow_output(path: str, results: str) -> bool:
    """Under the results folder but not a sidecar itself (sidecars record others, not themselves)."""
    parts = Path(path).parts
    return parts[:1] == (results,) and parts[1:2] != ("provenance",)


def run_config_files(recorded: list[str] | None) -> list[str]:
    """The ``--configfile`` files of a run, from the list Snakemake keeps (which adds the default)."""
    return [f for f in recorded or [] if f != DEFAULT_CONFIG]


def rebuild_command(path: str) -> str:
    """The one Snakemake command that rebuilds ``path`` (with the config files of this run)."""
    config_files = run_config_files((os.environ.get("FAIRSCORE_CONFIG_FILES") or "").split(os.pathsep))
    command = f"snakemake {shlex.quote(path)} --forcerun {shlex.quote(path)} --cores all"
    if config_files:
        command += " --configfile " + " ".join(shlex.quote(f) for f in config_files)
    return command


def _describe_size(entry: dict) -> str:
    return f"{entry['bytes']} bytes" + (f" in {entry['files']} files" if "files" in entry else "")


def check_inputs(inputs: list[str], *, root: str | os.PathLike = ".", results: str = "results") -> list[dict]:
    """Check each input that a job wrote against that job's sidecar; return every input's file_record.

    An input that some sidecar lists as an output must have the recorded size and sha256. An input
    under ``results`` (other than a sidecar) that no sidecar lists is refused too: its record was
    deleted or never written. Other inputs (reference tables, a CSV dataset, the mirror) are source
    files and only recorded.

    Raises
    ------
    RecordMismatchError
        One message: the file, its record, the recorded and the actual size and sha256, and the
        command that rebuilds it.
    """
    root = Path(root)
    records = None  # every sidecar, read only when the index misses
    checked = []
    for path in inputs:
        actual = file_record(root / path)
        actual["path"] = str(path)
        checked.append(actual)
        entry = find_record(str(path), root=root, results=results)
        if entry is None:
            records = load_records(root, results) if records is None else records
            entry = records.get(str(path))
        if entry is None:
            if _is_workflow_output(str(path), results):
                raise RecordMismatchError(
                    f"{path}: no provenance record lists this file (its sidecar under {results}/provenance/ "
                    f"was deleted or never written), so its bytes ({_describe_size(actual)}, sha256 "
                    f"{actual['sha256']}) cannot be trusted. Rebuild it with: {rebuild_command(str(path))}")
            continue
        record, sidecar = entry
        expected = next(o for o in record["outputs"] if o["path"] == str(path))
        if (expected["bytes"], expected["sha256"]) != (actual["bytes"], actual["sha256"]):
            raise RecordMismatchError(
                f"{path}: bytes differ from the record {sidecar}: recorded {_describe_size(expected)}, sha256 "
                f"{expected['sha256']}; the file has {_describe_size(actual)}, sha256 {actual['sha256']}. "
                f"Rebuild it with: {rebuild_command(str(path))}")
    return checked


@dataclass(frozen=True)
class Damage:
    """A damaged workflow output: why, and the existing files whose job must run again to rebuild it
    (the file itself, else its job's sidecar, else the sidecar of the job that read it)."""

    path: str
    reason: str
    rerun: tuple[str, ...]


def damaged_outputs(root: str | os.PathLike = ".", results: str = "results") -> list[Damage]:
    """Recorded outputs that are missing or whose size differs from the record, and workflow outputs
    that a job read but whose own record is gone. Sizes only, no hashing (a same-size change is
    caught by :func:`check_inputs` when a job reads the file)."""
    root = Path(root)
    records = load_records(root, results)
    damaged = {}
    for path, (record, sidecar) in records.items():
        entry = next(o for o in record["outputs"] if o["path"] == path)
        target = root / path
        if not target.exists():
            damaged[path] = Damage(path, f"missing (recorded by {sidecar})", (sidecar,))
        elif "files" not in entry and target.stat().st_size != entry["bytes"]:
            damaged[path] = Damage(path, f"{target.stat().st_size} bytes, {sidecar} recorded {entry['bytes']}",
                                   (path,))
    for sidecar, record in {sidecar: record for record, sidecar in records.values()}.items():
        for entry in record.get("inputs", []):
            path = entry["path"]
            if _is_workflow_output(path, results) and path not in records and path not in damaged:
                rerun = path if (root / path).exists() else sidecar
                damaged[path] = Damage(path, f"read by {sidecar} but no record lists it", (rerun,))
    return sorted(damaged.values(), key=lambda d: d.path)


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
    input_records: list[dict] | None = None,
    input_check_seconds: float | None = None,
) -> dict:
    """Build the sidecar record of one job (``workflow.md`` §8); ``measured`` holds what the job
    timed itself (e.g. the seconds of each split's computation, without start-up and I/O).
    ``input_records`` are the inputs' :func:`file_record` when already taken (by
    :func:`check_inputs` before the job ran, taking ``input_check_seconds``), so they are not
    hashed twice."""
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
        "inputs": input_records if input_records is not None else [file_record(p) for p in inputs],
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
            "input_check_seconds": None if input_check_seconds is None else round(input_check_seconds, 4),
        },
        "snakemake": {"version": packages["snakemake"]},
    }
