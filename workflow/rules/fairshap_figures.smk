# FairShap analysis figures (algorithms.md §4.2). One target per figure;
# fairshap_figures builds them all.


rule fig_tradeoff:
    input:
        per_split=rules.table2.output.per_split,
    output:
        **figure_outputs("fig_tradeoff", category="FairShap", subcategory="Figures", figure="Fig. 5 trade-off"),
    log:
        "results/logs/fig_tradeoff/fig_tradeoff.log",
    benchmark:
        "results/timings/fig_tradeoff/fig_tradeoff.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
    script:
        "../scripts/fig_tradeoff.py"


rule fig_weights:
    input:
        table=f"results/data/{FIGS['weights']['pair']}.csv",
        meta=f"results/data/{FIGS['weights']['pair']}.meta.json",
        scores="results/scores/fairshap/{pair}/{split}.npz".format(**FIGS["weights"]),
    output:
        **figure_outputs("fig_weights", category="FairShap", subcategory="Figures", figure="Fig. 6 weights"),
    log:
        "results/logs/fig_weights/fig_weights.log",
    benchmark:
        "results/timings/fig_weights/fig_weights.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        pair=config["pairs"][FIGS["weights"]["pair"]],
        split=FIGS["weights"]["split"],
    script:
        "../scripts/fig_weights.py"


rule fairshap_alpha:
    input:
        table=rules.preprocess.output.table,
        splits=rules.make_splits.output.splits,
        fairshap=expand("results/scores/fairshap/{{pair}}/{split}.npz", split=SPLITS),
        table2=lambda wildcards: [f"results/table2/{wildcards.pair}/{m}.csv"
                                  for m in alpha_from_table2(wildcards).values()],
    output:
        per_split="results/fairshap/alpha/{pair}/{method}.csv",
        prov="results/provenance/fairshap_alpha/{pair}/{method}.json",
    log:
        "results/logs/fairshap_alpha/{pair}/{method}.log",
    benchmark:
        "results/timings/fairshap_alpha/{pair}/{method}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        mem_mb=3000,
    params:
        method=lambda wildcards: config["methods"][wildcards.method],
        pair=lambda wildcards: config["pairs"][wildcards.pair],
        seeds=SPLIT_SEEDS,
        alphas=FIGS["alpha"]["values"],
        split_fractions=SPLIT_FRACTIONS,
        from_table2=lambda wildcards: list(alpha_from_table2(wildcards)),
    script:
        "../scripts/fairshap_alpha.py"


rule fig_alpha:
    input:
        per_split=expand(rules.fairshap_alpha.output.per_split, pair=PAIRS, method=ALPHA_METHODS),
    output:
        **figure_outputs("fig_alpha", category="FairShap", subcategory="Figures", figure="Fig. 7 α curves"),
    log:
        "results/logs/fig_alpha/fig_alpha.log",
    benchmark:
        "results/timings/fig_alpha/fig_alpha.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        jobs=[(pair, method) for pair in PAIRS for method in ALPHA_METHODS],
        pairs={pair: config["pairs"][pair] for pair in PAIRS},
        labels={method: config["methods"][method]["label"] for method in ALPHA_METHODS},
        metrics=config["table2"]["metrics"],
    script:
        "../scripts/fig_alpha.py"


rule fairshap_ablation:
    input:
        table=rules.preprocess.output.table,
        meta=rules.preprocess.output.meta,
    output:
        per_run="results/fairshap/ablation/{pair}.csv",
        prov="results/provenance/fairshap_ablation/{pair}.json",
    log:
        "results/logs/fairshap_ablation/{pair}.log",
    benchmark:
        "results/timings/fairshap_ablation/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        mem_mb=3000,
    params:
        ablation=FIGS["ablation"],
        seeds=split_seeds(FIGS["ablation"]["repeats"], seed=FIGS["ablation"]["seed"], high=config["splits"]["seed_high"]),
        pair=lambda wildcards: config["pairs"][wildcards.pair],
        fairshap={k: v for k, v in config["fairshap"].items() if k != "gpu"},
    script:
        "../scripts/fairshap_ablation.py"


rule fig_ablation:
    input:
        per_run=expand(rules.fairshap_ablation.output.per_run, pair=PAIRS),
    output:
        **figure_outputs("fig_ablation", category="FairShap", subcategory="Figures", figure="Fig. 8 reference size"),
    log:
        "results/logs/fig_ablation/fig_ablation.log",
    benchmark:
        "results/timings/fig_ablation/fig_ablation.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        pairs=[config["pairs"][pair] for pair in PAIRS],
        labels={f"fairshap_{v}": valuation_label(v) for v in FIGS["ablation"]["valuations"]},
        metrics=config["table2"]["metrics"],
    script:
        "../scripts/fig_ablation.py"


rule fairshap_runtime:
    output:
        runs="results/fairshap/runtime.csv",
        prov="results/provenance/fairshap_runtime/fairshap_runtime.json",
    log:
        "results/logs/fairshap_runtime/fairshap_runtime.log",
    benchmark:
        "results/timings/fairshap_runtime/fairshap_runtime.tsv"
    conda:
        "../../envs/fairscore.yaml"
    threads: FIGS["runtime"]["threads"]  # capped at --cores locally, so nothing else runs beside the timings
    params:
        runtime={k: v for k, v in runtime_params().items() if k != "threads"},
    script:
        "../scripts/fairshap_runtime.py"


rule fig_runtime:
    input:
        runs=rules.fairshap_runtime.output.runs,
        paper="reference/fairshap_runtimes.csv",
    output:
        **figure_outputs("fig_runtime", category="FairShap", subcategory="Figures", figure="Fig. 10 run time"),
    log:
        "results/logs/fig_runtime/fig_runtime.log",
    benchmark:
        "results/timings/fig_runtime/fig_runtime.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        n_features=FIGS["runtime"]["n_features"],
    script:
        "../scripts/fig_runtime.py"


rule fig_synthetic:
    output:
        **{f"tpr_tnr_{k}": v for k, v in figure_outputs("fig_synthetic_tpr_tnr", category="FairShap",
                                                         subcategory="Figures", figure="Fig. 11 synthetic").items()
           if k != "prov"},
        **{f"weights_{k}": v for k, v in figure_outputs("fig_synthetic_weights", category="FairShap",
                                                         subcategory="Figures", figure="Fig. 12 synthetic").items()
           if k != "prov"},
        models=f"{FIG_DIR}/fig_synthetic_weights.models.csv",
        prov="results/provenance/fig_synthetic/fig_synthetic.json",
    log:
        "results/logs/fig_synthetic/fig_synthetic.log",
    benchmark:
        "results/timings/fig_synthetic/fig_synthetic.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        synthetic=FIGS["synthetic"],
    script:
        "../scripts/fig_synthetic.py"


rule fairshap_figures:
    input:
        rules.fig_tradeoff.output.png,
        rules.fig_weights.output.png,
        rules.fig_alpha.output.png,
        rules.fig_ablation.output.png,
        rules.fig_runtime.output.png,
        rules.fig_synthetic.output.tpr_tnr_png,
        rules.fig_synthetic.output.weights_png,
