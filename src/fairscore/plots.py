"""Figures: matplotlib/seaborn drawings of the pipeline's own result tables.

Every function takes the tidy data a figure is drawn from (also written next to the
figure as CSV) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure`
writes it as PNG and PDF without timestamps, so reruns give the same bytes.
Colours come from seaborn's colour-blind palette; methods carry the labels of the
tables.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from .fileio import atomic_path, write_csv  # noqa: E402

__all__ = [
    "CAPTIONS",
    "METRIC_LABELS",
    "ablation_figure",
    "aggregation_text",
    "alpha_figure",
    "describe_pairs",
    "fairinfl_figure",
    "fairinfl_summary",
    "first_order_figure",
    "image_grid_figure",
    "runtime_figure",
    "save_figure",
    "synthetic_tpr_tnr_figure",
    "synthetic_weights_figure",
    "toy_figure",
    "tradeoff_figure",
    "vision_projection_figure",
    "vision_weights_figure",
    "weights_figure",
    "write_caption",
    "write_figure",
]

#: axis labels of the metrics (rates and gaps are fractions in [0, 1])
METRIC_LABELS = {
    "accuracy": "Accuracy (fraction correct)",
    "macro_f1": "Macro-F1 (0–1)",
    "eop": "EOp gap |TPR₀ − TPR₁|",
    "eodds": "EOdds gap ½|ΔFPR + ΔTPR|",
}
_AGGREGATION = {"paper": "|mean of signed gaps|", "absolute": "mean of |gap|"}
_MARKERS = ["o", "s", "^", "v", "D", "P", "X", "*", "<", ">"]
_DATASETS = {"german": "German", "adult": "Adult", "compas": "COMPAS"}


def _style():
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.0)


def _palette(names) -> dict:
    colours = sns.color_palette("colorblind", n_colors=max(len(names), 1))
    return dict(zip(names, colours, strict=True))


def _legend_right(fig, axes, *, title: str, aggregation: str) -> None:
    """One legend for all panels, right of them; the gap aggregation as the figure title."""
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), title=title)
    fig.suptitle(f"EOp and EOdds gaps over splits: {_AGGREGATION[aggregation]}")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))  # room for the title


def _pair_title(dataset: str, protected: str) -> str:
    return f"{_DATASETS.get(dataset, dataset)} – {protected}"


def save_figure(fig, png, pdf, *, dpi: int = 200) -> None:
    """Write ``fig`` to ``png`` and ``pdf`` atomically, without creation dates."""
    with atomic_path(png) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    with atomic_path(pdf) as tmp:
        fig.savefig(tmp, format="pdf", bbox_inches="tight", metadata={"CreationDate": None, "Creator": None,
                                                                       "Producer": None})
    plt.close(fig)


def _cell(cells: pd.DataFrame, metric: str, aggregation: str) -> pd.DataFrame:
    variant = aggregation if metric in ("eop", "eodds") else "mean"
    return cells[(cells["metric"] == metric) & (cells["variant"] == variant)]


def tradeoff_figure(cells: pd.DataFrame, *, aggregation: str = "paper"):
    """Fig. 5: per pair, macro-F1 and accuracy against EOdds and EOp, mean ± standard error.

    ``cells`` is :func:`fairscore.metrics.aggregate` over (dataset, protected, method).
    """
    _style()
    pairs = list(dict.fromkeys(zip(cells["dataset"], cells["protected"], strict=True)))
    methods = list(dict.fromkeys(cells["method"]))
    colours = _palette(methods)
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
                            yerr=ys.at[method, "se"], fmt=_MARKERS[i % len(_MARKERS)], color=colours[method],
                            label=method, markersize=6, capsize=2)
            ax.set_xlabel(METRIC_LABELS[gap])
            ax.set_ylabel(METRIC_LABELS[utility])
            ax.set_title(_pair_title(dataset, protected))
    _legend_right(fig, axes, title="Method\n(mean ± s.e. over splits)", aggregation=aggregation)
    return fig


def weights_figure(frame: pd.DataFrame, *, columns: dict[str, str], group_names: dict, label_names: dict,
                   legend_title: str):
    """Fig. 6: histograms of the weights in ``columns`` (column -> title) by (group, label).

    ``group_names`` and ``label_names`` map the codes (as strings) to the names in the legend.
    """
    _style()
    frame = frame.assign(cell=[f"{group_names[str(g)]}, {label_names[str(y)]}"
                               for g, y in zip(frame["group"], frame["label"], strict=True)])
    order = sorted(frame["cell"].unique())
    fig, axes = plt.subplots(1, len(columns), figsize=(5.2 * len(columns), 3.6), squeeze=False)
    for ax, (column, title) in zip(axes[0], columns.items(), strict=True):
        sns.histplot(frame, x=column, hue="cell", hue_order=order, bins=30, element="step", stat="count",
                     common_bins=True, ax=ax, palette=_palette(order))
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
    colours = _palette(methods + (["GBC"] if reference is not None else []))
    fig, axes = plt.subplots(len(pairs), len(metrics), figsize=(3.2 * len(metrics), 2.6 * len(pairs)), squeeze=False)
    for r, (dataset, protected) in enumerate(pairs):
        for c, metric in enumerate(metrics):
            ax = axes[r, c]
            here = _cell(cells[(cells["dataset"] == dataset) & (cells["protected"] == protected)], metric, aggregation)
            for i, method in enumerate(methods):
                line = here[here["method"] == method].sort_values(x)
                ax.plot(line[x], line["mean"], marker=_MARKERS[i % len(_MARKERS)], color=colours[method], label=method)
                ax.fill_between(line[x], line["mean"] - line[band], line["mean"] + line[band], color=colours[method],
                                alpha=0.2, linewidth=0)
            if reference is not None:
                ref = _cell(reference[(reference["dataset"] == dataset) & (reference["protected"] == protected)],
                            metric, aggregation)
                if len(ref):
                    ax.axhline(ref["mean"].iloc[0], color=colours["GBC"], linestyle="--", label="GBC (unweighted)")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(METRIC_LABELS[metric])
            ax.set_title(_pair_title(dataset, protected))
    _legend_right(fig, axes, title=legend_title, aggregation=aggregation)
    return fig


def alpha_figure(cells: pd.DataFrame, *, metrics: list[str], aggregation: str = "paper"):
    """Fig. 7: metrics against α, mean ± the t-based 95 % half-width ``ci95`` over the splits (column ``alpha``)."""
    _style()
    return _curves(cells, x="alpha", band="ci95", metrics=metrics, aggregation=aggregation,
                   xlabel="α (0 = unweighted, 1 = FairShap weights)", legend_title="Method\n(mean ± 95 % half-width, t)")


def ablation_figure(cells: pd.DataFrame, reference: pd.DataFrame, *, metrics: list[str], aggregation: str = "paper"):
    """Fig. 8: metrics against the reference fraction, mean ± sd over repeats; GBC dashed."""
    _style()
    return _curves(cells, x="fraction", band="sd", metrics=metrics, aggregation=aggregation, reference=reference,
                   xlabel="Reference size (share of validation split)", legend_title="Method\n(mean ± sd over repeats)")


def runtime_figure(summary: pd.DataFrame, paper: pd.DataFrame, *, n_features: int, machine: str):
    """Fig. 10: seconds against rows (log–log), per method at ``n_features``, and FairShap per
    feature count with the paper's timings as reference points."""
    _style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    methods = list(dict.fromkeys(summary["label"]))
    colours = _palette(methods)
    main = summary[summary["n_features"] == n_features]
    for i, method in enumerate(methods):
        line = main[main["label"] == method].sort_values("n_total")
        axes[0].errorbar(line["n_total"], line["mean"], yerr=line["sd"], marker=_MARKERS[i % len(_MARKERS)],
                         color=colours[method], label=method, capsize=2)
    axes[0].set_title(f"Weights for each method, {n_features} features ({machine})")
    fairshap = summary[summary["method"] == "fairshap"]
    counts = sorted(fairshap["n_features"].unique())
    fcolours = _palette([f"{f} features" for f in counts] + ["paper"])
    for i, f in enumerate(counts):
        line = fairshap[fairshap["n_features"] == f].sort_values("n_total")
        axes[1].errorbar(line["n_total"], line["mean"], yerr=line["sd"], marker=_MARKERS[i % len(_MARKERS)],
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
    _style()
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
    _style()
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


#: one-paragraph captions for the report; fields are filled from each job's parameters
CAPTIONS = {
    "fig_tradeoff": (
        "Utility–fairness trade-off (FairShap paper Fig. 5) from this pipeline's Table 2 runs, with no "
        "recomputation: for each dataset and protected attribute, macro-F1 and accuracy of each method against "
        "its EOdds and EOp gap on the test split, mean ± standard error over {n_splits} stratified splits "
        "({pairs}). Gaps are aggregated as {aggregation}. Up and to the left is better."),
    "fig_weights": (
        "FairShap weights on {pair}, split {split} (paper Fig. 6): histograms of the normalised φ_EOp and "
        "φ_EOdds weights of the {n_train} training examples, by protected group and label. Weights are "
        "min–max normalised and scaled to mean 1; the least valuable example gets weight 0."),
    "fig_alpha": (
        "α curves (paper Fig. 7): test accuracy, macro-F1, EOp and EOdds of the gradient-boosting classifier "
        "trained with weights w′ = (1 − α) + α·w for FairShap φ_EOp and φ_EOdds, α ∈ {{{alphas}}}, mean ± 95 % "
        "half-width (t(0.975, n − 1)·sd/√n, Student's t) over {n_splits} splits per pair ({pairs}); α = 0 is the "
        "unweighted GBC. "
        "Gaps are aggregated as {aggregation}."),
    "fig_ablation": (
        "Reference-size ablation (paper Fig. 8): {repeats} seeded 60/20/20 splits, jointly stratified on label "
        "and group; FairShap weights computed against seeded stratified subsets of {fractions} of the validation "
        "split; mean ± standard deviation over the repeats of the weighted GBC's test metrics ({pairs}). The "
        "dashed line is the unweighted GBC on the same splits. Gaps are aggregated as {aggregation}."),
    "fig_runtime": (
        "Run time of the weights (paper Fig. 10) on synthetic data (two Gaussian classes, binary attribute, "
        "standard-normal features; D23), 80 % training and 20 % reference rows, {repeats} repeats each, mean ± sd, "
        "measured on {machine}. Left: each method at {n_features} features. Right: FairShap at "
        "{fairshap_features} features, with the paper's own FairShap timings (stars, {paper_machine}; synthetic data at 18 "
        "features and the Table 2 datasets, labelled with their feature counts). {not_applicable}"),
    "fig_synthetic_tpr_tnr": (
        "Synthetic example (paper App. D.2, Fig. 11): training points of two 2-D Gaussian classes coloured by "
        "their kNN Shapley value for the true-positive rate (φ_TPR, left) and the true-negative rate (φ_TNR, "
        "right), with K = {k} and the validation points as reference."),
    "fig_synthetic_weights": (
        "Correlated-attribute example (paper App. D.2, Fig. 12; Zafar et al. 2017 Case I clusters): training "
        "points sized by their normalised φ_EOp (left) or φ_EOdds (right) weight, the top {top} ringed; lines are "
        "the decision boundaries of logistic regressions trained unweighted and with each weighting, with their "
        "test accuracy and absolute EOp / EOdds gaps in the legend."),
}


def write_caption(path, name: str, **fields) -> None:
    """Write the caption of figure ``name`` with ``fields`` filled in, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(CAPTIONS[name].format(**fields) + "\n")


def describe_pairs(frame: pd.DataFrame) -> str:
    """'German – sex, COMPAS – race': the (dataset, protected) pairs of a frame, in order."""
    pairs = dict.fromkeys(zip(frame["dataset"], frame["protected"], strict=True))
    return ", ".join(_pair_title(d, p) for d, p in pairs)


def aggregation_text(aggregation: str) -> str:
    """How the gaps are aggregated, in words, for captions."""
    return {"paper": "the paper's |mean of signed per-split gaps| (D15)",
            "absolute": "the mean of per-split absolute gaps"}[aggregation]


def write_figure(fig, data: pd.DataFrame, paths: dict, *, name: str, dpi: int = 200, **caption_fields) -> None:
    """Write a figure's data CSV, PNG, PDF and caption (``paths`` keys: data, png, pdf, caption)."""
    write_csv(data, paths["data"])
    save_figure(fig, paths["png"], paths["pdf"], dpi=dpi)
    write_caption(paths["caption"], name, **caption_fields)


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
    _style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    strategies = list(dict.fromkeys(prune["strategy"]))
    colours = _palette([_STRATEGY_LABELS[s] for s in strategies] + list(dict.fromkeys(baselines["method"])))
    ax = axes[0]
    for i, (method, rows) in enumerate(baselines.groupby("method", sort=False)):
        ax.errorbar(rows["violation_abs"].mean(), rows["accuracy"].mean(), xerr=rows["violation_abs"].std(),
                    yerr=rows["accuracy"].std(), fmt=_MARKERS[(i + 3) % len(_MARKERS)], color=colours[method],
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
            ax.plot(stats.index, stats["mean"], marker=_MARKERS[i], color=colours[label], label=label)
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
    _style()
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
    _style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    cells = points.assign(cell=[f"z={z}, y={'+1' if y else '−1'}" for z, y in zip(points["z"], points["y"], strict=True)])
    order = sorted(cells["cell"].unique())
    sns.histplot(cells, x="x", hue="cell", hue_order=order, bins=60, element="step", ax=axes[0],
                 palette=_palette(order))
    for (_, m), style in zip(models.iterrows(), ("-", "--"), strict=True):
        axes[0].axvline(m["threshold"], color="black", linestyle=style,
                        label=f"threshold, {m['model']}: |DP violation| {m['violation_abs']:.3f}")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles + axes[0].get_legend().legend_handles, labels + order, fontsize=7)
    axes[0].set_xlabel("x (feature units)")
    axes[0].set_ylabel("Points (count)")
    axes[0].set_title("Four Gaussian cells and the decision thresholds")
    colours = _palette(["z = 0", "z = 1"])
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


CAPTIONS.update({
    "fig_fairinfl": (
        "FairInfl on {dataset} (paper Fig. {figure}), {network}, {runs} runs: (a) test accuracy against the absolute "
        "demographic-parity violation for ERM (λ = 0), lfatr (λ = 1 on all data){reduction} and prune by fairness "
        "at every kept fraction; (b) test accuracy and (c) absolute DP violation against the kept fraction for "
        "random pruning, prune by fairness (keep the largest |S(i)|) and prune by accuracy (keep the smallest "
        "GraNd score, D8), each retrained with λ = 1, mean ± sd over the runs."),
    "fig_cross_fairinfl_adult": (
        "FairShap values as a fourth prune strategy in the FairInfl Adult protocol (cross-family comparison, in "
        "neither paper), {runs} runs: panels as in the FairInfl Adult figure, plus prune by FairShap, which keeps "
        "the training rows with the largest φ_{valuation} and retrains with λ = 1 exactly like the other "
        "strategies. The protocol has no validation split, so the values come from {folds}-fold cross-valuation "
        "(folds stratified on label and sex, seed {seed}): each fold's rows are valued by exact kNN-Shapley "
        "(K = {k}) against the rows of the other folds, and each fold's values are scaled by its share of the "
        "training rows. Mean ± sd over the runs."),
    "fig_celeba_extremes": (
        "FairInfl App. C.4 on CelebA: the {count} training images with the highest (top rows) and the {count} with "
        "the lowest (bottom rows) fairness score S(i) (Eq. 35, {constraint} constraint, signed) of run {run}'s "
        "λ = 1 model, titled with their group and label. Highest: {top_men} men, {top_women} women; lowest: "
        "{bottom_men} men, {bottom_women} women (paper: 9 / 11 and 17 / 3)."),
    "fig_first_order": (
        "First-order check (FairInfl App. C.3, Fig. 5): for {n_pairs} random (training, test) pairs of run {run}, the "
        "real change of the test logit after one gradient step of size η = {eta} that removes the training example "
        "(loss and constraint terms, float64) against the first-order prediction (η/n)·Θ(x_i, x_j)·(ℓ′_i + λ b_i). "
        "Pearson r = {pearson}; the dashed line is the identity."),
    "fig_toy": (
        "Toy example (FairInfl Fig. 1, Proposition 5.2; D19): {n} points per (group, label) cell from N(μ, 1) with "
        "{means}; a linear logistic model; left, the cells and the decision threshold before ({t_before}) and after "
        "({t_after}) the {drop} lowest-|S(i)| points are weighted 0, with |DP violation| {before} → {after}; right, "
        "|S(i)| against x, the low-|S| points lying near x = 0."),
})


# ----------------------------------------------------------------------------- FairShap faces (Table 1)
_SEX = {0: ("women", "#D55E00"), 1: ("men", "#0072B2")}


def vision_weights_figure(frame: pd.DataFrame, images: np.ndarray, top: pd.DataFrame, *, valuation: str):
    """Paper Fig. 3: histograms of the φ_acc and FairShap weights of the LFW training images by sex
    (``frame``: y, w_acc, w_<valuation>), and the ``top`` images (uint8, (n, 3, h, w)) with the largest φ."""
    _style()
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
    _style()
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


CAPTIONS.update({
    "fig_vision_weights": (
        "FairShap on faces (paper Fig. 3): histograms of the normalised φ_acc and FairShap φ_{valuation} weights "
        "(A = Y = sex, K = {k}) of the {n_train} LFW training images by sex, against the FairFace reference "
        "embeddings of the CelebA-pre-trained backbone; below, the {top} LFW training images with the largest "
        "φ_{valuation}. Weights are min–max normalised and scaled to mean 1."),
    "fig_vision_projection": (
        "Embedding projection (paper Fig. 4): first two principal components of the CelebA-pre-trained backbone's "
        "features of the {n_lfw} LFW training images (circles) and the {n_ref} FairFace reference images (crosses), "
        "coloured by sex; left unweighted, right LFW points sized by their FairShap φ_{valuation} weight."),
})


def sensitivity_figure(summary: pd.DataFrame):
    """The FairInfl sensitivity panel: prune by fairness minus random (same run) in |DP violation|
    (left) and test accuracy (right) against the kept fraction, one line per protocol variant,
    mean ± standard error over the runs (``summary``: :func:`fairscore.fairinfl.sensitivity_summary`
    with a ``description`` column)."""
    _style()
    variants = list(dict.fromkeys(summary["variant"]))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4 + 0.25 * math.ceil(len(variants) / 2)))
    colours = _palette(variants)
    for ax, metric, label in ((axes[0], "violation_abs", "|DP violation|: fairness − random"),
                              (axes[1], "accuracy", "Test accuracy: fairness − random")):
        for i, variant in enumerate(variants):
            rows = summary[summary["variant"] == variant]
            ax.errorbar(rows["fraction"] + (i - (len(variants) - 1) / 2) * 0.003, rows[f"difference_{metric}_mean"],
                        yerr=rows[f"difference_{metric}_se"].fillna(0), marker=_MARKERS[i % len(_MARKERS)],
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
