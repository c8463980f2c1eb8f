"""Our tables against the papers' published numbers.

A cell is reproduced when the difference of the means is within two combined standard
errors: z = (ours - paper) / sqrt(se_ours² + se_paper²), |z| ≤ 2. The paper's ± in
Table 2 is a 95 % half-width (D15), so se_paper = ± / 1.96: the paper's own conversion, kept
as printed. Our ± (``ours_pm``) is the t-based half-width t(0.975, S − 1)·se_ours of
:func:`fairscore.metrics.aggregate`; z uses se_ours itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import LABEL, PROTECTED, group_label_counts

__all__ = ["PAPER_METHOD_NAMES", "TABLE7_NAMES", "compare_table2", "paper_named_counts", "summarise_comparison"]

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


def compare_table2(cells: pd.DataFrame, paper: pd.DataFrame, *, threshold: float = 2.0) -> pd.DataFrame:
    """Join our Table 2 cells (paper aggregation) with the paper's and give a verdict per cell.

    Parameters
    ----------
    cells : DataFrame
        Long format of :func:`fairscore.tables.table2_cells`.
    paper : DataFrame
        ``reference/fairshap_table2.csv``: dataset, protected, method, metric, mean, se
        (the printed ±), marker.

    Returns
    -------
    DataFrame
        One row per paper cell: ours and the paper's mean, ± (95 % half-width: ours
        t(0.975, S − 1)·se, the paper's as printed) and marker,
        the difference, z and ``verdict`` (``reproduced``, ``differs`` or ``not run``).
    """
    ours = cells[cells["variant"].isin(["paper", "mean"])].copy()
    ours["paper_method"] = ours["method"].map(lambda m: PAPER_METHOD_NAMES.get(m, m))
    merged = paper.rename(columns={"mean": "paper_mean", "se": "paper_pm", "marker": "paper_marker",
                                   "method": "paper_method"}).merge(
        ours[["dataset", "protected", "paper_method", "method", "metric", "mean", "se", "ci95", "marker"]],
        on=["dataset", "protected", "paper_method", "metric"], how="left")
    merged["difference"] = merged["mean"] - merged["paper_mean"]
    combined = np.sqrt(merged["se"] ** 2 + (merged["paper_pm"] / _Z95) ** 2)
    merged["z"] = merged["difference"] / combined
    merged["verdict"] = np.select([merged["mean"].isna(), merged["z"].abs() <= threshold],
                                  ["not run", "reproduced"], "differs")
    return merged.rename(columns={"mean": "ours_mean", "ci95": "ours_pm", "se": "ours_se", "marker": "ours_marker"})


def summarise_comparison(result: pd.DataFrame, *, threshold: float = 2.0) -> str:
    """Markdown: verdict counts overall, per method and per dataset, and the differing cells."""
    counts = result["verdict"].value_counts()
    lines = [f"# Table 2 against the paper: {counts.get('reproduced', 0)} of {len(result)} cells reproduced "
             f"(|z| ≤ {threshold:g}), {counts.get('differs', 0)} differ, {counts.get('not run', 0)} not run",
             "", "z = (ours − paper) / √(se_ours² + se_paper²), se_paper = printed ± / 1.96 (D15). "
             "EOp/EOdds use the paper's aggregation (|mean of signed gaps|).", ""]
    for by in ("paper_method", "dataset"):
        table = pd.crosstab(result[by], result["verdict"])
        lines += [f"## By {by.replace('paper_', '')}", "", table.to_markdown(), ""]
    differs = result[result["verdict"] == "differs"]
    lines += ["## Cells that differ", "", "| dataset | protected | method | metric | paper | ours | z |",
              "|---|---|---|---|---|---|---|"]
    for row in differs.itertuples():
        lines.append(f"| {row.dataset} | {row.protected} | {row.paper_method} | {row.metric} | "
                     f"{row.paper_mean:.3f} ± {row.paper_pm:.3f} | {row.ours_mean:.3f} ± {row.ours_pm:.3f} | "
                     f"{row.z:+.1f} |")
    return "\n".join(lines) + "\n"
