"""Small file helpers: checksums, canonical JSON and all-or-nothing writes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from fairscore.errors import DataError

__all__ = ["atomic_path", "canonical_json", "read_csv", "read_npz", "sha256_bytes", "sha256_file", "write_csv",
           "write_json", "write_npz"]

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of a byte string."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(obj) -> str:
    """JSON with sorted keys and no insignificant whitespace (stable for hashing)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched,
    so a reader never sees a half-written file.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(frame, path: str | os.PathLike) -> None:
    """Write a DataFrame as CSV with round-trip floats and ``\\n`` line ends, atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g", lineterminator="\n")


def read_csv(path: str | os.PathLike, **kwargs):
    """A CSV that :func:`write_csv` wrote, every float parsed to the exact double that was written.

    pandas' default parser can be one ulp off on 17-digit floats (0.29999999999999999 becomes
    0.29999999999999993), so a value read back would not equal the config value it came from.
    """
    import pandas as pd

    return pd.read_csv(path, float_precision="round_trip", **kwargs)


def write_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented, key-sorted JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def write_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays as a compressed ``.npz`` (readable by ``np.load``), atomically.

    Unlike ``np.savez_compressed``, entries carry a fixed timestamp and keep the given
    order, so the same arrays always give the same bytes.
    """
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            array = np.ascontiguousarray(array)
            # streamed, not buffered: image arrays can be several GB
            with zf.open(info, "w", force_zip64=array.nbytes > 1 << 30) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, read in full; a damaged file is a :class:`DataError` naming it
    (``np.load`` alone reports e.g. "Bad CRC-32 for file 'w_eop.npy'" without the path)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise
    except Exception as err:  # a damaged zip fails in zipfile, zlib, tokenize or numpy's header parser
        raise DataError(f"{path}: not a readable .npz file ({type(err).__name__}: {err}); it is damaged or "
                        f"truncated: delete it and rerun the same snakemake command to rebuild it") from err
