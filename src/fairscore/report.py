"""The reproduction report: what reproduced, what did not, by how much (issue 9).

Every function turns pipeline results (and the papers' published numbers under
``reference/``) into one Markdown section; :func:`markdown_to_html` makes the
self-contained HTML page. Nothing here computes a model: numbers come from the
results the rules wrote, and a missing experiment is stated as not run.
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

from .errors import DataError
from .fileio import atomic_path, write_csv
from .tables import mean_rank_table

__all__ = [
    "ReportInputs",
    "aggregation_section",
    "build_deep_report",
    "build_report",
    "captioned_figures",
    "dataset_counts",
    "dataset_counts_section",
    "decision_rows",
    "decisions_section",
    "extremes_claim",
    "fairinfl_claims",
    "fairinfl_claims_section",
    "figures_section",
    "markdown_to_html",
    "prune_claims",
    "runtime_section",
    "summary_section",
    "table1_claims",
    "table2_cells_section",
    "write_report",
]


def _cell(text) -> str:
    """Text safe inside a Markdown table cell (a literal | would split the cell)."""
    return str(text).replace("|", "\\|")


def _verdict(ok: bool) -> str:
    return "reproduced" if ok else "not reproduced"


# ----------------------------------------------------------------------------- Table 2
def table2_cells_section(comparison: pd.DataFrame) -> str:
    """Every paper cell of Table 2: paper and ours (mean ± 95 % half-width), difference, z, verdict."""
    lines = ["| dataset | protected | method | metric | paper | ours | difference | z | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    def marker(value) -> str:
        return value if isinstance(value, str) else ""

    for row in comparison.itertuples():
        ours = "not run" if pd.isna(row.ours_mean) else f"{row.ours_mean:.3f} ± {row.ours_pm:.3f}{marker(row.ours_marker)}"
        diff = "" if pd.isna(row.difference) else f"{row.difference:+.3f}"
        z = "" if pd.isna(row.z) else f"{row.z:+.1f}"
        paper = f"{row.paper_mean:.3f} ± {row.paper_pm:.3f}{marker(row.paper_marker)}"
        lines.append(f"| {row.dataset} | {row.protected} | {row.paper_method} | {row.metric} | {paper} | {ours} | "
                     f"{diff} | {z} | {row.verdict} |")
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
def _curves(prune: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard error and run count of accuracy and |violation| per (strategy, fraction)."""
    g = prune.groupby(["strategy", "fraction"])
    out = g[["accuracy", "violation_abs"]].agg(["mean", "sem", "count"])
    out.columns = [f"{a}_{b}" for a, b in out.columns]
    return out.reset_index()


def _curve_lookup(prune: pd.DataFrame):
    """(at, fractions): at(strategy, fraction, metric) is the (mean, standard error) of ``metric``
    over the runs; fractions are the kept fractions, ascending."""
    c = _curves(prune).set_index(["strategy", "fraction"])

    def at(strategy, f, col):
        return c.loc[(strategy, f), f"{col}_mean"], c.loc[(strategy, f), f"{col}_sem"]

    return at, sorted(prune["fraction"].unique())


_TRACKS_ACCURACY = "Above 20 % of the data, prune by fairness has accuracy similar to prune by accuracy."


def _tracks_accuracy(at, fractions, threshold: float) -> tuple[str, bool]:
    """Evidence and verdict of :data:`_TRACKS_ACCURACY` (Adult §6.2 and CelebA §6.3): every kept
    fraction above 0.2 within ``threshold`` combined standard errors."""
    gaps = [(f, _z(*at("fairness", f, "accuracy"), *at("accuracy", f, "accuracy"))) for f in fractions if f > 0.2]
    return ("z (fairness − accuracy) per kept fraction: " + ", ".join(f"{f:g}: {z:+.1f}" for f, z in gaps),
            bool(gaps) and all(abs(z) <= threshold for _, z in gaps))


def _z(a_mean, a_se, b_mean, b_se):
    se = np.sqrt(np.nan_to_num(a_se) ** 2 + np.nan_to_num(b_se) ** 2)
    return (a_mean - b_mean) / np.where(se > 0, se, np.nan)


