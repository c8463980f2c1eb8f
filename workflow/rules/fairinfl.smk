# FairInfl on Adult (issue 6; algorithms.md §2, §4.4): data, scores per run, pruned retrains,
# baselines, and the figures. fairinfl_adult builds them all.


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
    script:
        "../scripts/fairinfl_adult_data.py"


rule fairinfl_scores_run:
    input:
        data=rules.fairinfl_adult_data.output.data,
    output:
        scores="results/scores/fairinfl/adult/{run}.npz",
        model="results/models/fairinfl/adult/{run}.pt",
        lfatr="results/fairinfl/adult/lfatr/{run}.csv",
        prov="results/provenance/fairinfl_scores/{run}.json",
    log:
        "results/logs/fairinfl_scores/{run}.log",
    benchmark:
        "results/timings/fairinfl_scores/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        run=lambda wildcards: int(wildcards.run),
        test_fraction=INFL["adult"]["test_fraction"],
        training=INFL["training"],
        scores=INFL["scores"],
    script:
        "../scripts/fairinfl_scores.py"


rule fairinfl_scores:
    input:
        expand(rules.fairinfl_scores_run.output.scores, run=INFL_RUNS),


rule fairinfl_prune_run:
    input:
        data=rules.fairinfl_adult_data.output.data,
        scores=rules.fairinfl_scores_run.output.scores,
    output:
        runs="results/fairinfl/adult/prune/{run}.csv",
        prov="results/provenance/fairinfl_prune/{run}.json",
    log:
        "results/logs/fairinfl_prune/{run}.log",
    benchmark:
        "results/timings/fairinfl_prune/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        run=lambda wildcards: int(wildcards.run),
        test_fraction=INFL["adult"]["test_fraction"],
        training=INFL["training"],
        prune=INFL["prune"],
    script:
        "../scripts/fairinfl_prune.py"


rule fairinfl_baselines_run:
    input:
        data=rules.fairinfl_adult_data.output.data,
    output:
        runs="results/fairinfl/adult/baselines/{run}.csv",
        prov="results/provenance/fairinfl_baselines/{run}.json",
    log:
        "results/logs/fairinfl_baselines/{run}.log",
    benchmark:
        "results/timings/fairinfl_baselines/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        run=lambda wildcards: int(wildcards.run),
        test_fraction=INFL["adult"]["test_fraction"],
        training=INFL["training"],
        reduction=INFL["reduction"],
    script:
        "../scripts/fairinfl_baselines.py"


rule fig_fairinfl_adult:
    input:
        prune=expand(rules.fairinfl_prune_run.output.runs, run=INFL_RUNS),
        baselines=expand(rules.fairinfl_baselines_run.output.runs, run=INFL_RUNS),
        lfatr=expand(rules.fairinfl_scores_run.output.lfatr, run=INFL_RUNS),
    output:
        **figure_outputs("fig_fairinfl_adult", INFL_FIG_DIR),
    log:
        "results/logs/fig_fairinfl_adult/fig_fairinfl_adult.log",
    benchmark:
        "results/timings/fig_fairinfl_adult/fig_fairinfl_adult.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
    script:
        "../scripts/fig_fairinfl_adult.py"


rule fig_first_order:
    input:
        data=rules.fairinfl_adult_data.output.data,
        model=expand(rules.fairinfl_scores_run.output.model, run=INFL["first_order"]["run"]),
    output:
        **figure_outputs("fig_first_order", INFL_FIG_DIR),
    log:
        "results/logs/fig_first_order/fig_first_order.log",
    benchmark:
        "results/timings/fig_first_order/fig_first_order.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        first_order=INFL["first_order"],
        test_fraction=INFL["adult"]["test_fraction"],
        training=INFL["training"],
    script:
        "../scripts/fig_first_order.py"


rule fig_toy:
    output:
        **{k: v for k, v in figure_outputs("fig_toy", INFL_FIG_DIR).items() if k != "data"},
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
        scores=INFL["scores"],
    script:
        "../scripts/fig_toy.py"


rule fairinfl_adult:
    input:
        rules.fairinfl_scores.input,
        rules.fig_fairinfl_adult.output.png,
        rules.fig_first_order.output.png,
        rules.fig_toy.output.png,
