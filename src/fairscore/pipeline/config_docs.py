"""``config/README.md``, the reference of every config key, generated from ``config/schema.json``
(types, allowed values, descriptions) and ``config/config.yaml`` (defaults and the comments beside
and above each key), so the reference cannot drift from the config.

A key's meaning is its schema description, else its comment in ``config.yaml``; a key with
neither is an error naming it. Optional keys the schema knows but ``config.yaml`` does not set are
listed too, with "not set" as their default.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from fairscore.errors import ConfigError

__all__ = ["CONFIG_README", "render_config_docs", "yaml_comments", "config_paths"]

SCHEMA = "config/schema.json"
CONFIG = "config/config.yaml"
CONFIG_README = "config/README.md"
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?:\s|$)")
_LONG = 70  # a default longer than this is left to config.yaml


def _strip_comment(line: str) -> tuple[str, str]:
    """The line's text and its trailing comment (a ``#`` outside quotes preceded by a space)."""
    quote = None
    for i, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def yaml_comments(text: str) -> dict[str, str]:
    """Dotted key path -> the comment block directly above the key's line plus the comment beside it.

    Handles block mappings indented by spaces; a flow collection's continuation lines give their
    comment to the key that opened it. Keys inside flow collections get no comment of their own."""
    comments, stack, above, depth, owner = {}, [], [], 0, None
    for line in text.splitlines():
        body, comment = _strip_comment(line)
        if not body.strip():  # a comment line extends the block above the next key; a blank line ends it
            above = [*above, comment] if comment else []
            continue
        if depth > 0:  # continuation of a flow collection
            if comment and owner:
                comments[owner] = f"{comments.get(owner, '')} {comment}".strip()
            depth += body.count("{") + body.count("[") - body.count("}") - body.count("]")
            continue
        match = _KEY.match(body)
        if match is None:
            above = []
            continue
        indent = len(match[1])
        stack = [(i, k) for i, k in stack if i < indent] + [(indent, match[2])]
        path = ".".join(k for _, k in stack)
        text_ = " ".join([*above, comment]).strip()
        if text_:
            comments[path] = text_
        above, owner = [], path
        rest = body[match.end():]
        depth = rest.count("{") + rest.count("[") - rest.count("}") - rest.count("]")
    return comments


class _Schema:
    """Finds the schema nodes that govern a value, following ``$ref``, ``allOf`` and ``if``/``then``."""

    def __init__(self, root: dict):
        self.root = root

    def resolve(self, node: dict) -> list[dict]:
        if "$ref" in node:
            target = self.root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return [rest, *self.resolve(target)]
        nodes = [node]
        for sub in node.get("allOf", []):
            nodes += self.resolve(sub)
        return nodes

    def nodes_of(self, node: dict, value) -> list[dict]:
        """``node`` resolved, with the ``then`` branches whose ``if`` the value meets."""
        nodes = self.resolve(node)
        for n in list(nodes):
            if "if" in n and isinstance(value, dict) and self._meets(n["if"], value):
                nodes += self.resolve(n["then"])
            for sub in n.get("allOf", []):
                if "if" in sub and isinstance(value, dict) and self._meets(sub["if"], value):
                    nodes += self.resolve(sub["then"])
        return nodes

    @staticmethod
    def _meets(condition: dict, value: dict) -> bool:
        return all(key in value and value[key] == spec.get("const", value[key])
                   for key, spec in condition.get("properties", {}).items())

    def child(self, nodes: list[dict], key: str) -> list[dict]:
        found = [n["properties"][key] for n in nodes if key in n.get("properties", {})]
        if not found:
            found = [n["additionalProperties"] for n in nodes if isinstance(n.get("additionalProperties"), dict)]
        return [r for f in found for r in self.resolve(f)]

    @staticmethod
    def properties(nodes: list[dict]) -> list[str]:
        return list(dict.fromkeys(k for n in nodes for k in n.get("properties", {})))


def _first(nodes: list[dict], key: str):
    return next((n[key] for n in nodes if key in n), None)


