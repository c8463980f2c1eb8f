"""Write one (dataset, protected attribute) pair as a tidy table plus its metadata."""

from fairscore.datasets.aif360 import load_aif360_preproc, place_aif360_raw_files
from fairscore.datasets.csvdata import load_csv_dataset
from fairscore.fileio import write_csv, write_json
from fairscore.pipeline.workflow import run


def main(inputs, params, outputs):
    if params.dataset["loader"] == "csv":
        frame, meta = load_csv_dataset(inputs.raw[0], params.dataset, params.pair["protected"],
                                       train_fraction=params.train_fraction)
    else:
        place_aif360_raw_files(dict(zip(params.aif360_paths, inputs.raw, strict=True)))
        frame, meta = load_aif360_preproc(params.pair["dataset"], params.pair["protected"])
    write_csv(frame, outputs.table)
    write_json(outputs.meta, meta)


if "snakemake" in globals():
    run(snakemake, main)  # noqa: F821
