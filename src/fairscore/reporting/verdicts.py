"""The statistical rules behind every verdict: Welch z, the TOST equivalence test, the
non-inferiority test, the Table 2 cell rule and the constant-predictor guard.

Three outcomes only: ``reproduced``, ``not reproduced`` or ``undetermined`` (missing evidence
is never "not reproduced").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from fairscore.errors import ConfigError

__all__ = [
    "NOT_REPRODUCED",
    "REPRODUCED",
    "UNDETERMINED",
    "Estimate",
    "Settings",
    "Undetermined",
    "cell_verdicts",
    "near_constant",
    "near_constant_rule",
    "tost",
    "verdict_text",
]


REPRODUCED, NOT_REPRODUCED, UNDETERMINED = "reproduced", "not reproduced", "undetermined"


class Undetermined(Exception):
    """Raised by a rule whose inputs cannot decide it; the message is the reason."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The decision parameters, from config ``report`` (threshold, equivalence_margin, equivalence_alpha)."""

    threshold: float
    margin: float
    alpha: float

    @classmethod
    def from_config(cls, report: dict) -> Settings:
        try:
            return cls(threshold=float(report["threshold"]), margin=float(report["equivalence_margin"]),
                       alpha=float(report["equivalence_alpha"]))
        except KeyError as err:
            raise ConfigError(f"config report.{err.args[0]} is missing; expected a number (config/schema.json)") from None


@dataclass(frozen=True)
class Estimate:
    """Mean, standard error and number of runs of one quantity."""

    mean: float
    se: float
    n: int

    @classmethod
    def of(cls, values, what: str) -> Estimate:
        """The estimate over the runs' ``values``; :class:`Undetermined` for NaN or fewer than two runs."""
        values = pd.Series(values, dtype=float)
        if values.isna().any():
            raise Undetermined(f"{what} is NaN in {int(values.isna().sum())} of {len(values)} runs")
        if len(values) < 2:
            raise Undetermined(f"{what}: {len(values)} run(s), a standard error needs at least 2")
        return cls(float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values))), len(values))

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.se:.3f}"


def _welch(a: Estimate, b: Estimate) -> tuple[float, float, float]:
    """Difference a − b, its standard error and the Welch–Satterthwaite degrees of freedom."""
    se = float(np.hypot(a.se, b.se))
    parts = a.se ** 4 / (a.n - 1) + b.se ** 4 / (b.n - 1)
    return a.mean - b.mean, se, (se ** 4 / parts if parts > 0 else np.inf)


def welch_z(a: Estimate, b: Estimate) -> float:
    d, se, _ = _welch(a, b)
    return 0.0 if d == 0 else (d / se if se > 0 else np.copysign(np.inf, d))


def _p_below(a: Estimate, b: Estimate, bound: float) -> float:
    """One-sided p-value of H0: a − b ≥ bound against a − b < bound (Welch t)."""
    d, se, df = _welch(a, b)
    if se == 0:
        return 0.0 if d < bound else 1.0
    return float(stats.t.cdf((d - bound) / se, df))


def tost(a: Estimate, b: Estimate, *, margin: float, alpha: float) -> tuple[bool, float]:
    """Two one-sided tests: (equivalent within ±margin at level alpha, the larger one-sided p)."""
    p_upper = _p_below(a, b, margin)
    p_lower = _p_below(b, a, margin)  # a − b > −margin
    p = max(p_upper, p_lower)
    return p < alpha, p


def not_worse(a: Estimate, b: Estimate, *, margin: float, alpha: float) -> tuple[bool, float]:
    """Non-inferiority where lower is better: a − b < margin shown at level alpha."""
    p = _p_below(a, b, margin)
    return p < alpha, p


def binomial_se(p: float, n: float) -> float:
    return float(np.sqrt(p * (1 - p) / n))


def verdict_text(verdict: str, reason) -> str:
    """The verdict as shown: ``undetermined: <reason>`` where there is a reason."""
    return f"{verdict}: {reason}" if isinstance(reason, str) and reason else verdict


# ----------------------------------------------------------------------------- Table 2 cells
def cell_verdicts(ours_mean, ours_se, n, paper_mean, paper_se, *, threshold: float, configured) -> tuple:
    """Table 2 cell rule: z = (ours − paper) / √(se_ours² + se_paper²); ``reproduced`` when
    |z| ≤ threshold, ``differs`` beyond, ``undetermined`` when ours is NaN or has fewer than two
    splits, ``not run`` when the method or pair was not configured. Returns (z, verdict)."""
    ours_mean, ours_se, n = (np.asarray(x, dtype=float) for x in (ours_mean, ours_se, n))
    z = (ours_mean - np.asarray(paper_mean, float)) / np.sqrt(ours_se ** 2 + np.asarray(paper_se, float) ** 2)
    missing = np.isnan(ours_mean) | np.isnan(ours_se) | ~(n >= 2)
    verdict = np.select([~np.asarray(configured, bool), missing, np.abs(z) <= threshold],
                        ["not run", UNDETERMINED, REPRODUCED], "differs")
    return np.where(missing, np.nan, z), verdict


# ----------------------------------------------------------------------------- constant predictors
def near_constant_rule(*, rate_margin: float, balanced_accuracy: float) -> str:
    return (f"Near-constant: a group's positive-prediction rate within {rate_margin:g} of 0 or 1, or balanced "
            f"accuracy ≤ {balanced_accuracy:g}. A constant predictor has gaps of 0 and balanced accuracy 0.5 (the "
            "Majority class row); a fairness gap won that way says nothing about the method.")


def near_constant(pos_rate_a0, pos_rate_a1, balanced_accuracy, *, rate_margin: float,
                  min_balanced_accuracy: float):
    """True where the predictions are near-constant (:func:`near_constant_rule`); NaN inputs give False."""
    rates = np.stack([np.asarray(pos_rate_a0, float), np.asarray(pos_rate_a1, float)])
    extreme = ((rates <= rate_margin) | (rates >= 1 - rate_margin)).any(axis=0)
    return extreme | (np.asarray(balanced_accuracy, float) <= min_balanced_accuracy)
