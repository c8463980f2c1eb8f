"""The reproduction report's Markdown sections: each turns pipeline results (and the
papers' numbers under ``reference/``) into one section. Nothing here computes a model.
"""

from __future__ import annotations


import numpy as np
import pandas as pd


from fairscore.reporting.compare import has_recipes, verdict_counts, within_printed
from fairscore.errors import DataError
from fairscore.reporting.verdicts import (
    NOT_REPRODUCED,
    REPRODUCED,
    UNDETERMINED,
    near_constant,
    near_constant_rule,
    verdict_text,
)

__all__ = [
    "ADULT_CLAIMS",
    "DEEP_CLAIMS",
    "aggregation_section",
    "authors_code_note",
    "claims_section",
    "constant_predictor_section",
    "dataset_counts",
    "dataset_counts_section",
    "decision_rows",
    "decisions_section",
    "fairinfl_constant_section",
    "runtime_section",
    "summary_section",
    "table2_cells_section",
    "table2_columns_text",
]


#: the claims of each report, in order (rules in :data:`fairscore.reporting.claims.CLAIMS`)
ADULT_CLAIMS = ("adult_tradeoff", "adult_random", "adult_tracks", "adult_margin", "adult_anomaly")
TABLE1_CLAIMS = ("table1_eop", "table1_accuracy", "table1_men")
DEEP_CLAIMS = (*TABLE1_CLAIMS, "celeba_lowers", "celeba_tracks", "celeba_drop", "extremes", "jigsaw_lowers",
               "jigsaw_lfatr", "jigsaw_leads")
#: per-group positive-prediction rates and balanced accuracy (the constant-predictor diagnostics)
DIAGNOSTICS = ("pos_rate_a0", "pos_rate_a1", "balanced_accuracy")


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
    if not set(DIAGNOSTICS) <= set(wide.columns):
        return (rule + "\n\nNot available: this run's Table 2 has no " + ", ".join(
            c for c in DIAGNOSTICS if c not in wide.columns) + " columns.\n", 0)
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
    missing = [c for c in DIAGNOSTICS if c not in prune.columns or c not in baselines.columns]
    if missing:
        return f"Not available: the FairInfl runs have no {', '.join(missing)} columns.\n"
    columns = [*DIAGNOSTICS, "violation_abs"]
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

    ``cells`` is the long Table 2 (:func:`fairscore.reporting.tables.table2_cells`).
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
    paper's names, :data:`fairscore.reporting.compare.TABLE7_NAMES`).
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
            mine = "not measured at this size"
            if len(hit):
                std = hit["std"].iloc[0]
                mine = f"{hit['mean'].iloc[0]:.3g}" + (" (one run)" if pd.isna(std) else f" ± {std:.2g}")
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
def verdict_counts_text(series: pd.Series) -> str:
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
    infl = f"- **FairInfl claims:** ours: {verdict_counts_text(default.loc[~table1, 'verdict'])} of {int((~table1).sum())}"
    variant = claims[claims["run"] == "authors_code"]
    if len(variant):
        infl += f"; authors' code (Adult): {verdict_counts_text(variant['verdict'])} of {len(variant)}"
    lines = [table2, f"- **Near-constant predictions:** {flagged}",
             f"- **Dataset counts (FairShap Table 7):** {verdict_counts_text(counts['verdict'])} of {len(counts)} counts.",
             f"- **FairShap Table 1 (faces):** {verdict_counts_text(default.loc[table1, 'verdict'])} of {int(table1.sum())} "
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
