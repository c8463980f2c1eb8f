"""The reproduction report: what reproduced, what did not, by how much (issue 9).

Every function turns pipeline results (and the papers' published numbers under
``reference/``) into one Markdown section; :func:`markdown_to_html` makes the
self-contained HTML page. Nothing here computes a model: numbers come from the
results the rules wrote. Every claim is decided by its rule in :mod:`fairscore.verdicts`;
a missing experiment is undetermined, never "not reproduced".
"""

from __future__ import annotations

import base64
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from markdown_it import MarkdownIt

from .compare import has_recipes, verdict_counts, within_printed
from .errors import DataError
from .fileio import atomic_path, write_csv
from .tables import mean_rank_table
from .verdicts import (
    CLAIMS,
    NOT_REPRODUCED,
    REPRODUCED,
    UNDETERMINED,
    Curves,
    Settings,
    decide,
    fixture_verdicts,
    near_constant,
    near_constant_rule,
    verdict_text,
)

__all__ = [
    "ADULT_CLAIMS",
    "DEEP_CLAIMS",
    "ReportInputs",
    "aggregation_section",
    "authors_code_note",
    "build_deep_report",
    "build_report",
    "captioned_figures",
    "claims_section",
    "constant_predictor_section",
    "dataset_counts",
    "dataset_counts_section",
    "decision_rows",
    "decisions_section",
    "deep_claims",
    "fairinfl_claims",
    "fairinfl_constant_section",
    "figures_section",
    "fixture_banner",
    "markdown_to_html",
    "not_run_claims",
    "report_claims",
    "runtime_section",
    "summary_section",
    "table2_cells_section",
    "table2_columns_text",
    "write_report",
]


#: the claims of each report, in order (rules in :data:`fairscore.verdicts.CLAIMS`)
ADULT_CLAIMS = ("adult_tradeoff", "adult_random", "adult_tracks", "adult_margin", "adult_anomaly")
TABLE1_CLAIMS = ("table1_eop", "table1_accuracy", "table1_men")
DEEP_CLAIMS = (*TABLE1_CLAIMS, "celeba_lowers", "celeba_tracks", "celeba_drop", "extremes", "jigsaw_lowers",
               "jigsaw_lfatr", "jigsaw_leads")
#: per-group positive-prediction rates and balanced accuracy (the constant-predictor diagnostics)
_DIAGNOSTICS = ("pos_rate_a0", "pos_rate_a1", "balanced_accuracy")


def _cell(text) -> str:
    """Text safe inside a Markdown table cell (a literal | would split the cell)."""
    return str(text).replace("|", "\\|")


# ----------------------------------------------------------------------------- Table 2
def _ours(mean, pm, marker) -> str:
    return "" if pd.isna(mean) else f"{mean:.3f} ± {pm:.3f}{marker if isinstance(marker, str) else ''}"


def _z_text(z) -> str:
    return "" if pd.isna(z) else f"{z:+.1f}"


def table2_cells_section(comparison: pd.DataFrame) -> str:
    """Every paper cell of Table 2: the paper, ours (default recipe) and, where a recipe method
    ran, the authors' code, each mean ± 95 % half-width with z and verdict."""
    recipes = has_recipes(comparison)
    head = "| dataset | protected | method | metric | paper | ours | difference | z | verdict |"
    rule = "|---|---|---|---|---|---|---|---|---|"
    if recipes:
        head, rule = head + " authors' code | z | verdict |", rule + "---|---|---|"
    lines = [head, rule]
    for row in comparison.itertuples():
        paper = f"{row.paper_mean:.3f} ± {row.paper_pm:.3f}{row.paper_marker if isinstance(row.paper_marker, str) else ''}"
        diff = "" if pd.isna(row.difference) else f"{row.difference:+.3f}"
        line = (f"| {row.dataset} | {row.protected} | {row.paper_method} | {row.metric} | {paper} | "
                f"{_ours(row.ours_mean, row.ours_pm, row.ours_marker)} | {diff} | {_z_text(row.z)} | {row.verdict} |")
        if recipes:
            line += (f" {_ours(row.authors_mean, row.authors_pm, row.authors_marker)} | {_z_text(row.authors_z)} | "
                     f"{row.authors_verdict} |")
        lines.append(line)
    return "\n".join(lines) + "\n"


