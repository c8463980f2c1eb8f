"""Every claim's decision rule, in one place (docs/verdicts.md shows them as the report does).

A claim of either paper gets one of three outcomes: ``reproduced``, ``not reproduced`` or
``undetermined`` with its reason (missing inputs, NaN, fewer than two runs, fixture data).
Missing evidence is never "not reproduced". The tests a rule uses:

- a *difference* ("lower", "higher", "drops"): z = (a − b) / √(se_a² + se_b²) beyond the
  ``threshold`` of config ``report.threshold`` (the rule of the Table 2 cells);
- *similar*: an equivalence test, TOST (two one-sided Welch t-tests at level ``alpha``), with the
  ``margin`` of config ``report.equivalence_margin``: |a − b| < margin is shown, not assumed;
- *not worse*: the one-sided half of it (non-inferiority, a − b < margin shown at level ``alpha``);
- counts (App. C.4): Fisher's exact test, one-sided, at level ``alpha``.

Kept fraction 1.0 is the full training set: every pruning strategy there is the same model
(and on Jigsaw the lfatr model itself), so no rule that compares strategies, or prune by
fairness with lfatr, looks at it. The papers' numbers come from ``reference/*.csv`` or from
:data:`PAPER_COUNTS` (quoted with its section).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from fairscore.reporting.verdicts import Estimate, NOT_REPRODUCED, REPRODUCED, Settings, UNDETERMINED, Undetermined, binomial_se, welch_z, not_worse, tost

__all__ = [
    "CLAIMS",
    "PAPER_COUNTS",
    "Claim",
    "Curves",
    "decide",
    "fixture_verdicts",
]


#: App. C.4 (FairInfl, Fig. 6 and its text): men among the 20 highest- and the 20 lowest-score
#: CelebA training images, as (men, images).
PAPER_COUNTS = {"highest": (9, 20), "lowest": (17, 20)}


class Curves:
    """The runs of one FairInfl dataset, per (strategy, kept fraction): accuracy and |violation|."""

    def __init__(self, prune: pd.DataFrame):
        self.prune = prune
        self.fractions = [float(f) for f in sorted(prune["fraction"].unique())] if len(prune) else []

    def at(self, strategy: str, fraction: float, metric: str) -> Estimate:
        rows = self.prune[(self.prune["strategy"] == strategy) & np.isclose(self.prune["fraction"], fraction)]
        if rows.empty:
            raise Undetermined(f"no runs of prune by {strategy} at kept fraction {fraction:g}")
        return Estimate.of(rows[metric], f"{metric} of prune by {strategy} at {fraction:g}")

    def between(self, low: float, high: float, *, open_low: bool = False) -> list[float]:
        """Kept fractions f with low ≤ f < high (low < f with ``open_low``); :class:`Undetermined` if none."""
        found = [f for f in self.fractions if (low < f if open_low else low <= f) and f < high]
        if not found:
            bracket = "(" if open_low else "["
            raise Undetermined(f"no kept fraction in {bracket}{low:g}, {high:g}) among {self.fractions}")
        return found

    def full(self) -> float:
        if not self.fractions or not np.isclose(max(self.fractions), 1.0):
            raise Undetermined("no run at kept fraction 1.0 (the full training set)")
        return 1.0


def baseline(baselines: pd.DataFrame, method: str, metric: str) -> Estimate:
    rows = baselines[baselines["method"] == method] if len(baselines) else baselines
    if rows.empty:
        raise Undetermined(f"no {method} runs")
    return Estimate.of(rows[metric], f"{metric} of {method}")


# ----------------------------------------------------------------------------- the rules
Rule = Callable[..., tuple[bool, str]]


def _tradeoff_like(curves: Curves, reference: Estimate, reference_v: Estimate, name: str, s: Settings,
                   *, equal_violation: bool) -> tuple[bool, str]:
    fractions = curves.between(0.1, 1.0)
    level = s.alpha / len(fractions)
    passed, shown = [], []
    for f in fractions:
        acc, v = curves.at("fairness", f, "accuracy"), curves.at("fairness", f, "violation_abs")
        acc_ok, p_acc = tost(acc, reference, margin=s.margin, alpha=level)
        test = tost if equal_violation else not_worse
        v_ok, p_v = test(v, reference_v, margin=s.margin, alpha=level)
        shown.append(f"{f:g}: accuracy {acc} (p {p_acc:.2g}), |violation| {v} (p {p_v:.2g})")
        if acc_ok and v_ok:
            passed.append(f)
    return bool(passed), (f"{name}: accuracy {reference}, |violation| {reference_v}; prune by fairness "
                          + "; ".join(shown) + f"; fractions that pass at α/{len(fractions)} = {level:.2g}: "
                          + (", ".join(f"{f:g}" for f in passed) or "none"))


def tradeoff_like_reduction(curves: Curves, baselines: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    reference = baseline(baselines, "reduction", "accuracy")
    return _tradeoff_like(curves, reference, baseline(baselines, "reduction", "violation_abs"), "reduction", s,
                          equal_violation=False)


def performs_like_lfatr(curves: Curves, baselines: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    reference = baseline(baselines, "lfatr", "accuracy")
    return _tradeoff_like(curves, reference, baseline(baselines, "lfatr", "violation_abs"), "lfatr", s,
                          equal_violation=True)


def random_drops_accuracy(curves: Curves, s: Settings) -> tuple[bool, str]:
    lo, full = curves.between(0.1, 1.0)[0], curves.full()
    acc_lo, acc_full = curves.at("random", lo, "accuracy"), curves.at("random", full, "accuracy")
    v_lo, v_full = curves.at("random", lo, "violation_abs"), curves.at("random", full, "violation_abs")
    z = welch_z(acc_lo, acc_full)
    kept, p = not_worse(v_full, v_lo, margin=s.margin, alpha=s.alpha)  # |violation| at lo not lower by > margin
    return z < -s.threshold and kept, (f"random at {lo:g} vs {full:g}: accuracy {acc_lo} vs {acc_full} (z = {z:+.1f}); "
                                       f"|violation| {v_lo} vs {v_full} (not lower by more than the margin: p {p:.2g})")


def tracks_accuracy(curves: Curves, s: Settings) -> tuple[bool, str]:
    fractions = curves.between(0.2, 1.0, open_low=True)
    results = [(f, *tost(curves.at("fairness", f, "accuracy"), curves.at("accuracy", f, "accuracy"),
                         margin=s.margin, alpha=s.alpha)) for f in fractions]
    return all(ok for _, ok, _ in results), ("accuracy, fairness vs accuracy, TOST p per kept fraction: "
                                             + ", ".join(f"{f:g}: {p:.2g}" for f, _, p in results))


def fairness_lowers_violation_small(curves: Curves, s: Settings) -> tuple[bool, str]:
    shown, ok = [], True
    for f in curves.between(0.1, 0.4):
        fair = curves.at("fairness", f, "violation_abs")
        for other in ("random", "accuracy"):
            o = curves.at(other, f, "violation_abs")
            z = welch_z(fair, o)
            ok &= z < -s.threshold
            shown.append(f"{f:g} vs {other}: {fair} vs {o} (z = {z:+.1f})")
    return ok, "|violation| " + "; ".join(shown)


def anomaly_below_10(curves: Curves, s: Settings) -> tuple[bool, str]:
    tiny = [f for f in curves.fractions if f < 0.1]
    if not tiny:
        raise Undetermined(f"no kept fraction below 0.1 among {curves.fractions}")
    ref = 0.2 if any(np.isclose(curves.fractions, 0.2)) else curves.between(0.1, 1.0)[0]
    a, b = curves.at("fairness", tiny[0], "violation_abs"), curves.at("fairness", ref, "violation_abs")
    z = welch_z(a, b)
    return z > s.threshold, f"|violation| of prune by fairness at {tiny[0]:g}: {a} vs at {ref:g}: {b} (z = {z:+.1f})"


def first_order_correlates(first_order: pd.DataFrame | None, s: Settings) -> tuple[bool, str]:
    if first_order is None or len(first_order) < 3:
        raise Undetermined("fewer than 3 (training, test) pairs")
    pairs = first_order[["predicted", "real"]].astype(float)
    if pairs.isna().any().any() or (pairs.std() == 0).any():
        raise Undetermined("NaN or constant predicted/real influences")
    r = float(np.corrcoef(pairs["predicted"], pairs["real"])[0, 1])
    return r >= 0.99, f"Pearson r = {r:.6f} over {len(pairs)} (training, test) pairs"


def fairness_lowers_violation(curves: Curves, s: Settings) -> tuple[bool, str]:
    lo, full = curves.between(0.1, 1.0)[0], curves.full()
    a, b = curves.at("fairness", lo, "violation_abs"), curves.at("fairness", full, "violation_abs")
    z = welch_z(a, b)
    return z < -s.threshold, f"|violation| of prune by fairness at {lo:g}: {a} vs at {full:g}: {b} (z = {z:+.1f})"


def accuracy_drops_small(curves: Curves, s: Settings) -> tuple[bool, str]:
    small = [f for f in curves.fractions if f < 0.2]
    if not small or not any(np.isclose(curves.fractions, 0.2)):
        raise Undetermined(f"needs a kept fraction below 0.2 and 0.2 itself; runs have {curves.fractions}")
    a, b = curves.at("fairness", small[0], "accuracy"), curves.at("fairness", 0.2, "accuracy")
    z = welch_z(a, b)
    return z < -s.threshold, f"accuracy of prune by fairness at {small[0]:g}: {a} vs at 0.2: {b} (z = {z:+.1f})"


def accuracy_leads_small(curves: Curves, s: Settings) -> tuple[bool, str]:
    small = [f for f in curves.fractions if f < 0.2]
    if not small:
        raise Undetermined(f"no kept fraction below 0.2 among {curves.fractions}")
    leads = [(f, o, welch_z(curves.at("accuracy", f, "accuracy"), curves.at(o, f, "accuracy")))
             for f in small for o in ("fairness", "random")]
    return all(z > s.threshold for *_, z in leads), "accuracy, prune by accuracy vs: " + "; ".join(
        f"{f:g} {o}: z = {z:+.1f}" for f, o, z in leads)


def extremes_skewed(extremes: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    """Men (z = 1) among the highest- and lowest-score images: Fisher's exact test, one-sided."""
    counts = extremes.groupby("end")["z"].agg(["sum", "count"]) if len(extremes) else pd.DataFrame()
    if not {"highest", "lowest"} <= set(counts.index):
        raise Undetermined("the highest- and lowest-score images are not both listed")
    (top_m, top_n), (low_m, low_n) = (map(int, counts.loc[e, ["sum", "count"]]) for e in ("highest", "lowest"))
    _, p = stats.fisher_exact([[low_m, low_n - low_m], [top_m, top_n - top_m]], alternative="greater")
    (pt_m, pt_n), (pl_m, pl_n) = PAPER_COUNTS["highest"], PAPER_COUNTS["lowest"]
    return p < s.alpha, (f"men among the highest {top_n}: {top_m}, among the lowest {low_n}: {low_m}; Fisher "
                         f"one-sided p = {p:.3g} (paper {pt_m} of {pt_n} and {pl_m} of {pl_n})")


