"""A user's own CSV as a tidy table: a label rule, a protected-group rule and feature columns
from config, each checked, with errors that name the file, column and value at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fairscore.errors import ConfigError, DataError
from fairscore.datasets.splits import min_stratum_rows
from fairscore.datasets.tidy import LABEL, PROTECTED

__all__ = [
    "THRESHOLD_OPS",
    "describe_selector",
    "load_csv_dataset",
    "select_rows",
]



#: comparison operators a threshold selector may use (``favourable: {">=": 70}``)
THRESHOLD_OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


def _shown(values, limit: int = 10) -> str:
    """Distinct values, sorted as strings, at most ``limit`` of them."""
    distinct = sorted({str(v) for v in values})
    more = f", ... ({len(distinct)} distinct)" if len(distinct) > limit else ""
    return "[" + ", ".join(repr(v) for v in distinct[:limit]) + more + "]"


def _numeric_column(table: pd.DataFrame, column: str, path, why: str) -> pd.Series:
    """``column`` as floats, or a DataError naming the first value that is not a number and its line."""
    if pd.api.types.is_numeric_dtype(table[column]) and not pd.api.types.is_bool_dtype(table[column]):
        return table[column].astype(float)
    parsed = pd.to_numeric(table[column], errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{path}: column {column!r} ({why}) holds {table[column].iloc[row]!r} on line {row + 2} "
            f"(data row {row + 1}); expected numbers only ({bad.size} non-numeric value(s) in all)"
        )
    return parsed.astype(float)


def _matches(column: pd.Series, value) -> np.ndarray:
    """Rows equal to ``value``: as numbers when both are numeric, else as strings."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and isinstance(value, int | float) and not isinstance(value, bool):
        return (column.astype(float) == float(value)).to_numpy()
    return (column.astype(str) == str(value)).to_numpy()


def describe_selector(column: str, rule) -> str:
    """How a ``favourable`` or ``privileged`` rule reads: ``region = north``, ``grade in [A, B]``,
    ``Combine >= 70``."""
    if isinstance(rule, Mapping):
        return " and ".join(f"{column} {op} {bound:g}" for op, bound in rule.items())
    if isinstance(rule, list):
        return f"{column} in [{', '.join(str(v) for v in rule)}]"
    return f"{column} = {rule}"


def _class_name(column: str, rule) -> str:
    """The tidy table's name of the selected class: the value itself, else the rule."""
    return describe_selector(column, rule) if isinstance(rule, list | Mapping) else str(rule)


def select_rows(table: pd.DataFrame, column: str, rule, *, key: str, path) -> np.ndarray:
    """Boolean rows that a ``favourable`` or ``privileged`` rule selects.

    Parameters
    ----------
    table : DataFrame
        The CSV as read.
    column : str
        The label or protected column.
    rule : scalar, list of scalars, or mapping of operator to number
        A value (rows equal to it), a list of values (rows equal to any of them) or a
        threshold such as ``{">=": 70}`` (every condition must hold; the column must be
        numeric). Listed values must all occur in the column.
    key : str
        The config key, named in errors (``favourable`` or ``privileged.<column>``).
    path : path of the CSV, named in errors.
    """
    if isinstance(rule, Mapping):
        unknown = sorted(set(rule) - set(THRESHOLD_OPS))
        if unknown or not rule:
            raise ConfigError(f"{key} = {dict(rule)!r}: unknown operator(s) {unknown}; expected one or more "
                              f"of {list(THRESHOLD_OPS)} with a number each")
        values = _numeric_column(table, column, path, f"compared by {key}").to_numpy()
        selected = np.ones(len(table), dtype=bool)
        for op, bound in rule.items():
            selected &= THRESHOLD_OPS[op](values, float(bound))
        return selected
    wanted = rule if isinstance(rule, list) else [rule]
    hits = [_matches(table[column], v) for v in wanted]
    absent = [v for v, hit in zip(wanted, hits, strict=True) if not hit.any()]
    if absent:
        raise DataError(f"{path}: {key} value(s) {absent!r} not found in column {column!r}; values present: "
                        f"{_shown(table[column])}")
    return np.logical_or.reduce(hits)


def _check_two_classes(path, column: str, selected: np.ndarray, what: str, key: str, rule, table) -> None:
    if selected.all() or not selected.any():
        share = "every" if selected.all() else "no"
        raise DataError(
            f"{path}: {what} column {column!r} has a single class: {share} row is {describe_selector(column, rule)} "
            f"({key}); values present: {_shown(table[column])}; expected rows on both sides"
        )


