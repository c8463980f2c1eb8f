"""Tiny copies of the external datasets in their exact upstream formats.

Tests (and fixture configs) use them in place of CelebA, Jigsaw, LFW and FairFace:
the same file names, columns, separators, partition files and image files, with a
handful of rows and random pixels. Every writer is seeded and returns the labels it
wrote, so a test can check what a reader makes of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from fairscore.errors import ConfigError

__all__ = ["CELEBA_ATTRIBUTES", "WRITERS", "write_celeba", "write_fairface", "write_fixture", "write_jigsaw", "write_lfw",
           "write_tiny_bert"]

#: the 40 attribute names of CelebA's list_attr_celeba.txt, in file order
CELEBA_ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
    "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
    "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
    "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
    "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young").split()

_JIGSAW_TRAIN_COLUMNS = (
    "id target comment_text severe_toxicity obscene identity_attack insult threat asian atheist bisexual black "
    "buddhist christian female heterosexual hindu homosexual_gay_or_lesbian intellectual_or_learning_disability "
    "jewish latino male muslim other_disability other_gender other_race_or_ethnicity other_religion "
    "other_sexual_orientation physical_disability psychiatric_or_mental_illness transgender white created_date "
    "publication_id parent_id article_id rating funny wow sad likes disagree sexual_explicit "
    "identity_annotator_count toxicity_annotator_count").split()
_IDENTITY = {"asian", "atheist", "bisexual", "black", "buddhist", "christian", "female", "heterosexual", "hindu",
             "homosexual_gay_or_lesbian", "intellectual_or_learning_disability", "jewish", "latino", "male",
             "muslim", "other_disability", "other_gender", "other_race_or_ethnicity", "other_religion",
             "other_sexual_orientation", "physical_disability", "psychiatric_or_mental_illness", "transgender",
             "white"}


def _jpeg(path: Path, size: tuple[int, int], rng: np.random.Generator) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, format="JPEG", quality=90)


def write_celeba(root: str | os.PathLike, *, n: int = 12, seed: int = 0) -> pd.DataFrame:
    """img_align_celeba/000001.jpg … (178 × 218 JPEG), list_attr_celeba.txt (count line, the 40
    names, ``-1``/`` 1`` values) and list_eval_partition.txt (0/1/2); returns image, Smiling, Male, partition."""
    root, rng = Path(root), np.random.default_rng(seed)
    names = [f"{i + 1:06d}.jpg" for i in range(n)]
    values = rng.choice([-1, 1], size=(n, len(CELEBA_ATTRIBUTES)))
    partition = np.arange(n) % 3
    for name in names:
        _jpeg(root / "img_align_celeba" / name, (178, 218), rng)
    rows = [name + "".join(f" {v:2d}" for v in row) for name, row in zip(names, values, strict=True)]
    (root / "list_attr_celeba.txt").write_text(f"{n}\n" + " ".join(CELEBA_ATTRIBUTES) + " \n" + "\n".join(rows) + "\n")
    (root / "list_eval_partition.txt").write_text("".join(f"{a} {p}\n" for a, p in zip(names, partition, strict=True)))
    attrs = dict(zip(CELEBA_ATTRIBUTES, values.T, strict=True))
    return pd.DataFrame({"image": names, "Smiling": attrs["Smiling"], "Male": attrs["Male"], "partition": partition})


def _jigsaw_frame(n: int, rng: np.random.Generator, label: str) -> pd.DataFrame:
    columns = [label if c == "target" else c for c in _JIGSAW_TRAIN_COLUMNS]
    frame = pd.DataFrame({c: rng.random(n) for c in columns})
    frame["id"] = np.arange(n) + 1_000_000
    frame["comment_text"] = [f"comment {i}, with \"quotes\", commas\nand a line break" for i in range(n)]
    frame[label] = rng.choice([0.0, 0.2, 0.5, 0.8], size=n)
    unannotated = rng.random(n) < 0.3
    for column in _IDENTITY:
        frame.loc[unannotated, column] = np.nan
    frame["created_date"] = "2015-09-29 10:50:41.987077+00"
    frame["rating"] = "approved"
    return frame


def write_jigsaw(root: str | os.PathLike, *, n_train: int = 40, n_test: int = 20, seed: int = 0) -> dict:
    """train.csv (label column ``target``) and test_public_expanded.csv (``toxicity``) with the Kaggle
    release's columns, ~30 % of rows without identity annotations; returns both frames."""
    root, rng = Path(root), np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    train, test = _jigsaw_frame(n_train, rng, "target"), _jigsaw_frame(n_test, rng, "toxicity")
    train.to_csv(root / "train.csv", index=False)
    test.to_csv(root / "test_public_expanded.csv", index=False)
    return {"train": train, "test": test}