def fairinfl_claims(prune: pd.DataFrame, baselines: pd.DataFrame, first_order: pd.DataFrame | None = None,
                    *, threshold: float = 2.0) -> pd.DataFrame:
    """The FairInfl paper's Adult claims (§6.2, App. C.3) checked on the measured runs.

    "Similar" means a difference within ``threshold`` combined standard errors over the
    runs; "lower"/"larger" means beyond it. Returns claim, source, evidence, verdict.
    """
    at, fractions = _curve_lookup(prune)
    base = baselines.groupby("method")[["accuracy", "violation_abs"]].agg(["mean", "sem"])
    rows = []

    def add(source, claim, evidence, ok):
        rows.append({"source": source, "claim": claim, "evidence": evidence, "verdict": _verdict(bool(ok))})

    small = [f for f in fractions if 0.1 <= f < 0.4]  # the paper sets the anomaly below 10 % apart
    large = [f for f in fractions if f > 0.2]
    strategies = set(prune["strategy"])
    if {"fairness", "random", "accuracy"} <= strategies and small and large:
        if "reduction" in base.index:
            r_acc, r_acc_se = base.loc["reduction", ("accuracy", "mean")], base.loc["reduction", ("accuracy", "sem")]
            r_v, r_v_se = base.loc["reduction", ("violation_abs", "mean")], base.loc["reduction", ("violation_abs", "sem")]
            similar = [f for f in fractions
                       if abs(_z(*at("fairness", f, "accuracy"), r_acc, r_acc_se)) <= threshold
                       and _z(*at("fairness", f, "violation_abs"), r_v, r_v_se) <= threshold]
            add("§6.2, Fig. 2(a)", "Prune by fairness has a similar fairness–accuracy trade-off to reduction.",
                f"reduction: accuracy {r_acc:.3f}, |violation| {r_v:.3f}; kept fractions where prune by fairness is "
                f"within {threshold:g} SE on accuracy and not worse on |violation|: "
                f"{', '.join(f'{f:g}' for f in similar) or 'none'}", similar)
        lo, hi = min(fractions), max(fractions)
        drop = _z(*at("random", lo, "accuracy"), *at("random", hi, "accuracy"))
        v_lo, v_hi = at("random", lo, "violation_abs")[0], at("random", hi, "violation_abs")[0]
        v_z = _z(*at("random", lo, "violation_abs"), *at("random", hi, "violation_abs"))
        add("§6.2, Fig. 2(b)(c)", "Random pruning keeps a high violation with a large accuracy drop as the data shrink.",
            f"random at {lo:g} vs {hi:g}: accuracy {at('random', lo, 'accuracy')[0]:.3f} vs "
            f"{at('random', hi, 'accuracy')[0]:.3f} (z = {drop:+.1f}); |violation| {v_lo:.3f} vs {v_hi:.3f} "
            f"(z = {v_z:+.1f})", drop < -threshold and not v_z < -threshold)
        add("§6.2, Fig. 2(b)", _TRACKS_ACCURACY, *_tracks_accuracy(at, fractions, threshold))
        lower = [(f, _z(*at("fairness", f, "violation_abs"), *at(other, f, "violation_abs")), other)
                 for f in small for other in ("random", "accuracy")]
        add("§6.2, Fig. 2(c)", "From 10 % to below 40 % of the data, prune by fairness lowers the violation by a "
            "large margin (compared with the other strategies).",
            "; ".join(f"{f:g} vs {o}: |violation| {at('fairness', f, 'violation_abs')[0]:.3f} vs "
                      f"{at(o, f, 'violation_abs')[0]:.3f} (z = {z:+.1f})" for f, z, o in lower),
            all(z < -threshold for _, z, _ in lower))
        tiny = [f for f in fractions if f < 0.1]
        if tiny:
            f = tiny[0]
            z = _z(*at("fairness", f, "violation_abs"), *at("fairness", 0.2 if 0.2 in fractions else hi, "violation_abs"))
            add("§6.2, Fig. 2(c)", "Below 10 % of the data, prune by fairness has an anomalously high violation.",
                f"|violation| at {f:g}: {at('fairness', f, 'violation_abs')[0]:.3f} vs at "
                f"{0.2 if 0.2 in fractions else hi:g}: "
                f"{at('fairness', 0.2 if 0.2 in fractions else hi, 'violation_abs')[0]:.3f} (z = {z:+.1f})", z > threshold)
    if first_order is not None and len(first_order) > 1:
        r = float(np.corrcoef(first_order["predicted"], first_order["real"])[0, 1])
        add("App. C.3, Fig. 5", "The first-order influence (Eq. 11) correlates with the real change at very close to 1.",
            f"Pearson r = {r:.6f} over {len(first_order)} (training, test) pairs", r >= 0.99)
    for source, claim in (("§6.3, Fig. 3", "CelebA: prune by fairness tracks prune by accuracy above 20 % and lowers "
                           "the violation as data shrink."),
                          ("§6.4, Fig. 4", "Jigsaw: prune by fairness performs like lfatr with a smaller spread."),
                          ("App. C.4, Fig. 6", "CelebA: the 20 highest-score images are balanced by sex (9 men, 11 "
                           "women), the 20 lowest skewed (17 men, 3 women).")):
        rows.append({"source": source, "claim": claim, "evidence": "not run here: needs CelebA / Jigsaw from outside "
                     "PyPI and a GPU; `snakemake deep` builds the figures (README, “Image and text experiments”)",
                     "verdict": "not run"})
    return pd.DataFrame(rows)


