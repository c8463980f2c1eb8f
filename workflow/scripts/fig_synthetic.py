"""Figs. 11-12 (App. D.2): synthetic 2-D examples of the FairShap valuations and weights."""

from fairscore.protocols.fairshap_studies import synthetic_case
from fairscore.fileio import write_csv
from fairscore.reporting.fairshap_figures import synthetic_tpr_tnr_figure, synthetic_weights_figure
from fairscore.reporting.figures import write_figure
from fairscore.datasets.synthetic import gaussian_clusters
from fairscore.pipeline.workflow import run


def _paths(outputs, prefix):
    return {k[len(prefix):]: v for k, v in outputs.items() if k.startswith(prefix)}


def main(inputs, params, outputs):
    s, dpi = params.synthetic, params.figures["dpi"]
    X, y, a = gaussian_clusters(s["two_gaussians"], seed=s["seed"])
    points, _ = synthetic_case(X, y, a, seed=s["seed"], k=s["k"], top=s["top"])
    write_figure(synthetic_tpr_tnr_figure(points), points, _paths(outputs, "tpr_tnr_"),
                 name="fig_synthetic_tpr_tnr", dpi=dpi, k=s["k"])
    X, y, a = gaussian_clusters(s["zafar_case1"], seed=s["seed"])
    points, models = synthetic_case(X, y, a, seed=s["seed"], k=s["k"], top=s["top"])
    write_csv(models, outputs.models)
    write_figure(synthetic_weights_figure(points, models), points, _paths(outputs, "weights_"),
                 name="fig_synthetic_weights", dpi=dpi, top=s["top"])
    return {"seeds": {"synthetic_seed": s["seed"]}}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
