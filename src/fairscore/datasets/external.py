"""Datasets that come from outside PyPI: CelebA, Jigsaw, LFW(A) and FairFace.

Each dataset lives in a local directory with its upstream layout (file names and formats
exactly as the official release ships them). :func:`check_layout` says what is missing,
where to get it and where to put it; the downloaders fetch into a temporary folder and
move the files into place only when every file arrived, so a failed download never
leaves a file that looks valid. Readers return one row per example with the paper's
label and group as 0/1 columns.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fairscore.errors import DataError

__all__ = [
    "LAYOUTS",
    "Layout",
    "check_layout",
    "download_celeba",
    "download_jigsaw",
    "external_index",
    "kaggle_credentials",
    "read_celeba",
    "read_fairface",
    "read_jigsaw",
    "read_lfw",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    """The files a dataset directory must hold (folders end in ``/``) and how to obtain them."""

    name: str
    files: tuple[str, ...]
    source: str


LAYOUTS = {
    "celeba": Layout("CelebA (aligned and cropped)", (
        "img_align_celeba/", "list_attr_celeba.txt", "list_eval_partition.txt"),
        "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (Google Drive), or set `download: true` to use "
        "torchvision's CelebA downloader (needs the gdown package and access to Google Drive)"),
    "jigsaw": Layout("Jigsaw Unintended Bias in Toxicity Classification", (
        "train.csv", "test_public_expanded.csv"),
        "Kaggle competition jigsaw-unintended-bias-in-toxicity-classification: accept its rules on kaggle.com, "
        "then set `download: true` with Kaggle credentials (KAGGLE_USERNAME and KAGGLE_KEY, or kaggle.json in "
        "$KAGGLE_CONFIG_DIR or ~/.kaggle/)"),
    "lfw": Layout("LFW with the LFW attributes of Kumar et al.", ("lfw/", "lfw_attributes.txt"),
                  "images: https://vis-www.cs.umass.edu/lfw/ (lfw.tgz, unpacked as lfw/<Person>/<Person>_0001.jpg); "
                  "attributes: https://www.cs.columbia.edu/CAVE/databases/pubfig/download/lfw_attributes.txt"),
    "fairface": Layout("FairFace (padding 0.25)", (
        "train/", "val/", "fairface_label_train.csv", "fairface_label_val.csv"),
        "https://github.com/joojs/fairface (fairface-img-margin025-trainval.zip unpacked, and the two label "
        "CSVs)"),
}


def check_layout(root: str | os.PathLike, dataset: str) -> Path:
    """Return ``root`` if it holds every file of ``dataset``'s layout, else raise a DataError that
    names what is missing, where to get it and the exact layout to place it in."""
    layout, root = LAYOUTS[dataset], Path(root)
    missing = [f for f in layout.files
               if not ((root / f).is_dir() if f.endswith("/") else (root / f).is_file())]
    if missing:
        tree = "\n".join(f"  {root}/{f}" for f in layout.files)
        raise DataError(f"{layout.name}: missing {', '.join(missing)} in {root}. Get it from {layout.source}, "
                        f"and place it as:\n{tree}")
    return root


def _layout_text(dataset: str) -> str:
    """The layout and source of ``dataset`` as one sentence, for error messages."""
    layout = LAYOUTS[dataset]
    return f"{', '.join(layout.files)} from {layout.source}"


def _move_into(staging: Path, root: Path, names) -> None:
    """Move the fully downloaded ``names`` from ``staging`` into ``root`` (rename, so each appears whole)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = root / name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        os.replace(staging / name, target)


# ----------------------------------------------------------------------------- CelebA
def download_celeba(root: str | os.PathLike) -> Path:
    """Fetch CelebA with torchvision's downloader into ``root`` (the layout of ``LAYOUTS['celeba']``).

    torchvision writes to ``<staging>/celeba/`` and checks the files' MD5s; they move into
    ``root`` only after that. Any failure (no gdown, no access to Google Drive, a quota
    error) becomes one DataError with the manual instructions, and ``root`` is untouched.
    """
    from torchvision.datasets import CelebA

    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".celeba-") as staging:
        try:
            CelebA(staging, split="all", target_type="attr", download=True)
        except Exception as exc:  # torchvision raises RuntimeError, OSError, ImportError (gdown) ...
            raise DataError(f"CelebA download failed ({type(exc).__name__}: {exc}). Place it yourself in {root}: "
                            f"{_layout_text('celeba')}") from exc
        _move_into(Path(staging) / "celeba", root, [f.rstrip("/") for f in LAYOUTS["celeba"].files])
    return check_layout(root, "celeba")


