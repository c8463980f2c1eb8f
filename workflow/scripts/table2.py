"""Aggregate every (pair, method) run into Table 2: long CSV, Markdown and LaTeX."""

import pandas as pd

from fairscore.fileio import atomic_path, write_csv
from fairscore.tables import render_latex, render_markdown, table2_cells
from fairscore.workflow import run


def main(inputs, params, outputs):
    frames = []
    for (pair, method), path in zip(params.jobs, inputs.per_split, strict=True):
        frame = pd.read_csv(path)
        frame.insert(0, "method", params.labels[method])
        frame.insert(0, "protected", params.pairs[pair]["protected"])
        frame.insert(0, "dataset", params.pairs[pair]["dataset"])
        frames.append(frame)
    per_split = pd.concat(frames, ignore_index=True)
    cells = table2_cells(per_split, metrics=list(params.metrics))
    write_csv(per_split, outputs.per_split)
    write_csv(cells, outputs.csv)
    for path, text in ((outputs.md, render_markdown(cells)), (outputs.tex, render_latex(cells))):
        with atomic_path(path) as tmp:
            tmp.write_text(text)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