def load_csv_dataset(path: str | Path, spec: dict, protected: str, *,
                     train_fraction: float) -> tuple[pd.DataFrame, dict]:
    """A tabular dataset from a CSV, described in config (no code change per dataset).

    Every check runs before anything is returned, and each error names the file, the
    column and the offending values or counts (``docs/datasets.md`` lists them).

    Parameters
    ----------
    path : path of the CSV.
    spec : dict
        ``label`` column and its ``favourable`` rule, ``privileged`` rule per protected
        column (a rule is a value, a list of values or a threshold such as
        ``{">=": 70}``, see :func:`select_rows`), ``numeric`` and ``categorical``
        feature columns (categoricals are one-hot encoded as ``column=value``, values
        sorted). A single favourable value needs a two-valued label column.
    protected : str
        The protected column of this pair.
    train_fraction : float
        The split recipe's training share (config ``splits.train_fraction``): every
        (label × group) cell needs :func:`fairscore.datasets.splits.min_stratum_rows` rows.

    Returns
    -------
    frame, meta : as :func:`load_aif360_preproc`.
    """
    try:
        table = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header line naming the columns, then one "
                        "line per example") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not a readable CSV ({err}); expected comma-separated UTF-8 text") from None
    if table.empty:
        raise DataError(f"{path}: header only (columns {list(table.columns)}), no data rows; expected one "
                        "line per example after the header")
    label_col, numeric, categorical = spec["label"], spec.get("numeric", []), spec.get("categorical", [])
    leaked = [key for key, columns in (("numeric", numeric), ("categorical", categorical)) if label_col in columns]
    if leaked:
        raise ConfigError(f"{path}: the label column {label_col!r} is listed as a feature in {leaked}; the label's "
                          "source column must not be a feature (label leakage); remove it from that list")
    reserved = [c for c in numeric if c in (LABEL, PROTECTED)]
    if reserved:
        raise ConfigError(f"{path}: numeric feature(s) {reserved} clash with the tidy table's own columns "
                          f"{[LABEL, PROTECTED]}; rename the column(s) in the CSV")
    needed = [label_col, protected, *numeric, *categorical]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected the columns named in the dataset config "
                        f"(the file has {list(table.columns)})")
    if protected not in spec["privileged"]:
        raise ConfigError(f"{path}: no privileged value for protected column {protected!r} in the dataset config")
    gaps = table[needed].isna()
    if gaps.any().any():
        column = gaps.any().idxmax()
        row = int(np.flatnonzero(gaps[column].to_numpy())[0])
        raise DataError(f"{path}: missing value(s) in column(s) {gaps.columns[gaps.any()].tolist()}, the first in "
                        f"column {column!r} on line {row + 2}; expected complete rows")
    parts = [pd.DataFrame({c: _numeric_column(table, c, path, "listed as numeric") for c in numeric},
                          index=table.index)]
    label_rule, group_rule = spec["favourable"], spec["privileged"][protected]
    if not isinstance(label_rule, list | Mapping) and table[label_col].nunique() > 2:
        raise DataError(
            f"{path}: label column {label_col!r} has {table[label_col].nunique()} values "
            f"{_shown(table[label_col])}; a single favourable value ({label_rule!r}) maps a two-valued label only; "
            "list the favourable values (favourable: [a, b]) or give a threshold (favourable: {'>=': 70})"
        )
    label = select_rows(table, label_col, label_rule, key="favourable", path=path)
    group = select_rows(table, protected, group_rule, key=f"privileged.{protected}", path=path)
    _check_two_classes(path, label_col, label, "label", "favourable", label_rule, table)
    _check_two_classes(path, protected, group, "protected", f"privileged.{protected}", group_rule, table)
    least = min_stratum_rows(train_fraction=train_fraction)
    cells = {(y, g): int(np.sum((label == y) & (group == g))) for y in (True, False) for g in (True, False)}
    if min(cells.values()) < least:
        names = {True: "", False: "not "}
        counts = ", ".join(f"({names[y]}{describe_selector(label_col, label_rule)}) × ({names[g]}"
                           f"{describe_selector(protected, group_rule)}): {n}" for (y, g), n in cells.items())
        raise DataError(
            f"{path}: a (label × group) cell is too small for the stratified split (train_fraction "
            f"{train_fraction:g}): rows per cell {counts}; expected at least {least} rows in every cell"
        )
    for column in categorical:
        values = sorted(table[column].astype(str).unique())
        parts.append(pd.DataFrame({f"{column}={v}": (table[column].astype(str) == v).astype(float) for v in values}))
    frame = pd.concat(parts, axis=1)
    frame[LABEL], frame[PROTECTED] = label.astype(np.int64), group.astype(np.int64)
    favourable, privileged = _class_name(label_col, label_rule), _class_name(protected, group_rule)
    meta = {
        "dataset": Path(path).stem, "protected_attribute": protected, "source": f"csv {path}",
        "features": list(frame.columns[:-2]), "label_name": label_col,
        "label_orig": {"favourable": 1.0, "unfavourable": 0.0},
        "protected_orig": {"privileged": 1.0, "unprivileged": 0.0},
        "label_names": {"1": favourable, "0": f"not {favourable}"},
        "group_names": {"1": privileged, "0": f"not {privileged}"},
        "n_rows": len(frame),
    }
    return frame, meta
