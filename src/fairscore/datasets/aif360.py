"""AIF360's Calmon et al. preprocessing of German, Adult and COMPAS, as tidy tables.

The relabelling follows FS ``utils/aif360_utils.py::standarize_aif360_data``. The original
encodings are kept in the metadata so that splits can stratify on them exactly as the
authors did (``algorithms.md`` §4.1). AIF360 reads its raw files from its own package
folder; :func:`place_aif360_raw_files` puts the mirror's files there.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fairscore.errors import ConfigError, DataError
from fairscore.fileio import atomic_path, sha256_file
from fairscore.datasets.tidy import LABEL, PROTECTED

__all__ = [
    "AIF360_LOADERS",
    "aif360_raw_root",
    "load_aif360_adult_full",
    "load_aif360_dataset",
    "load_aif360_preproc",
    "place_aif360_raw_files",
]

log = logging.getLogger(__name__)


#: dataset name -> loader in aif360.algorithms.preprocessing.optim_preproc_helpers
AIF360_LOADERS = {
    "german": "load_preproc_data_german",
    "adult": "load_preproc_data_adult",
    "compas": "load_preproc_data_compas",
}


_AIF360_PREPROC_MODULE = "aif360.algorithms.preprocessing.optim_preproc_helpers.data_preproc_functions"


def aif360_raw_root() -> Path:
    """Folder of the installed aif360 package where its loaders read raw files."""
    spec = importlib.util.find_spec("aif360")
    if spec is None or spec.origin is None:
        raise DataError("aif360 is not installed; run ./setup.sh")
    return Path(spec.origin).parent / "data" / "raw"


def place_aif360_raw_files(files: Mapping[str, str | Path]) -> list[Path]:
    """Copy verified raw files to where aif360's loaders read them.

    aif360 0.6.1's loaders take no path argument; they read
    ``<site-packages>/aif360/data/raw/<relative path>`` and call ``sys.exit`` when a
    file is missing. A file already there with the same bytes is left as it is.

    Parameters
    ----------
    files : mapping of str to path
        Relative path under aif360's raw folder (e.g. ``"adult/adult.data"``) to
        the verified source file.

    Returns
    -------
    list of Path
        The destination paths.
    """
    root = aif360_raw_root()
    placed = []
    for rel, src in files.items():
        dest = root / rel
        if not (dest.exists() and sha256_file(dest) == sha256_file(src)):
            with atomic_path(dest) as tmp:
                shutil.copyfile(src, tmp)
            log.info("placed %s at %s", src, dest)
        placed.append(dest)
    return placed


def _metadata_map(ds, key: str) -> dict:
    return {float(k): str(v) for k, v in ds.metadata[key][0].items()}


@contextlib.contextmanager
def _aif360_exit_as_error(dataset: str, hint: str):
    """aif360's loaders call ``sys.exit`` when a raw file is missing; raise a DataError instead."""
    try:
        yield
    except SystemExit as exc:
        raise DataError(f"aif360 could not read the raw {dataset} files under {aif360_raw_root()}; {hint}") from exc


def load_aif360_dataset(dataset: str, protected: str):
    """AIF360's ``BinaryLabelDataset`` from ``load_preproc_data_<dataset>([protected])``."""
    if dataset not in AIF360_LOADERS:
        raise ConfigError(
            f"dataset {dataset!r} has no AIF360 preprocessing loader; expected one of {sorted(AIF360_LOADERS)}"
        )
    module = importlib.import_module(_AIF360_PREPROC_MODULE)
    with _aif360_exit_as_error(dataset, "build them with `snakemake --cores 1 data`"):
        return getattr(module, AIF360_LOADERS[dataset])([protected])


def load_aif360_preproc(dataset: str, protected: str) -> tuple[pd.DataFrame, dict]:
    """Load one (dataset, protected attribute) pair with AIF360's Calmon preprocessing.

    Parameters
    ----------
    dataset : {"german", "adult", "compas"}
    protected : str
        Protected attribute name, e.g. ``"sex"``, ``"age"`` or ``"race"``.

    Returns
    -------
    frame : DataFrame of shape (n_rows, n_features + 2)
        Features, then ``label`` (favourable = 1) and ``protected`` (privileged = 1).
    meta : dict
        Feature names, the original label and protected encodings and their names.
    """
    ds = load_aif360_dataset(dataset, protected)
    favourable = float(ds.favorable_label)
    privileged = float(np.asarray(ds.privileged_protected_attributes[0]).ravel()[0])
    label_orig = ds.labels.ravel().astype(float)
    prot_orig = ds.protected_attributes.ravel().astype(float)
    label_names = _metadata_map(ds, "label_maps")
    group_names = _metadata_map(ds, "protected_attribute_maps")
    unfavourable = float(ds.unfavorable_label)
    unprivileged = next(v for v in group_names if v != privileged)
    frame = pd.DataFrame(ds.features.astype(float), columns=list(ds.feature_names))
    frame[LABEL] = (label_orig == favourable).astype(np.int64)
    frame[PROTECTED] = (prot_orig == privileged).astype(np.int64)
    meta = {
        "dataset": dataset,
        "protected_attribute": protected,
        "source": f"aif360 {AIF360_LOADERS[dataset]}([{protected!r}])",
        "features": list(ds.feature_names),
        "label_name": ds.label_names[0],
        "label_orig": {"favourable": favourable, "unfavourable": unfavourable},
        "protected_orig": {"privileged": privileged, "unprivileged": unprivileged},
        "label_names": {"1": label_names[favourable], "0": label_names[unfavourable]},
        "group_names": {"1": group_names[privileged], "0": group_names[unprivileged]},
        "n_rows": len(frame),
    }
    return frame, meta


def load_aif360_adult_full():
    """AIF360 ``AdultDataset()`` with defaults (45,222 rows, 98 features; FairInfl D7).

    Returns the features (float64, sex included), the label (income > 50K = 1), the
    group (sex, male = 1) and the feature names. The raw files must already be placed
    (:func:`place_aif360_raw_files`).
    """
    from aif360.datasets import AdultDataset

    with _aif360_exit_as_error("adult", "build them with `snakemake --cores 1 fairinfl_adult_data`"):
        ds = AdultDataset()
    sex = ds.feature_names.index("sex")
    y = (ds.labels.ravel() == ds.favorable_label).astype(int)
    return ds.features.astype(np.float64), y, ds.features[:, sex].astype(int), list(ds.feature_names)
