# Cross-family comparison: FairInfl scores as Table 2 methods, and every method ranked.


rule fairinfl_split_scores_pair:
    input:
        table=rules.preprocess.output.table,
        splits=rules.make_splits.output.splits,
    output:
        scores=expand("results/scores/fairinfl_splits/{{pair}}/{split}.npz", split=SPLITS),
        prov="results/provenance/fairinfl_split_scores/{pair}.json",
    log:
        "results/logs/fairinfl_split_scores/{pair}.log",
    benchmark:
        "results/timings/fairinfl_split_scores/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        mem_mb=4000,
    params:
        training=as_params(section(Training, INFL["training"], CROSS["fairinfl_scores"],
                                   where="cross_family.fairinfl_scores")),
        scores=INFL_SCORES,
        constraints=SPLIT_SCORE_CONSTRAINTS,
        split_fractions=SPLIT_FRACTIONS,
    script:
        "../scripts/fairinfl_split_scores.py"


rule cross_family_table:
    input:
        per_split=[f"results/table2/{pair}/{method}.csv" for pair, method in CROSS_JOBS],
    output:
        csv=report("results/cross_family/table2_extended.csv", caption="../report/cross_family.rst",
                   category="Cross-family", subcategory="Table 2 with FairInfl rows", labels={"format": "csv"}),
        md=report("results/cross_family/table2_extended.md", caption="../report/cross_family.rst",
                  category="Cross-family", subcategory="Table 2 with FairInfl rows", labels={"format": "markdown"}),
        tex=report("results/cross_family/table2_extended.tex", caption="../report/cross_family.rst",
                   category="Cross-family", subcategory="Table 2 with FairInfl rows", labels={"format": "latex"}),
        per_split="results/cross_family/table2_extended_per_split.csv",
        prov="results/provenance/cross_family_table/cross_family_table.json",
    log:
        "results/logs/cross_family_table/cross_family_table.log",
    benchmark:
        "results/timings/cross_family_table/cross_family_table.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        jobs=CROSS_JOBS,
        pairs={pair: config["pairs"][pair] for pair in PAIRS},
        labels={method: ALL_METHODS[method]["label"] for method in ALL_METHODS},
        metrics=config["table2"]["metrics"],
        diagnostics=[],
        references=[],
    script:
        "../scripts/table2.py"


rule cross_family_ranking:
    input:
        cells=rules.cross_family_table.output.csv,
    output:
        csv=report("results/cross_family/ranking.csv", caption="../report/cross_family.rst",
                   category="Cross-family", subcategory="Ranking", labels={"format": "csv"}),
        md=report("results/cross_family/ranking.md", caption="../report/cross_family.rst",
                  category="Cross-family", subcategory="Ranking", labels={"format": "markdown"}),
        prov="results/provenance/cross_family_ranking/cross_family_ranking.json",
    log:
        "results/logs/cross_family_ranking/cross_family_ranking.log",
    benchmark:
        "results/timings/cross_family_ranking/cross_family_ranking.tsv"
    conda:
        "../../envs/fairscore.yaml"
    script:
        "../scripts/cross_family_ranking.py"


rule cross_family:
    input:
        rules.cross_family_table.output.md,
        rules.cross_family_ranking.output.md,
        rules.cross_family_fairinfl.input,
