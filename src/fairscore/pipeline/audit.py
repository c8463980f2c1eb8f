"""Follow provenance sidecars from any output back to the raw downloads, re-hashing each file.

Every workflow job writes ``results/provenance/<rule>/<wildcards>.json`` listing the
sha256 of its inputs and outputs (:mod:`fairscore.pipeline.provenance`). :func:`audit` starts from
one file, finds the record that produced it, checks the file's bytes against it, and
recurses into the record's inputs. A file under the results folder without a record,
or whose bytes no longer match, makes the audit fail; files outside it (reference tables,
user CSVs) are source files, checked against the hash the consuming job recorded.

:func:`stale` then compares the lineage with what the current config would give: Snakemake's
``--list-changes params`` names the files whose job parameters changed (a rerun rebuilds
them), and each record's config hash is compared with the hash of the current config.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fairscore.errors import FairscoreError
from fairscore.fileio import canonical_json, sha256_bytes, sha256_file
from fairscore.pipeline.provenance import DEFAULT_CONFIG, load_records

__all__ = ["AuditError", "Node", "Staleness", "audit", "current_config_sha256", "render_tree", "stale", "to_json"]

#: the schema common.smk validates the config with (it fills in the defaults)
SCHEMA = "config/schema.json"


class AuditError(FairscoreError):
    """A file's bytes differ from its record, or a workflow output has no record."""


@dataclass
class Node:
    """One file in the lineage: its check and the job that produced it (None for sources)."""

    path: str
    sha256: str
    record: dict | None
    record_path: str | None
    inputs: list[Node] = field(default_factory=list)
    repeated: bool = False


def _check(root: Path, path: str, expected: str, what: str) -> str:
    target = root / path
    if not target.exists():
        raise AuditError(f"{path}: missing; {what} recorded sha256 {expected}")
    actual = sha256_file(target)
    if actual != expected:
        raise AuditError(f"{path}: bytes changed; {what} recorded sha256 {expected}, the file now has {actual}")
    return actual


def audit(path: str | Path, *, root: str | Path = ".", results: str = "results") -> Node:
    """Check the lineage of ``path``; return it as a tree of :class:`Node`.

    Raises
    ------
    AuditError
        Naming the first file whose bytes differ from its record, or the first file under
        ``results`` that no record lists (a deleted or never-written sidecar).
    """
    root = Path(root)
    records = load_records(root, results)
    seen: dict[str, Node] = {}

    def visit(rel: str, expected: str | None, consumer: str | None) -> Node:
        if rel in seen:
            if expected is not None and expected != seen[rel].sha256:
                raise AuditError(f"{rel}: {consumer} used sha256 {expected}, but the file has {seen[rel].sha256}")
            return Node(rel, seen[rel].sha256, seen[rel].record, seen[rel].record_path, repeated=True)
        entry = records.get(rel)
        if entry is None:
            if Path(rel).parts[:1] == (results,):
                raise AuditError(f"{rel}: no provenance record lists this file (expected a sidecar under "
                                 f"{results}/provenance/)")
            if expected is None:
                raise AuditError(f"{rel}: not a workflow output and no record lists it")
            node = Node(rel, _check(root, rel, expected, consumer), None, None)
        else:
            record, record_path = entry
            own = next(o["sha256"] for o in record["outputs"] if o["path"] == rel)
            if expected is not None and expected != own:
                raise AuditError(f"{rel}: {consumer} used sha256 {expected}, but {record_path} produced {own}")
            node = Node(rel, _check(root, rel, own, record_path), record, record_path)
            seen[rel] = node
            node.inputs = [visit(i["path"], i["sha256"], record_path) for i in record["inputs"]]
        seen[rel] = node
        return node

    return visit(str(Path(path)), None, None)


def _describe(node: Node) -> str:
    if node.record is None:
        return f"{node.path}  [source file] sha256 {node.sha256[:12]} ok"
    r = node.record
    git = r.get("git") or {}
    commit = f"{git.get('commit', '')[:10]}{' (dirty)' if git.get('dirty') else ''}" if git else "no git"
    parts = [f"{node.path}  [{r['rule']}] sha256 {node.sha256[:12]} ok",
             f"commit {commit}", f"params {r['params_sha256'][:12]}", f"host {r['host']['name']}",
             f"python {r['packages'].get('python')}", f"slurm {(r.get('slurm') or {}).get('SLURM_JOB_ID', '-')}"]
    if r.get("wildcards"):
        parts.append("wildcards " + ",".join(f"{k}={v}" for k, v in r["wildcards"].items()))
    if r.get("seeds"):
        parts.append("seeds " + ",".join(f"{k}[{len(v) if isinstance(v, list) else v}]" for k, v in r["seeds"].items()))
    if r.get("data_source"):
        src = r["data_source"]
        parts.append(f"source {src['source']} {src.get('url') or src.get('wheel')}")
    return " · ".join(parts)


