"""The map of paper targets (workflow/targets.yaml) and `fairscore targets`."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from fairscore.pipeline.cli import main as cli
from fairscore.errors import ConfigError
from fairscore.pipeline.targets import CONFIGS, load_targets, parse_targets, render_targets, targets_to_json

ENTRY = {"paper": "FairInfl", "element": "Fig. 2", "section": "§6.2", "title": "Adult",
         "aliases": ["fig_fairinfl_adult"], "config": "default",
         "outputs": {"fig_fairinfl": ["results/figures/fairinfl/fig_fairinfl_adult.png",
                                      "results/figures/fairinfl/fig_fairinfl_adult.pdf"]}}


def _with(**changes) -> dict:
    entry = copy.deepcopy(ENTRY)
    for key, value in changes.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    return entry


def test_the_name_comes_from_the_paper_and_its_number():
    table = _with(paper="FairShap", element="Table 7", aliases=None, note="section 3")
    fig, tab = parse_targets([ENTRY, table])
    assert (fig.name, fig.names) == ("fairinfl_fig2", ("fairinfl_fig2", "fig_fairinfl_adult"))
    assert fig.files == ENTRY["outputs"]["fig_fairinfl"] and fig.note == ""
    assert (tab.name, tab.names, tab.note) == ("fairshap_table7", ("fairshap_table7",), "section 3")


@pytest.mark.parametrize("entry, match", [
    (_with(element="Figure 2"), r"entry 0: element = 'Figure 2'; expected 'Fig. <n>' or 'Table <n>'"),
    (_with(element="Fig. 0"), r"element = 'Fig. 0'"),
    (_with(paper="Other"), r"paper = 'Other'; expected 'FairInfl' or 'FairShap'"),
    (_with(config="gpu"), r"config = 'gpu'; expected one of \['default', 'deep'\]"),
    (_with(title=None), r"missing keys \['title'\], unknown keys \[\]"),
    (_with(colour="red"), r"missing keys \[\], unknown keys \['colour'\]"),
    (_with(title=" "), r"title = ' '; expected a non-empty string"),
    (_with(outputs={}), r"outputs = \{\}; expected a mapping rule -> list of files"),
    (_with(outputs={"fig_fairinfl": []}), r"outputs.fig_fairinfl = \[\]; expected a non-empty list of file paths"),
    (_with(outputs={"fig fairinfl": ["a.png"]}), r"outputs rule = \['fig fairinfl'\]; expected a list of rule names"),
    (_with(aliases=["fig-2"]), r"aliases = \['fig-2'\]; expected a list of rule names"),
    ("fig2", r"entry 0 = 'fig2'; expected a mapping"),
])
def test_a_bad_entry_is_named_with_its_key(entry, match):
    with pytest.raises(ConfigError, match=match):
        parse_targets([entry], source="targets.yaml")


def test_every_name_is_defined_once():
    with pytest.raises(ConfigError, match=r"target name 'fairinfl_fig2' of FairInfl Fig. 2 is already the name of "
                                          r"FairInfl Fig. 2"):
        parse_targets([ENTRY, _with(aliases=None)])
    with pytest.raises(ConfigError, match=r"target name 'fig_fairinfl_adult' of FairShap Fig. 2"):
        parse_targets([ENTRY, _with(paper="FairShap")])


@pytest.mark.parametrize("entries", [[], {"a": 1}, None])
def test_the_map_must_be_a_non_empty_list(entries):
    with pytest.raises(ConfigError, match="targets.yaml: expected a non-empty list of paper elements"):
        parse_targets(entries, source="targets.yaml")


def test_the_repository_map_names_every_element_once(root):
    targets = load_targets(root)
    names = [name for t in targets for name in t.names]
    assert len(names) == len(set(names))
    assert {t.config for t in targets} == set(CONFIGS)
    files = [path for t in targets for path in t.files]
    assert all(path.startswith("results/") for path in files)


def test_a_missing_map_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"workflow/targets.yaml: not found; expected the map of paper targets"):
        load_targets(tmp_path)


def test_render_and_json_show_target_outputs_and_config():
    targets = parse_targets([ENTRY, _with(element="Fig. 3", aliases=["fig_fairinfl_celeba"], config="deep")])
    text = render_targets(targets)
    assert "FairInfl Fig. 2 (§6.2): Adult\n  target:  fairinfl_fig2 (also fig_fairinfl_adult)\n" in text
    assert "  outputs: results/figures/fairinfl/fig_fairinfl_adult.png\n           results/" in text
    assert f"  config:  deep: {CONFIGS['deep']}" in text
    records = targets_to_json(targets)
    assert [r["target"] for r in records] == ["fairinfl_fig2", "fairinfl_fig3"]
    assert records[1]["outputs"] == ENTRY["outputs"] and records[1]["needs"] == CONFIGS["deep"]


def test_cli_prints_the_map(tmp_path, capsys):
    (tmp_path / "workflow").mkdir()
    (tmp_path / "workflow" / "targets.yaml").write_text(yaml.safe_dump([ENTRY]))
    assert cli(["targets", "--root", str(tmp_path)]) == 0
    assert "target:  fairinfl_fig2 (also fig_fairinfl_adult)" in capsys.readouterr().out
    assert cli(["targets", "--root", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["target"] == "fairinfl_fig2"


def test_cli_fails_with_the_file_at_fault(tmp_path, capsys):
    (tmp_path / "workflow").mkdir()
    (tmp_path / "workflow" / "targets.yaml").write_text(yaml.safe_dump([_with(config="gpu")]))
    assert cli(["targets", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fairscore targets: FAILED: ") and "targets.yaml: entry 0: config = 'gpu'" in err