def fairinfl_claims_section(claims: pd.DataFrame) -> str:
    """The claims as a Markdown table."""
    lines = ["| source | claim | measured evidence | verdict |", "|---|---|---|---|"]
    lines += [f"| {r.source} | {_cell(r.claim)} | {_cell(r.evidence)} | {r.verdict} |" for r in claims.itertuples()]
    return "\n".join(lines) + "\n"


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
    return ", ".join(f"{counts[v]} {v}" for v in ("reproduced", "not reproduced", "differs", "not run") if v in counts)


def summary_section(comparison: pd.DataFrame, counts: pd.DataFrame, claims: pd.DataFrame, decisions: pd.DataFrame,
                    ranking: pd.DataFrame | None, *, threshold: float, cross_methods=()) -> str:
    """Bullet summary of every section: the counts a reviewer looks at first.

    ``cross_methods`` are the labels of the cross-family rows, named in the ranking line.
    """
    by_method = comparison.groupby("paper_method")["verdict"].apply(lambda v: (v == "reproduced").sum())
    worst = by_method.sort_values().index[0]
    lines = [f"- **FairShap Table 2:** {(comparison['verdict'] == 'reproduced').sum()} of {len(comparison)} paper "
             f"cells reproduced (|z| ≤ {threshold:g} combined standard errors); {_counts(comparison['verdict'])}. "
             f"Fewest reproduced: {worst} ({by_method[worst]} of {(comparison['paper_method'] == worst).sum()}).",
             f"- **Dataset counts (FairShap Table 7):** {_counts(counts['verdict'])} of {len(counts)} counts.",
             "- **FairShap Table 1 (faces):** not run here (needs CelebA, LFW and FairFace and a GPU; "
             "`snakemake fairshap_vision` builds `results/tables/table1.md` with the paper's rows beside ours).",
             f"- **FairInfl claims:** {_counts(claims['verdict'])} of {len(claims)}."]
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
    cross_methods: tuple = ()
    figures: tuple = ()               # (path relative to the report, caption) pairs
    threshold: float = 2.0


