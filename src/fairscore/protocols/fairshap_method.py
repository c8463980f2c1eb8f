"""A Table 2 method of kind ``fairshap`` as a frozen dataclass (paper §5.2; ``algorithms.md`` §1.5, §4.1,
D29, D30): which valuation weights the classifier, at which α, whether Kamiran–Calders reweighing
goes on top, and which tie order scored the splits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fairscore.errors import ConfigError
from fairscore.settings import section

__all__ = ["FairShapMethod", "fairshap_method"]


@dataclass(frozen=True)
class FairShapMethod:
    """``valuation`` (acc, eop, eodds) weights at ``alpha`` (1: FairShap, 0: unweighted GBC);
    ``group_reweigh``: Kamiran–Calders reweighing with weighted counts on top of the weights,
    as one bool, or per dataset (``compas``) and per dataset and protected attribute
    (``compas_sex``, which takes precedence): the authors' per-pair recipe, FS ``SVeop+PExpW``;
    ``tie_order``: the score set the splits carry (``index``: D2, ``authors``: numba's argsort);
    ``recipe_of``: the default method whose paper row this recipe reproduces."""

    valuation: str
    alpha: float
    group_reweigh: bool | Mapping[str, bool] = False
    tie_order: str = "index"
    recipe_of: str | None = None

    def covers(self, dataset: str, protected: str | None = None) -> bool:
        """Whether ``group_reweigh`` decides for ``dataset`` (and ``protected``)."""
        return not isinstance(self.group_reweigh, Mapping) or dataset in self.group_reweigh \
            or f"{dataset}_{protected}" in self.group_reweigh

    def reweighs(self, dataset: str, protected: str | None = None) -> bool:
        """Whether group reweighing goes on top on ``dataset`` with protected attribute ``protected``."""
        if not isinstance(self.group_reweigh, Mapping):
            return bool(self.group_reweigh)
        if not self.covers(dataset, protected):
            raise ConfigError(f"method option group_reweigh has no entry for dataset {dataset!r} (or "
                              f"{dataset}_{protected!s}); expected true or false for it next to the entries it "
                              f"names {sorted(self.group_reweigh)}")
        return bool(self.group_reweigh.get(f"{dataset}_{protected}", self.group_reweigh.get(dataset)))

    @property
    def score_set(self) -> str:
        """The folder under ``results/scores/`` of the FairShap scores this method reads."""
        return "fairshap" if self.tie_order == "index" else f"fairshap_{self.tie_order}"


def fairshap_method(entry: Mapping, *, where: str = "fairshap method") -> FairShapMethod:
    """:class:`FairShapMethod` of a ``methods.<name>`` config entry (its ``label`` and ``kind`` left out)."""
    return section(FairShapMethod, {k: v for k, v in entry.items() if k not in ("label", "kind")}, where=where)
