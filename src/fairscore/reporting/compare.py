"""Our tables against the papers' published numbers.

A cell is reproduced when the difference of the means is within two combined standard
errors: z = (ours - paper) / sqrt(se_ours² + se_paper²), |z| ≤ 2. The paper's ± in
Table 2 is a 95 % half-width (D15), so se_paper = ± / 1.96: the paper's own conversion, kept
as printed. Our ± (``ours_pm``) is the t-based half-width t(0.975, S − 1)·se_ours of
:func:`fairscore.protocols.metrics.aggregate`; z uses se_ours itself.
"""

from __future__ import annotations

import pandas as pd

from fairscore.datasets.tidy import LABEL, PROTECTED, group_label_counts
from fairscore.reporting.verdicts import cell_verdicts

__all__ = ["PAPER_METHOD_NAMES", "TABLE7_NAMES", "compare_table2", "has_recipes", "paper_named_counts", "recipe_note",
           "summarise_comparison", "verdict_counts", "within_printed"]

#: our method labels -> the names in the paper's Table 2 (where they differ)
PAPER_METHOD_NAMES = {"PostPro": "Postpro", "FairShap EOp": "FairShap phi_EOp",
                      "FairShap EOdds": "FairShap phi_EOdds"}
_Z95 = 1.96

#: AIF360's group and label names (tidy-table metadata) -> the names in the FairShap paper's Table 7
TABLE7_NAMES = {
    "Male": "male", "Female": "female", "Old": "age>25", "Young": "age<=25", "White": "white",
    "Non-white": "non-white", "Caucasian": "caucasian", "Not Caucasian": "non-caucasian",
    "Good Credit": "good", "Bad Credit": "bad", ">50K": ">50k", "<=50K": "<=50k",
    "Did recid.": "recid", "No recid.": "no_recid",
}


def paper_named_counts(frame: pd.DataFrame, meta: dict, *, dataset: str, protected: str) -> pd.DataFrame:
    """Row counts per (group, label) of a tidy table, in the names of the paper's Table 7."""
    counts = group_label_counts(frame)
    return pd.DataFrame({"dataset": dataset, "protected": protected,
                         "group": [TABLE7_NAMES[meta["group_names"][str(g)]] for g in counts[PROTECTED]],
                         "label": [TABLE7_NAMES[meta["label_names"][str(y)]] for y in counts[LABEL]],
                         "count": counts["count"].to_numpy()})


def _paper_cells(cells: pd.DataFrame, paper: pd.DataFrame, methods: pd.Series) -> pd.DataFrame:
    """Our cells of the given method per paper method (index: paper method name), joined to the paper's."""
    ours = cells[cells["variant"].isin(["paper", "mean"])]
    ours = ours[ours["method"].isin(set(methods))].copy()
    ours["paper_method"] = ours["method"].map({m: p for p, m in methods.items()})
    return paper.merge(ours[["dataset", "protected", "paper_method", "method", "metric", "mean", "se", "ci95",
                             "marker", "n_splits"]], on=["dataset", "protected", "paper_method", "metric"], how="left")


def compare_table2(cells: pd.DataFrame, paper: pd.DataFrame, *, threshold: float, recipes=None) -> pd.DataFrame:
    """Join our Table 2 cells (paper aggregation) with the paper's and give a verdict per cell,
    for our default method and for the authors'-code recipe of it.

    Parameters
    ----------
    cells : DataFrame
        Long format of :func:`fairscore.reporting.tables.table2_cells` (with ``n_splits``).
    paper : DataFrame
        ``reference/fairshap_table2.csv``: dataset, protected, method, metric, mean, se
        (the printed ±), marker.
    threshold : float
        Config ``report.threshold`` (:func:`fairscore.reporting.verdicts.cell_verdicts`).
    recipes : dict, optional
        Our default method label -> the label of the method whose ``recipe_of`` names it (the
        authors'-code recipe). A method without one is its own authors'-code value (the same
        code ran).

    Returns
    -------
    DataFrame
        One row per paper cell: the paper's mean, ± (95 % half-width, as printed) and marker; ours
        (``ours_*``, ``difference``, ``z``, ``verdict``; ± = t(0.975, S − 1)·se) and the authors'
        code's (``authors_*``) with their verdicts: ``reproduced``, ``differs``, ``undetermined``
        (NaN or fewer than two splits) or ``not run`` (method or pair not configured).
    """
    paper = paper.rename(columns={"mean": "paper_mean", "se": "paper_pm", "marker": "paper_marker",
                                  "method": "paper_method"}).reset_index(drop=True)
    default = pd.Series({PAPER_METHOD_NAMES.get(m, m): m for m in dict.fromkeys(cells["method"])}, dtype=object)
    default = default[default.index.isin(paper["paper_method"])]
    recipe = default.map(lambda m: (recipes or {}).get(m, m))
    out = paper.copy()
    for prefix, methods in (("ours", default), ("authors", recipe)):
        joined = _paper_cells(cells, paper, methods)
        z, verdict = cell_verdicts(joined["mean"], joined["se"], joined["n_splits"], joined["paper_mean"],
                                   joined["paper_pm"] / _Z95, threshold=threshold, configured=joined["method"].notna())
        out = out.assign(**{f"{prefix}_method": joined["method"], f"{prefix}_mean": joined["mean"],
                            f"{prefix}_se": joined["se"], f"{prefix}_pm": joined["ci95"],
                            f"{prefix}_marker": joined["marker"], f"{prefix}_n": joined["n_splits"],
                            f"{prefix}_difference": joined["mean"] - joined["paper_mean"], f"{prefix}_z": z,
                            f"{prefix}_verdict": verdict})
    return out.rename(columns={"ours_difference": "difference", "ours_z": "z", "ours_verdict": "verdict",
                               "ours_method": "method"})


