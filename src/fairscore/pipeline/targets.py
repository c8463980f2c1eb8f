"""Named targets of the papers' figures and tables (``workflow/targets.yaml``).

Each entry of the map names one paper element (``Fig. 2`` of FairInfl), the files the pipeline
builds for it keyed by the rule that writes them, and the config it needs. The target's name is
derived from the element, ``<paper>_<fig|table><number>`` (``fairinfl_fig2``), so the name cannot
disagree with the number. ``workflow/rules/targets.smk`` generates one target rule per name and
``fairscore targets`` prints the map with :func:`render_targets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from fairscore.errors import ConfigError

__all__ = ["CONFIGS", "TARGETS_FILE", "PaperTarget", "load_targets", "parse_targets", "render_targets",
           "targets_to_json"]

#: the map, relative to the workflow's root directory
TARGETS_FILE = "workflow/targets.yaml"

#: what each value of an entry's ``config`` means for a reader who wants to build it
CONFIGS = {
    "default": "config/config.yaml (public tabular data)",
    "deep": "external data (docs/image_text.md), or fixtures: --configfile config/deep_fixture.yaml",
}

_REQUIRED = ("paper", "element", "section", "title", "outputs", "config")
_OPTIONAL = ("aliases", "note")
_ELEMENT = re.compile(r"(Fig\.|Table) ([1-9][0-9]*)")
_RULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class PaperTarget:
    """One paper element and the target that builds it."""

    paper: str
    element: str
    section: str
    title: str
    outputs: dict[str, tuple[str, ...]]
    config: str
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def name(self) -> str:
        """``<paper>_<fig|table><number>``, e.g. ``fairinfl_fig2``."""
        kind, number = _ELEMENT.fullmatch(self.element).groups()
        return f"{self.paper.lower()}_{'fig' if kind == 'Fig.' else 'table'}{number}"

    @property
    def names(self) -> tuple[str, ...]:
        """The target and its aliases."""
        return (self.name, *self.aliases)

    @property
    def files(self) -> list[str]:
        """Every file the target builds, in map order."""
        return [path for paths in self.outputs.values() for path in paths]


def _text(where: str, value, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} = {value!r}; expected a non-empty string")
    return value.strip()


def _names(where: str, value, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _RULE_NAME.fullmatch(v) for v in value):
        raise ConfigError(f"{where}: {key} = {value!r}; expected a list of rule names (letters, digits, _)")
    return tuple(value)


def _entry(where: str, entry) -> PaperTarget:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} = {entry!r}; expected a mapping with keys {list(_REQUIRED)}")
    missing = [key for key in _REQUIRED if key not in entry]
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if missing or unknown:
        raise ConfigError(f"{where}: missing keys {missing}, unknown keys {unknown}; expected the keys "
                          f"{list(_REQUIRED)} and optionally {list(_OPTIONAL)}")
    paper = _text(where, entry["paper"], "paper")
    if paper not in ("FairInfl", "FairShap"):
        raise ConfigError(f"{where}: paper = {paper!r}; expected 'FairInfl' or 'FairShap'")
    element = _text(where, entry["element"], "element")
    if not _ELEMENT.fullmatch(element):
        raise ConfigError(f"{where}: element = {element!r}; expected 'Fig. <n>' or 'Table <n>' as numbered in the "
                          "paper")
    if entry["config"] not in CONFIGS:
        raise ConfigError(f"{where}: config = {entry['config']!r}; expected one of {list(CONFIGS)}")
    outputs = entry["outputs"]
    if not isinstance(outputs, dict) or not outputs:
        raise ConfigError(f"{where}: outputs = {outputs!r}; expected a mapping rule -> list of files")
    for rule, paths in outputs.items():
        _names(where, [rule], "outputs rule")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p.strip() for p in paths):
            raise ConfigError(f"{where}: outputs.{rule} = {paths!r}; expected a non-empty list of file paths")
    return PaperTarget(paper=paper, element=element, section=_text(where, entry["section"], "section"),
                       title=_text(where, entry["title"], "title"), config=entry["config"],
                       outputs={rule: tuple(paths) for rule, paths in outputs.items()},
                       aliases=_names(where, entry.get("aliases", []), "aliases"),
                       note=_text(where, entry["note"], "note") if "note" in entry else "")


def parse_targets(entries, *, source: str = TARGETS_FILE) -> list[PaperTarget]:
    """Check the map's entries (a list of mappings, as read from YAML) and return them in order.

    Raises :class:`~fairscore.errors.ConfigError` naming ``source``, the entry and the key at fault,
    and for a name (target or alias) that two entries would both define.
    """
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: expected a non-empty list of paper elements, got {type(entries).__name__}")
    targets = [_entry(f"{source}: entry {i}", entry) for i, entry in enumerate(entries)]
    seen: dict[str, str] = {}
    for target in targets:
        for name in target.names:
            owner = f"{target.paper} {target.element}"
            if name in seen:
                raise ConfigError(f"{source}: target name {name!r} of {owner} is already the name of {seen[name]}; "
                                  "expected every target and alias once")
            seen[name] = owner
    return targets


def load_targets(root: str | Path = ".") -> list[PaperTarget]:
    """:func:`parse_targets` of ``<root>/workflow/targets.yaml``."""
    path = Path(root) / TARGETS_FILE
    try:
        entries = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; expected the map of paper targets in the workflow's root "
                          f"directory {Path(root)}") from None
    return parse_targets(entries, source=str(path))


def render_targets(targets: list[PaperTarget]) -> str:
    """The map as readable text: one block per paper element, then how to build a target."""
    blocks = []
    for t in targets:
        lines = [f"{t.paper} {t.element} ({t.section}): {t.title}",
                 f"  target:  {t.name}" + (f" (also {', '.join(t.aliases)})" if t.aliases else ""),
                 f"  rules:   {', '.join(t.outputs)}",
                 *(f"  {'outputs:' if i == 0 else '':8} {path}" for i, path in enumerate(t.files)),
                 f"  config:  {t.config}: {CONFIGS[t.config]}"]
        if t.note:
            lines.append(f"  note:    {t.note}")
        blocks.append("\n".join(lines))
    blocks.append("Build one: .venv/bin/snakemake --cores 2 <target>\n"
                  "  deep, on fixtures: .venv/bin/snakemake --cores 2 <target> --configfile config/deep_fixture.yaml")
    return "\n\n".join(blocks)


def targets_to_json(targets: list[PaperTarget]) -> list[dict]:
    """The map as JSON-ready records, with each target's name."""
    return [{"paper": t.paper, "element": t.element, "section": t.section, "title": t.title, "target": t.name,
             "aliases": list(t.aliases), "outputs": {rule: list(paths) for rule, paths in t.outputs.items()},
             "config": t.config, "needs": CONFIGS[t.config], "note": t.note} for t in targets]
