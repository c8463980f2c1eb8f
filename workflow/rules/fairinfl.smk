# FairInfl (Adult, CelebA, Jigsaw; algorithms.md §2, §4.4–4.6): scores per run, pruned retrains, baselines and
# the figures, for {infl} = adult (MLP on AIF360 Adult), celeba (ResNet-18 + two FC layers on 28 x 28
# crops) and jigsaw (MLP on cached BERT vectors). fairinfl_adult, fairinfl_celeba and fairinfl_jigsaw
# build one dataset each; Adult also has the first-order check and the toy example.


rule fairinfl_adult_data:
    input:
        raw=expand("results/raw/{name}", name=INFL["adult"]["raw_files"]),
    output:
        data="results/data/fairinfl_adult.npz",
        prov="results/provenance/fairinfl_adult_data/fairinfl_adult_data.json",
    log:
        "results/logs/fairinfl_adult_data/fairinfl_adult_data.log",
    benchmark:
        "results/timings/fairinfl_adult_data/fairinfl_adult_data.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        aif360_paths=[config["raw_files"][name]["aif360_path"] for name in INFL["adult"]["raw_files"]],
        balance_seed=INFL["adult"]["balance_seed"],
        balancing=INFL["adult"]["balancing"],
    script:
        "../scripts/fairinfl_adult_data.py"


rule fairinfl_scores_run:
    input:
        data=infl_data,
    output:
        scores="results/scores/fairinfl/{infl}/{run}.npz",
        model="results/models/fairinfl/{infl}/{run}.pt",
        lfatr="results/fairinfl/{infl}/lfatr/{run}.csv",
        prov="results/provenance/fairinfl_scores/{infl}/{run}.json",
    log:
        "results/logs/fairinfl_scores/{infl}/{run}.log",
    benchmark:
        "results/timings/fairinfl_scores/{infl}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=infl_gpu,
        mem_mb=infl_mem_mb,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=lambda wildcards: infl_data_params(wildcards.infl),
        training=lambda wildcards: infl_training(wildcards.infl),
        scores=INFL_SCORES,
    script:
        "../scripts/fairinfl_scores.py"


rule fairinfl_scores:
    input:
        infl_outputs(rules.fairinfl_scores_run.output.scores, "adult"),


rule fairinfl_prune_run:
    input:
        data=infl_data,
        scores=rules.fairinfl_scores_run.output.scores,
    output:
        runs="results/fairinfl/{infl}/prune/{run}.csv",
        prov="results/provenance/fairinfl_prune/{infl}/{run}.json",
    log:
        "results/logs/fairinfl_prune/{infl}/{run}.log",
    benchmark:
        "results/timings/fairinfl_prune/{infl}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=infl_gpu,
        mem_mb=infl_mem_mb,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=lambda wildcards: infl_data_params(wildcards.infl),
        training=lambda wildcards: infl_training(wildcards.infl, retrain=True),
        prune=INFL_PRUNE,
    script:
        "../scripts/fairinfl_prune.py"


rule fairinfl_baselines_run:
    input:
        data=infl_data,
    output:
        runs="results/fairinfl/{infl}/baselines/{run}.csv",
        prov="results/provenance/fairinfl_baselines/{infl}/{run}.json",
    log:
        "results/logs/fairinfl_baselines/{infl}/{run}.log",
    benchmark:
        "results/timings/fairinfl_baselines/{infl}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=infl_gpu,
        mem_mb=infl_mem_mb,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=lambda wildcards: infl_data_params(wildcards.infl),
        training=lambda wildcards: infl_training(wildcards.infl),
        baselines=lambda wildcards: INFL[wildcards.infl]["baselines"],
        reduction=INFL_REDUCTION,
    script:
        "../scripts/fairinfl_baselines.py"


rule fig_fairinfl:
    input:
        prune=infl_run_outputs(rules.fairinfl_prune_run.output.runs),
        baselines=infl_run_outputs(rules.fairinfl_baselines_run.output.runs),
        lfatr=infl_run_outputs(rules.fairinfl_scores_run.output.lfatr),
    output:
        **figure_outputs("fig_fairinfl_{infl}", INFL_FIG_DIR, category="FairInfl", subcategory="Figures",
                         figure="Figs. 2–4 {infl}", caption="fig_fairinfl"),
    log:
        "results/logs/fig_fairinfl/{infl}.log",
    benchmark:
        "results/timings/fig_fairinfl/{infl}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        dataset=lambda wildcards: wildcards.infl,
        training=lambda wildcards: infl_training(wildcards.infl),
        baselines=lambda wildcards: INFL[wildcards.infl]["baselines"],
        figures=config["figures"],
    script:
        "../scripts/fig_fairinfl.py"


