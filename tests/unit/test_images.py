"""Image arrays (central crop, resize), their errors, and the training-time augmentation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from fairscore.errors import DataError
from fairscore.datasets.images import augment, image_array, image_arrays, to_float


def write_png(path, pixels):
    Image.fromarray(pixels).save(path, format="PNG")  # lossless, so pixels can be compared exactly


@pytest.fixture
def gradient_image(tmp_path):
    """A 10 (high) × 8 (wide) image whose red channel is the row and green the column."""
    rows, cols = np.meshgrid(np.arange(10), np.arange(8), indexing="ij")
    pixels = np.stack([rows, cols, np.full_like(rows, 7)], axis=-1).astype(np.uint8)
    path = tmp_path / "a.png"
    write_png(path, pixels)
    return path, pixels


def test_crop_is_the_central_window_without_resizing(gradient_image):
    path, pixels = gradient_image
    crop = image_array(path, size=4, mode="crop")
    assert crop.shape == (3, 4, 4) and crop.dtype == np.uint8
    np.testing.assert_array_equal(crop, pixels[3:7, 2:6].transpose(2, 0, 1))  # offsets (10-4)//2, (8-4)//2
    np.testing.assert_array_equal(image_array(path), pixels.transpose(2, 0, 1))  # original
    assert image_array(path, size=5, mode="resize").shape == (3, 5, 5)


def test_bad_images_fail_with_the_file_named(gradient_image, tmp_path):
    path, _ = gradient_image
    with pytest.raises(DataError, match="a central 12 × 12 crop needs more"):
        image_array(path, size=12, mode="crop")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match="broken.jpg: cannot read the image"):
        image_array(broken, size=4, mode="crop")
    with pytest.raises(DataError, match="image mode 'zoom'"):
        image_array(path, size=4, mode="zoom")
    index = pd.DataFrame({"image": ["a.png", "gone.png"], "y": [0, 1], "z": [1, 0]})
    with pytest.raises(DataError, match=r"1 image\(s\) listed in the index are missing, e.g. \['gone.png'\]"):
        image_arrays(index, tmp_path, size=4, mode="crop")


def test_image_arrays_keep_the_index_order_labels_and_partition(gradient_image, tmp_path):
    path, pixels = gradient_image
    write_png(tmp_path / "b.png", pixels[::-1].copy())
    index = pd.DataFrame({"image": ["b.png", "a.png"], "y": [1, 0], "z": [0, 1], "partition": ["test", "train"]})
    out = image_arrays(index, tmp_path, size=4, mode="crop")
    assert out["images"].shape == (2, 3, 4, 4)
    np.testing.assert_array_equal(out["images"][1], image_array(path, size=4, mode="crop"))
    np.testing.assert_array_equal(out["y"], [1, 0])
    assert out["partition"].tolist() == ["test", "train"] and out["partition"].dtype.kind == "U"
    np.testing.assert_allclose(to_float(out["images"]).max(), out["images"].max() / 255.0)


def test_augment_is_seeded_and_only_shifts_and_flips():
    batch = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).reshape(2, 3, 6, 6)
    a = augment(batch, torch.Generator().manual_seed(0))
    b = augment(batch, torch.Generator().manual_seed(0))
    assert a.shape == batch.shape and torch.equal(a, b)
    flips = augment(batch, torch.Generator().manual_seed(1), pad=0)  # no padding: each image or its mirror
    for original, out in zip(batch, flips, strict=True):
        assert torch.equal(out, original) or torch.equal(out, original.flip(-1))
    # with padding, every output window is a window of the reflect-padded image
    padded = torch.nn.functional.pad(batch, (4, 4, 4, 4), mode="reflect")
    for image, out in zip(padded, a, strict=True):
        windows = [image[:, t:t + 6, s:s + 6] for t in range(9) for s in range(9)]
        assert any(torch.equal(out, w) or torch.equal(out, w.flip(-1)) for w in windows)