def build_report(r: ReportInputs) -> tuple[str, pd.DataFrame]:
    """The reproduction report as Markdown, and the FairInfl claims table it contains."""
    claims = fairinfl_claims(r.prune, r.baselines, r.first_order, threshold=r.threshold)
    decisions = decision_rows(r.decisions, r.config)
    comparison = r.comparison
    summary = summary_section(comparison, r.counts, claims, decisions, r.ranking, threshold=r.threshold,
                              cross_methods=r.cross_methods)
    by = {k: pd.crosstab(comparison[k], comparison["verdict"]).to_markdown() for k in ("paper_method", "dataset")}
    out = ["# Reproduction report: FairShap and FairInfl", "",
           "Every number below was computed by this pipeline from its own results; the papers' numbers come from "
           "`reference/` (transcribed, with their sources named there). Verdicts use |z| ≤ "
           f"{r.threshold:g}, z = (ours − paper) / √(se_ours² + se_paper²), se_paper = the printed ± / 1.96 (D15).",
           "", "## Summary", "", summary,
           "## 1. FairShap Table 2, cell by cell", "",
           "EOp/EOdds in the paper's aggregation (|mean of signed gaps|). ± is the 95 % half-width (D15).", "",
           "### By method", "", by["paper_method"], "", "### By dataset", "", by["dataset"], "",
           "### Every cell", "", table2_cells_section(comparison),
           "## 2. Aggregation of the fairness gaps", "", aggregation_section(r.cells),
           "## 3. Dataset counts", "", "### FairShap Table 7", "", dataset_counts_section(r.counts),
           "### FairShap Table 1 (faces)", "", "Not run here: the face data come from outside PyPI. With them in "
           "place, `snakemake fairshap_vision` writes `results/tables/table1.md`, ours beside the paper's rows.", "",
           "## 4. FairInfl claims", "", fairinfl_claims_section(claims),
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
def table1_claims(table1: pd.DataFrame) -> pd.DataFrame:
    """The FairShap paper's Table 1 statements (§5.1), checked on our Table 1 (one run each, no
    standard errors: the comparisons are of the measured numbers as they are)."""
    rows = table1.set_index("variant")
    fair, lfw = rows.loc["lfw_fairshap"], rows.loc["lfw"]
    out = []

    def add(claim, evidence, ok):
        out.append({"source": "FairShap §5.1, Table 1", "claim": claim, "evidence": evidence, "verdict": _verdict(ok)})

    add("Fine-tuning on LFWA with FairShap weights lowers EOp compared with unweighted LFWA.",
        f"EOp {fair['eop']:.3f} ({fair['training_set']}) vs {lfw['eop']:.3f} (LFWA); paper 0.03 vs 0.26",
        fair["eop"] < lfw["eop"])
    add("FairShap keeps (or improves) the accuracy of unweighted LFWA.",
        f"accuracy {fair['accuracy']:.3f} vs {lfw['accuracy']:.3f}; paper 0.799 vs 0.772", fair["accuracy"] >= lfw["accuracy"])
    biased = rows.loc[["celeba", "lfw"]]
    add("Models trained on the biased sets (CelebA, LFWA) favour men on FairFace (TPR women < TPR men).",
        "; ".join(f"{r.training_set}: {r.tpr_women:.3f} vs {r.tpr_men:.3f}" for r in biased.itertuples()),
        bool((biased["tpr_women"] < biased["tpr_men"]).all()))
    return pd.DataFrame(out)


def prune_claims(prune: pd.DataFrame, baselines: pd.DataFrame, *, dataset: str, threshold: float = 2.0) -> pd.DataFrame:
    """The FairInfl paper's CelebA (§6.3, Fig. 3) or Jigsaw (§6.4, Fig. 4) statements on the runs.

    As for Adult (:func:`fairinfl_claims`), "similar" is within ``threshold`` combined
    standard errors over the runs and "lower"/"higher" beyond it.
    """
    at, fractions = _curve_lookup(prune)
    lo = min([f for f in fractions if f >= 0.1] or fractions)  # as for Adult, below 10 % is set apart
    full = max(fractions)
    source = {"celeba": "FairInfl §6.3, Fig. 3", "jigsaw": "FairInfl §6.4, Fig. 4"}[dataset]
    out = []

    def add(claim, evidence, ok):
        out.append({"source": source, "claim": claim, "evidence": evidence, "verdict": _verdict(bool(ok))})

    z = _z(*at("fairness", lo, "violation_abs"), *at("fairness", full, "violation_abs"))
    add("Prune by fairness lowers the violation as the data shrink.",
        f"|violation| at {lo:g}: {at('fairness', lo, 'violation_abs')[0]:.3f} vs at {full:g}: "
        f"{at('fairness', full, 'violation_abs')[0]:.3f} (z = {z:+.1f})", z < -threshold)
    small = [f for f in fractions if f < 0.2]
    if dataset == "celeba":
        add(_TRACKS_ACCURACY, *_tracks_accuracy(at, fractions, threshold))
        if small and 0.2 in fractions:
            drop = _z(*at("fairness", small[0], "accuracy"), *at("fairness", 0.2, "accuracy"))
            add("With much less data, the accuracy of prune by fairness drops strikingly.",
                f"accuracy at {small[0]:g}: {at('fairness', small[0], 'accuracy')[0]:.3f} vs at 0.2: "
                f"{at('fairness', 0.2, 'accuracy')[0]:.3f} (z = {drop:+.1f})", drop < -threshold)
        return pd.DataFrame(out)
    lfatr = baselines[baselines["method"] == "lfatr"][["accuracy", "violation_abs"]].agg(["mean", "sem"])
    similar = [f for f in fractions
               if abs(_z(*at("fairness", f, "accuracy"), *lfatr["accuracy"])) <= threshold
               and abs(_z(*at("fairness", f, "violation_abs"), *lfatr["violation_abs"])) <= threshold]
    add("Prune by fairness performs like lfatr (Fig. 4(a)).",
        f"lfatr: accuracy {lfatr['accuracy']['mean']:.3f}, |violation| {lfatr['violation_abs']['mean']:.3f}; kept "
        f"fractions where prune by fairness is within {threshold:g} SE on both: "
        f"{', '.join(f'{f:g}' for f in similar) or 'none'}", similar)
    if small:
        leads = [(f, o, _z(*at("accuracy", f, "accuracy"), *at(o, f, "accuracy")))
                 for f in small for o in ("fairness", "random")]
        add("Below 20 % of the data, prune by accuracy keeps a higher accuracy than prune by fairness and random.",
            "; ".join(f"{f:g} vs {o}: z = {g:+.1f}" for f, o, g in leads), all(g > threshold for *_, g in leads))
    return pd.DataFrame(out)


def extremes_claim(extremes: pd.DataFrame) -> pd.DataFrame:
    """App. C.4: the lowest-score CelebA training images skew towards men more than the highest."""
    men = extremes.groupby("end")["z"].agg(["sum", "count"])
    top, bottom = men.loc["highest"], men.loc["lowest"]
    return pd.DataFrame([{
        "source": "FairInfl App. C.4, Fig. 6", "claim": "The lowest-score training images are skewed towards men; "
        "the highest-score ones are balanced by sex.",
        "evidence": f"highest {int(top['count'])}: {int(top['sum'])} men; lowest {int(bottom['count'])}: "
                    f"{int(bottom['sum'])} men; paper 9 of 20 and 17 of 20",
        "verdict": _verdict(bottom["sum"] / bottom["count"] > top["sum"] / top["count"])}])


def build_deep_report(table1: pd.DataFrame, celeba: tuple, jigsaw: tuple, extremes: pd.DataFrame, *,
                      figures=(), threshold: float = 2.0) -> tuple[str, pd.DataFrame]:
    """The image and text experiments against the papers: Table 1 and the FairInfl CelebA and
    Jigsaw statements. ``celeba`` and ``jigsaw`` are (prune runs, baselines with lfatr)."""
    claims = pd.concat([table1_claims(table1), prune_claims(*celeba, dataset="celeba", threshold=threshold),
                        extremes_claim(extremes), prune_claims(*jigsaw, dataset="jigsaw", threshold=threshold)],
                       ignore_index=True)
    columns = ["accuracy", "tpr_women", "tpr_men", "eop"]
    shown = table1[["training_set", *columns, *(f"paper_{c}" for c in columns)]]
    out = ["# Image and text experiments against the papers", "",
           "Every number was computed by this pipeline (`snakemake deep`); the papers' come from `reference/`. "
           "Table 1 is one run per row, so its statements compare the numbers as measured; the FairInfl "
           f"statements use |z| ≤ {threshold:g} standard errors over the runs as “similar”.", "",
           f"Summary: {_counts(claims['verdict'])} of {len(claims)} statements.", "",
           "## FairShap Table 1 (faces; FairFace test split = official val, D13)", "",
           shown.to_markdown(index=False, floatfmt=".3f"), "",
           "## Statements", "", fairinfl_claims_section(claims), *figures_section(figures)]
    return "\n".join(out) + "\n", claims