rule fig_first_order:
    input:
        data=rules.fairinfl_adult_data.output.data,
        model=expand(rules.fairinfl_scores_run.output.model, infl="adult", run=INFL["first_order"]["run"]),
    output:
        **figure_outputs("fig_first_order", INFL_FIG_DIR, category="FairInfl", subcategory="Figures",
                         figure="Fig. 5 first order"),
    log:
        "results/logs/fig_first_order/fig_first_order.log",
    benchmark:
        "results/timings/fig_first_order/fig_first_order.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        first_order=INFL["first_order"],
        data=infl_data_params("adult"),
        training=INFL_TRAINING,
    script:
        "../scripts/fig_first_order.py"


rule fig_toy:
    output:
        **{k: v for k, v in figure_outputs("fig_toy", INFL_FIG_DIR, category="FairInfl", subcategory="Figures",
                                              figure="Fig. 1 toy").items()
           if k != "data"},
        data=f"{INFL_FIG_DIR}/fig_toy.csv",
        models=f"{INFL_FIG_DIR}/fig_toy.models.csv",
    log:
        "results/logs/fig_toy/fig_toy.log",
    benchmark:
        "results/timings/fig_toy/fig_toy.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        toy=INFL["toy"],
        scores=INFL_SCORES,
    script:
        "../scripts/fig_toy.py"


rule fairinfl_adult:
    input:
        rules.fairinfl_scores.input,
        expand(rules.fig_fairinfl.output.png, infl="adult"),
        rules.fig_first_order.output.png,
        rules.fig_toy.output.png,


rule fig_celeba_extremes:
    input:
        scores=expand(rules.fairinfl_scores_run.output.scores, infl="celeba", run=INFL["celeba"]["extremes"]["run"]),
        index=expand(rules.external_index.output.index, dataset="celeba"),
    output:
        **figure_outputs("fig_celeba_extremes", INFL_FIG_DIR, category="FairInfl", subcategory="Figures",
                         figure="Fig. 6 CelebA extremes"),
    log:
        "results/logs/fig_celeba_extremes/fig_celeba_extremes.log",
    benchmark:
        "results/timings/fig_celeba_extremes/fig_celeba_extremes.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        root=config["external"]["celeba"]["dir"],
        run=INFL["celeba"]["extremes"]["run"],
        top=INFL["celeba"]["extremes"]["count"],
        constraint=INFL["celeba"]["extremes"]["constraint"],
        figures=config["figures"],
    script:
        "../scripts/fig_celeba_extremes.py"


rule fairinfl_celeba:
    input:
        infl_outputs(rules.fairinfl_scores_run.output.scores, "celeba"),
        expand(rules.fig_fairinfl.output.png, infl="celeba"),
        rules.fig_celeba_extremes.output.png,


rule fairinfl_jigsaw:
    input:
        infl_outputs(rules.fairinfl_scores_run.output.scores, "jigsaw"),
        expand(rules.fig_fairinfl.output.png, infl="jigsaw"),


# FairInfl Adult protocol variants (docs/fairinfl_variants.md): config fairinfl.variants.<variant> overrides
# the default protocol (training / retrain λ, score sign, kernel, balancing, steps and schedule). Every
# variant writes files in the default format under results/fairinfl/adult/variants/<variant>/; what cannot
# differ from the default (its data, score model, scores, random and accuracy retrains, reduction row) is read from the
# default outputs instead of recomputed (fairinfl.variant_reuse). fairinfl_sensitivity draws the panel.
INFL_VARIANTS = list(INFL["variants"])
INFL_VARIANT_DIR = "results/fairinfl/adult/variants/{variant}"


rule fairinfl_adult_data_balanced:
    input:
        raw=expand("results/raw/{name}", name=INFL["adult"]["raw_files"]),
    output:
        data="results/data/fairinfl_adult_{balancing}.npz",
        prov="results/provenance/fairinfl_adult_data_balanced/{balancing}.json",
    log:
        "results/logs/fairinfl_adult_data_balanced/{balancing}.log",
    benchmark:
        "results/timings/fairinfl_adult_data_balanced/{balancing}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    wildcard_constraints:
        balancing="|".join(b for b in BALANCING if b != INFL["adult"]["balancing"]),
    params:
        aif360_paths=[config["raw_files"][name]["aif360_path"] for name in INFL["adult"]["raw_files"]],
        balance_seed=INFL["adult"]["balance_seed"],
        balancing=lambda wildcards: wildcards.balancing,
    script:
        "../scripts/fairinfl_adult_data.py"


