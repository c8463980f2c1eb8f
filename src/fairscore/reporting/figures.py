"""Figures: matplotlib/seaborn drawings of the pipeline's own result tables.

Every function takes the tidy data a figure is drawn from (also written next to the
figure as CSV) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure`
writes it as PNG and PDF without timestamps, so reruns give the same bytes.
Colours come from seaborn's colour-blind palette; methods carry the labels of the
tables.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fairscore.fileio import atomic_path, write_csv  # noqa: E402

__all__ = [
    "CAPTIONS",
    "METRIC_LABELS",
    "aggregation_text",
    "describe_pairs",
    "save_figure",
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


MARKERS = ["o", "s", "^", "v", "D", "P", "X", "*", "<", ">"]


_DATASETS = {"german": "German", "adult": "Adult", "compas": "COMPAS"}


def apply_style():
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.0)


def palette(names) -> dict:
    colours = sns.color_palette("colorblind", n_colors=max(len(names), 1))
    return dict(zip(names, colours, strict=True))


def legend_right(fig, axes, *, title: str, aggregation: str) -> None:
    """One legend for all panels, right of them; the gap aggregation as the figure title."""
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), title=title)
    fig.suptitle(f"EOp and EOdds gaps over splits: {_AGGREGATION[aggregation]}")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))  # room for the title


def pair_title(dataset: str, protected: str) -> str:
    return f"{_DATASETS.get(dataset, dataset)} – {protected}"


def save_figure(fig, png, pdf, *, dpi: int = 200) -> None:
    """Write ``fig`` to ``png`` and ``pdf`` atomically, without creation dates."""
    with atomic_path(png) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    with atomic_path(pdf) as tmp:
        fig.savefig(tmp, format="pdf", bbox_inches="tight", metadata={"CreationDate": None, "Creator": None,
                                                                       "Producer": None})
    plt.close(fig)


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
        "features and the Table 2 datasets, labelled with their feature counts). {threads} {not_applicable}"),
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
    return ", ".join(pair_title(d, p) for d, p in pairs)


def aggregation_text(aggregation: str) -> str:
    """How the gaps are aggregated, in words, for captions."""
    return {"paper": "the paper's |mean of signed per-split gaps| (D15)",
            "absolute": "the mean of per-split absolute gaps"}[aggregation]


def write_figure(fig, data: pd.DataFrame, paths: dict, *, name: str, dpi: int = 200, **caption_fields) -> None:
    """Write a figure's data CSV, PNG, PDF and caption (``paths`` keys: data, png, pdf, caption)."""
    write_csv(data, paths["data"])
    save_figure(fig, paths["png"], paths["pdf"], dpi=dpi)
    write_caption(paths["caption"], name, **caption_fields)


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
