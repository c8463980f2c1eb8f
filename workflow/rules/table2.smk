rule table2_method:
    input:
        table=rules.preprocess.output.table,
        splits=rules.make_splits.output.splits,
        fairshap=method_fairshap_scores,
        fairinfl=method_fairinfl_scores,
        raw=method_raw_files,
    output:
        per_split="results/table2/{pair}/{method}.csv",
        prov="results/provenance/table2_method/{pair}/{method}.json",
    log:
        "results/logs/table2_method/{pair}/{method}.log",
    benchmark:
        "results/timings/table2_method/{pair}/{method}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        mem_mb=3000,
    params:
        method=lambda wildcards: ALL_METHODS[wildcards.method],
        pair=lambda wildcards: config["pairs"][wildcards.pair],
        seeds=SPLIT_SEEDS,
        aif360_paths=method_aif360_paths,
        split_fractions=SPLIT_FRACTIONS,
    script:
        "../scripts/table2_method.py"


rule table2:
    input:
        per_split=[f"results/table2/{pair}/{method}.csv" for pair, method in TABLE2_JOBS],
    output:
        csv=report("results/tables/table2.csv", caption="../report/table2.rst", category="FairShap",
                   subcategory="Table 2", labels={"table": "Table 2", "format": "csv"}),
        md=report("results/tables/table2.md", caption="../report/table2.rst", category="FairShap",
                  subcategory="Table 2", labels={"table": "Table 2", "format": "markdown"}),
        tex=report("results/tables/table2.tex", caption="../report/table2.rst", category="FairShap",
                   subcategory="Table 2", labels={"table": "Table 2", "format": "latex"}),
        per_split="results/tables/table2_per_split.csv",
        prov="results/provenance/table2/table2.json",
    log:
        "results/logs/table2/table2.log",
    benchmark:
        "results/timings/table2/table2.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        jobs=TABLE2_JOBS,
        pairs={pair: config["pairs"][pair] for pair in PAIRS},
        labels={method: config["methods"][method]["label"] for method in METHODS},
        metrics=config["table2"]["metrics"],
        diagnostics=config["table2"]["diagnostics"],
        references=REFERENCE_METHODS,
    script:
        "../scripts/table2.py"


# Authors'-code recipe rows (interfaces: a method with `recipe_of: <method id>`): the default method's label ->
# the recipe's label, for the "authors' code" column of table2_vs_paper and the reproduction report.
RECIPE_METHODS = {m: e for m, e in config["methods"].items() if "recipe_of" in e}
RECIPE_LABELS = {config["methods"][e["recipe_of"]]["label"]: e["label"] for e in RECIPE_METHODS.values()}


rule table2_vs_paper:
    input:
        cells=rules.table2.output.csv,
        paper="reference/fairshap_table2.csv",
    output:
        csv=report("results/tables/table2_vs_paper.csv", caption="../report/table2_vs_paper.rst",
                   category="FairShap", subcategory="Table 2 vs paper", labels={"table": "comparison", "format": "csv"}),
        md=report("results/tables/table2_vs_paper.md", caption="../report/table2_vs_paper.rst",
                  category="FairShap", subcategory="Table 2 vs paper", labels={"table": "comparison", "format": "markdown"}),
        prov="results/provenance/table2_vs_paper/table2_vs_paper.json",
    log:
        "results/logs/table2_vs_paper/table2_vs_paper.log",
    benchmark:
        "results/timings/table2_vs_paper/table2_vs_paper.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        threshold=config["report"]["threshold"],
        tolerance=config["report"]["printed_tolerance"],
        recipes=RECIPE_LABELS,
        recipe_methods=RECIPE_METHODS,
    script:
        "../scripts/table2_vs_paper.py"
