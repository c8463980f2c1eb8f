"""FairShap Table 2: long-format cells with markers, and the paper-layout renderings.

The paper layout has one block per dataset; rows are methods; columns are accuracy,
macro-F1, EOp and EOdds for the sex attribute, then for age (German) or race (Adult,
COMPAS). Each cell prints mean ± the 95 % half-width t(0.975, S − 1)·SE over S splits
(D15) and the marker of D4. The
fairness columns are printed in both aggregations side by side: the paper's
|mean of signed gaps| and the mean of per-split absolute gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairscore.protocols.metrics import CI95_LABEL, HIGHER_IS_BETTER, aggregate, significance_markers

__all__ = ["mean_rank_table", "paper_layout_cells", "rank_methods", "render_latex", "render_markdown", "render_ranking",
           "table2_cells"]

_HEADERS = {"accuracy": "Acc", "macro_f1": "MF1", "macro_f1_ind": "MF1 (ind)", "balanced_accuracy": "BAcc",
            "eop": "EOp", "eodds": "EOdds"}
_VARIANT_SUFFIX = {"mean": "", "paper": "", "absolute": " (abs)"}


def table2_cells(per_split: pd.DataFrame, *, metrics: list[str], diagnostics: list[str] = (),
                 references: list[str] = ()) -> pd.DataFrame:
    """Aggregate per-split metrics of all (dataset, protected, method) into marked cells.

    ``per_split`` has columns dataset, protected, method, split and the metrics; the
    method order of its first appearance is the table order. Returns the long format
    dataset, protected, method, metric, variant, mean, sd, se, ci95, n_splits, marker.

    The ``metrics`` cells of the compared methods come first, marked against each column's
    best. Then, without markers: the ``metrics`` cells of the ``references`` (method labels
    such as the majority class, whose gaps are 0 by construction: they would be the best of
    every fairness column) and the ``diagnostics`` cells of every method.
    """
    keys = ["dataset", "protected", "method"]
    is_reference = per_split["method"].isin(references)
    compared = per_split[~is_reference]
    cells = aggregate(compared, keys=keys, metrics=metrics)
    cells["marker"] = significance_markers(compared, cells, column_keys=["dataset", "protected"])
    unmarked = [aggregate(per_split[is_reference], keys=keys, metrics=metrics),
                aggregate(per_split, keys=keys, metrics=list(diagnostics))]
    return pd.concat([cells, *(extra.assign(marker="") for extra in unmarked if len(extra))], ignore_index=True)


def paper_layout_cells(cells: pd.DataFrame, *, metrics: list[str], references: list[str] = ()) -> pd.DataFrame:
    """The cells the paper-layout tables show: ``metrics`` of every method but the ``references``."""
    return cells[cells["metric"].isin(metrics) & ~cells["method"].isin(references)]


def _columns(cells: pd.DataFrame) -> list[tuple[str, str]]:
    return list(dict.fromkeys(zip(cells["metric"], cells["variant"], strict=True)))


def _cell_text(row, digits: int) -> str:
    return f"{row['mean']:.{digits}f} ± {row['ci95']:.{digits}f}{row['marker']}"


def _blocks(cells: pd.DataFrame):
    """Yield (dataset, protected attributes, method order, lookup) per dataset block."""
    for dataset, block in cells.groupby("dataset", sort=False):
        protected = list(dict.fromkeys(block["protected"]))
        methods = list(dict.fromkeys(block["method"]))
        lookup = block.set_index(["protected", "method", "metric", "variant"])
        yield dataset, protected, methods, lookup


def render_markdown(cells: pd.DataFrame, *, digits: int = 3) -> str:
    """Table 2 as Markdown, one table per dataset."""
    columns = _columns(cells)
    out = [f"# Table 2 (FairShap): mean ± {CI95_LABEL}; ‡ p < 0.01, † p < 0.05 "
           "(paired t-test against the column's best method). EOp/EOdds: the paper's |mean of signed "
           "gaps|; (abs): mean of per-split absolute gaps.", ""]
    for dataset, protected, methods, lookup in _blocks(cells):
        header = ["Method"] + [f"{p}: {_HEADERS[m]}{_VARIANT_SUFFIX[v]}" for p in protected for m, v in columns]
        out += [f"## {dataset}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for method in methods:
            texts = [_cell_text(lookup.loc[(p, method, m, v)], digits) for p in protected for m, v in columns]
            out.append("| " + " | ".join([method, *texts]) + " |")
        out.append("")
    return "\n".join(out)


def render_latex(cells: pd.DataFrame, *, digits: int = 3) -> str:
    """Table 2 as a LaTeX ``tabular`` (booktabs), one block per dataset."""
    columns = _columns(cells)
    width = 1 + 2 * len(columns)
    lines = [r"\begin{tabular}{l" + "c" * (width - 1) + "}", r"\toprule"]
    for dataset, protected, methods, lookup in _blocks(cells):
        lines.append(rf"\multicolumn{{{width}}}{{l}}{{\textbf{{{dataset}}}}} \\")
        header = ["Method"] + [f"{p}: {_HEADERS[m]}{_VARIANT_SUFFIX[v]}" for p in protected for m, v in columns]
        lines += [" & ".join(header) + r" \\", r"\midrule"]
        for method in methods:
            texts = [_cell_text(lookup.loc[(p, method, m, v)], digits).replace("±", r"$\pm$")
                     .replace("‡", r"$^\ddagger$").replace("†", r"$^\dagger$")
                     for p in protected for m, v in columns]
            lines.append(" & ".join([method.replace("_", r"\_"), *texts]) + r" \\")
        lines.append(r"\midrule")
    lines[-1] = r"\bottomrule"
    lines.append(r"\end{tabular}")
    return "\n".join(lines) + "\n"


def rank_methods(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` with ``rank``: 1 = best method of its (dataset, protected, metric, variant) column.

    Higher is better for accuracy-type metrics, lower for the fairness gaps; equal means
    share the lowest rank. The marker of each cell (paired t-test against the column's
    best, D4) comes along unchanged.
    """
    key = np.where(cells["metric"].isin(HIGHER_IS_BETTER), -cells["mean"], cells["mean"])
    rank = cells.assign(_key=key).groupby(["dataset", "protected", "metric", "variant"], sort=False)["_key"]
    return cells.assign(rank=rank.rank(method="min").astype(int), marker=cells["marker"].fillna(""))


