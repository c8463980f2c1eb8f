"""The ``fairscore`` command line: ``fairscore audit PATH``, ``fairscore targets`` and ``fairscore config-docs``.

``audit`` exits 1 when a file differs from its record, and 3 when every file matches but some
were made with other job parameters than the current config gives."""

from __future__ import annotations

import argparse
import json
import sys

from fairscore.pipeline.audit import AuditError, audit, render_tree, stale, to_json
from fairscore.pipeline.config_docs import CONFIG_README, render_config_docs
from fairscore.errors import ConfigError
from fairscore.pipeline.provenance import DEFAULT_CONFIG, run_config_files
from fairscore.pipeline.targets import TARGETS_FILE, load_targets, render_targets, targets_to_json


def _audit(args: argparse.Namespace) -> int:
    try:
        lineage = audit(args.path, root=args.root, results=args.results)
        staleness = None if args.bytes_only else stale(
            lineage, root=args.root,
            config_files=args.configfile or run_config_files(lineage.record and lineage.record.get("config_files")))
    except AuditError as err:
        print(f"fairscore audit: FAILED: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_json(lineage, frozenset(staleness.params_changed if staleness else ())),
                         indent=2, sort_keys=True))
    else:
        print(render_tree(lineage, max_depth=args.max_depth))
        print("fairscore audit: every file matches its record")
    if staleness is None:
        return 0
    info = sys.stderr if args.json else sys.stdout  # --json keeps stdout to the lineage alone
    configs = " ".join(staleness.config_files) or DEFAULT_CONFIG
    if staleness.config_changed:
        print(f"fairscore audit: {len(staleness.config_changed)} file(s) were made with another config than "
              f"{configs} but with the job parameters it gives: still current", file=info)
    if staleness.params_changed:
        print(f"fairscore audit: STALE: {len(staleness.params_changed)} file(s) were made with other job parameters "
              f"than {configs} gives (rerunning snakemake {args.path} with it rebuilds them):\n"
              + "\n".join(f"    {p}" for p in staleness.params_changed), file=sys.stderr)
        return 3
    print(f"fairscore audit: every file is current for {configs}", file=info)
    return 0


def _print_or_fail(command: str, text) -> int:
    """Print what ``text()`` returns; a :class:`ConfigError` is printed as the command's failure (exit 1)."""
    try:
        out = text()
    except ConfigError as err:
        print(f"fairscore {command}: FAILED: {err}", file=sys.stderr)
        return 1
    print(out, end="" if out.endswith("\n") else "\n")
    return 0


def _targets(args: argparse.Namespace) -> int:
    def text() -> str:
        targets = load_targets(args.root)
        return json.dumps(targets_to_json(targets), indent=2) if args.json else render_targets(targets)
    return _print_or_fail("targets", text)


def _config_docs(args: argparse.Namespace) -> int:
    return _print_or_fail("config-docs", lambda: render_config_docs(args.root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fairscore", description="fairscore pipeline tools")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("audit", help="follow provenance from a table or figure back to the raw downloads, "
                                            "re-hashing every file")
    cmd.add_argument("path", help="a workflow output, relative to --root (e.g. results/tables/table2.md)")
    cmd.add_argument("--root", default=".", help="the run directory (default: .)")
    cmd.add_argument("--results", default="results", help="results folder inside the root (default: results)")
    cmd.add_argument("--json", action="store_true", help="print the lineage as JSON")
    cmd.add_argument("--max-depth", type=int, default=None, help="print at most this many levels (all are checked)")
    cmd.add_argument("--configfile", nargs="+", default=None,
                     help="the config files of the current run, as given to snakemake (default: those the "
                          "path's record names); stale files are reported against them")
    cmd.add_argument("--bytes-only", action="store_true",
                     help="check the bytes only, not whether the current config would give other files")
    cmd.set_defaults(run=_audit)
    cmd = commands.add_parser("targets", help="print the map paper figure/table -> target -> output files, "
                                              "and the config each needs")
    cmd.add_argument("--root", default=".", help=f"the workflow directory holding {TARGETS_FILE} (default: .)")
    cmd.add_argument("--json", action="store_true", help="print the map as JSON")
    cmd.set_defaults(run=_targets)
    cmd = commands.add_parser("config-docs", help=f"print {CONFIG_README}: every config key with its default, "
                                                  "allowed values and meaning")
    cmd.add_argument("--root", default=".", help="the workflow directory holding config/ (default: .)")
    cmd.set_defaults(run=_config_docs)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