def read_celeba(root: str | os.PathLike, *, target: str = "Smiling", group: str = "Male") -> pd.DataFrame:
    """One row per image: ``image`` (path under ``img_align_celeba/``), ``y`` and ``z`` (attribute
    ``target`` and ``group`` as 0/1, from CelebA's −1/1), ``partition`` (train, valid, test)."""
    root = check_layout(root, "celeba")
    attrs = pd.read_csv(root / "list_attr_celeba.txt", sep=r"\s+", skiprows=1)
    for name in (target, group):
        if name not in attrs.columns:
            raise DataError(f"{root / 'list_attr_celeba.txt'}: no attribute {name!r}; expected one of "
                            f"{list(attrs.columns)}")
    parts = pd.read_csv(root / "list_eval_partition.txt", sep=r"\s+", header=None, names=["image", "partition"],
                        index_col=0)
    if not parts.index.equals(attrs.index):
        raise DataError(f"{root}: list_eval_partition.txt and list_attr_celeba.txt list different images")
    return pd.DataFrame({"image": "img_align_celeba/" + attrs.index, "y": (attrs[target] == 1).astype(int).to_numpy(),
                         "z": (attrs[group] == 1).astype(int).to_numpy(),
                         "partition": parts["partition"].map({0: "train", 1: "valid", 2: "test"}).to_numpy()})


# ----------------------------------------------------------------------------- Jigsaw
_KAGGLE_COMPETITION = "jigsaw-unintended-bias-in-toxicity-classification"
_RACE_COLUMNS = ("asian", "black", "latino", "other_race_or_ethnicity", "white")


def kaggle_credentials() -> str:
    """Where the Kaggle credentials come from; a DataError naming every accepted place if none."""
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return "environment variables KAGGLE_USERNAME and KAGGLE_KEY"
    config_dir = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle"))
    path = config_dir / "kaggle.json"
    if path.is_file():
        try:
            token = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not valid JSON ({exc}); expected {{\"username\": ..., \"key\": ...}}") from exc
        if not {"username", "key"} <= set(token):
            raise DataError(f"{path}: keys {sorted(token)}; expected 'username' and 'key'")
        return str(path)
    raise DataError("no Kaggle credentials: set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json (kaggle.com → "
                    f"Settings → API → Create New Token) in {config_dir}/ (or $KAGGLE_CONFIG_DIR). "
                    "Alternatively place the files yourself: " + _layout_text("jigsaw"))


def download_jigsaw(root: str | os.PathLike, *, api=None) -> Path:
    """Fetch ``train.csv`` and ``test_public_expanded.csv`` with the Kaggle API into ``root``.

    ``api`` is a ``kaggle`` ``KaggleApi`` (made and authenticated here when None). Kaggle
    serves large files zipped; the archive is unpacked in the staging folder and the CSV
    moved into place only when both files arrived.
    """
    root = Path(root)
    source = kaggle_credentials()
    if api is None:
        from kaggle.api.kaggle_api_extended import KaggleApi

        api = KaggleApi()
        api.authenticate()
    log.info("Kaggle credentials from %s", source)
    names = list(LAYOUTS["jigsaw"].files)
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".jigsaw-") as staging:
        staging = Path(staging)
        for name in names:
            try:
                api.competition_download_file(_KAGGLE_COMPETITION, name, path=str(staging), quiet=True)
            except Exception as exc:
                raise DataError(f"Kaggle download of {name} from {_KAGGLE_COMPETITION} failed ({type(exc).__name__}: "
                                f"{exc}); have you accepted the competition's rules on kaggle.com? Or place the "
                                f"files yourself: {_layout_text('jigsaw')}") from exc
            archive = staging / f"{name}.zip"
            if archive.is_file():
                with zipfile.ZipFile(archive) as z:
                    z.extract(name, staging)
                archive.unlink()
            if not (staging / name).is_file():
                raise DataError(f"Kaggle download of {name}: no {name} (or {name}.zip) arrived in {staging}")
        _move_into(staging, root, names)
    return check_layout(root, "jigsaw")


