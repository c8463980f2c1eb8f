# fairscore: reproduces FairInfl (Wang, Wang & Liu, ICML 2022) and FairShap
# (Arnaiz-Rodriguez & Oliver). See README.md and docs/; conventions in workflow.md.
from snakemake.utils import min_version

min_version("9.19")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"


# Local runs schedule when a job ends, without Snakemake's per-second rate-limit passes, which
# multiply and took half a core of the default run (fairscore.pipeline.workflow).
onstart:
    drop_local_rate_limit(workflow)


# Set by common.smk; declared so that remote (SLURM) jobs receive them too.
envvars:
    "PYTHONPATH",
    "FAIRSCORE_CONFIG_FILES",


include: "workflow/rules/data.smk"
include: "workflow/rules/splits.smk"
include: "workflow/rules/fairshap.smk"
include: "workflow/rules/table2.smk"
include: "workflow/rules/fairshap_figures.smk"
include: "workflow/rules/external.smk"
include: "workflow/rules/fairshap_vision.smk"
include: "workflow/rules/fairinfl.smk"
include: "workflow/rules/cross_family_fairinfl.smk"
include: "workflow/rules/cross_family.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/targets.smk"


report: "workflow/report/workflow.rst"


wildcard_constraints:
    pair="|".join(config["pairs"]),  # any configured pair; PAIRS (run_pairs) is what the aggregates build
    split=r"\d+",
    method="|".join(ALL_METHODS),
    raw_file="|".join(map(re.escape, config["raw_files"])),
    run=r"\d+",
    dataset="|".join(config["external"]),
    infl="|".join(INFL_DATASETS),


localrules:
    all,
    data,
    splits,
    fairshap_scores,
    table2,
    table2_vs_paper,
    fairshap_figures,
    fairinfl_scores,
    fairinfl_adult,
    cross_family_table,
    cross_family_ranking,
    cross_family,
    reproduction_report,
    external_data,
    cross_family_fairinfl,
    fairshap_vision,
    fairinfl_celeba,
    fairinfl_jigsaw,
    deep,
    deep_report,


rule all:
    default_target: True
    input:
        rules.data.input,
        rules.splits.input,
        rules.fairshap_scores.input,
        rules.table2.output.md,
        rules.table2_vs_paper.output.md,
        rules.fairshap_figures.input,
        rules.fairinfl_adult.input,
        rules.cross_family.input,
        rules.reproduction_report.output.html,


# The image and text experiments. They need data from outside PyPI (docs/image_text.md), so
# `all` leaves them out; `deep --configfile config/deep_fixture.yaml` builds them from
# generated fixtures anywhere.
rule deep:
    input:
        rules.fairinfl_celeba.input,
        rules.fairinfl_jigsaw.input,
        rules.fairshap_vision.input,
        rules.deep_report.output.html,


rerun_damaged_outputs()  # common.smk: damaged intermediates are rebuilt by a plain rerun
