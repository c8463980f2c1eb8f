"""External datasets: readers on upstream-format fixtures, layout errors, downloads that fail cleanly."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from fairscore.datasets import external
from fairscore.errors import DataError
from fairscore.datasets.fixtures import write_celeba, write_fairface, write_jigsaw, write_lfw


def test_celeba_reader_maps_minus_one_one_to_labels_and_partitions(tmp_path):
    written = write_celeba(tmp_path, n=9)
    frame = external.read_celeba(tmp_path)
    assert list(frame["image"]) == ["img_align_celeba/" + name for name in written["image"]]
    np.testing.assert_array_equal(frame["y"], (written["Smiling"] == 1).astype(int))
    np.testing.assert_array_equal(frame["z"], (written["Male"] == 1).astype(int))
    assert list(frame["partition"][:3]) == ["train", "valid", "test"]
    with pytest.raises(DataError, match="no attribute 'Smile'"):
        external.read_celeba(tmp_path, target="Smile")


def test_missing_files_name_the_source_and_the_layout(tmp_path):
    write_celeba(tmp_path, n=3)
    (tmp_path / "list_eval_partition.txt").unlink()
    with pytest.raises(DataError) as err:
        external.read_celeba(tmp_path)
    message = str(err.value)
    assert "missing list_eval_partition.txt" in message and "mmlab.ie.cuhk.edu.hk" in message
    assert f"{tmp_path}/img_align_celeba/" in message and f"{tmp_path}/list_attr_celeba.txt" in message
    for dataset in ("jigsaw", "lfw", "fairface"):
        with pytest.raises(DataError, match="place it as"):
            external.check_layout(tmp_path / dataset, dataset)


def test_jigsaw_keeps_race_annotated_rows_with_the_configured_thresholds(tmp_path):
    written = write_jigsaw(tmp_path, n_train=50, n_test=30)
    parts = external.read_jigsaw(tmp_path, toxicity_threshold=0.5, group_column="black", group_threshold=0.5)
    for part, label in (("train", "target"), ("test", "toxicity")):
        src = written[part][written[part]["black"].notna()]
        assert list(parts[part]["id"]) == list(src["id"])
        np.testing.assert_array_equal(parts[part]["y"], (src[label] >= 0.5).astype(int))
        np.testing.assert_array_equal(parts[part]["z"], (src["black"] >= 0.5).astype(int))
        assert parts[part]["text"].iloc[0] == src["comment_text"].iloc[0]  # quotes, commas, newline survive
    stricter = external.read_jigsaw(tmp_path, toxicity_threshold=0.8, group_column="white")
    assert stricter["train"]["y"].sum() < parts["train"]["y"].sum()
    with pytest.raises(DataError, match="group_column = 'female'"):
        external.read_jigsaw(tmp_path, group_column="female")


def test_lfw_and_fairface_readers(tmp_path):
    lfw = write_lfw(tmp_path / "lfw_root", people=3, per_person=2)
    frame = external.read_lfw(tmp_path / "lfw_root")
    assert frame["image"].iloc[1] == "lfw/Person0_Surname0/Person0_Surname0_0002.jpg"
    assert all((tmp_path / "lfw_root" / p).is_file() for p in frame["image"])
    np.testing.assert_array_equal(frame["y"], (lfw["Male"] > 0).astype(int))
    ff = write_fairface(tmp_path / "ff", n_train=6, n_val=3)
    frame = external.read_fairface(tmp_path / "ff")
    assert list(frame["partition"]) == ["train"] * 6 + ["val"] * 3
    np.testing.assert_array_equal(frame["z"], (ff["gender"] == "Male").astype(int))


@pytest.fixture
def no_kaggle(monkeypatch, tmp_path):
    for var in ("KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "kaggle-config"))
    return tmp_path / "kaggle-config"


def test_missing_kaggle_credentials_say_where_to_put_them(no_kaggle, tmp_path):
    with pytest.raises(DataError) as err:
        external.download_jigsaw(tmp_path / "jigsaw")
    message = str(err.value)
    assert "KAGGLE_USERNAME and KAGGLE_KEY" in message and str(no_kaggle) in message and "train.csv" in message
    assert not (tmp_path / "jigsaw").exists()
    no_kaggle.mkdir()
    (no_kaggle / "kaggle.json").write_text("{not json")
    with pytest.raises(DataError, match="kaggle.json: not valid JSON"):
        external.kaggle_credentials()
    (no_kaggle / "kaggle.json").write_text(json.dumps({"username": "u", "key": "k"}))
    assert external.kaggle_credentials() == str(no_kaggle / "kaggle.json")


class FakeKaggle:
    """Serves the fixture files as the Kaggle API does: train.csv zipped, the test file plain."""

    def __init__(self, source: Path, fail_on: str | None = None):
        self.source, self.fail_on, self.calls = source, fail_on, []

    def competition_download_file(self, competition, file_name, path, quiet):
        self.calls.append((competition, file_name))
        if file_name == self.fail_on:
            raise RuntimeError("403 Forbidden")
        if file_name == "train.csv":
            with zipfile.ZipFile(Path(path) / "train.csv.zip", "w") as z:
                z.write(self.source / file_name, file_name)
        else:
            shutil.copy(self.source / file_name, Path(path) / file_name)


def test_kaggle_download_unzips_and_moves_files_into_place(monkeypatch, tmp_path):
    monkeypatch.setenv("KAGGLE_USERNAME", "u")
    monkeypatch.setenv("KAGGLE_KEY", "k")
    write_jigsaw(tmp_path / "upstream", n_train=20, n_test=10)
    api = FakeKaggle(tmp_path / "upstream")
    root = external.download_jigsaw(tmp_path / "data" / "jigsaw", api=api)
    assert [c[1] for c in api.calls] == ["train.csv", "test_public_expanded.csv"]
    assert sorted(p.name for p in root.iterdir()) == ["test_public_expanded.csv", "train.csv"]
    assert (root / "train.csv").read_bytes() == (tmp_path / "upstream" / "train.csv").read_bytes()
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["jigsaw"]  # no staging folder left


def test_a_failed_kaggle_download_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("KAGGLE_USERNAME", "u")
    monkeypatch.setenv("KAGGLE_KEY", "k")
    write_jigsaw(tmp_path / "upstream")
    with pytest.raises(DataError, match="test_public_expanded.csv .*403 Forbidden.*accepted the competition's rules"):
        external.download_jigsaw(tmp_path / "data" / "jigsaw",
                                 api=FakeKaggle(tmp_path / "upstream", fail_on="test_public_expanded.csv"))
    assert not (tmp_path / "data" / "jigsaw").exists() and list((tmp_path / "data").iterdir()) == []


def test_celeba_download_moves_a_complete_download_and_reports_a_failed_one(monkeypatch, tmp_path):
    datasets = pytest.importorskip("torchvision.datasets")

    def complete(root, split, target_type, download):
        write_celeba(Path(root) / "celeba", n=3)

    monkeypatch.setattr(datasets, "CelebA", complete)
    root = external.download_celeba(tmp_path / "ok" / "celeba")
    assert len(external.read_celeba(root)) == 3 and sorted(p.name for p in (tmp_path / "ok").iterdir()) == ["celeba"]

    def failing(root, split, target_type, download):
        write_celeba(Path(root) / "celeba", n=3)  # some files arrived ...
        raise RuntimeError("Google Drive quota exceeded")

    monkeypatch.setattr(datasets, "CelebA", failing)
    with pytest.raises(DataError, match="CelebA download failed .*quota exceeded.*Place it yourself"):
        external.download_celeba(tmp_path / "bad" / "celeba")
    assert list((tmp_path / "bad").iterdir()) == []  # ... but none is left behind


def test_external_index_reads_or_refuses(tmp_path):
    write_fairface(tmp_path / "ff", n_train=2, n_val=2)
    assert len(external.external_index("fairface", tmp_path / "ff")) == 4
    with pytest.raises(DataError, match="has no downloader; place it yourself"):
        external.external_index("lfw", tmp_path / "nothing", download=True)
    with pytest.raises(DataError, match="external dataset 'mnist'"):
        external.external_index("mnist", tmp_path)
    write_jigsaw(tmp_path / "j", n_train=10, n_test=5)
    stacked = external.external_index("jigsaw", tmp_path / "j", toxicity_threshold=0.5)
    assert set(stacked["partition"]) == {"train", "test"}