def render_tree(node: Node, *, max_depth: int | None = None) -> str:
    """The lineage as an indented tree.

    Several inputs written by the same job (e.g. the 50 split files of a pair) are shown as
    the first one plus a count; a file already shown is printed once, then referenced.
    """
    lines: list[str] = []

    def grouped(children: list[Node]) -> list[tuple[Node, int]]:
        groups: dict[str, list[Node]] = {}
        for child in children:
            groups.setdefault(child.record_path or child.path, []).append(child)
        return [(members[0], len(members) - 1) for members in groups.values()]

    def walk(n: Node, more: int, prefix: str, last: bool, depth: int):
        branch = "" if depth == 0 else ("└── " if last else "├── ")
        text = f"{n.path}  (shown above)" if n.repeated else _describe(n)
        if more:
            text += f"  (+{more} more outputs of the same job, all checked)"
        lines.append(prefix + branch + text)
        if n.repeated or (max_depth is not None and depth >= max_depth):
            return
        child_prefix = prefix + ("" if depth == 0 else ("    " if last else "│   "))
        children = grouped(n.inputs)
        for i, (child, extra) in enumerate(children):
            walk(child, extra, child_prefix, i == len(children) - 1, depth + 1)

    walk(node, 0, "", True, 0)
    return "\n".join(lines)


def to_json(node: Node, stale_paths: frozenset[str] = frozenset()) -> dict:
    """The lineage as nested dictionaries (repeated files as references); files in ``stale_paths``
    get the status "stale"."""
    if node.repeated:
        return {"path": node.path, "see": node.path}
    out = {"path": node.path, "sha256": node.sha256, "status": "stale" if node.path in stale_paths else "ok"}
    if node.record is not None:
        r = node.record
        out.update({"rule": r["rule"], "record": node.record_path, "wildcards": r.get("wildcards"),
                    "params_sha256": r["params_sha256"], "git": r.get("git"), "seeds": r.get("seeds"),
                    "packages": r.get("packages"), "host": r.get("host"), "slurm": r.get("slurm"),
                    "time": r.get("time"), "data_source": r.get("data_source"),
                    "inputs": [to_json(child, stale_paths) for child in node.inputs]})
    return out


@dataclass
class Staleness:
    """Files of a lineage made with other job parameters than the current config gives (a rerun
    rebuilds them), and those whose record has another config hash but unchanged parameters."""

    params_changed: list[str]
    config_changed: list[str]
    config_files: list[str]


def current_config_sha256(root: str | Path, config_files: list[str]) -> str:
    """Hash of the config a run with ``config_files`` would see, loaded as Snakemake does it (the
    default file, then each ``--configfile`` merged over it, then the schema's defaults)."""
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config, validate

    root = Path(root)
    config: dict = {}
    for name in [DEFAULT_CONFIG, *config_files]:
        path = root / name
        if not path.is_file():
            raise AuditError(f"{name}: config file not found (under {root})")
        update_config(config, load_configfile(str(path)))
    validate(config, str(root / SCHEMA))
    return sha256_bytes(canonical_json(config).encode())


def _changed_params(root: Path, target: str, config_files: list[str]) -> list[str]:
    command = [sys.executable, "-m", "snakemake", target, "--list-changes", "params"]
    if config_files:
        command += ["--configfile", *config_files]
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AuditError(f"cannot evaluate the current config ({' '.join(command[2:])} failed):\n"
                         f"{proc.stderr.strip()[-2000:]}")
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def stale(lineage: Node, *, root: str | Path = ".", config_files: list[str]) -> Staleness:
    """Compare every record in ``lineage`` with what ``config_files`` would give now."""
    root = Path(root)
    changed = set(_changed_params(root, lineage.path, config_files))
    current = current_config_sha256(root, config_files)
    params_changed, config_changed, seen = [], [], set()

    def walk(node: Node):
        if node.repeated or node.record is None or node.path in seen:
            return
        seen.add(node.path)
        if node.path in changed:
            params_changed.append(node.path)
        elif node.record.get("config_sha256") not in (None, current):
            config_changed.append(node.path)
        for child in node.inputs:
            walk(child)

    walk(lineage)
    return Staleness(params_changed, config_changed, config_files)