def _allowed(nodes: list[dict]) -> str:
    enum = _first(nodes, "enum")
    if enum is not None:
        return " | ".join(f"`{json.dumps(v)}`" if not isinstance(v, str) else f"`{v}`" for v in enum)
    kind = _first(nodes, "type")
    kind = " or ".join(kind) if isinstance(kind, list) else kind or ""
    bounds = [f"{sign} {n[key]}" for n in nodes for key, sign in
              (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")) if key in n]
    return ", ".join(filter(None, [kind, *dict.fromkeys(bounds)]))


def _show(value) -> str:
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return f"{len(value)} entries (config.yaml)"
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000, allow_unicode=True).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return f"`{text}`" if len(text) <= _LONG else "see config.yaml"


def _meaning(description: str | None, comment: str | None) -> str:
    """The schema's description, then the config's comment where it adds something."""
    parts = [part.strip().rstrip(".") for part in (description, comment) if part and part.strip()]
    if len(parts) == 2 and parts[1].lower() in parts[0].lower():
        parts = parts[:1]
    return " — ".join(parts)


def _cell(text: str) -> str:
    """A table cell: pipes escaped, and outside code spans ``<`` too (it would open an HTML tag)."""
    spans = text.replace("|", "\\|").replace("\n", " ").split("`")
    return "`".join(span if i % 2 else span.replace("<", "\\<") for i, span in enumerate(spans))


def config_paths(config: dict, prefix: str = "") -> list[str]:
    """Every dotted key path of a config, parents before their children."""
    paths = []
    for key, value in config.items():
        path = f"{prefix}{key}"
        paths.append(path)
        if isinstance(value, dict):
            paths += config_paths(value, f"{path}.")
    return paths


def _rows(schema: _Schema, nodes: list[dict], value, path: str, comments: dict[str, str],
          missing: list[str]) -> list[tuple]:
    """(path, default, allowed, meaning) of a key and of every key below it."""
    nodes = schema.nodes_of({"allOf": nodes}, value) if nodes else []
    meaning = _meaning(_first(nodes, "description"), comments.get(path))
    if not meaning:
        missing.append(path)
    if value is _UNSET:
        default = "not set" + (f" (`{json.dumps(_first(nodes, 'default'))}`)" if _first(nodes, "default") is not None
                               else "")
    else:
        default = "" if isinstance(value, dict) else _show(value)
    rows = [(path, default, _allowed(nodes), meaning)]
    if not isinstance(value, dict):
        return rows
    if not schema.properties(nodes) and any(isinstance(n.get("additionalProperties"), dict) for n in nodes):
        return rows + _entry_rows(schema, nodes, value, path, comments, missing)
    for key, sub in value.items():
        rows += _rows(schema, schema.child(nodes, key), sub, f"{path}.{key}", comments, missing)
    for key in schema.properties(nodes):
        if key not in value and _first(schema.child(nodes, key), "description"):
            rows += _rows(schema, schema.child(nodes, key), _UNSET, f"{path}.{key}", comments, missing)
    return rows


def _entry_rows(schema: _Schema, nodes: list[dict], value: dict, path: str, comments: dict[str, str],
                missing: list[str]) -> list[tuple]:
    """A map of named entries (datasets, pairs, methods …): one row per configured entry, then one row
    per key an entry may have (``path.<name>.key``, from every branch of the entry schema)."""
    rows = [(f"{path}.{name}", _show(entry), "", comments.get(f"{path}.{name}", f"an entry of `{path}`"))
            for name, entry in value.items()]
    entry = schema.child(nodes, "<name>")
    branches = entry + [r for n in entry for sub in [n, *n.get("allOf", [])] if "then" in sub
                        for r in schema.resolve(sub["then"])]
    for key in schema.properties(branches):
        key_nodes = schema.child(branches, key)
        generic = f"{path}.<name>.{key}"
        meaning = _meaning(_first(key_nodes, "description"), None)
        if not meaning:
            missing.append(generic)
        rows.append((generic, "", _allowed(key_nodes), meaning))
    return rows


_UNSET = object()


def render_config_docs(root: Path | str = ".") -> str:
    """The text of ``config/README.md`` for the schema and default config under ``root``."""
    root = Path(root)
    schema_root = json.loads((root / SCHEMA).read_text())
    text = (root / CONFIG).read_text()
    config = yaml.safe_load(text)
    comments = yaml_comments(text)
    schema = _Schema(schema_root)
    top = schema.resolve(schema_root)
    out = ["# Configuration keys", "",
           f"Every key of `{CONFIG}`, the default experiment, with its default, its allowed values (from",
           f"`{SCHEMA}`, which the workflow validates the config against at start) and its meaning. An",
           "overlay given with `--configfile` changes any of them ([docs/configuration.md](../docs/configuration.md)).",
           "Generated by `.venv/bin/fairscore config-docs` from the schema and the config's comments: edit",
           "those, not this file. Keys marked \"not set\" are optional and absent from the default config.", ""]
    missing: list[str] = []
    sections = {key: _rows(schema, schema.child(top, key), config.get(key, _UNSET), key, comments, missing)
                for key in [*config, *(k for k in schema.properties(top) if k not in config)]}
    if missing:
        raise ConfigError(f"{SCHEMA}: {len(missing)} key(s) have no description; add one to the schema (or a "
                          f"comment beside the key in {CONFIG}): {', '.join(missing)}")
    for key, rows in sections.items():
        out += [f"## `{key}`", "", _cell(rows[0][3]), ""]
        if rows[0][1]:
            out += [f"Default: {rows[0][1]}" + (f"; allowed: {rows[0][2]}" if rows[0][2] else "") + ".", ""]
        if len(rows) > 1:
            out += ["| key | default | allowed | meaning |", "| --- | --- | --- | --- |"]
            out += [f"| `{p}` | {_cell(d)} | {_cell(a)} | {_cell(m)} |" for p, d, a, m in rows[1:]]
            out.append("")
    return "\n".join(out)