def table2_columns_text(comparison: pd.DataFrame, *, tolerance: float, note: str) -> str:
    """Counts per column (ours, authors' code) and, with recipe rows, the FairShap cells within
    ``tolerance`` of the paper's printed mean and the plain-words recipe note."""
    out = [f"- ours (default recipe, the paper's text): {verdict_counts(comparison['verdict'])}"]
    if has_recipes(comparison):
        close, total = within_printed(comparison, tolerance=tolerance)
        recipe = ", ".join(dict.fromkeys(comparison.loc[comparison["authors_method"] != comparison["method"],
                                                        "authors_method"].dropna()))
        out += [f"- authors' code ({recipe}; every other row is the same code as ours): "
                f"{verdict_counts(comparison['authors_verdict'])}; FairShap cells within {tolerance:g} of the "
                f"paper's printed mean: {close} of {total}"]
        if note:
            out += ["", note]
    else:
        out += ["- authors' code: no recipe method (`recipe_of`) in this run's config, so every row is the same code "
                "as ours (config/recipes/authors_code.yaml adds them)"]
    return "\n".join(out) + "\n"


def constant_predictor_section(cells: pd.DataFrame, *, rate_margin: float, balanced_accuracy: float,
                               majority: str | None) -> tuple[str, int]:
    """Per Table 2 row: the groups' positive-prediction rates, balanced accuracy and EOp next to
    the Majority class row of its pair, and the near-constant flag; (Markdown, flagged rows)."""
    rule = near_constant_rule(rate_margin=rate_margin, balanced_accuracy=balanced_accuracy)
    wide = cells[cells["variant"].isin(["mean", "paper"])].pivot_table(
        index=["dataset", "protected", "method"], columns="metric", values="mean", sort=False)
    if not set(_DIAGNOSTICS) <= set(wide.columns):
        return (rule + "\n\nNot available: this run's Table 2 has no " + ", ".join(
            c for c in _DIAGNOSTICS if c not in wide.columns) + " columns.\n", 0)
    wide = wide.reset_index()
    wide["flag"] = near_constant(wide["pos_rate_a0"], wide["pos_rate_a1"], wide["balanced_accuracy"],
                                 rate_margin=rate_margin, min_balanced_accuracy=balanced_accuracy)
    if majority is not None:  # the reference row first in each pair
        wide = wide.assign(_pair=wide.groupby(["dataset", "protected"], sort=False).ngroup(),
                           _first=wide["method"] != majority).sort_values(["_pair", "_first"], kind="stable")
    gaps = [m for m in ("eop", "eodds") if m in wide.columns]
    lines = [rule, "", "| dataset | protected | method | positive rate, group 0 | positive rate, group 1 | balanced "
             "accuracy | " + " | ".join(gaps) + " | near-constant |", "|---|---|---|---|---|---|" + "---|" * len(gaps)
             + "---|"]
    for r in wide.itertuples():
        name = f"{r.method} (reference)" if r.method == majority else r.method
        lines.append(f"| {r.dataset} | {r.protected} | {name} | {r.pos_rate_a0:.3f} | {r.pos_rate_a1:.3f} | "
                     f"{r.balanced_accuracy:.3f} | " + " | ".join(f"{getattr(r, g):.3f}" for g in gaps)
                     + f" | {'yes' if r.flag else ''} |")
    return "\n".join(lines) + "\n", int(wide.loc[wide["method"] != majority, "flag"].sum())


