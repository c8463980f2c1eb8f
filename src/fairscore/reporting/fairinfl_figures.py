"""FairInfl's figures: the pruning curves (paper Figs. 2–4), the image grids, the first-order
check, the toy example and the sensitivity panel, each drawn from the tidy table written
next to it.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fairscore.reporting.figures import METRIC_LABELS, MARKERS, palette, apply_style

__all__ = [
    "fairinfl_figure",
    "fairinfl_summary",
    "first_order_figure",
    "image_grid_figure",
    "toy_figure",
]


# ----------------------------------------------------------------------------- FairInfl
_STRATEGY_LABELS = {"random": "random", "fairness": "prune by fairness", "accuracy": "prune by accuracy",
                    "fairshap": "prune by FairShap"}


def fairinfl_summary(prune: pd.DataFrame, baselines: pd.DataFrame) -> pd.DataFrame:
    """The data of :func:`fairinfl_figure`: mean and sd over runs of accuracy and the violation,
    per (strategy, fraction) of ``prune`` and per method of ``baselines``, columns ``<metric>_<stat>``."""
    metrics = ["accuracy", "violation", "violation_abs"]
    summary = pd.concat([
        prune.groupby(["strategy", "fraction"])[metrics].agg(["mean", "std"]).reset_index(),
        baselines.groupby("method")[metrics].agg(["mean", "std"]).reset_index(),
    ], ignore_index=True)
    summary.columns = ["_".join(c).rstrip("_") for c in summary.columns]
    return summary


def fairinfl_figure(prune: pd.DataFrame, baselines: pd.DataFrame):
    """Fig. 2: (a) accuracy against |violation| for ERM, lfatr, reduction and prune by fairness at
    every fraction; (b) accuracy and (c) |violation| against the kept fraction, mean ± sd over runs."""
    apply_style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    strategies = list(dict.fromkeys(prune["strategy"]))
    colours = palette([_STRATEGY_LABELS[s] for s in strategies] + list(dict.fromkeys(baselines["method"])))
    ax = axes[0]
    for i, (method, rows) in enumerate(baselines.groupby("method", sort=False)):
        ax.errorbar(rows["violation_abs"].mean(), rows["accuracy"].mean(), xerr=rows["violation_abs"].std(),
                    yerr=rows["accuracy"].std(), fmt=MARKERS[(i + 3) % len(MARKERS)], color=colours[method],
                    label=method, markersize=8, capsize=2)
    fair = prune[prune["strategy"] == "fairness"].groupby("fraction")[["accuracy", "violation_abs"]].mean()
    ax.plot(fair["violation_abs"], fair["accuracy"], marker="o", color=colours["prune by fairness"],
            label="prune by fairness (each kept fraction)")
    for fraction, row in fair.iterrows():
        ax.annotate(f"{fraction:g}", (row["violation_abs"], row["accuracy"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel("|DP violation| |P(ŷ=1|z=1) − P(ŷ=1|z=0)|")
    ax.set_ylabel("Test accuracy (fraction correct)")
    ax.set_title("(a) accuracy vs violation (mean over runs)")
    ax.legend(fontsize=7)
    for ax, metric, title in ((axes[1], "accuracy", "(b) test accuracy"), (axes[2], "violation_abs", "(c) |DP violation|")):
        for i, strategy in enumerate(strategies):
            stats = prune[prune["strategy"] == strategy].groupby("fraction")[metric].agg(["mean", "std"])
            label = _STRATEGY_LABELS[strategy]
            ax.plot(stats.index, stats["mean"], marker=MARKERS[i], color=colours[label], label=label)
            ax.fill_between(stats.index, stats["mean"] - stats["std"].fillna(0), stats["mean"] + stats["std"].fillna(0),
                            color=colours[label], alpha=0.2, linewidth=0)
        ax.set_xlabel("Kept fraction of the training set")
        ax.set_ylabel(METRIC_LABELS["accuracy"] if metric == "accuracy" else "|DP violation| (difference of rates)")
        ax.set_title(f"{title} (mean ± sd over runs)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def image_grid_figure(images: list, titles: list[str], *, rows: int, row_labels: list[str]):
    """Images (H × W × 3 uint8 arrays) in a grid of ``rows`` rows, each titled; ``row_labels``
    name the rows (one label per block of equal size)."""
    columns = -(-len(images) // rows)
    fig, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.4 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, title in zip(axes.ravel(), images, titles, strict=False):
        ax.imshow(image)
        ax.set_title(title, fontsize=6)
    per_label = rows // len(row_labels)
    for k, label in enumerate(row_labels):
        axes[k * per_label, 0].text(-0.15, 0.5, label, transform=axes[k * per_label, 0].transAxes, rotation=90,
                                    ha="right", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def first_order_figure(pairs: pd.DataFrame, *, pearson: float):
    """App. C.3 Fig. 5: real against predicted one-step change, identity line, Pearson r in the title."""
    apply_style()
    fig, ax = plt.subplots(figsize=(5, 4.6))
    ax.scatter(pairs["predicted"], pairs["real"], s=8, alpha=0.6, color=sns.color_palette("colorblind")[0])
    lo = min(pairs["predicted"].min(), pairs["real"].min())
    hi = max(pairs["predicted"].max(), pairs["real"].max())
    ax.plot([lo, hi], [lo, hi], color="black", linestyle="--", linewidth=1, label="identity")
    ax.set_xlabel("Predicted change of f(x_test) (first order, logit units)")
    ax.set_ylabel("Real change of f(x_test) after one step (logit units)")
    ax.set_title(f"{len(pairs)} (train, test) pairs, Pearson r = {pearson:.6f}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def toy_figure(points: pd.DataFrame, models: pd.DataFrame):
    """Fig. 1: the four 1-D cells with both thresholds, and |S(i)| against x with the dropped points."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    cells = points.assign(cell=[f"z={z}, y={'+1' if y else '−1'}" for z, y in zip(points["z"], points["y"], strict=True)])
    order = sorted(cells["cell"].unique())
    sns.histplot(cells, x="x", hue="cell", hue_order=order, bins=60, element="step", ax=axes[0],
                 palette=palette(order))
    for (_, m), style in zip(models.iterrows(), ("-", "--"), strict=True):
        axes[0].axvline(m["threshold"], color="black", linestyle=style,
                        label=f"threshold, {m['model']}: |DP violation| {m['violation_abs']:.3f}")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles + axes[0].get_legend().legend_handles, labels + order, fontsize=7)
    axes[0].set_xlabel("x (feature units)")
    axes[0].set_ylabel("Points (count)")
    axes[0].set_title("Four Gaussian cells and the decision thresholds")
    colours = palette(["z = 0", "z = 1"])
    for z in (0, 1):
        sel = points[points["z"] == z]
        axes[1].scatter(sel["x"], sel["score"].abs(), s=4, color=colours[f"z = {z}"], label=f"z = {z}")
    dropped = points[points["dropped"]]
    axes[1].scatter(dropped["x"], dropped["score"].abs(), s=10, facecolors="none", edgecolors="black",
                    linewidths=0.5, label="lowest |S|, weighted 0")
    axes[1].set_xlabel("x (feature units)")
    axes[1].set_ylabel("|S(i)| (DP influence, Eq. 35)")
    axes[1].set_title("Fairness influence against x")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def sensitivity_figure(summary: pd.DataFrame):
    """The FairInfl sensitivity panel: prune by fairness minus random (same run) in |DP violation|
    (left) and test accuracy (right) against the kept fraction, one line per protocol variant,
    mean ± standard error over the runs (``summary``: :func:`fairscore.fairinfl.variants.sensitivity_summary`
    with a ``description`` column)."""
    apply_style()
    variants = list(dict.fromkeys(summary["variant"]))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4 + 0.25 * math.ceil(len(variants) / 2)))
    colours = palette(variants)
    for ax, metric, label in ((axes[0], "violation_abs", "|DP violation|: fairness − random"),
                              (axes[1], "accuracy", "Test accuracy: fairness − random")):
        for i, variant in enumerate(variants):
            rows = summary[summary["variant"] == variant]
            ax.errorbar(rows["fraction"] + (i - (len(variants) - 1) / 2) * 0.003, rows[f"difference_{metric}_mean"],
                        yerr=rows[f"difference_{metric}_se"].fillna(0), marker=MARKERS[i % len(MARKERS)],
                        color=colours[variant], capsize=2, label=f"{variant}: {rows['description'].iloc[0]}")
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xlabel("Kept fraction of the training set")
        ax.set_ylabel(f"{label} (paired by run)")
        ax.set_title(f"{label} (mean ± SE over runs)")
    handles, labels = axes[0].get_legend_handles_labels()
    rows = math.ceil(len(labels) / 2)
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.03 + 0.035 * rows, 1, 1))
    return fig


