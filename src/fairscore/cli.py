"""The ``fairscore`` command line: ``fairscore audit PATH``."""

from __future__ import annotations

import argparse
import json
import sys

from .audit import AuditError, audit, render_tree, to_json


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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
