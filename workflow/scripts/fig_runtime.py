"""Fig. 10: run time of the weights against data size, with the paper's timings."""

import pandas as pd

from fairscore.protocols.runtime import RUNTIME_LABELS
from fairscore.reporting.fairshap_figures import runtime_figure
from fairscore.reporting.figures import write_figure
from fairscore.pipeline.workflow import run


def _repeats_text(summary):
    """'10', or '10 (3 at 60000 and 100000 rows)' when the largest sizes were timed fewer times."""
    counts = summary.groupby("n_total")["repeats"].max()
    fewer = counts[counts < counts.max()]
    if fewer.empty:
        return str(int(counts.max()))
    return f"{int(counts.max())} ({int(fewer.min())} at {' and '.join(str(int(n)) for n in fewer.index)} rows)"


def _threads_text(runs):
    """Which methods ran under a BLAS thread cap (column ``blas_threads``; NaN: the library default)."""
    capped = runs[runs["seconds"].notna() & runs["blas_threads"].notna()]
    if capped.empty:
        return "Every method ran on the BLAS library's default threads."
    caps = capped.groupby("method", sort=False)["blas_threads"].first()
    return ("BLAS threads: " + ", ".join(f"{RUNTIME_LABELS[m]} {int(t)}" for m, t in caps.items())
            + "; the others the library default (FairShap's kernel on numba's threads).")


def main(inputs, params, outputs):
    runs = pd.read_csv(inputs.runs, keep_default_na=False, na_values=[""])
    timed = runs[runs["seconds"].notna()]
    summary = (timed.groupby(["method", "n_features", "n_total"], sort=False)["seconds"]
               .agg(mean="mean", sd="std", repeats="count").reset_index())
    summary["label"] = summary["method"].map(RUNTIME_LABELS)
    paper = pd.read_csv(inputs.paper)
    skipped = runs[runs["seconds"].isna()]
    not_applicable = " ".join(f"{RUNTIME_LABELS[m]} is not shown: {note}." for m, note
                              in zip(skipped["method"], skipped["note"], strict=True))
    machine = runs["machine"].iloc[0]
    fig = runtime_figure(summary, paper, n_features=params.n_features, machine=machine)
    write_figure(fig, summary, dict(outputs.items()), name="fig_runtime", dpi=params.figures["dpi"],
                 repeats=_repeats_text(summary), machine=machine, n_features=params.n_features,
                 fairshap_features=", ".join(map(str, sorted(summary.loc[summary["method"] == "fairshap",
                                                                        "n_features"].unique()))),
                 paper_machine=paper["machine"].iloc[0] if len(paper) else "none", threads=_threads_text(runs),
                 not_applicable=not_applicable)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