def read_jigsaw(root: str | os.PathLike, *, toxicity_threshold: float = 0.5, group_column: str = "black",
                group_threshold: float = 0.5) -> dict[str, pd.DataFrame]:
    """``train`` and ``test`` frames of the race-annotated comments (D21): ``text``, ``y`` (toxicity ≥
    ``toxicity_threshold``) and ``z`` (``group_column`` ≥ ``group_threshold``), plus the source ``id``."""
    root = check_layout(root, "jigsaw")
    out = {}
    for part, name, label in (("train", "train.csv", "target"), ("test", "test_public_expanded.csv", "toxicity")):
        frame = pd.read_csv(root / name)
        needed = ["id", "comment_text", label, *_RACE_COLUMNS]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(f"{root / name}: missing column(s) {missing}; expected the Kaggle release's columns")
        if group_column not in _RACE_COLUMNS:
            raise DataError(f"group_column = {group_column!r}; expected one of the race columns {_RACE_COLUMNS}")
        annotated = frame[list(_RACE_COLUMNS)].notna().all(axis=1)
        kept = frame[annotated]
        out[part] = pd.DataFrame({"id": kept["id"].to_numpy(), "text": kept["comment_text"].fillna("").to_numpy(),
                                  "y": (kept[label] >= toxicity_threshold).astype(int).to_numpy(),
                                  "z": (kept[group_column] >= group_threshold).astype(int).to_numpy()})
        log.info("Jigsaw %s: %d of %d rows have race annotations", part, len(kept), len(frame))
    return out


# ----------------------------------------------------------------------------- LFW and FairFace
def read_lfw(root: str | os.PathLike) -> pd.DataFrame:
    """One row per image of ``lfw_attributes.txt``: ``image`` (``lfw/<Person>/<Person>_<0001>.jpg``) and
    ``y`` = ``z`` = 1 for men (attribute Male > 0), the A = Y case of FairShap's face experiment."""
    root = check_layout(root, "lfw")
    path = root / "lfw_attributes.txt"
    lines = path.read_text().splitlines()
    if len(lines) < 2 or not lines[1].startswith("#"):
        raise DataError(f"{path}: expected a '#' comment line, then '#' and the tab-separated column names")
    columns = lines[1].lstrip("#").strip().split("\t")
    frame = pd.read_csv(path, sep="\t", skiprows=2, header=None, names=columns)
    if not {"person", "imagenum", "Male"} <= set(frame.columns):
        raise DataError(f"{path}: columns {columns[:4]}…; expected person, imagenum, Male, …")
    folder = frame["person"].str.replace(" ", "_")
    images = "lfw/" + folder + "/" + folder + "_" + frame["imagenum"].map("{:04d}".format) + ".jpg"
    male = (frame["Male"] > 0).astype(int).to_numpy()
    return pd.DataFrame({"image": images.to_numpy(), "y": male, "z": male})


def read_fairface(root: str | os.PathLike) -> pd.DataFrame:
    """One row per FairFace image: ``image`` (``train/…`` or ``val/…``), ``y`` = ``z`` = 1 for Male,
    ``partition`` (train or val: the official release has no test split, D13)."""
    root = check_layout(root, "fairface")
    frames = []
    for part in ("train", "val"):
        path = root / f"fairface_label_{part}.csv"
        frame = pd.read_csv(path)
        if not {"file", "gender"} <= set(frame.columns):
            raise DataError(f"{path}: columns {list(frame.columns)}; expected file, age, gender, race, service_test")
        unknown = sorted(set(frame["gender"]) - {"Male", "Female"})
        if unknown:
            raise DataError(f"{path}: gender values {unknown}; expected Male or Female")
        male = (frame["gender"] == "Male").astype(int).to_numpy()
        frames.append(pd.DataFrame({"image": frame["file"].to_numpy(), "y": male, "z": male, "partition": part}))
    return pd.concat(frames, ignore_index=True)


def _complete(root, dataset: str) -> bool:
    try:
        check_layout(root, dataset)
    except DataError:
        return False
    return True


def external_index(dataset: str, directory: str | os.PathLike, *, download: bool = False,
                   **options) -> pd.DataFrame:
    """The examples of ``dataset`` (celeba, jigsaw, lfw, fairface) read from ``directory``.

    With ``download`` (CelebA, Jigsaw) an incomplete directory is fetched first. ``options``
    go to the reader (target/group names, Jigsaw thresholds). Jigsaw's two parts are
    stacked with a ``partition`` column (train, test).
    """
    readers = {"celeba": read_celeba, "jigsaw": read_jigsaw, "lfw": read_lfw, "fairface": read_fairface}
    downloaders = {"celeba": download_celeba, "jigsaw": download_jigsaw}
    if dataset not in readers:
        raise DataError(f"external dataset {dataset!r}; expected one of {sorted(readers)}")
    if download and not _complete(directory, dataset):
        if dataset not in downloaders:
            raise DataError(f"{LAYOUTS[dataset].name} has no downloader; place it yourself: {_layout_text(dataset)}")
        downloaders[dataset](directory)
    data = readers[dataset](directory, **options)
    if dataset == "jigsaw":
        return pd.concat([frame.assign(partition=part) for part, frame in data.items()], ignore_index=True)
    return data
