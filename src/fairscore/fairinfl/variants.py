"""FairInfl protocol variants (``algorithms.md`` §2.9; D17, D34): the paper's text and the authors'
code as named recipes, what each variant may reuse, and the sensitivity summary over variants.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairscore.errors import ConfigError, DataError
from fairscore.fairinfl.pruning import SIGNS
from fairscore.fairinfl.rundata import BALANCING
from fairscore.fairinfl.settings import Prune, Scoring, dataset_training
from fairscore.models.settings import Training
from fairscore.settings import section

__all__ = [
    "Protocol",
    "describe_protocol",
    "sensitivity_summary",
    "variant_protocol",
    "variant_reuse",
]


#: the keys a protocol variant (config ``fairinfl.variants.<name>``) may override
VARIANT_KEYS = ("lam", "retrain_lam", "sign", "kernel", "chunk_size", "alpha", "balancing", "training", "retrain")


@dataclass(frozen=True)
class Protocol:
    """One FairInfl Adult protocol: the data's ``balancing``, the score model's (and lfatr's)
    ``training``, the pruned retrains' ``retrain``, the ``scores`` and the ``prune`` settings."""

    balancing: str
    training: Training
    retrain: Training
    scores: Scoring
    prune: Prune


def variant_protocol(infl: dict, name: str | None = None) -> Protocol:
    """The FairInfl Adult protocol of variant ``name`` of config ``fairinfl`` (``infl``); None is the default.

    ``training``: :func:`~fairscore.fairinfl.settings.dataset_training` of Adult, then the
    variant's ``training`` overrides (e.g. steps, lr_boundaries, lr_decay), with ``lam`` = the
    variant's ``lam``; ``retrain``: that, then ``adult.retrain`` and the variant's ``retrain``
    overrides, with ``lam`` = ``retrain_lam`` (default: the training λ); ``scores``:
    ``fairinfl.scores`` with ``kernel``, ``chunk_size``, ``alpha`` overridden; ``prune``:
    ``fairinfl.prune`` with ``sign`` overridden. Without overrides a variant is the default
    protocol exactly.
    """
    adult = infl["adult"]
    if name is None:
        variant = {}
    elif name not in infl.get("variants", {}):
        raise ConfigError(f"fairinfl.variants has no variant {name!r}; configured: {sorted(infl.get('variants', {}))}")
    else:
        variant = infl["variants"][name] or {}
    unknown = sorted(set(variant) - set(VARIANT_KEYS))
    if unknown:
        raise ConfigError(f"fairinfl.variants.{name}: unknown keys {unknown}; expected some of {list(VARIANT_KEYS)}")
    where = f"fairinfl.variants.{name}" if name else "fairinfl"
    base = dataset_training(infl, "adult")
    training = section(Training, dataclasses.asdict(base), variant.get("training", {}), where=f"{where}.training")
    training = dataclasses.replace(training, lam=float(variant.get("lam", training.lam)))
    retrain_where = "fairinfl.adult.retrain" + (f" or fairinfl.variants.{name}.retrain" if name else "")
    retrain = section(Training, dataclasses.asdict(training), adult.get("retrain", {}), variant.get("retrain", {}),
                      {"lam": float(variant.get("retrain_lam", training.lam))}, where=retrain_where)
    scores = section(Scoring, infl["scores"], {k: variant[k] for k in ("kernel", "chunk_size", "alpha") if k in variant},
                     where=f"{where}.scores")
    prune = section(Prune, infl["prune"], {k: variant[k] for k in ("sign",) if k in variant}, where=f"{where}.prune")
    balancing = variant.get("balancing", adult["balancing"])
    if balancing not in BALANCING:
        raise ConfigError(f"fairinfl.variants.{name}.balancing = {balancing!r}; expected one of {BALANCING}")
    if prune.sign not in SIGNS:
        raise ConfigError(f"fairinfl.variants.{name}.sign = {prune.sign!r}; expected one of {SIGNS}")
    return Protocol(balancing=balancing, training=training, retrain=retrain, scores=scores, prune=prune)


def variant_reuse(infl: dict, name: str) -> dict:
    """What variant ``name`` can take from the default protocol's outputs instead of recomputing.

    ``baselines``: ERM and reduction cannot differ (the same data and training apart from λ,
    which they do not use).
    ``model``: the same data and score-model training (the default's trained model is scored
    again); ``scores``: also the same score settings (the default's score file is used as
    it is, e.g. a variant that changes only the sign); ``strategies``: the prune strategies
    whose rows cannot differ from the default's (random with the same data and retrain
    settings; accuracy also with the same score model; fairness also with the same scores,
    constraint and sign).
    """
    default, variant = variant_protocol(infl), variant_protocol(infl, name)
    data = variant.balancing == default.balancing
    model = data and variant.training == default.training
    scores = model and variant.scores == default.scores
    retrain = data and variant.retrain == default.retrain
    unconstrained = [dataclasses.replace(p.training, lam=0.0) for p in (default, variant)]
    same = {"random": retrain, "accuracy": retrain and model,
            "fairness": retrain and scores and variant.prune.sign == default.prune.sign
            and variant.prune.constraint == default.prune.constraint}
    return {"model": model, "scores": scores, "strategies": [s for s in variant.prune.strategies if same.get(s)],
            "baselines": data and unconstrained[0] == unconstrained[1]}


def describe_protocol(protocol: Protocol) -> str:
    """A protocol (:func:`variant_protocol`) in a few words, for legends and captions."""
    training, scores = protocol.training, protocol.scores
    lam = f"λ {training.lam:g}/{protocol.retrain.lam:g}"
    sign = "|S|" if protocol.prune.sign == "abs" else "signed S"
    kernel = "full kernel" if scores.kernel == "full" else f"chunked kernel ({scores.chunk_size})"
    balancing = {"label_sex": "label×sex-balanced", "sex": "sex-balanced", "none": "unbalanced"}[protocol.balancing]
    length = f"{training.steps:,} steps" if training.steps else f"{training.epochs} epochs"
    return f"{lam}, {sign}, {kernel}, α {scores.alpha}, {balancing}, {length}"


def sensitivity_summary(prunes: dict, *, fractions, claim_fractions) -> pd.DataFrame:
    """Prune by fairness against random per protocol variant and kept fraction (the sensitivity panel).

    ``prunes`` maps a variant name to its prune rows (every run; :func:`prune_runs`). For each
    variant and fraction in ``fractions``: the number of runs with both strategies, mean and
    standard error over the runs of |DP violation| and accuracy for each strategy, and of the
    paired difference fairness − random (same run). ``fairness_lower`` at a fraction of
    ``claim_fractions``: "yes" when the paired difference of |violation| is below zero by more
    than two standard errors (mean + 2·SE < 0), "no" otherwise, "undetermined" with fewer than
    two runs. ``rescues_claim`` per variant: "yes" when it is "yes" at every claim fraction,
    "undetermined" when any is undetermined and none is "no", else "no".
    """
    if not set(claim_fractions) <= set(fractions):
        raise ConfigError(f"sensitivity claim_fractions {list(claim_fractions)} must be among fractions {list(fractions)}")
    rows = []
    for variant, frame in prunes.items():
        missing = sorted(set(fractions) - set(frame["fraction"]))
        if missing or not {"random", "fairness"} <= set(frame["strategy"]):
            raise DataError(f"variant {variant!r}: prune rows need strategies random and fairness at fractions "
                            f"{list(fractions)}; missing fractions {missing}, strategies {sorted(set(frame['strategy']))}")
        for fraction in fractions:
            at = frame[frame["fraction"] == fraction]
            paired = at.pivot_table(index="run", columns="strategy", values=["violation_abs", "accuracy"]).dropna()
            row = {"variant": variant, "fraction": fraction, "runs": len(paired)}
            for metric in ("violation_abs", "accuracy"):
                parts = {"random": paired[(metric, "random")], "fairness": paired[(metric, "fairness")]}
                parts["difference"] = parts["fairness"] - parts["random"]
                for name, values in parts.items():
                    row[f"{name}_{metric}_mean"] = values.mean()
                    row[f"{name}_{metric}_se"] = values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else np.nan
            bound = row["difference_violation_abs_mean"] + 2 * row["difference_violation_abs_se"]
            row["fairness_lower"] = ("" if fraction not in claim_fractions else "undetermined" if len(paired) < 2
                                     else "yes" if bound < 0 else "no")
            rows.append(row)
    summary = pd.DataFrame(rows)
    verdicts = summary[summary["fairness_lower"] != ""].groupby("variant", sort=False)["fairness_lower"].agg(set)
    rescued = {v: "no" if "no" in s else "undetermined" if "undetermined" in s else "yes" for v, s in verdicts.items()}
    summary["rescues_claim"] = summary["variant"].map(rescued)
    return summary
