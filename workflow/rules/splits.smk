rule make_splits:
    input:
        table=rules.preprocess.output.table,
        meta=rules.preprocess.output.meta,
    output:
        splits=expand("results/splits/{{pair}}/{split}.csv", split=SPLITS),
        prov="results/provenance/make_splits/{pair}.json",
    log:
        "results/logs/make_splits/{pair}.log",
    benchmark:
        "results/timings/make_splits/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        seeds=SPLIT_SEEDS,
        train_fraction=config["splits"]["train_fraction"],
        validation_fraction=config["splits"]["validation_fraction"],
    script:
        "../scripts/make_splits.py"


rule splits:
    input:
        expand(rules.make_splits.output.splits, pair=PAIRS),
