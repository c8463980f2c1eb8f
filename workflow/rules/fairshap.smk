rule fairshap_scores_pair:
    input:
        table=rules.preprocess.output.table,
        splits=rules.make_splits.output.splits,
    output:
        scores=expand("results/scores/fairshap/{{pair}}/{split}.npz", split=SPLITS),
        prov="results/provenance/fairshap_scores/{pair}.json",
    log:
        "results/logs/fairshap_scores/{pair}.log",
    benchmark:
        "results/timings/fairshap_scores/{pair}.tsv"
    conda:
        "../../envs/fairscore.yaml"
    resources:
        gpu=1 if config["fairshap"]["gpu"] else 0,
        mem_mb=4000,
    params:
        fairshap={k: v for k, v in config["fairshap"].items() if k != "gpu"},
        split_fractions=SPLIT_FRACTIONS,
    script:
        "../scripts/fairshap_scores.py"


rule fairshap_scores:
    input:
        expand(rules.fairshap_scores_pair.output.scores, pair=PAIRS),


# The same scores with the authors' tie order (numba's np.argsort on the distances), built only for
# methods with `tie_order: authors` (config/recipes/authors_code.yaml; docs/recipes.md).
use rule fairshap_scores_pair as fairshap_scores_authors_pair with:
    output:
        scores=expand("results/scores/fairshap_authors/{{pair}}/{split}.npz", split=SPLITS),
        prov="results/provenance/fairshap_scores_authors/{pair}.json",
    log:
        "results/logs/fairshap_scores_authors/{pair}.log",
    benchmark:
        "results/timings/fairshap_scores_authors/{pair}.tsv"
    params:
        fairshap={**rules.fairshap_scores_pair.params.fairshap, "tie_order": "authors"},
        split_fractions=SPLIT_FRACTIONS,
