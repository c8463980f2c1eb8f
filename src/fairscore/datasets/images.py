"""Face images as cached arrays, and the training-time augmentation.

The image pipelines read every image once into one ``uint8`` array of shape
(n, 3, size, size), cached as a file, so training, scoring and embedding jobs rerun
without decoding JPEGs. Two ways to make an image square:

* ``crop`` — the central size × size window of the original, no resizing (FairInfl's
  CelebA input: TensorFlow's ``resize_with_crop_or_pad`` to 28 × 28, ``algorithms.md`` §4.5);
* ``resize`` — the whole image resized (bilinear) to size × size (FairShap's faces, 160 × 160).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image

from fairscore.errors import DataError

__all__ = ["MODES", "augment", "image_array", "image_arrays", "to_float"]

MODES = ("crop", "resize")


def image_array(path: str | os.PathLike, *, size: int | None = None, mode: str = "original") -> np.ndarray:
    """One RGB image as a (3, H, W) uint8 array: as stored (``original``), or size × size by
    ``crop`` (central window) or ``resize`` (bilinear)."""
    if mode not in (*MODES, "original"):
        raise DataError(f"image mode {mode!r}; expected one of {(*MODES, 'original')}")
    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
            if mode == "resize":
                image = image.resize((size, size), Image.BILINEAR)
            elif mode == "crop":
                width, height = image.size
                if width < size or height < size:
                    raise DataError(f"{path}: {width} × {height} pixels; a central {size} × {size} crop needs more")
                left, top = (width - size) // 2, (height - size) // 2
                image = image.crop((left, top, left + size, top + size))
            return np.asarray(image, dtype=np.uint8).transpose(2, 0, 1)
    except DataError:
        raise
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the image ({exc}); expected a readable JPEG or PNG") from exc


def image_arrays(index: pd.DataFrame, root: str | os.PathLike, *, size: int, mode: str) -> dict[str, np.ndarray]:
    """``images`` (n, 3, size, size) uint8 for the rows of ``index`` (column ``image``, relative to
    ``root``), with the index's ``y``, ``z`` and ``partition`` columns as arrays."""
    root = Path(root)
    missing = [p for p in index["image"] if not (root / p).is_file()]
    if missing:
        raise DataError(f"{root}: {len(missing)} image(s) listed in the index are missing, e.g. {missing[:3]}")
    images = np.empty((len(index), 3, size, size), dtype=np.uint8)  # filled in place: CelebA at 160 px is ~15 GB
    for row, p in enumerate(index["image"]):
        images[row] = image_array(root / p, size=size, mode=mode)
    out = {"images": images, "y": index["y"].to_numpy(), "z": index["z"].to_numpy()}
    if "partition" in index:
        out["partition"] = index["partition"].to_numpy().astype(str)
    return out


def to_float(images) -> np.ndarray:
    """uint8 pixels scaled to [0, 1] as float32."""
    return np.asarray(images, dtype=np.float32) / 255.0


def augment(batch: torch.Tensor, generator: torch.Generator, *, pad: int = 4) -> torch.Tensor:
    """Reflect-pad by ``pad``, take a random crop of the original size and flip half the images
    horizontally (FI ``augment``); ``generator`` draws the offsets and flips (on the CPU)."""
    n, _, height, width = batch.shape
    padded = torch.nn.functional.pad(batch, (pad, pad, pad, pad), mode="reflect")
    top = torch.randint(0, 2 * pad + 1, (n,), generator=generator).tolist()
    left = torch.randint(0, 2 * pad + 1, (n,), generator=generator).tolist()
    flip = torch.rand(n, generator=generator) < 0.5
    out = torch.stack([padded[i, :, t:t + height, s:s + width] for i, (t, s) in enumerate(zip(top, left))])
    return torch.where(flip.to(batch.device)[:, None, None, None], out.flip(-1), out)