def fairinfl_constant_section(prune: pd.DataFrame, baselines: pd.DataFrame, *, rate_margin: float,
                              balanced_accuracy: float) -> str:
    """The same diagnostics for every FairInfl Adult point (strategy × kept fraction, and each
    baseline: ERM, reduction, lfatr), mean over the runs."""
    missing = [c for c in _DIAGNOSTICS if c not in prune.columns or c not in baselines.columns]
    if missing:
        return f"Not available: the FairInfl runs have no {', '.join(missing)} columns.\n"
    columns = [*_DIAGNOSTICS, "violation_abs"]
    points = pd.concat([prune.groupby(["strategy", "fraction"])[columns].mean().reset_index(),
                        baselines.groupby("method")[columns].mean().reset_index().rename(columns={"method": "strategy"})],
                       ignore_index=True)
    flags = near_constant(points["pos_rate_a0"], points["pos_rate_a1"], points["balanced_accuracy"],
                          rate_margin=rate_margin, min_balanced_accuracy=balanced_accuracy)
    lines = ["| strategy or baseline | kept fraction | positive rate, group 0 | positive rate, group 1 | balanced "
             "accuracy | \\|violation\\| | near-constant |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.strategy} | {'' if pd.isna(r.fraction) else f'{r.fraction:g}'} | {r.pos_rate_a0:.3f} | "
              f"{r.pos_rate_a1:.3f} | {r.balanced_accuracy:.3f} | {r.violation_abs:.3f} | {'yes' if flag else ''} |"
              for r, flag in zip(points.itertuples(), flags, strict=True)]
    return "\n".join(lines) + "\n"


def aggregation_section(cells: pd.DataFrame) -> str:
    """The paper's |mean of signed gaps| next to the mean of per-split absolute gaps, with what it means.

    ``cells`` is the long Table 2 (:func:`fairscore.tables.table2_cells`).
    """
    gaps = cells[cells["metric"].isin(["eop", "eodds"])]
    wide = gaps.pivot_table(index=["dataset", "protected", "method", "metric"], columns="variant", values="mean",
                            sort=False).reset_index()
    wide["ratio"] = wide["absolute"] / wide["paper"].where(wide["paper"] > 0)
    lines = ["| dataset | protected | method | metric | paper: abs(mean of signed) | mean of abs | abs / paper |",
             "|---|---|---|---|---|---|---|"]
    for r in wide.itertuples():
        ratio = "∞" if pd.isna(r.ratio) else f"{r.ratio:.1f}"
        lines.append(f"| {r.dataset} | {r.protected} | {r.method} | {r.metric} | {r.paper:.3f} | {r.absolute:.3f} | "
                     f"{ratio} |")
    best = {v: wide.loc[wide.groupby(["dataset", "protected", "metric"], sort=False)[v].idxmin()]
            .set_index(["dataset", "protected", "metric"])["method"] for v in ("paper", "absolute")}
    changed = best["paper"].ne(best["absolute"])
    near_zero = wide[wide["paper"] < 0.02]
    text = (f"Over the {len(wide)} fairness cells, the mean of per-split absolute gaps is on average "
            f"{(wide['absolute'] - wide['paper']).mean():.3f} larger than the paper's aggregation (largest difference "
            f"{(wide['absolute'] - wide['paper']).max():.3f}). The paper's |mean of signed gaps| lets gaps of opposite sign "
            "on different splits cancel, so a method whose gap flips sign from split to split looks fair on average while "
            "each trained model is not. "
            f"{len(near_zero)} cells have a paper-aggregated gap below 0.02; their per-split absolute gap averages "
            f"{near_zero['absolute'].mean() if len(near_zero) else float('nan'):.3f}. "
            f"The best (lowest-gap) method of a column changes between the two aggregations in {int(changed.sum())} of "
            f"{len(changed)} columns"
            + (": " + "; ".join(f"{d}–{p} {m}: {best['paper'][(d, p, m)]} → {best['absolute'][(d, p, m)]}"
                                for (d, p, m) in changed[changed].index) if changed.any() else "")
            + ". Claims of the form “method X removes the gap” therefore hold for the average prediction rule over "
            "splits, not for the individual models, wherever the two columns differ.")
    return text + "\n\n" + "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- Table 7