def has_recipes(result: pd.DataFrame) -> bool:
    """Whether any paper cell's authors'-code column comes from a recipe method of its own."""
    return bool((result["authors_method"].notna() & (result["authors_method"] != result["method"])).any())


def within_printed(result: pd.DataFrame, *, tolerance: float, prefix: str = "authors") -> tuple[int, int]:
    """(FairShap cells whose ``prefix`` mean is within ``tolerance`` of the paper's printed mean, FairShap cells)."""
    fairshap = result[result["paper_method"].str.startswith("FairShap")]
    close = (fairshap[f"{prefix}_mean"] - fairshap["paper_mean"]).abs() <= tolerance + 1e-12
    return int(close.sum()), len(fairshap)


def verdict_counts(verdicts: pd.Series) -> str:
    """``n reproduced, n differs, ...`` in a fixed order."""
    counts = verdicts.value_counts()
    return ", ".join(f"{counts[v]} {v}" for v in ("reproduced", "differs", "undetermined", "not run") if v in counts)


_DATASET_NAMES = {"german": "German", "adult": "Adult", "compas": "COMPAS"}


def _recipe_key_name(key: str, keys) -> str:
    """A ``group_reweigh`` key in words: a dataset ("COMPAS", "COMPAS (other pairs)" when a pair of
    it has its own key) or a dataset_protected pair ("COMPAS–sex")."""
    if key in _DATASET_NAMES:
        own = any(k.startswith(f"{key}_") for k in keys)
        return _DATASET_NAMES[key] + (" (other pairs)" if own else "")
    dataset, _, protected = key.partition("_")
    return f"{_DATASET_NAMES.get(dataset, dataset)}–{protected}" if protected else key


def recipe_note(recipe_methods: dict) -> str:
    """Plain words on the recipes behind the paper's FairShap rows, from the recipe methods' config
    (``group_reweigh`` per dataset or pair); empty when no recipe method mixes the two (pure FairShap on
    some datasets, with group reweighing on others)."""
    parts = []
    for entry in recipe_methods.values():
        reweigh = entry.get("group_reweigh")
        if entry.get("kind") != "fairshap" or not isinstance(reweigh, dict):
            continue
        pure = [_recipe_key_name(d, reweigh) for d, on in reweigh.items() if not on]
        both = [_recipe_key_name(d, reweigh) for d, on in reweigh.items() if on]
        if pure and both:  # e.g. phi_acc's recipe is pure everywhere: not a mix
            parts.append((tuple(pure), tuple(both)))
    if not parts:
        return ""
    lines = [f"pure FairShap on {' and '.join(pure)}; FairShap with group reweighing (Kamiran–Calders weights "
             f"applied on top of the FairShap weights) on {' and '.join(both)}" for pure, both in dict.fromkeys(parts)]
    return ("The paper's Table 2 mixes two FairShap recipes of the authors' benchmark script: " + "; ".join(lines)
            + ". The column “authors' code” runs that recipe per pair; “ours” follows the paper's text "
            "(pure FairShap everywhere).")


def summarise_comparison(result: pd.DataFrame, *, threshold: float, tolerance: float, note: str = "") -> str:
    """Markdown: verdict counts per column (ours, authors' code), per method and per dataset, and
    the cells that differ."""
    recipes = has_recipes(result)
    columns = [("ours", "verdict", "ours_mean", "ours_pm", "z")]
    if recipes:
        columns.append(("authors' code", "authors_verdict", "authors_mean", "authors_pm", "authors_z"))
    head = "; ".join(f"{name}: {(result[v] == 'reproduced').sum()} of {len(result)} cells reproduced "
                     f"({verdict_counts(result[v])})" for name, v, *_ in columns)
    lines = [f"# Table 2 against the paper (|z| ≤ {threshold:g}): {head}", "",
             "z = (ours − paper) / √(se_ours² + se_paper²), se_paper = printed ± / 1.96 (D15). "
             "EOp/EOdds use the paper's aggregation (|mean of signed gaps|). “undetermined”: our cell is NaN or "
             "has fewer than two splits; “not run”: the method or pair is not in this run's config.", ""]
    if recipes:
        close, total = within_printed(result, tolerance=tolerance)
        lines += [f"FairShap cells of the authors'-code column within {tolerance:g} of the paper's printed mean: "
                  f"{close} of {total}.", ""]
    if recipes and note:
        lines += [note, ""]
    for name, v, *_ in columns:
        for by in ("paper_method", "dataset"):
            lines += [f"## {name}: by {by.replace('paper_', '')}", "", pd.crosstab(result[by], result[v]).to_markdown(),
                      ""]
    for name, v, mean, pm, z in columns:
        differs = result[result[v] == "differs"]
        lines += [f"## {name}: cells that differ", ""]
        if differs.empty:
            lines += ["None.", ""]
            continue
        lines += [f"| dataset | protected | method | metric | paper | {name} | z |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r.dataset} | {r.protected} | {r.paper_method} | {r.metric} | {r.paper_mean:.3f} ± "
                  f"{r.paper_pm:.3f} | {getattr(r, mean):.3f} ± {getattr(r, pm):.3f} | {getattr(r, z):+.1f} |"
                  for r in differs.itertuples()]
        lines.append("")
    return "\n".join(lines)
