"""The reproduction report: what reproduced, what did not, by how much.

The sections come from :mod:`fairscore.reporting.sections`; :func:`markdown_to_html` makes the
self-contained HTML page. Nothing here computes a model: numbers come from the
results the rules wrote. Every claim is decided by its rule in :mod:`fairscore.reporting.claims`;
a missing experiment is undetermined, never "not reproduced".
"""

from __future__ import annotations

import base64
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from markdown_it import MarkdownIt

from fairscore.reporting.compare import has_recipes
from fairscore.errors import DataError
from fairscore.fileio import atomic_path, write_csv
from fairscore.reporting.tables import mean_rank_table
from fairscore.reporting.claims import CLAIMS, Curves, decide, fixture_verdicts
from fairscore.reporting.verdicts import (
    UNDETERMINED,
    Settings,
)
from fairscore.reporting.sections import ADULT_CLAIMS, DEEP_CLAIMS, TABLE1_CLAIMS, DIAGNOSTICS, verdict_counts_text, aggregation_section, authors_code_note, claims_section, constant_predictor_section, dataset_counts_section, decision_rows, decisions_section, fairinfl_constant_section, runtime_section, summary_section, table2_cells_section, table2_columns_text

__all__ = [
    "ReportInputs",
    "build_deep_report",
    "build_report",
    "captioned_figures",
    "deep_claims",
    "fairinfl_claims",
    "figures_section",
    "fixture_banner",
    "markdown_to_html",
    "not_run_claims",
    "report_claims",
    "write_report",
]


# ----------------------------------------------------------------------------- FairInfl claims
def fairinfl_claims(prune: pd.DataFrame, baselines: pd.DataFrame, first_order: pd.DataFrame | None, *,
                    settings: Settings) -> pd.DataFrame:
    """The FairInfl paper's Adult claims (§6.2, App. C.3), each decided by its rule in
    :data:`fairscore.reporting.claims.CLAIMS`. ``first_order`` None leaves App. C.3 out (a protocol
    variant has no first-order pairs of its own)."""
    curves = Curves(prune)
    rows = [decide(key, curves, baselines, settings=settings) if key == "adult_tradeoff"
            else decide(key, curves, settings=settings) for key in ADULT_CLAIMS]
    if first_order is not None:
        rows.append(decide("first_order", first_order, settings=settings))
    return pd.DataFrame(rows)


def not_run_claims(keys, reason: str, settings: Settings) -> pd.DataFrame:
    """Claims whose experiments did not run: undetermined, with ``reason``."""
    return pd.DataFrame([{"key": k, "source": CLAIMS[k].source, "claim": CLAIMS[k].statement,
                          "rule": CLAIMS[k].rule.format(threshold=settings.threshold, margin=settings.margin,
                                                        alpha=settings.alpha),
                          "evidence": "", "verdict": UNDETERMINED, "reason": reason} for k in keys])


# ----------------------------------------------------------------------------- HTML
_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}"
          "table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid #bbb;padding:2px 6px}"
          "th{background:#eee}img{max-width:100%}code{background:#f4f4f4}")


