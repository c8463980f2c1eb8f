"""The image and text experiments against the papers: Markdown, a self-contained HTML page, the statements."""

from pathlib import Path

import pandas as pd

from fairscore.fileio import read_csv
from fairscore.reporting.report import build_deep_report, captioned_figures, write_report
from fairscore.reporting.verdicts import Settings
from fairscore.pipeline.workflow import run


def _runs(prune, baselines, lfatr):
    return (pd.concat(map(read_csv, prune), ignore_index=True),
            pd.concat(map(read_csv, [*baselines, *lfatr]), ignore_index=True))


def main(inputs, params, outputs):
    figures = captioned_figures(inputs.figures, Path(outputs.md).parent)
    markdown, claims = build_deep_report(
        pd.read_csv(inputs.table1), _runs(inputs.celeba_prune, inputs.celeba_baselines, inputs.celeba_lfatr),
        _runs(inputs.jigsaw_prune, inputs.jigsaw_baselines, inputs.jigsaw_lfatr), pd.read_csv(inputs.extremes),
        settings=Settings.from_config(params.report), fixtures=params.fixtures, figures=figures)
    write_report(markdown, claims, md=outputs.md, html_path=outputs.html, claims_path=outputs.claims,
                 title="fairscore: image and text experiments")


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
