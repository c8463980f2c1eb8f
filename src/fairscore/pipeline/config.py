"""Cross-reference checks that a JSON Schema cannot express.

The schema (``config/schema.json``) checks keys and types; :func:`check_config`
then checks that every name a section refers to exists in the section it names.
"""

from __future__ import annotations

from fairscore.errors import ConfigError

__all__ = ["check_config"]


def _expect_known(where: str, value: str, known, section: str) -> None:
    if value not in known:
        raise ConfigError(f"{where} = {value!r}; expected one of the {section} entries {sorted(known)}")


def check_config(config: dict, *, source: str = "config") -> None:
    """Raise :class:`ConfigError` naming the key of the first dangling reference (``config`` as
    validated against the schema, defaults filled in)."""
    for name, dataset in config["datasets"].items():
        for i, raw in enumerate(dataset.get("raw_files", [])):
            _expect_known(f"{source}: datasets.{name}.raw_files[{i}]", raw, config["raw_files"], "raw_files")
    for name, pair in config["pairs"].items():
        _expect_known(f"{source}: pairs.{name}.dataset", pair["dataset"], config["datasets"], "datasets")
    for i, name in enumerate(config.get("run_pairs", [])):
        _expect_known(f"{source}: run_pairs[{i}]", name, config["pairs"], "pairs")
    figures = config["fairshap_figures"]
    _expect_known(f"{source}: fairshap_figures.weights.pair", figures["weights"]["pair"], config["pairs"], "pairs")
    n_splits = config["n_splits"]
    if figures["weights"]["split"] >= n_splits:
        raise ConfigError(f"{source}: fairshap_figures.weights.split = {figures['weights']['split']}; "
                          f"expected a split below n_splits = {n_splits}")
    for i, name in enumerate(figures["alpha"]["methods"]):
        _expect_known(f"{source}: fairshap_figures.alpha.methods[{i}]", name, config["methods"], "methods")
        if config["methods"][name]["kind"] != "fairshap":
            raise ConfigError(f"{source}: fairshap_figures.alpha.methods[{i}] = {name!r}; expected a method of "
                              f"kind 'fairshap', not {config['methods'][name]['kind']!r}")
    plain = {m for m, e in config["methods"].items() if "recipe_of" not in e}
    for name, method in config["methods"].items():
        if "recipe_of" in method:
            _expect_known(f"{source}: methods.{name}.recipe_of", method["recipe_of"], plain,
                          "methods (without recipe_of)")
    influence = [m for m in config["methods"].values() if m["kind"] == "influence"]
    if "influence" in figures["runtime"]["methods"]:
        known = influence[0]["datasets"] if influence else {}
        _expect_known(f"{source}: fairshap_figures.runtime.influence_dataset", figures["runtime"]["influence_dataset"],
                      known, "influence-method datasets")
    for name in config["cross_family"]["methods"]:
        if name in config["methods"]:
            raise ConfigError(f"{source}: cross_family.methods.{name} repeats the name of methods.{name}; "
                              "expected a name that no Table 2 method uses")
    infl = config["fairinfl"]
    for i, raw in enumerate(infl["adult"]["raw_files"]):
        _expect_known(f"{source}: fairinfl.adult.raw_files[{i}]", raw, config["raw_files"], "raw_files")
    if infl["first_order"]["run"] >= infl["adult"]["runs"]:
        raise ConfigError(f"{source}: fairinfl.first_order.run = {infl['first_order']['run']}; expected a run below "
                          f"fairinfl.adult.runs = {infl['adult']['runs']}")