def markdown_to_html(markdown: str, *, base: Path, title: str) -> str:
    """A self-contained HTML page: Markdown rendered, every local image embedded as a data URI.

    External references (``http:``, ``https:``, ``//``) in links or images are refused,
    so the page opens offline exactly as written.
    """
    body = MarkdownIt("commonmark").enable("table").render(markdown)

    def embed(match: re.Match) -> str:
        src = html.unescape(match.group(1))
        if re.match(r"^(https?:)?//", src):
            raise DataError(f"report image {src!r}: expected a local file, not a URL")
        path = (base / src).resolve()
        if not path.is_file():
            raise DataError(f"report image {src!r}: {path} does not exist")
        data = base64.b64encode(path.read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^"]+)"', embed, body)
    if re.search(r'href="(https?:)?//', body):
        raise DataError("report links to an external URL; expected a self-contained page")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n{body}</body></html>\n")


def write_report(markdown: str, claims: pd.DataFrame, *, md, html_path, claims_path, title: str) -> None:
    """Write a report's Markdown, its self-contained HTML page (images relative to ``md``'s
    folder) and its claims CSV, each atomically."""
    write_csv(claims, claims_path)
    with atomic_path(md) as tmp:
        tmp.write_text(markdown)
    with atomic_path(html_path) as tmp:
        tmp.write_text(markdown_to_html(markdown, base=Path(md).parent, title=title))


# ----------------------------------------------------------------------------- the whole report
@dataclass(frozen=True, kw_only=True)
class ReportInputs:
    """Everything the report reads, already loaded (see the ``reproduction_report`` rule)."""

    comparison: pd.DataFrame          # compare.compare_table2
    cells: pd.DataFrame               # our Table 2, long format
    counts: pd.DataFrame              # dataset_counts
    prune: pd.DataFrame               # FairInfl Adult prune runs
    baselines: pd.DataFrame           # FairInfl Adult ERM, reduction and lfatr runs
    first_order: pd.DataFrame | None  # FairInfl App. C.3 pairs
    runtime: pd.DataFrame             # results/fairshap/runtime.csv
    paper_runtimes: pd.DataFrame      # reference/fairshap_runtimes.csv
    split_seconds: pd.DataFrame       # FairShap score job wall time per split, per dataset
    decisions: list[dict]
    config: dict
    ranking: pd.DataFrame | None      # cross-family ranking (tables.rank_methods)
    settings: Settings                # config report: threshold, equivalence margin and level
    tolerance: float                  # config report.printed_tolerance
    constant: dict                    # config report.constant_predictor
    majority: str | None = None       # label of the Majority class reference row
    recipe_note: str = ""             # compare.recipe_note of the recipe methods
    deep_claims: pd.DataFrame | None = None   # results/report/deep_claims.csv when `deep` ran
    variant: tuple | None = None      # authors_code (prune, baselines, its config overrides) when configured
    cross_methods: tuple = ()
    figures: tuple = ()               # (path relative to the report, caption) pairs


_DEEP_NOT_RUN = ("not run here: needs CelebA, Jigsaw and the face data from outside PyPI and a GPU; `snakemake deep` "
                 "builds them (docs/image_text.md)")


def report_claims(r: ReportInputs) -> pd.DataFrame:
    """Every claim of the report, one row per (claim, protocol run): the Adult claims on our
    runs and on the authors'-code variant, and Table 1 / CelebA / Jigsaw / App. C.4 from the
    ``deep`` report's claims (undetermined where it did not run)."""
    parts = [fairinfl_claims(r.prune, r.baselines, r.first_order, settings=r.settings).assign(run="default")]
    if r.variant is not None:
        prune, baselines, _ = r.variant
        parts.append(fairinfl_claims(prune, baselines, None, settings=r.settings).assign(run="authors_code"))
    deep = r.deep_claims if r.deep_claims is not None else not_run_claims(DEEP_CLAIMS, _DEEP_NOT_RUN, r.settings)
    parts.append(deep.assign(run="default"))
    claims = pd.concat(parts, ignore_index=True)
    return claims.assign(reason=claims["reason"].fillna(""), evidence=claims["evidence"].fillna(""))


def build_report(r: ReportInputs) -> tuple[str, pd.DataFrame]:
    """The reproduction report as Markdown, and the claims table it contains."""
    claims = report_claims(r)
    decisions = decision_rows(r.decisions, r.config)
    comparison = r.comparison
    constant, flagged = constant_predictor_section(r.cells, **r.constant, majority=r.majority)
    has_diagnostics = set(DIAGNOSTICS) <= set(r.cells["metric"])
    flagged_text = (f"{flagged} Table 2 rows flagged near-constant (section 1)" if has_diagnostics
                    else "not available (no per-group positive rates in this run's Table 2)")
    threshold = r.settings.threshold
    summary = summary_section(comparison, r.counts, claims, decisions, r.ranking, threshold=threshold,
                              tolerance=r.tolerance, flagged=flagged_text, cross_methods=r.cross_methods)
    columns = [("verdict", "ours")] + ([("authors_verdict", "authors' code")] if has_recipes(comparison) else [])
    by = [f"### By {k.replace('paper_', '')}: {name}\n\n" + pd.crosstab(comparison[k], comparison[v]).to_markdown()
          + "\n" for v, name in columns for k in ("paper_method", "dataset")]
    default = claims[claims["run"] == "default"]
    table1 = default[default["key"].isin(TABLE1_CLAIMS)]
    adult = claims[claims["key"].isin([*ADULT_CLAIMS, "first_order"])]
    deep = default[default["key"].isin(DEEP_CLAIMS) & ~default["key"].isin(TABLE1_CLAIMS)]
    infl_note = [authors_code_note(r.variant[2]), ""] if r.variant is not None else [
        "No authors'-code protocol variant (config `report.authors_variant` naming a `fairinfl.variants` entry) is "
        "configured in this run; only our default protocol is shown.", ""]
    fixture = deep["reason"].str.startswith("fixture data").any() or table1["reason"].str.startswith(
        "fixture data").any()
    deep_note = (["> **Fixture data**: the `deep` outputs read here were built from fixtures (random data); their "
                  "statements get no verdicts.", ""] if fixture else [])
    out = ["# Reproduction report: FairShap and FairInfl", "",
           "Every number below was computed by this pipeline from its own results; the papers' numbers come from "
           "`reference/` (transcribed, with their sources named there). Every claim has a written decision rule, "
           "shown beside it (all rules: docs/verdicts.md), and one of three outcomes: reproduced, not reproduced, "
           "or undetermined with its reason (missing inputs, NaN, a single run, fixture data). A Table 2 cell is "
           f"reproduced when |z| ≤ {threshold:g}, z = (ours − paper) / √(se_ours² + se_paper²), se_paper = the "
           "printed ± / 1.96 (D15); “similar” in a claim is an equivalence test (TOST) with margin "
           f"±{r.settings.margin:g} at α = {r.settings.alpha:g}.", "", "## Summary", "", summary,
           "## 1. FairShap Table 2, cell by cell", "",
           "EOp/EOdds in the paper's aggregation (|mean of signed gaps|). ± is the 95 % half-width (D15). Three "
           "columns per paper cell: the paper, ours (default recipe: the paper's text) and the authors' code "
           "(the row of the method whose `recipe_of` names ours; without one, the same code ran). “undetermined”: "
           "our cell is NaN or has fewer than two splits; “not run”: the method or pair is not in this run's "
           "config.", "", table2_columns_text(comparison, tolerance=r.tolerance, note=r.recipe_note), *by,
           "### Every cell", "", table2_cells_section(comparison),
           "### Near-constant predictions", "", constant,
           "## 2. Aggregation of the fairness gaps", "", aggregation_section(r.cells[r.cells["method"] != r.majority]),
           "## 3. Dataset counts and faces", "", "### FairShap Table 7", "", dataset_counts_section(r.counts),
           "### FairShap Table 1 (faces)", "", *deep_note, claims_section(table1),
           "## 4. FairInfl claims", "", "### Adult", "", *infl_note, claims_section(adult),
           "### CelebA, Jigsaw and App. C.4", "", *deep_note, claims_section(deep),
           "### Near-constant predictions of the FairInfl Adult points", "",
           fairinfl_constant_section(r.prune, r.baselines, **r.constant),
           "## 5. Weight-computation times (FairShap §5.5)", "",
           "Each time is labelled with the machine that measured it; times on different machines are not directly "
           "comparable.", "", runtime_section(r.runtime, r.paper_runtimes, r.split_seconds),
           "## 6. Decisions and deviations", "",
           "Every Decision of the specification; where a config key sets it, our value and the authors' code's "
           "(“differs” marks a deviation from the authors' code in this run).", "", decisions_section(decisions)]
    if r.ranking is not None:
        out += ["## 7. Beyond the papers: cross-family comparison", "",
                "Mean rank of every method over the (dataset, protected) pairs, per column (1 = best), from the "
                "extended Table 2 (`results/cross_family/table2_extended.md`, ranking with the paired tests in "
                "`results/cross_family/ranking.md`).", "", mean_rank_table(r.ranking), ""]
    out += figures_section(r.figures)
    return "\n".join(out) + "\n", claims


def captioned_figures(pngs, base) -> tuple:
    """(PNG path relative to ``base``, its caption text) for each figure: the caption is the
    ``.caption.md`` file every figure rule writes beside its PNG."""
    return tuple((os.path.relpath(png, base), Path(png).with_suffix(".caption.md").read_text()) for png in pngs)


def figures_section(figures) -> list[str]:
    """Markdown lines: every (relative PNG path, caption) as an image with its caption below."""
    out = ["## Figures", ""] if figures else []
    for path, caption in figures:
        out += [f"![{Path(path).stem}]({path})", "", caption.strip(), ""]
    return out


# ----------------------------------------------------------------------------- image and text experiments
def deep_claims(table1: pd.DataFrame, celeba: tuple, jigsaw: tuple, extremes: pd.DataFrame, *,
                settings: Settings) -> pd.DataFrame:
    """Table 1, the FairInfl CelebA and Jigsaw statements and App. C.4, each decided by its rule.
    ``celeba`` and ``jigsaw`` are (prune runs, baselines with lfatr)."""
    celeba_curves, jigsaw_curves = Curves(celeba[0]), Curves(jigsaw[0])
    rows = [decide(k, table1, settings=settings) for k in TABLE1_CLAIMS]
    rows += [decide(k, celeba_curves, settings=settings) for k in ("celeba_lowers", "celeba_tracks", "celeba_drop")]
    rows.append(decide("extremes", extremes, settings=settings))
    rows += [decide("jigsaw_lowers", jigsaw_curves, settings=settings),
             decide("jigsaw_lfatr", jigsaw_curves, jigsaw[1], settings=settings),
             decide("jigsaw_leads", jigsaw_curves, settings=settings)]
    return pd.DataFrame(rows)


def fixture_banner(fixtures) -> str:
    """The line every page and section of a fixture-built report carries ('' for real data)."""
    if not fixtures:
        return ""
    return (f"> **Fixture data** ({', '.join(fixtures)}): these inputs are random fixtures written by the pipeline "
            "(config `external.<name>.fixture`); the numbers test the wiring only, and no statement gets a verdict.")


def _with_banner(lines: list[str], banner: str) -> list[str]:
    """``lines`` with ``banner`` after the title and after every section heading."""
    if not banner:
        return lines
    out = []
    for line in lines:
        out.append(line)
        if line.startswith(("# ", "## ")):
            out += ["", banner]
    return out


def build_deep_report(table1: pd.DataFrame, celeba: tuple, jigsaw: tuple, extremes: pd.DataFrame, *,
                      settings: Settings, fixtures=(), figures=()) -> tuple[str, pd.DataFrame]:
    """The image and text experiments against the papers: Table 1 and the FairInfl CelebA and
    Jigsaw statements. ``fixtures`` names the fixture datasets of the run: with any, every
    verdict is ``undetermined: fixture data`` and every section says so."""
    claims = fixture_verdicts(deep_claims(table1, celeba, jigsaw, extremes, settings=settings), fixtures)
    columns = ["accuracy", "tpr_women", "tpr_men", "eop"]
    shown = table1[["training_set", *columns, *(f"paper_{c}" for c in columns)]]
    lines = ["# Image and text experiments against the papers", "",
             "Every number was computed by this pipeline (`snakemake deep`); the papers' come from `reference/`. "
             "Each statement is decided by the rule shown beside it (docs/verdicts.md).", "",
             f"Summary: {verdict_counts_text(claims['verdict'])} of {len(claims)} statements.", "",
             "## FairShap Table 1 (faces; FairFace test split = official val, D13)", "",
             shown.to_markdown(index=False, floatfmt=".3f"), "",
             "## Statements", "", claims_section(claims)]
    figs = figures_section(figures)
    return "\n".join(_with_banner([*lines, *figs], fixture_banner(fixtures))) + "\n", claims