def dataset_counts(ours: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Our (group, label) row counts joined with the paper's Table 7, with a verdict per count.

    Both frames have dataset, protected, group, label, count (group and label in the
    paper's names, :data:`fairscore.compare.TABLE7_NAMES`).
    """
    keys = ["dataset", "protected", "group", "label"]
    merged = paper.merge(ours, on=keys, how="outer", suffixes=("_paper", "_ours"))
    merged["verdict"] = np.select([merged["count_ours"].isna(), merged["count_paper"] == merged["count_ours"]],
                                  ["not run", "reproduced"], "not reproduced")
    return merged


def dataset_counts_section(counts: pd.DataFrame) -> str:
    """The joined counts of :func:`dataset_counts` as a Markdown table."""
    lines = ["| dataset | protected | group | label | paper | ours | verdict |", "|---|---|---|---|---|---|---|"]
    for r in counts.itertuples():
        ours = "" if pd.isna(r.count_ours) else int(r.count_ours)
        paper = "" if pd.isna(r.count_paper) else int(r.count_paper)
        lines.append(f"| {r.dataset} | {r.protected} | {r.group} | {r.label} | {paper} | {ours} | {r.verdict} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- FairInfl claims
def fairinfl_claims(prune: pd.DataFrame, baselines: pd.DataFrame, first_order: pd.DataFrame | None, *,
                    settings: Settings) -> pd.DataFrame:
    """The FairInfl paper's Adult claims (§6.2, App. C.3), each decided by its rule in
    :data:`fairscore.verdicts.CLAIMS`. ``first_order`` None leaves App. C.3 out (a protocol
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


def claims_section(claims: pd.DataFrame) -> str:
    """Claims as a Markdown table; with a second protocol (column ``run``: ``default`` and
    ``authors_code``), the two side by side per claim."""
    runs = list(dict.fromkeys(claims["run"])) if "run" in claims.columns else ["default"]
    default = claims[claims["run"] == "default"] if "run" in claims.columns else claims
    if len(runs) == 1:
        lines = ["| source | claim | decision rule | measured evidence | verdict |", "|---|---|---|---|---|"]
        lines += [f"| {r.source} | {_cell(r.claim)} | {_cell(r.rule)} | {_cell(r.evidence)} | "
                  f"{_cell(verdict_text(r.verdict, r.reason))} |" for r in default.itertuples()]
        return "\n".join(lines) + "\n"
    other = claims[claims["run"] == "authors_code"].set_index("key")
    lines = ["| source | claim | decision rule | ours: evidence | ours | authors' code: evidence | authors' code |",
             "|---|---|---|---|---|---|---|"]
    for r in default.itertuples():
        if r.key in other.index:
            o = other.loc[r.key]
            theirs = f"{_cell(o['evidence'])} | {_cell(verdict_text(o['verdict'], o['reason']))}"
        else:
            theirs = "not part of the protocol variant | "
        lines.append(f"| {r.source} | {_cell(r.claim)} | {_cell(r.rule)} | {_cell(r.evidence)} | "
                     f"{_cell(verdict_text(r.verdict, r.reason))} | {theirs} |")
    return "\n".join(lines) + "\n"


def authors_code_note(variant: dict) -> str:
    """Plain words on what the authors' FairInfl code trains, keyed on the ``authors_code`` variant."""
    overrides = ", ".join(f"{k} = {v}" for k, v in variant.items())
    return ("The authors' FairInfl code trains without its fairness term: in `UCSC-REAL/FairInfl` "
            "`metrics.constraints`, logits of shape (B, 1) and groups of shape (B,) broadcast to a (B, B) array inside "
            "`jnp.where`, so both “group means” are the same sum and the relaxed-DP term is ≈ 0; the score model, "
            "lfatr and every pruned retrain are effectively trained with λ = 0 (a test in tests/unit shows the effect "
            "on a tiny example in our own code). The column “authors' code” runs that protocol (config "
            f"`fairinfl.variants.authors_code`: {overrides}); “ours” follows the paper's text.")


# ----------------------------------------------------------------------------- run times
def runtime_section(runtime: pd.DataFrame, paper: pd.DataFrame, split_seconds: pd.DataFrame) -> str:
    """Our FairShap weight times next to the paper's (§5.5), each labelled by its machine.

    ``runtime`` is ``results/fairshap/runtime.csv``; ``split_seconds`` has dataset, protected,
    n_train, n_reference, splits, seconds_median, seconds_min, seconds_max and machine: the
    FairShap computation of one Table 2 split, as timed by the score job (no start-up or I/O).
    The median is reported because a job's first split also pays numba's compilation.
    """
    ours = runtime[(runtime["method"] == "fairshap") & runtime["seconds"].notna()]
    ours = ours.groupby(["n_features", "n_total"])["seconds"].agg(["mean", "std"]).reset_index()
    machine = runtime["machine"].dropna().iloc[0] if runtime["machine"].notna().any() else "unknown machine"
    lines = ["| what | rows | features | paper (s) | paper machine | ours (s) | our machine |",
             "|---|---|---|---|---|---|---|"]
    for r in paper.itertuples():
        name = r.what.split()[-1]
        if name == "synthetic":
            hit = ours[(ours["n_features"] == r.n_features) & (ours["n_total"] == r.n_total)]
            mine = (f"{hit['mean'].iloc[0]:.3g} ± {hit['std'].iloc[0]:.2g}" if len(hit)
                    else "not measured at this size")
            where = machine
        else:
            hit = split_seconds[split_seconds["dataset"].str.lower() == name.lower()]
            mine = "; ".join(f"median {h.seconds_median:.3g} (range {h.seconds_min:.2g}–{h.seconds_max:.2g}; "
                             f"{h.protected}: {h.n_train} training × {h.n_reference} reference rows, {h.splits} splits)"
                             for h in hit.itertuples()) or "no timing recorded (score jobs run before timing)"
            where = "; ".join(dict.fromkeys(hit["machine"])) if len(hit) else ""
        sd = "" if pd.isna(r.seconds_sd) else f" ± {r.seconds_sd:g}"
        lines.append(f"| {r.what} | {r.n_total} | {r.n_features} | {r.seconds_mean:g}{sd} | {r.machine} | {mine} | "
                     f"{where} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- decisions
def _lookup(config: dict, dotted: str):
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise DataError(f"decision config key {dotted!r}: no {part!r} in the run's config")
        node = node[part]
    return node


def decision_rows(decisions: list[dict], config: dict) -> pd.DataFrame:
    """One row per Decision: id, title, config key, our value, the authors' code value and
    ``differs`` (yes/no where both are known, else empty)."""
    rows = []
    for d in decisions:
        key = d.get("config")
        ours = _lookup(config, key) if key else ""
        compared = bool(key) and "authors" in d
        rows.append({"id": d["id"], "title": d["title"], "key": key or "fixed in code", "ours": ours,
                     "authors": d.get("authors", ""), "differs": ("yes" if ours != d["authors"] else "no") if compared
                     else "", "shown_in": d.get("shown_in", "not measured")})
    return pd.DataFrame(rows, columns=["id", "title", "key", "ours", "authors", "differs", "shown_in"])


def decisions_section(rows: pd.DataFrame) -> str:
    """The rows of :func:`decision_rows` as a Markdown table."""
    lines = ["| decision | what | config key | ours | authors' code | differs | effect shown in |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.id} | {_cell(r.title)} | {r.key} | {_cell(r.ours)} | {_cell(r.authors)} | {r.differs} | "
              f"{_cell(r.shown_in)} |" for r in rows.itertuples()]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- summary
def _counts(series: pd.Series) -> str:
    counts = series.value_counts()
    return ", ".join(f"{counts[v]} {v}" for v in (REPRODUCED, NOT_REPRODUCED, UNDETERMINED, "not run") if v in counts)


def summary_section(comparison: pd.DataFrame, counts: pd.DataFrame, claims: pd.DataFrame, decisions: pd.DataFrame,
                    ranking: pd.DataFrame | None, *, threshold: float, tolerance: float, flagged: str,
                    cross_methods=()) -> str:
    """Bullet summary of every section: the counts a reviewer looks at first.

    ``claims`` has a ``run`` column (``default``, ``authors_code``); ``flagged`` is the
    near-constant line; ``cross_methods`` are the labels of the cross-family rows.
    """
    by_method = comparison.groupby("paper_method")["verdict"].apply(lambda v: (v == "reproduced").sum())
    worst = by_method.sort_values().index[0]
    table2 = (f"- **FairShap Table 2:** ours (default recipe): {(comparison['verdict'] == 'reproduced').sum()} of "
              f"{len(comparison)} paper cells reproduced (|z| ≤ {threshold:g} combined standard errors); "
              f"{verdict_counts(comparison['verdict'])}. Fewest reproduced: {worst} ({by_method[worst]} of "
              f"{(comparison['paper_method'] == worst).sum()}).")
    if has_recipes(comparison):
        close, total = within_printed(comparison, tolerance=tolerance)
        table2 += (f" Authors' code: {(comparison['authors_verdict'] == 'reproduced').sum()} of {len(comparison)} "
                   f"reproduced ({verdict_counts(comparison['authors_verdict'])}); FairShap cells within "
                   f"{tolerance:g} of the printed mean: {close} of {total}.")
    default = claims[claims["run"] == "default"]
    table1 = default["key"].isin(TABLE1_CLAIMS)
    infl = f"- **FairInfl claims:** ours: {_counts(default.loc[~table1, 'verdict'])} of {int((~table1).sum())}"
    variant = claims[claims["run"] == "authors_code"]
    if len(variant):
        infl += f"; authors' code (Adult): {_counts(variant['verdict'])} of {len(variant)}"
    lines = [table2, f"- **Near-constant predictions:** {flagged}",
             f"- **Dataset counts (FairShap Table 7):** {_counts(counts['verdict'])} of {len(counts)} counts.",
             f"- **FairShap Table 1 (faces):** {_counts(default.loc[table1, 'verdict'])} of {int(table1.sum())} "
             "statements.", infl + "."]
    n_differ = int((decisions["differs"] == "yes").sum())
    lines.append(f"- **Decisions:** {n_differ} config options differ from the authors' code in this run "
                 "(section “Decisions and deviations”).")
    if ranking is not None:
        fairness = ranking[ranking["metric"].isin(["eop", "eodds"])]
        mean_rank = fairness.groupby("method")["rank"].mean().sort_values()
        n_methods = ranking["method"].nunique()
        lines.append(f"- **Cross-family ranking** (fairness columns, both aggregations, {n_methods} methods): best "
                     + ", ".join(f"{m} ({r:.1f})" for m, r in mean_rank.head(3).items())
                     + "; cross-family rows: " + ", ".join(f"{m} ({r:.1f})" for m, r in mean_rank.items()
                                                           if m in cross_methods) + ".")
    return "\n".join(lines) + "\n"


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
                 "builds them (README, “Image and text experiments”)")


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
    has_diagnostics = set(_DIAGNOSTICS) <= set(r.cells["metric"])
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
             f"Summary: {_counts(claims['verdict'])} of {len(claims)} statements.", "",
             "## FairShap Table 1 (faces; FairFace test split = official val, D13)", "",
             shown.to_markdown(index=False, floatfmt=".3f"), "",
             "## Statements", "", claims_section(claims)]
    figs = figures_section(figures)
    return "\n".join(_with_banner([*lines, *figs], fixture_banner(fixtures))) + "\n", claims