def _column_name(metric: str, variant: str) -> str:
    return f"{_HEADERS[metric]}{_VARIANT_SUFFIX[variant]}"


def render_ranking(ranked: pd.DataFrame, *, digits: int = 3) -> str:
    """Markdown: per (dataset, protected) each method's value (rank) and marker in every column,
    its mean rank; then every method's mean rank per column over all pairs."""
    columns = _columns(ranked)
    names = [_column_name(m, v) for m, v in columns]
    out = ["# All methods ranked per dataset and protected attribute", "",
           "Each cell: mean over splits (rank among the methods; 1 = best) and the paired t-test marker against "
           "the column's best (‡ p < 0.01, † p < 0.05). EOp/EOdds: the paper's |mean of signed gaps|; (abs): the "
           "mean of per-split absolute gaps. Mean rank: over the columns of the row.", ""]
    for (dataset, protected), block in ranked.groupby(["dataset", "protected"], sort=False):
        lookup = block.set_index(["method", "metric", "variant"])
        out += [f"## {dataset} – {protected}", "", "| Method | " + " | ".join(names) + " | mean rank |",
                "|" + "---|" * (len(names) + 2)]
        for method in dict.fromkeys(block["method"]):
            cells = [lookup.loc[(method, m, v)] for m, v in columns]
            texts = [f"{c['mean']:.{digits}f} ({c['rank']}){c['marker']}" for c in cells]
            mean_rank = np.mean([c["rank"] for c in cells])
            out.append(f"| {method} | " + " | ".join(texts) + f" | {mean_rank:.1f} |")
        out.append("")
    out += ["## Mean rank over all pairs", "", mean_rank_table(ranked), ""]
    return "\n".join(out)


def mean_rank_table(ranked: pd.DataFrame) -> str:
    """Markdown: every method's rank per column averaged over the (dataset, protected) pairs, and
    its mean over the columns, best first."""
    overall = ranked.pivot_table(index="method", columns=["metric", "variant"], values="rank", sort=False)
    overall = overall[[c for c in _columns(ranked) if c in overall.columns]]
    overall.columns = [_column_name(m, v) for m, v in overall.columns]
    overall["mean rank"] = overall.mean(axis=1)
    return overall.sort_values("mean rank").round(2).to_markdown()
