rule fairshap_scores_pair:
    input:
        table=rules.preprocess.output.table,
        splits=rules.make_splits.output.splits,
    output:
        scores=expand("results/scores/fairshap/{{pair}}/{split}.npz", split=SPLITS),
        prov="results/provenance/fairshap_scores/{pair}.json",
    log:
        "results/logs/fairshap_scores/{pair}.log",
    benchmark:
        "results/timings/fairshap_scores/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=1 if config["fairshap"]["gpu"] else 0,
        mem_mb=4000,
    params:
        fairshap={k: v for k, v in config["fairshap"].items() if k != "gpu"},
        split_fractions=SPLIT_FRACTIONS,
    script:
        "../scripts/fairshap_scores.py"


rule fairshap_scores:
    input:
        expand(rules.fairshap_scores_pair.output.scores, pair=PAIRS),