def _table1_rows(table1: pd.DataFrame, *variants: str) -> list[pd.Series]:
    rows = table1.set_index("variant")
    missing = [v for v in variants if v not in rows.index]
    if missing:
        raise Undetermined(f"Table 1 has no row {', '.join(missing)}")
    if "n" not in rows.columns or rows.loc[list(variants), "n"].isna().any():
        raise Undetermined("Table 1 has no test-set size n")
    return [rows.loc[v] for v in variants]


def table1_eop_lower(table1: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    fair, lfw = _table1_rows(table1, "lfw_fairshap", "lfw")
    se = [np.hypot(binomial_se(r["tpr_women"], r["n"] / 2), binomial_se(r["tpr_men"], r["n"] / 2)) for r in (fair, lfw)]
    z = (fair["eop"] - lfw["eop"]) / max(np.hypot(*se), 1e-12)
    return z < -s.threshold, (f"EOp {fair['eop']:.3f} vs {lfw['eop']:.3f} (z = {z:+.1f}); paper "
                              f"{fair.get('paper_eop', np.nan):.3f} vs {lfw.get('paper_eop', np.nan):.3f}")


def table1_accuracy_kept(table1: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    fair, lfw = _table1_rows(table1, "lfw_fairshap", "lfw")
    diff = fair["accuracy"] - lfw["accuracy"]
    se = np.hypot(binomial_se(fair["accuracy"], fair["n"]), binomial_se(lfw["accuracy"], lfw["n"]))
    p = float(stats.norm.sf((diff + s.margin) / max(se, 1e-12)))  # H0: diff ≤ −margin
    return p < s.alpha, (f"accuracy {fair['accuracy']:.3f} vs {lfw['accuracy']:.3f} (not lower by more than the "
                         f"margin: p {p:.2g}); paper {fair.get('paper_accuracy', np.nan):.3f} vs "
                         f"{lfw.get('paper_accuracy', np.nan):.3f}")


def table1_biased_favour_men(table1: pd.DataFrame, s: Settings) -> tuple[bool, str]:
    rows = _table1_rows(table1, "celeba", "lfw")
    zs = [(r["training_set"], (r["tpr_women"] - r["tpr_men"])
           / max(np.hypot(binomial_se(r["tpr_women"], r["n"] / 2), binomial_se(r["tpr_men"], r["n"] / 2)), 1e-12), r)
          for r in rows]
    return all(z < -s.threshold for _, z, _ in zs), "; ".join(
        f"{name}: TPR women {r['tpr_women']:.3f} vs men {r['tpr_men']:.3f} (z = {z:+.1f})" for name, z, r in zs)


# ----------------------------------------------------------------------------- the claims
@dataclass(frozen=True)
class Claim:
    """A paper's statement, where it is made and the rule that decides it (text shown in the report)."""

    source: str
    statement: str
    rule: str
    decide: Rule


_SIMILAR = "TOST with margin ±{margin:g} at level α = {alpha:g}"


_DIFF = "z beyond {threshold:g} combined standard errors over the runs"


CLAIMS = {
    "adult_tradeoff": Claim(
        "FairInfl §6.2, Fig. 2(a)", "Prune by fairness has a similar fairness–accuracy trade-off to reduction.",
        "At one or more kept fractions f with 0.1 ≤ f < 1 (1.0 is no pruning), prune by fairness has accuracy "
        "equivalent to reduction's (" + _SIMILAR + ") and a |violation| not larger by the margin (non-inferiority), "
        "both at α divided by the number of fractions (Bonferroni).", tradeoff_like_reduction),
    "adult_random": Claim(
        "FairInfl §6.2, Fig. 2(b)(c)",
        "Random pruning keeps a high violation with a large accuracy drop as the data shrink.",
        "Random pruning at the smallest kept fraction ≥ 0.1 against 1.0: accuracy lower (" + _DIFF + ") and "
        "|violation| not lower by the margin (one-sided test at α = {alpha:g}).", random_drops_accuracy),
    "adult_tracks": Claim(
        "FairInfl §6.2, Fig. 2(b)", "Above 20 % of the data, prune by fairness has accuracy similar to prune by "
        "accuracy.", "At every kept fraction f with 0.2 < f < 1 (at 1.0 both are the same model), accuracy of prune "
        "by fairness equivalent to prune by accuracy (" + _SIMILAR + ").", tracks_accuracy),
    "adult_margin": Claim(
        "FairInfl §6.2, Fig. 2(c)", "From 10 % to below 40 % of the data, prune by fairness lowers the violation by a "
        "large margin (compared with the other strategies).",
        "At every kept fraction 0.1 ≤ f < 0.4, |violation| of prune by fairness lower than random's and prune by "
        "accuracy's (" + _DIFF + ").", fairness_lowers_violation_small),
    "adult_anomaly": Claim(
        "FairInfl §6.2, Fig. 2(c)", "Below 10 % of the data, prune by fairness has an anomalously high violation.",
        "|violation| of prune by fairness at the smallest kept fraction < 0.1 higher than at 0.2 (or the smallest "
        "fraction ≥ 0.1 without 0.2) (" + _DIFF + ").", anomaly_below_10),
    "first_order": Claim(
        "FairInfl App. C.3, Fig. 5", "The first-order influence (Eq. 11) correlates with the real change at very "
        "close to 1.", "Pearson r ≥ 0.99 over at least 3 (training, test) pairs.", first_order_correlates),
    "celeba_lowers": Claim(
        "FairInfl §6.3, Fig. 3", "CelebA: prune by fairness lowers the violation as the data shrink.",
        "|violation| of prune by fairness at the smallest kept fraction ≥ 0.1 lower than at 1.0 (" + _DIFF + ").",
        fairness_lowers_violation),
    "celeba_tracks": Claim(
        "FairInfl §6.3, Fig. 3", "CelebA: above 20 % of the data, prune by fairness has accuracy similar to prune by "
        "accuracy.", "At every kept fraction f with 0.2 < f < 1, accuracy of prune by fairness equivalent to prune by "
        "accuracy (" + _SIMILAR + ").", tracks_accuracy),
    "celeba_drop": Claim(
        "FairInfl §6.3, Fig. 3", "CelebA: with much less data, the accuracy of prune by fairness drops strikingly.",
        "Accuracy of prune by fairness at the smallest kept fraction < 0.2 lower than at 0.2 (" + _DIFF + ").",
        accuracy_drops_small),
    "extremes": Claim(
        "FairInfl App. C.4, Fig. 6", "CelebA: the lowest-score training images are skewed towards men; the "
        "highest-score ones are balanced by sex.",
        "Share of men among the lowest-score images larger than among the highest-score ones: Fisher's exact test, "
        "one-sided, p < α = {alpha:g} (a direction alone does not pass).", extremes_skewed),
    "jigsaw_lowers": Claim(
        "FairInfl §6.4, Fig. 4", "Jigsaw: prune by fairness lowers the violation as the data shrink.",
        "|violation| of prune by fairness at the smallest kept fraction ≥ 0.1 lower than at 1.0 (" + _DIFF + ").",
        fairness_lowers_violation),
    "jigsaw_lfatr": Claim(
        "FairInfl §6.4, Fig. 4(a)", "Jigsaw: prune by fairness performs like lfatr.",
        "At one or more kept fractions f with 0.1 ≤ f < 1 (1.0 is the lfatr model itself), prune by fairness "
        "equivalent to lfatr on accuracy and on |violation| (" + _SIMILAR + ", Bonferroni over the fractions).",
        performs_like_lfatr),
    "jigsaw_leads": Claim(
        "FairInfl §6.4, Fig. 4", "Jigsaw: below 20 % of the data, prune by accuracy keeps a higher accuracy than "
        "prune by fairness and random.", "At every kept fraction < 0.2, accuracy of prune by accuracy higher than "
        "both (" + _DIFF + ").", accuracy_leads_small),
    "table1_eop": Claim(
        "FairShap §5.1, Table 1", "Fine-tuning on LFWA with FairShap weights lowers EOp compared with unweighted LFWA.",
        "EOp lower, z beyond {threshold:g} with the test-set binomial standard error (one training run per row, so "
        "only the sampling of test images is counted; groups taken as half the test set each).", table1_eop_lower),
    "table1_accuracy": Claim(
        "FairShap §5.1, Table 1", "FairShap keeps (or improves) the accuracy of unweighted LFWA.",
        "Accuracy not lower by more than the margin {margin:g} (one-sided, test-set binomial standard error, "
        "α = {alpha:g}).", table1_accuracy_kept),
    "table1_men": Claim(
        "FairShap §5.1, Table 1", "Models trained on the biased sets (CelebA, LFWA) favour men on FairFace (TPR "
        "women < TPR men).", "For both rows, TPR women lower than TPR men, z beyond {threshold:g} with the "
        "test-set binomial standard error (groups taken as half the test set each).", table1_biased_favour_men),
}


def decide(key: str, *args, settings: Settings) -> dict:
    """One row of a claims table: source, claim, rule (with the settings filled in), evidence,
    verdict and reason (empty unless undetermined)."""
    claim = CLAIMS[key]
    row = {"key": key, "source": claim.source, "claim": claim.statement,
           "rule": claim.rule.format(threshold=settings.threshold, margin=settings.margin, alpha=settings.alpha)}
    try:
        ok, evidence = claim.decide(*args, settings)
    except Undetermined as why:
        return {**row, "evidence": "", "verdict": UNDETERMINED, "reason": str(why)}
    return {**row, "evidence": evidence, "verdict": REPRODUCED if ok else NOT_REPRODUCED, "reason": ""}


def fixture_verdicts(claims: pd.DataFrame, fixtures) -> pd.DataFrame:
    """Every verdict undetermined when the inputs are fixtures (random data: the numbers mean nothing)."""
    if not fixtures:
        return claims
    return claims.assign(verdict=UNDETERMINED, reason=f"fixture data ({', '.join(fixtures)})")
