"""Aggregate every (pair, method) run into Table 2: long CSV (with the reference rows and the
diagnostics), Markdown and LaTeX (the paper layout)."""

import pandas as pd

from fairscore.fileio import atomic_path, write_csv
from fairscore.reporting.tables import paper_layout_cells, render_latex, render_markdown, table2_cells
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    frames = []
    for (pair, method), path in zip(params.jobs, inputs.per_split, strict=True):
        frame = pd.read_csv(path)
        frame.insert(0, "method", params.labels[method])
        frame.insert(0, "protected", params.pairs[pair]["protected"])
        frame.insert(0, "dataset", params.pairs[pair]["dataset"])
        frames.append(frame)
    per_split = pd.concat(frames, ignore_index=True)
    references = [params.labels[method] for method in params.references]
    cells = table2_cells(per_split, metrics=list(params.metrics), diagnostics=list(params.diagnostics),
                         references=references)
    write_csv(per_split, outputs.per_split)
    write_csv(cells, outputs.csv)
    paper = paper_layout_cells(cells, metrics=list(params.metrics), references=references)
    for path, text in ((outputs.md, render_markdown(paper)), (outputs.tex, render_latex(paper))):
        with atomic_path(path) as tmp:
            tmp.write_text(text)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