def sensitivity_caption(summary: pd.DataFrame, *, claim_fractions) -> str:
    """Caption of :func:`sensitivity_figure`: the variants, the decision rule and, computed from
    ``summary``, which variants (if any) rescue the claim that prune by fairness beats random."""
    runs = sorted(set(summary["runs"]))
    verdicts = summary.drop_duplicates("variant").set_index("variant")["rescues_claim"]
    described = "; ".join(f"{v} ({d})" for v, d in summary.drop_duplicates("variant")[["variant", "description"]]
                          .itertuples(index=False))
    rescued = [v for v, r in verdicts.items() if r == "yes"]
    open_ = [v for v, r in verdicts.items() if r == "undetermined"]
    outcome = (f"Variants that rescue the claim: {', '.join(rescued)}." if rescued
               else "No variant rescues the claim.")
    if open_:
        outcome += f" Undetermined (fewer than two runs): {', '.join(open_)}."
    claim = ", ".join(f"{f:g}" for f in claim_fractions)
    return (f"FairInfl Adult sensitivity panel: prune by fairness minus prune at random, paired by run, in the "
            f"absolute DP violation (left; below 0 = fairness pruning is fairer) and in test accuracy (right), "
            f"mean ± standard error over {'/'.join(str(r) for r in runs)} runs, per protocol variant: {described}. "
            f"Decision rule: a variant rescues the paper's claim (prune by fairness lowers the violation below "
            f"random) when at every kept fraction in {{{claim}}} the mean difference plus two standard errors is "
            f"below 0. {outcome}")
