"""Follow provenance sidecars from any output back to the raw downloads, re-hashing each file.

Every workflow job writes ``results/provenance/<rule>/<wildcards>.json`` listing the
sha256 of its inputs and outputs (:mod:`fairscore.provenance`). :func:`audit` starts from
one file, finds the record that produced it, checks the file's bytes against it, and
recurses into the record's inputs. A file under the results folder without a record,
or whose bytes no longer match, makes the audit fail; files outside it (reference tables,
user CSVs) are source files, checked against the hash the consuming job recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FairscoreError
from .fileio import sha256_file

__all__ = ["AuditError", "Node", "audit", "load_records", "render_tree", "to_json"]


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


def load_records(root: Path, results: str = "results") -> dict[str, tuple[dict, str]]:
    """Map every output path named by a sidecar under ``results/provenance`` to its record."""
    produced = {}
    for sidecar in sorted((root / results / "provenance").rglob("*.json")):
        record = json.loads(sidecar.read_text())
        if not isinstance(record, dict) or "outputs" not in record:
            continue
        for out in record["outputs"]:
            produced[out["path"]] = (record, str(sidecar.relative_to(root)))
    return produced


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


def to_json(node: Node) -> dict:
    """The lineage as nested dictionaries (repeated files as references)."""
    if node.repeated:
        return {"path": node.path, "see": node.path}
    out = {"path": node.path, "sha256": node.sha256, "status": "ok"}
    if node.record is not None:
        r = node.record
        out.update({"rule": r["rule"], "record": node.record_path, "wildcards": r.get("wildcards"),
                    "params_sha256": r["params_sha256"], "git": r.get("git"), "seeds": r.get("seeds"),
                    "packages": r.get("packages"), "host": r.get("host"), "slurm": r.get("slurm"),
                    "time": r.get("time"), "data_source": r.get("data_source"),
                    "inputs": [to_json(child) for child in node.inputs]})
    return out