rule fairinfl_variant_scores_run:
    input:
        unpack(infl_variant_score_inputs),
    output:
        scores="results/scores/fairinfl/adult/variants/{variant}/{run}.npz",
        model="results/models/fairinfl/adult/variants/{variant}/{run}.pt",
        lfatr=f"{INFL_VARIANT_DIR}/lfatr/{{run}}.csv",
        prov="results/provenance/fairinfl_variant_scores/{variant}/{run}.json",
    log:
        "results/logs/fairinfl_variant_scores/{variant}/{run}.log",
    benchmark:
        "results/timings/fairinfl_variant_scores/{variant}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    wildcard_constraints:
        variant="|".join(INFL_VARIANTS),
    resources:
        mem_mb=4000,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=infl_data_params("adult"),
        training=lambda wildcards: variant_params(wildcards.variant, "training"),
        scores=lambda wildcards: variant_params(wildcards.variant, "scores"),
    script:
        "../scripts/fairinfl_scores.py"


rule fairinfl_variant_prune_run:
    input:
        unpack(infl_variant_prune_inputs),
    output:
        runs=f"{INFL_VARIANT_DIR}/prune/{{run}}.csv",
        prov="results/provenance/fairinfl_variant_prune/{variant}/{run}.json",
    log:
        "results/logs/fairinfl_variant_prune/{variant}/{run}.log",
    benchmark:
        "results/timings/fairinfl_variant_prune/{variant}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    wildcard_constraints:
        variant="|".join(INFL_VARIANTS),
    resources:
        mem_mb=4000,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=infl_data_params("adult"),
        training=lambda wildcards: variant_params(wildcards.variant, "retrain"),
        prune=lambda wildcards: variant_params(wildcards.variant, "prune"),
        reuse=lambda wildcards: variant_reuse(INFL, wildcards.variant)["strategies"],
    script:
        "../scripts/fairinfl_prune.py"


rule fairinfl_variant_baselines_run:
    input:
        unpack(infl_variant_baseline_inputs),
    output:
        runs=f"{INFL_VARIANT_DIR}/baselines/{{run}}.csv",
        prov="results/provenance/fairinfl_variant_baselines/{variant}/{run}.json",
    log:
        "results/logs/fairinfl_variant_baselines/{variant}/{run}.log",
    benchmark:
        "results/timings/fairinfl_variant_baselines/{variant}/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    wildcard_constraints:
        variant="|".join(INFL_VARIANTS),
    resources:
        mem_mb=4000,
    params:
        run=lambda wildcards: int(wildcards.run),
        data=infl_data_params("adult"),
        training=lambda wildcards: variant_params(wildcards.variant, "training"),
        default_training=infl_training("adult"),
        baselines=INFL["adult"]["baselines"],
        reduction=INFL_REDUCTION,
    script:
        "../scripts/fairinfl_baselines.py"


rule fairinfl_variant:
    input:
        infl_variant_outputs(rules.fairinfl_variant_prune_run.output.runs, INFL_VARIANTS),
        infl_variant_outputs(rules.fairinfl_variant_baselines_run.output.runs,
                             [v for v in INFL_VARIANTS if not variant_reuse(INFL, v)["baselines"]]),
        infl_variant_outputs(rules.fairinfl_variant_scores_run.output.lfatr,
                             [v for v in INFL_VARIANTS if not variant_reuse(INFL, v)["scores"]]),


rule fig_sensitivity:
    input:
        default=infl_outputs(rules.fairinfl_prune_run.output.runs, "adult"),
        variants=infl_variant_outputs(rules.fairinfl_variant_prune_run.output.runs, INFL["sensitivity"]["variants"]),
    output:
        **figure_outputs("fig_sensitivity", INFL_FIG_DIR, category="FairInfl", subcategory="Protocol variants",
                         figure="prune by fairness vs random"),
    log:
        "results/logs/fig_sensitivity/fig_sensitivity.log",
    benchmark:
        "results/timings/fig_sensitivity/fig_sensitivity.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        variants=INFL["sensitivity"]["variants"],
        descriptions={v or "default": describe_protocol(INFL_PROTOCOLS[v]) for v in [None, *INFL["sensitivity"]["variants"]]},
        sensitivity=INFL["sensitivity"],
        figures=config["figures"],
    script:
        "../scripts/fig_sensitivity.py"


rule fairinfl_sensitivity:
    input:
        rules.fig_sensitivity.output.png,
