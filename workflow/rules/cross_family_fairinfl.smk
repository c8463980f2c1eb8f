# Cross-family: FairShap values as a fourth prune strategy of the FairInfl Adult
# protocol (in neither paper). cross_family_fairinfl builds the comparison figure.


rule cross_family_fairinfl_run:
    input:
        data=rules.fairinfl_adult_data.output.data,
    output:
        runs="results/cross_family/fairinfl_adult/{run}.csv",
        scores="results/scores/cross_family/fairshap_adult/{run}.npz",
        prov="results/provenance/cross_family_fairinfl/{run}.json",
    log:
        "results/logs/cross_family_fairinfl/{run}.log",
    benchmark:
        "results/timings/cross_family_fairinfl/{run}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        run=lambda wildcards: int(wildcards.run),
        data=infl_data_params("adult"),
        training=INFL_TRAINING,
        fractions=INFL_PRUNE["fractions"],
        fairshap={k: v for k, v in config["fairshap"].items() if k != "gpu"},
        fairshap_prune=config["cross_family"]["fairshap_prune"],
    script:
        "../scripts/cross_family_fairinfl.py"


rule fig_cross_fairinfl_adult:
    input:
        prune=infl_outputs(rules.fairinfl_prune_run.output.runs, "adult"),
        fairshap=infl_outputs(rules.cross_family_fairinfl_run.output.runs, "adult"),
        baselines=infl_outputs(rules.fairinfl_baselines_run.output.runs, "adult"),
        lfatr=infl_outputs(rules.fairinfl_scores_run.output.lfatr, "adult"),
    output:
        **figure_outputs("fig_cross_fairinfl_adult", "results/figures/cross_family", category="Cross-family",
                         subcategory="FairShap prune in FairInfl Adult", figure="FairInfl Adult with FairShap prune"),
    log:
        "results/logs/fig_cross_fairinfl_adult/fig_cross_fairinfl_adult.log",
    benchmark:
        "results/timings/fig_cross_fairinfl_adult/fig_cross_fairinfl_adult.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        figures=config["figures"],
        k=config["fairshap"]["k"],
        fairshap_prune=config["cross_family"]["fairshap_prune"],
    script:
        "../scripts/fig_cross_fairinfl_adult.py"


rule cross_family_fairinfl:
    input:
        rules.fig_cross_fairinfl_adult.output.png,
