"""FairShap's figures: the trade-off, weight, α-curve, ablation, run-time, synthetic and
face-image figures, each drawn from the tidy table written next to it.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fairscore.reporting.figures import METRIC_LABELS, MARKERS, legend_right, pair_title, palette, apply_style

__all__ = [
    "ablation_figure",
    "alpha_figure",
    "runtime_figure",
    "synthetic_tpr_tnr_figure",
    "synthetic_weights_figure",
    "tradeoff_figure",
    "vision_projection_figure",
    "vision_weights_figure",
    "weights_figure",
]


def _cell(cells: pd.DataFrame, metric: str, aggregation: str) -> pd.DataFrame:
    variant = aggregation if metric in ("eop", "eodds") else "mean"
    return cells[(cells["metric"] == metric) & (cells["variant"] == variant)]


def tradeoff_figure(cells: pd.DataFrame, *, aggregation: str = "paper"):
    """Fig. 5: per pair, macro-F1 and accuracy against EOdds and EOp, mean ± standard error.

    ``cells`` is :func:`fairscore.protocols.metrics.aggregate` over (dataset, protected, method).
    """
    apply_style()
    pairs = list(dict.fromkeys(zip(cells["dataset"], cells["protected"], strict=True)))
    methods = list(dict.fromkeys(cells["method"]))
    colours = palette(methods)
    panels = [("macro_f1", "eodds"), ("macro_f1", "eop"), ("accuracy", "eodds"), ("accuracy", "eop")]
    fig, axes = plt.subplots(len(pairs), len(panels), figsize=(3.2 * len(panels), 2.7 * len(pairs)), squeeze=False)
    for r, (dataset, protected) in enumerate(pairs):
        here = cells[(cells["dataset"] == dataset) & (cells["protected"] == protected)]
        for c, (utility, gap) in enumerate(panels):
            ax = axes[r, c]
            ys, xs = _cell(here, utility, aggregation).set_index("method"), _cell(here, gap, aggregation).set_index("method")
            for i, method in enumerate(methods):
                if method not in ys.index or method not in xs.index:
                    continue
                ax.errorbar(xs.at[method, "mean"], ys.at[method, "mean"], xerr=xs.at[method, "se"],
                            yerr=ys.at[method, "se"], fmt=MARKERS[i % len(MARKERS)], color=colours[method],
                            label=method, markersize=6, capsize=2)
            ax.set_xlabel(METRIC_LABELS[gap])
            ax.set_ylabel(METRIC_LABELS[utility])
            ax.set_title(pair_title(dataset, protected))
    legend_right(fig, axes, title="Method\n(mean ± s.e. over splits)", aggregation=aggregation)
    return fig


def weights_figure(frame: pd.DataFrame, *, columns: dict[str, str], group_names: dict, label_names: dict,
                   legend_title: str):
    """Fig. 6: histograms of the weights in ``columns`` (column -> title) by (group, label).

    ``group_names`` and ``label_names`` map the codes (as strings) to the names in the legend.
    """
    apply_style()
    frame = frame.assign(cell=[f"{group_names[str(g)]}, {label_names[str(y)]}"
                               for g, y in zip(frame["group"], frame["label"], strict=True)])
    order = sorted(frame["cell"].unique())
    fig, axes = plt.subplots(1, len(columns), figsize=(5.2 * len(columns), 3.6), squeeze=False)
    for ax, (column, title) in zip(axes[0], columns.items(), strict=True):
        sns.histplot(frame, x=column, hue="cell", hue_order=order, bins=30, element="step", stat="count",
                     common_bins=True, ax=ax, palette=palette(order))
        ax.get_legend().set_title(legend_title)
        ax.set_xlabel(f"{title} weight (normalised, mean 1)")
        ax.set_ylabel("Training examples (count)")
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _curves(cells: pd.DataFrame, *, x: str, band: str, metrics: list[str], aggregation: str, reference=None,
            xlabel: str, legend_title: str):
    pairs = list(dict.fromkeys(zip(cells["dataset"], cells["protected"], strict=True)))
    methods = list(dict.fromkeys(cells["method"]))
    colours = palette(methods + (["GBC"] if reference is not None else []))
    fig, axes = plt.subplots(len(pairs), len(metrics), figsize=(3.2 * len(metrics), 2.6 * len(pairs)), squeeze=False)
    for r, (dataset, protected) in enumerate(pairs):
        for c, metric in enumerate(metrics):
            ax = axes[r, c]
            here = _cell(cells[(cells["dataset"] == dataset) & (cells["protected"] == protected)], metric, aggregation)
            for i, method in enumerate(methods):
                line = here[here["method"] == method].sort_values(x)
                ax.plot(line[x], line["mean"], marker=MARKERS[i % len(MARKERS)], color=colours[method], label=method)
                ax.fill_between(line[x], line["mean"] - line[band], line["mean"] + line[band], color=colours[method],
                                alpha=0.2, linewidth=0)
            if reference is not None:
                ref = _cell(reference[(reference["dataset"] == dataset) & (reference["protected"] == protected)],
                            metric, aggregation)
                if len(ref):
                    ax.axhline(ref["mean"].iloc[0], color=colours["GBC"], linestyle="--", label="GBC (unweighted)")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(METRIC_LABELS[metric])
            ax.set_title(pair_title(dataset, protected))
    legend_right(fig, axes, title=legend_title, aggregation=aggregation)
    return fig


def alpha_figure(cells: pd.DataFrame, *, metrics: list[str], aggregation: str = "paper"):
    """Fig. 7: metrics against α, mean ± the t-based 95 % half-width ``ci95`` over the splits (column ``alpha``)."""
    apply_style()
    return _curves(cells, x="alpha", band="ci95", metrics=metrics, aggregation=aggregation,
                   xlabel="α (0 = unweighted, 1 = FairShap weights)", legend_title="Method\n(mean ± 95 % half-width, t)")


def ablation_figure(cells: pd.DataFrame, reference: pd.DataFrame, *, metrics: list[str], aggregation: str = "paper"):
    """Fig. 8: metrics against the reference fraction, mean ± sd over repeats; GBC dashed."""
    apply_style()
    return _curves(cells, x="fraction", band="sd", metrics=metrics, aggregation=aggregation, reference=reference,
                   xlabel="Reference size (share of validation split)", legend_title="Method\n(mean ± sd over repeats)")


def runtime_figure(summary: pd.DataFrame, paper: pd.DataFrame, *, n_features: int, machine: str):
    """Fig. 10: seconds against rows (log–log), per method at ``n_features``, and FairShap per
    feature count with the paper's timings as reference points."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    methods = list(dict.fromkeys(summary["label"]))
    colours = palette(methods)
    main = summary[summary["n_features"] == n_features]
    for i, method in enumerate(methods):
        line = main[main["label"] == method].sort_values("n_total")
        axes[0].errorbar(line["n_total"], line["mean"], yerr=line["sd"], marker=MARKERS[i % len(MARKERS)],
                         color=colours[method], label=method, capsize=2)
    axes[0].set_title(f"Weights for each method, {n_features} features ({machine})")
    fairshap = summary[summary["method"] == "fairshap"]
    counts = sorted(fairshap["n_features"].unique())
    fcolours = palette([f"{f} features" for f in counts] + ["paper"])
    for i, f in enumerate(counts):
        line = fairshap[fairshap["n_features"] == f].sort_values("n_total")
        axes[1].errorbar(line["n_total"], line["mean"], yerr=line["sd"], marker=MARKERS[i % len(MARKERS)],
                         color=fcolours[f"{f} features"], label=f"ours, {f} features", capsize=2)
    if len(paper):
        axes[1].scatter(paper["n_total"], paper["seconds_mean"], marker="*", s=120, color=fcolours["paper"],
                        zorder=3, label=f"paper, {paper['machine'].iloc[0]}")
        for _, row in paper.iterrows():
            name = row["what"].split()[-1]
            # synthetic points label below-right, the Table 2 datasets above-left, so neighbours do not overlap
            offset, align = ((4, -9), "left") if name == "synthetic" else ((-4, 5), "right")
            axes[1].annotate(f"{name}, {row['n_features']} f.", (row["n_total"], row["seconds_mean"]),
                             fontsize=7, xytext=offset, ha=align, textcoords="offset points")
    axes[1].set_title(f"FairShap weights by feature count ({machine} vs paper)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("Dataset size (rows, 80 % training / 20 % reference)")
        ax.set_ylabel("Time to compute the weights (s)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def synthetic_tpr_tnr_figure(points: pd.DataFrame):
    """Fig. 11: training points of two Gaussian classes coloured by φ_TPR and φ_TNR."""
    apply_style()
    train = points[points["part"] == "train"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, (column, title) in zip(axes, (("tpr", "φ_TPR"), ("tnr", "φ_TNR")), strict=True):
        limits = {"vmin": train[column].min(), "vmax": train[column].max(), "cmap": "viridis", "s": 16}
        for label, marker, name in ((1, "o", "positive class (y = 1)"), (0, "X", "negative class (y = 0)")):
            sel = train[train["label"] == label]
            mappable = ax.scatter(sel["x0"], sel["x1"], c=sel[column], marker=marker, label=name, **limits)
        fig.colorbar(mappable, ax=ax, label=f"{title} (Shapley value of the rate)")
        ax.set_title(f"Training points coloured by {title}")
        ax.set_xlabel("x₀ (feature units)")
        ax.set_ylabel("x₁ (feature units)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def synthetic_weights_figure(points: pd.DataFrame, models: pd.DataFrame):
    """Fig. 12: points sized by weight, top points ringed, logistic-regression boundaries."""
    apply_style()
    train = points[points["part"] == "train"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    lo, hi = train[["x0", "x1"]].min().to_numpy(), train[["x0", "x1"]].max().to_numpy()
    xs = np.linspace(lo[0], hi[0], 50)
    styles = {"none": ("black", "-", "unweighted"), "eop": ("#0072B2", "--", "φ_EOp weights"),
              "eodds": ("#CC79A7", ":", "φ_EOdds weights")}
    for ax, (weighting, title) in zip(axes, (("eop", "φ_EOp"), ("eodds", "φ_EOdds")), strict=True):
        size = 4 + 30 * train[f"w_{weighting}"] / train[f"w_{weighting}"].max()
        for group, marker in ((1, "^"), (0, "x")):
            for label, colour in ((1, "#009E73"), (0, "#D55E00")):
                sel = (train["group"] == group) & (train["label"] == label)
                ax.scatter(train.loc[sel, "x0"], train.loc[sel, "x1"], s=size[sel], color=colour, alpha=0.5,
                           marker=marker, label=f"{'privileged' if group else 'unprivileged'}, "
                                                f"{'favourable' if label else 'unfavourable'}")
        top = train[train[f"top_{weighting}"]]
        ax.scatter(top["x0"], top["x1"], s=40, facecolors="none", edgecolors="#009E73", linewidths=1.2,
                   label=f"top {len(top)} by {title} weight")
        for _, m in models.iterrows():
            colour, style, name = styles[m["weighting"]]
            if m["coef1"] != 0:
                ax.plot(xs, -(m["coef0"] * xs + m["intercept"]) / m["coef1"], color=colour, linestyle=style,
                        label=f"LR {name}: acc {m['accuracy']:.3f}, EOp {m['eop_abs']:.3f}, EOdds {m['eodds_abs']:.3f}")
        ax.set_ylim(lo[1], hi[1])
        ax.set_title(f"Point size ∝ {title} weight")
        ax.set_xlabel("x₀ (feature units)")
        ax.set_ylabel("x₁ (feature units)")
        ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- FairShap faces (Table 1)
_SEX = {0: ("women", "#D55E00"), 1: ("men", "#0072B2")}


def vision_weights_figure(frame: pd.DataFrame, images: np.ndarray, top: pd.DataFrame, *, valuation: str):
    """Paper Fig. 3: histograms of the φ_acc and FairShap weights of the LFW training images by sex
    (``frame``: y, w_acc, w_<valuation>), and the ``top`` images (uint8, (n, 3, h, w)) with the largest φ."""
    apply_style()
    n_top = len(images)
    fig = plt.figure(figsize=(max(8, 1.6 * n_top), 6))
    grid = fig.add_gridspec(2, max(n_top, 2), height_ratios=[2.2, 1])
    columns = [("w_acc", "φ_acc")] + ([(f"w_{valuation}", f"FairShap φ_{valuation}")] if valuation != "acc" else [])
    half = max(n_top, 2) // len(columns)
    for i, (column, title) in enumerate(columns):
        ax = fig.add_subplot(grid[0, i * half:(i + 1) * half if i < len(columns) - 1 else None])
        bins = np.linspace(0, max(float(frame[column].max()), 1e-9), 21)
        for sex, (name, colour) in _SEX.items():
            ax.hist(frame.loc[frame["y"] == sex, column], bins=bins, alpha=0.6, color=colour, label=name)
        ax.set_xlabel(f"{title} weight (min–max, mean 1)")
        ax.set_ylabel("LFW training images")
        ax.set_title(f"{title} weights by sex")
        ax.legend(title="sex")
    for j in range(n_top):
        ax = fig.add_subplot(grid[1, j])
        ax.imshow(images[j].transpose(1, 2, 0))
        row = top.iloc[j]
        ax.set_title(f"{_SEX[int(row['y'])][0]}, φ = {row[f'phi_{valuation}']:.2g}", fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig


def vision_projection_figure(frame: pd.DataFrame, *, valuation: str):
    """Paper Fig. 4: the first two principal components of the LFW training and FairFace reference
    embeddings (``frame``: set, y, pc1, pc2, weight), LFW points of equal size (unweighted) and sized
    by their FairShap weight."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), sharex=True, sharey=True)
    ref, lfw = frame[frame["set"] != "LFW train"], frame[frame["set"] == "LFW train"]
    for ax, weighted in zip(axes, (False, True), strict=True):
        for sex, (name, colour) in _SEX.items():
            sel = ref["y"] == sex
            ax.scatter(ref.loc[sel, "pc1"], ref.loc[sel, "pc2"], s=6, marker="x", color=colour, alpha=0.35,
                       label=f"FairFace reference, {name}")
            sel = lfw["y"] == sex
            size = 4 + 40 * lfw.loc[sel, "weight"] / max(float(lfw["weight"].max()), 1e-12) if weighted else 12
            ax.scatter(lfw.loc[sel, "pc1"], lfw.loc[sel, "pc2"], s=size, marker="o", color=colour, alpha=0.6,
                       edgecolors="black", linewidths=0.3, label=f"LFW train, {name}")
        ax.set_title(f"LFW points sized by FairShap φ_{valuation} weight" if weighted else "Unweighted LFW")
        ax.set_xlabel("PC 1 (embedding units)")
        ax.set_ylabel("PC 2 (embedding units)")
    axes[1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig
