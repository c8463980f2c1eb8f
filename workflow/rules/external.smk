# Datasets from outside PyPI: one index of examples per dataset, from its upstream layout,
# the images decoded once into arrays, and the Jigsaw comments encoded once. A dataset (or the text
# encoder) with a `fixture:` entry is first written there as a tiny upstream-format fixture
# (config/deep_fixture.yaml), so the image and text DAG runs anywhere without the real data.


for _name, _directory, _options in FIXTURES:

    rule:
        name:
            f"fixture_{_name}"
        output:
            directory=directory(_directory),
            prov=f"results/provenance/fixture/{_name}.json",
        log:
            f"results/logs/fixture/{_name}.log",
        conda:
            "../../envs/fairscore.yaml"
        params:
            name=_name,
            options=_options,
        script:
            "../scripts/write_fixture.py"


rule external_index:
    input:
        fixture=lambda wildcards: fixture_dir(wildcards.dataset),
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
        fixture=fixture_dir("tiny_bert"),
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
        encoder={k: v for k, v in config["text_embeddings"].items() if k not in ("gpu", "fixture")},
    script:
        "../scripts/jigsaw_embeddings.py"


rule image_arrays:
    input:
        index=rules.external_index.output.index,
    output:
        images="results/images/{dataset}_{mode}{size}.npz",
        prov="results/provenance/image_arrays/{dataset}_{mode}{size}.json",
    log:
        "results/logs/image_arrays/{dataset}_{mode}{size}.log",
    benchmark:
        "results/timings/image_arrays/{dataset}_{mode}{size}.tsv"
    wildcard_constraints:
        dataset="celeba|lfw|fairface",
        mode="crop|resize",
        size=r"\d+",
    conda:
        "../../envs/fairscore.yaml"
    resources:
        mem_mb=image_mem_mb,
    params:
        root=lambda wildcards: config["external"][wildcards.dataset]["dir"],
        size=lambda wildcards: int(wildcards.size),
        mode=lambda wildcards: wildcards.mode,
    script:
        "../scripts/image_arrays.py"


rule external_data:
    input:
        expand(rules.external_index.output.index, dataset=list(config["external"])),
        rules.jigsaw_embeddings.output.embeddings,
