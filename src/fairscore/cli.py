"""The ``fairscore`` command line: ``fairscore audit PATH`` and ``fairscore targets``."""

from __future__ import annotations

import argparse
import json
import sys

from .audit import AuditError, audit, render_tree, to_json
from .errors import ConfigError
from .targets import TARGETS_FILE, load_targets, render_targets, targets_to_json


def _audit(args: argparse.Namespace) -> int:
    try:
        lineage = audit(args.path, root=args.root, results=args.results)
    except AuditError as err:
        print(f"fairscore audit: FAILED: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_json(lineage), indent=2, sort_keys=True))
    else:
        print(render_tree(lineage, max_depth=args.max_depth))
        print("fairscore audit: every file matches its record")
    return 0


def _targets(args: argparse.Namespace) -> int:
    try:
        targets = load_targets(args.root)
    except ConfigError as err:
        print(f"fairscore targets: FAILED: {err}", file=sys.stderr)
        return 1
    print(json.dumps(targets_to_json(targets), indent=2) if args.json else render_targets(targets))
    return 0


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
    cmd.set_defaults(run=_audit)
    cmd = commands.add_parser("targets", help="print the map paper figure/table -> target -> output files, "
                                              "and the config each needs")
    cmd.add_argument("--root", default=".", help=f"the workflow directory holding {TARGETS_FILE} (default: .)")
    cmd.add_argument("--json", action="store_true", help="print the map as JSON")
    cmd.set_defaults(run=_targets)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