def write_lfw(root: str | os.PathLike, *, people: int = 5, per_person: int = 2, seed: int = 0) -> pd.DataFrame:
    """lfw/<First_Last>/<First_Last>_0001.jpg (250 × 250 JPEG) and lfw_attributes.txt (two ``#`` lines,
    tab-separated columns person, imagenum, Male, …); returns person, imagenum, Male."""
    root, rng = Path(root), np.random.default_rng(seed)
    rows = []
    for p in range(people):
        person = f"Person{p} Surname{p}"
        for k in range(1, per_person + 1):
            _jpeg(root / "lfw" / person.replace(" ", "_") / f"{person.replace(' ', '_')}_{k:04d}.jpg", (250, 250), rng)
            rows.append([person, k, *rng.normal(size=4)])
    frame = pd.DataFrame(rows, columns=["person", "imagenum", "Male", "Asian", "White", "Black"])
    header = "# \n#\t" + "\t".join(frame.columns) + "\n"
    (root / "lfw_attributes.txt").write_text(header + frame.to_csv(sep="\t", header=False, index=False))
    return frame


def write_fairface(root: str | os.PathLike, *, n_train: int = 8, n_val: int = 4, seed: int = 0) -> pd.DataFrame:
    """train/1.jpg …, val/1.jpg … (224 × 224 JPEG) and fairface_label_{train,val}.csv with columns
    file, age, gender, race, service_test; returns the rows written with their partition."""
    root, rng = Path(root), np.random.default_rng(seed)
    frames = []
    for part, n in (("train", n_train), ("val", n_val)):
        files = [f"{part}/{i + 1}.jpg" for i in range(n)]
        for f in files:
            _jpeg(root / f, (224, 224), rng)
        frame = pd.DataFrame({"file": files, "age": rng.choice(["20-29", "30-39", "3-9"], n),
                              "gender": rng.choice(["Male", "Female"], n), "race": rng.choice(["White", "Black"], n),
                              "service_test": rng.choice([True, False], n)})
        frame.to_csv(root / f"fairface_label_{part}.csv", index=False)
        frames.append(frame.assign(partition=part))
    return pd.concat(frames, ignore_index=True)


def write_tiny_bert(directory: str | os.PathLike, *, hidden: int = 32, seed: int = 0) -> Path:
    """A randomly initialised one-layer BERT with a small word-piece vocabulary, saved with its
    tokenizer as ``from_pretrained`` expects (config.json, weights, vocab.txt); no download."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    words = ["comment", "with", "quotes", "commas", "and", "a", "line", "break", "toxic", "nice", "the"]
    pieces = [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *"abcdefghijklmnopqrstuvwxyz0123456789",
             *pieces, ",", ".", '"', "!", "?"]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizer(str(directory / "vocab.txt")).save_pretrained(directory)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=2 * hidden, max_position_embeddings=128)
    BertModel(config).save_pretrained(directory)
    return directory


WRITERS = {"celeba": write_celeba, "jigsaw": write_jigsaw, "lfw": write_lfw, "fairface": write_fairface,
           "tiny_bert": write_tiny_bert}


def write_fixture(name: str, directory: str | os.PathLike, **options) -> None:
    """Write fixture ``name`` (a key of :data:`WRITERS`) into ``directory`` with the writer's ``options``."""
    if name not in WRITERS:
        raise ConfigError(f"fixture {name!r}; expected one of {sorted(WRITERS)}")
    WRITERS[name](directory, **options)
