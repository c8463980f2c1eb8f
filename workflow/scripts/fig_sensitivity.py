"""FairInfl sensitivity panel: prune by fairness against random across the protocol variants."""

import pandas as pd

from fairscore.fairinfl.variants import sensitivity_summary
from fairscore.fileio import atomic_path, read_csv, write_csv
from fairscore.reporting.figures import save_figure
from fairscore.reporting.fairinfl_figures import sensitivity_caption, sensitivity_figure
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    prunes = {"default": pd.concat([read_csv(p) for p in inputs.default], ignore_index=True)}
    n_runs = len(inputs.default)
    for i, variant in enumerate(params.variants):
        paths = inputs.variants[i * n_runs:(i + 1) * n_runs]
        prunes[variant] = pd.concat([read_csv(p) for p in paths], ignore_index=True)
    sensitivity = params.sensitivity
    summary = sensitivity_summary(prunes, fractions=sensitivity["fractions"],
                                  claim_fractions=sensitivity["claim_fractions"])
    summary.insert(1, "description", summary["variant"].map(params.descriptions))
    write_csv(summary, outputs.data)
    save_figure(sensitivity_figure(summary), outputs.png, outputs.pdf, dpi=params.figures["dpi"])
    with atomic_path(outputs.caption) as tmp:
        tmp.write_text(sensitivity_caption(summary, claim_fractions=sensitivity["claim_fractions"]) + "\n")
    return {}


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
