# Datasets from outside PyPI (issue 7): one index of examples per dataset, from its upstream layout,
# and the Jigsaw comments encoded once.


rule external_index:
    output:
        index="results/external/{dataset}.csv",
        prov="results/provenance/external_index/{dataset}.json",
    log:
        "results/logs/external_index/{dataset}.log",
    benchmark:
        "results/timings/external_index/{dataset}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        dataset=lambda wildcards: wildcards.dataset,
        settings=lambda wildcards: config["external"][wildcards.dataset],
    script:
        "../scripts/external_index.py"


rule jigsaw_embeddings:
    input:
        index=expand(rules.external_index.output.index, dataset="jigsaw"),
    output:
        embeddings="results/embeddings/jigsaw.npz",
        prov="results/provenance/jigsaw_embeddings/jigsaw.json",
    log:
        "results/logs/jigsaw_embeddings/jigsaw.log",
    benchmark:
        "results/timings/jigsaw_embeddings/jigsaw.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=1 if config["text_embeddings"]["gpu"] else 0,
        mem_mb=8000,
    params:
        encoder={k: v for k, v in config["text_embeddings"].items() if k != "gpu"},
    script:
        "../scripts/jigsaw_embeddings.py"


rule external_data:
    input:
        expand(rules.external_index.output.index, dataset=list(config["external"])),
        rules.jigsaw_embeddings.output.embeddings,
