"""config/README.md, the reference of every config key, generated from the schema and config.yaml."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from fairscore.errors import ConfigError
from fairscore.pipeline.cli import main as cli
from fairscore.pipeline.config_docs import CONFIG_README, config_paths, render_config_docs, yaml_comments


def _documented(text: str) -> tuple[list[re.Pattern], list[re.Pattern]]:
    """The key paths of the reference's headings and tables as patterns (``<name>`` matches any entry name,
    dotted ones too): those of concrete keys, and those of the keys an entry of a named map may have."""
    keys = re.findall(r"^(?:\| |## )`([^`]+)`", text, flags=re.M)

    def pattern(key: str) -> re.Pattern:
        return re.compile("^" + r"\.".join(".+" if part == "<name>" else re.escape(part)
                                           for part in key.split(".")) + "$")

    return [pattern(k) for k in keys if "<name>" not in k], [pattern(k) for k in keys if "<name>" in k]


def test_the_committed_reference_is_the_generated_one(root):
    assert (root / CONFIG_README).read_text() == render_config_docs(root), \
        f"{CONFIG_README} is out of date: regenerate it with `.venv/bin/fairscore config-docs > {CONFIG_README}`"


def test_every_key_of_the_default_config_is_documented(root, default_config):
    concrete, generic = _documented((root / CONFIG_README).read_text())
    # a key is documented by its own row, or (inside an entry of a named map) by the generic row of it or of
    # the entry key it lies under (methods.if.datasets.adult.l2 under methods.<name>.datasets)
    undocumented = [path for path in config_paths(default_config)
                    if not any(p.match(path) for p in concrete)
                    and not any(p.match(".".join(path.split(".")[:n]))
                                for p in generic for n in range(2, path.count(".") + 2))]
    assert not undocumented, f"{CONFIG_README} lacks {undocumented}"


def _tiny(tmp_path, schema_props: dict, config: str):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "schema.json").write_text(json.dumps({"type": "object", "properties": schema_props}))
    (tmp_path / "config" / "config.yaml").write_text(config)
    return tmp_path


def test_a_key_without_description_or_comment_is_an_error_naming_it(tmp_path):
    root = _tiny(tmp_path, {"a": {"type": "object", "description": "section a",
                                  "properties": {"b": {"type": "integer"}, "c": {"type": "integer"}}}},
                 "a:\n  b: 1   # the b\n  c: 2\n")
    with pytest.raises(ConfigError, match=r"1 key\(s\) have no description.*: a\.c$"):
        render_config_docs(root)
    assert cli(["config-docs", "--root", str(root)]) == 1


def test_the_reference_takes_defaults_descriptions_comments_and_optional_keys(tmp_path, capsys):
    root = _tiny(tmp_path, {
        "a": {"type": "object", "description": "section a", "properties": {
            "b": {"enum": ["x", "y"], "description": "the b"},
            "c": {"type": "number", "minimum": 0, "description": "the c"},
            "d": {"type": "boolean", "default": False, "description": "optional d"}}},
        "m": {"type": "object", "description": "named entries",
              "additionalProperties": {"type": "object", "properties": {"k": {"type": "integer", "description": "the k"}}}}},
        "a:\n  b: x     # pick x | y\n  c: 2.5\nm:\n  one: {k: 1}   # the first entry\n")
    text = render_config_docs(root)
    assert "| `a.b` | `x` | `x` \\| `y` | the b — pick x \\| y |" in text
    assert "| `a.c` | `2.5` | number, ≥ 0 | the c |" in text
    assert "| `a.d` | not set (`false`) | boolean | optional d |" in text
    assert "| `m.one` | `{k: 1}` |  | the first entry |" in text
    assert "| `m.<name>.k` |  | integer | the k |" in text
    assert cli(["config-docs", "--root", str(root)]) == 0
    assert capsys.readouterr().out == text


def test_yaml_comments_above_beside_and_on_flow_continuations():
    text = ("# about a\n# more\na:\n  b: 1  # beside b\n\n  # above c\n  c: {x: 1,\n      y: 2}  # continued\n"
            "  d: '#not a comment'\n")
    assert yaml_comments(text) == {"a": "about a more", "a.b": "beside b", "a.c": "above c continued"}
    assert yaml.safe_load(text)["a"]["d"] == "#not a comment"
