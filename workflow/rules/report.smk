# Reproduction report: every comparison with the papers in one document.


rule reproduction_report:
    input:
        unpack(authors_variant_inputs),
        comparison=rules.table2_vs_paper.output.csv,
        cells=rules.table2.output.csv,
        tables=expand(rules.preprocess.output.table, pair=PAIRS),
        metas=expand(rules.preprocess.output.meta, pair=PAIRS),
        table7="reference/dataset_stats.csv",
        paper_runtimes="reference/fairshap_runtimes.csv",
        runtime=rules.fairshap_runtime.output.runs,
        fairshap_prov=expand(rules.fairshap_scores_pair.output.prov, pair=PAIRS),
        prune=infl_outputs(rules.fairinfl_prune_run.output.runs, "adult"),
        baselines=infl_outputs(rules.fairinfl_baselines_run.output.runs, "adult"),
        lfatr=infl_outputs(rules.fairinfl_scores_run.output.lfatr, "adult"),
        first_order=rules.fig_first_order.output.data,
        ranking=rules.cross_family_ranking.output.csv,
        decisions="workflow/report/decisions.yaml",
        deep=deep_outputs,
        figures=[p for p in [*rules.fairshap_figures.input, *rules.fairinfl_adult.input, *rules.cross_family_fairinfl.input]
                 if p.endswith(".png")],
    output:
        md=report("results/report/reproduction.md", caption="../report/reproduction.rst", category="Report",
                  labels={"report": "reproduction", "format": "markdown"}),
        html=report("results/report/reproduction.html", caption="../report/reproduction.rst", category="Report",
                    labels={"report": "reproduction", "format": "html"}),
        claims="results/report/fairinfl_claims.csv",
        prov="results/provenance/reproduction_report/reproduction_report.json",
    log:
        "results/logs/reproduction_report/reproduction_report.log",
    benchmark:
        "results/timings/reproduction_report/reproduction_report.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        config=config,
        pairs={pair: config["pairs"][pair] for pair in PAIRS},
        report=config["report"],
        recipe_methods=RECIPE_METHODS,
        majority=next((e["label"] for e in config["methods"].values() if e["kind"] == "majority"), None),
        variant=INFL.get("variants", {}).get(AUTHORS_VARIANT, {}),
        cross_labels=[CROSS["methods"][m]["label"] for m in CROSS_METHODS],
    script:
        "../scripts/reproduction_report.py"


rule deep_report:
    input:
        table1=rules.table1.output.csv,
        celeba_prune=infl_outputs(rules.fairinfl_prune_run.output.runs, "celeba"),
        celeba_baselines=infl_outputs(rules.fairinfl_baselines_run.output.runs, "celeba"),
        celeba_lfatr=infl_outputs(rules.fairinfl_scores_run.output.lfatr, "celeba"),
        jigsaw_prune=infl_outputs(rules.fairinfl_prune_run.output.runs, "jigsaw"),
        jigsaw_baselines=infl_outputs(rules.fairinfl_baselines_run.output.runs, "jigsaw"),
        jigsaw_lfatr=infl_outputs(rules.fairinfl_scores_run.output.lfatr, "jigsaw"),
        extremes=rules.fig_celeba_extremes.output.data,
        figures=[*expand(rules.fig_fairinfl.output.png, infl=["celeba", "jigsaw"]), rules.fig_celeba_extremes.output.png,
                 rules.fig_vision_weights.output.png, rules.fig_vision_projection.output.png],
    output:
        md=report("results/report/deep.md", caption="../report/deep.rst", category="Report",
                  labels={"report": "image and text", "format": "markdown"}),
        html=report("results/report/deep.html", caption="../report/deep.rst", category="Report",
                    labels={"report": "image and text", "format": "html"}),
        claims="results/report/deep_claims.csv",
        prov="results/provenance/deep_report/deep_report.json",
    log:
        "results/logs/deep_report/deep_report.log",
    benchmark:
        "results/timings/deep_report/deep_report.tsv"
    conda:
        "../../envs/fairscore.yaml"
    params:
        report=config["report"],
        fixtures=[name for name, _, _ in FIXTURES],
    script:
        "../scripts/deep_report.py"
