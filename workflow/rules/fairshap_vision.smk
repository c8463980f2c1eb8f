# FairShap on faces, paper Table 1 (§5.1, App. D.3; algorithms.md §4.3, D13): pre-train on CelebA, embed
# LFW and FairFace, FairShap (A = Y = sex) weights of LFW train against a FairFace reference set, fine-tunes,
# the table vs the paper and Figs. 3–4. `snakemake fairshap_vision` builds them all.

FSV = config["fairshap_vision"]
FSV_IMAGES = f"results/images/{{dataset}}_resize{FSV['image_size']}.npz"
FSV_VARIANTS = ["fairface", "lfw", "lfw_acc", "lfw_fairshap"]  # fine-tunes; the CelebA row is the pre-trained model
FSV_FIG_DIR = "results/figures/fairshap_vision"
FSV_DEVICE = {"device": FSV["device"], "amp": FSV["amp"], "workers": FSV["workers"]}


rule vision_pretrain:
    input:
        images=FSV_IMAGES.format(dataset="celeba"),
    output:
        model="results/models/fairshap_vision/celeba.pt",
        history="results/fairshap_vision/history/celeba.csv",
        prov="results/provenance/vision_pretrain/celeba.json",
    log:
        "results/logs/vision_pretrain/celeba.log",
    benchmark:
        "results/timings/vision_pretrain/celeba.tsv"
    conda:
        "../../envs/fairscore.yaml"
    threads: FSV["workers"]
    resources:
        gpu=1 if FSV["gpu"] else 0,
        mem_mb=FSV["mem_mb"],
    params:
        backbone=FSV["backbone"],
        label=FSV["celeba_label"],
        seed=FSV["seed"],
        pretrain=FSV["pretrain"],
        **FSV_DEVICE,
    script:
        "../scripts/vision_pretrain.py"


rule vision_embeddings:
    input:
        model=rules.vision_pretrain.output.model,
        images=FSV_IMAGES,
    output:
        embeddings="results/embeddings/vision/{dataset}.npz",
        prov="results/provenance/vision_embeddings/{dataset}.json",
    log:
        "results/logs/vision_embeddings/{dataset}.log",
    benchmark:
        "results/timings/vision_embeddings/{dataset}.tsv"
    wildcard_constraints:
        dataset="lfw|fairface",
    conda:
        "../../envs/fairscore.yaml"
    threads: FSV["workers"]
    resources:
        gpu=1 if FSV["gpu"] else 0,
        mem_mb=FSV["mem_mb"],
    params:
        dataset=lambda wildcards: wildcards.dataset,
        seed=FSV["seed"],
        lfw_validation_fraction=FSV["lfw_validation_fraction"],
        reference_size=FSV["reference_size"],
        batch_size=FSV["embed_batch_size"],
        **FSV_DEVICE,
    script:
        "../scripts/vision_embeddings.py"


rule vision_weights:
    input:
        lfw="results/embeddings/vision/lfw.npz",
        fairface="results/embeddings/vision/fairface.npz",
    output:
        weights="results/fairshap_vision/weights.csv",
        prov="results/provenance/vision_weights/weights.json",
    log:
        "results/logs/vision_weights/weights.log",
    benchmark:
        "results/timings/vision_weights/weights.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        k=FSV["k"],
        valuation=FSV["valuation"],
        shapley={key: config["fairshap"][key] for key in ("device", "memory_mb")},
    script:
        "../scripts/vision_weights.py"


rule vision_finetune:
    input:
        model=rules.vision_pretrain.output.model,
        fairface="results/embeddings/vision/fairface.npz",
        fairface_images=FSV_IMAGES.format(dataset="fairface"),
        lfw="results/embeddings/vision/lfw.npz",
        lfw_images=FSV_IMAGES.format(dataset="lfw"),
        weights=rules.vision_weights.output.weights,
    output:
        model="results/models/fairshap_vision/{variant}.pt",
        history="results/fairshap_vision/history/{variant}.csv",
        predictions="results/fairshap_vision/predictions/{variant}.csv",
        prov="results/provenance/vision_finetune/{variant}.json",
    log:
        "results/logs/vision_finetune/{variant}.log",
    benchmark:
        "results/timings/vision_finetune/{variant}.tsv"
    wildcard_constraints:
        variant="|".join(FSV_VARIANTS),
    conda:
        "../../envs/fairscore.yaml"
    threads: FSV["workers"]
    resources:
        gpu=1 if FSV["gpu"] else 0,
        mem_mb=FSV["mem_mb"],
    params:
        variant=lambda wildcards: wildcards.variant,
        weight_column=lambda wildcards: {"lfw_acc": "w_acc", "lfw_fairshap": f"w_{FSV['valuation']}"}.get(
            wildcards.variant, ""),
        seed=FSV["seed"],
        finetune=FSV["finetune"],
        **FSV_DEVICE,
    script:
        "../scripts/vision_finetune.py"


rule table1:
    input:
        predictions=expand(rules.vision_finetune.output.predictions, variant=FSV_VARIANTS),
        fairface="results/embeddings/vision/fairface.npz",
        paper="reference/fairshap_table1_vision.csv",
    output:
        csv=report("results/tables/table1.csv", caption="../report/table1.rst", category="FairShap",
                   subcategory="Table 1 (faces)", labels={"table": "Table 1", "format": "csv"}),
        md=report("results/tables/table1.md", caption="../report/table1.rst", category="FairShap",
                  subcategory="Table 1 (faces)", labels={"table": "Table 1", "format": "markdown"}),
        prov="results/provenance/table1/table1.json",
    log:
        "results/logs/table1/table1.log",
    benchmark:
        "results/timings/table1/table1.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        variants=FSV_VARIANTS,
        valuation=FSV["valuation"],
    script:
        "../scripts/table1.py"


rule fig_vision_weights:
    input:
        weights=rules.vision_weights.output.weights,
        images=FSV_IMAGES.format(dataset="lfw"),
    output:
        **figure_outputs("fig_vision_weights", FSV_FIG_DIR, category="FairShap", subcategory="Faces",
                         figure="Fig. 3 weights"),
    log:
        "results/logs/fig_vision_weights/fig_vision_weights.log",
    benchmark:
        "results/timings/fig_vision_weights/fig_vision_weights.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        valuation=FSV["valuation"],
        k=FSV["k"],
        top=FSV["top_images"],
    script:
        "../scripts/fig_vision_weights.py"


rule fig_vision_projection:
    input:
        weights=rules.vision_weights.output.weights,
        lfw="results/embeddings/vision/lfw.npz",
        fairface="results/embeddings/vision/fairface.npz",
    output:
        **figure_outputs("fig_vision_projection", FSV_FIG_DIR, category="FairShap", subcategory="Faces",
                         figure="Fig. 4 projection"),
    log:
        "results/logs/fig_vision_projection/fig_vision_projection.log",
    benchmark:
        "results/timings/fig_vision_projection/fig_vision_projection.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        valuation=FSV["valuation"],
    script:
        "../scripts/fig_vision_projection.py"


rule fairshap_vision:
    input:
        rules.table1.output.csv,
        rules.table1.output.md,
        rules.fig_vision_weights.output.png,
        rules.fig_vision_projection.output.png,
