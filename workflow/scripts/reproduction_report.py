"""The reproduction report: Markdown, a self-contained HTML page and the claims table."""

import json
from pathlib import Path

import pandas as pd
import yaml

from fairscore.fileio import read_csv
from fairscore.reporting.compare import paper_named_counts, recipe_note
from fairscore.reporting.report import ReportInputs, build_report, captioned_figures, write_report
from fairscore.reporting.sections import dataset_counts
from fairscore.reporting.verdicts import Settings
from fairscore.pipeline.workflow import run


def _split_seconds(pairs: dict, provenance) -> pd.DataFrame:
    """FairShap seconds per Table 2 split, as each score job timed them, with the job's host."""
    rows = []
    for pair, prov in zip(pairs, provenance, strict=True):
        record = json.loads(Path(prov).read_text())
        measured, host = record["time"].get("measured", {}), record["host"]
        seconds = pd.Series(measured.get("fairshap_seconds", []), dtype=float)
        if seconds.empty:
            continue
        n_train, n_reference = measured["train_reference_rows"][0]
        rows.append({**pairs[pair], "n_train": n_train, "n_reference": n_reference, "splits": len(seconds),
                     "seconds_median": seconds.median(), "seconds_min": seconds.min(), "seconds_max": seconds.max(),
                     "machine": f"host {host['name']}, {host['cpus']} CPUs, GPU {host['gpu'] or 'none'}"})
    return pd.DataFrame(rows, columns=["dataset", "protected", "n_train", "n_reference", "splits", "seconds_median",
                                       "seconds_min", "seconds_max", "machine"])


def _concat(paths) -> pd.DataFrame:
    return pd.concat(map(read_csv, paths), ignore_index=True)


def main(inputs, params, outputs):
    counts = []
    for pair, table, meta in zip(params.pairs, inputs.tables, inputs.metas, strict=True):
        counts.append(paper_named_counts(pd.read_csv(table), json.loads(Path(meta).read_text()),
                                         **params.pairs[pair]))
    ours_counts = pd.concat(counts, ignore_index=True)
    figures = captioned_figures(inputs.figures, Path(outputs.md).parent)
    variant = None
    if "variant_prune" in inputs.keys():
        variant = (_concat(inputs.variant_prune), _concat([*inputs.variant_baselines, *inputs.variant_lfatr]),
                   params.variant)
    report = params.report
    inputs_ = ReportInputs(
        comparison=pd.read_csv(inputs.comparison, keep_default_na=False, na_values=[""]),
        cells=pd.read_csv(inputs.cells),
        counts=dataset_counts(ours_counts, pd.read_csv(inputs.table7)),
        prune=_concat(inputs.prune),
        baselines=_concat([*inputs.baselines, *inputs.lfatr]),
        first_order=pd.read_csv(inputs.first_order),
        runtime=pd.read_csv(inputs.runtime),
        paper_runtimes=pd.read_csv(inputs.paper_runtimes),
        split_seconds=_split_seconds(params.pairs, inputs.fairshap_prov),
        decisions=yaml.safe_load(Path(inputs.decisions).read_text()),
        config=params.config,
        ranking=pd.read_csv(inputs.ranking),
        settings=Settings.from_config(report),
        tolerance=report["printed_tolerance"],
        constant=report["constant_predictor"],
        majority=params.majority,
        recipe_note=recipe_note(params.recipe_methods),
        deep_claims=pd.read_csv(inputs.deep[0], keep_default_na=False, na_values=[""]) if inputs.deep else None,
        variant=variant,
        cross_methods=tuple(params.cross_labels),
        figures=figures,
    )
    markdown, claims = build_report(inputs_)
    write_report(markdown, claims, md=outputs.md, html_path=outputs.html, claims_path=outputs.claims,
                 title="fairscore reproduction report")


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
