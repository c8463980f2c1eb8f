"""Config validation: the JSON schema and the cross-reference checks name the key at fault."""

from __future__ import annotations

import copy

import pytest
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from fairscore.pipeline.config import check_config
from fairscore.errors import ConfigError


@pytest.fixture()
def config(default_config):
    return copy.deepcopy(default_config)


@pytest.fixture(scope="session")
def schema(root):
    return str(root / "config" / "schema.json")


def test_default_config_is_valid_and_gets_defaults(config, schema):
    del config["splits"]
    validate(config, schema)
    check_config(config)
    assert config["splits"]["train_fraction"] == 0.7 and config["n_splits"] == 50


def test_unknown_key_is_named(config, schema):
    config["splits"]["n_folds"] = 3
    with pytest.raises(WorkflowError, match="'n_folds' was unexpected"):
        validate(config, schema)


def test_wrong_type_is_named(config, schema):
    config["n_splits"] = "fifty"
    with pytest.raises(WorkflowError, match=r"'fifty' is not of type 'integer'[\s\S]*n_splits"):
        validate(config, schema)


def test_missing_datasets_section_is_named(config, schema):
    del config["datasets"]
    with pytest.raises(WorkflowError, match="'datasets' is a required property"):
        validate(config, schema)


def test_pair_with_missing_dataset_is_named(config, schema):
    config["pairs"]["bank_age"] = {"dataset": "bank", "protected": "age"}
    validate(config, schema)
    with pytest.raises(ConfigError, match=r"pairs\.bank_age\.dataset = 'bank'"):
        check_config(config)


def test_dataset_with_missing_raw_file_is_named(config):
    config["datasets"]["german"]["raw_files"] = ["german.doc"]
    with pytest.raises(ConfigError, match=r"datasets\.german\.raw_files\[0\] = 'german.doc'"):
        check_config(config)


def test_run_pairs_must_name_configured_pairs(config):
    config["run_pairs"] = ["german_sex", "german_race"]
    with pytest.raises(ConfigError, match=r"run_pairs\[1\] = 'german_race'"):
        check_config(config)


def test_weights_figure_pair_must_be_a_configured_pair(config):
    config["fairshap_figures"]["weights"]["pair"] = "german_race"
    with pytest.raises(ConfigError, match=r"fairshap_figures\.weights\.pair = 'german_race'; expected one of the pairs"):
        check_config(config)


def test_weights_figure_split_must_exist(config):
    config["fairshap_figures"]["weights"]["split"] = 50
    with pytest.raises(ConfigError, match=r"fairshap_figures\.weights\.split = 50; expected a split below n_splits"):
        check_config(config)


def test_alpha_methods_must_be_fairshap_methods(config):
    config["fairshap_figures"]["alpha"]["methods"] = ["fairshap_eop", "gbc"]
    with pytest.raises(ConfigError, match=r"alpha\.methods\[1\] = 'gbc'; expected a method of kind 'fairshap'"):
        check_config(config)


def test_malformed_cluster_is_named(config, schema):
    del config["fairshap_figures"]["synthetic"]["zafar_case1"][2]["cov"]
    with pytest.raises(WorkflowError, match=r"'cov' is a required property"):
        validate(config, schema)


def test_cross_family_method_names_must_not_repeat_table2_methods(config):
    config["cross_family"]["methods"]["gbc"] = {"label": "x", "kind": "fairinfl", "constraint": "eo", "use": "weights"}
    with pytest.raises(ConfigError, match=r"cross_family\.methods\.gbc repeats the name of methods\.gbc"):
        check_config(config)


def test_fairinfl_prune_method_needs_keep(config, schema):
    config["cross_family"]["methods"]["fairinfl_dp_prune"].pop("keep")
    with pytest.raises(WorkflowError, match=r"'keep' is a required property"):
        validate(config, schema)


def test_recipe_overlay_is_valid_and_its_recipe_of_must_name_a_plain_method(config, schema, root):
    import yaml

    overlay = yaml.safe_load((root / "config" / "recipes" / "authors_code.yaml").read_text())
    config["methods"].update(overlay["methods"])
    validate(config, schema)
    check_config(config)
    config["methods"]["fairshap_eop_authors"]["recipe_of"] = "fairshap_eodds_authors"
    with pytest.raises(ConfigError, match=r"methods\.fairshap_eop_authors\.recipe_of = 'fairshap_eodds_authors'"):
        check_config(config)
    config["methods"]["fairshap_eop_authors"]["tie_order"] = "stable"
    with pytest.raises(WorkflowError, match=r"'stable' is not one of \['index', 'authors'\]"):
        validate(config, schema)
