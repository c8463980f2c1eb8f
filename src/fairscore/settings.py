"""Typed config sections: frozen dataclasses built from the validated config.

:func:`section` turns a config mapping (and overrides merged over it, in order) into one of
these classes: every key must be a field, every field without a default must be given, and
sequences become tuples. :func:`as_params` turns one back into plain lists, numbers and
strings with every default filled in, which is what Snakemake params and provenance records
hold (Snakemake reruns a job when such a value changes). Each default of an optional key is
written once, on its class.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TypeVar

from fairscore.errors import ConfigError

__all__ = ["as_params", "section"]

T = TypeVar("T")


def section(cls: type[T], *mappings: Mapping, where: str | None = None) -> T:
    """``cls`` from ``mappings`` merged left to right; a :class:`ConfigError` names ``where``
    (default: the class name) and the key."""
    where = where or cls.__name__
    merged: dict = {}
    for mapping in mappings:
        merged.update(mapping or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(merged) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}; expected some of {list(fields)}")
    missing = [name for name, f in fields.items() if name not in merged
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{where}: missing keys {missing}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in merged.items()})


def as_params(obj) -> dict:
    """The fields of dataclass ``obj`` as JSON-ready builtins (tuples as lists), defaults included."""
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _plain(value):
    if dataclasses.is_dataclass(value):
        return as_params(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
