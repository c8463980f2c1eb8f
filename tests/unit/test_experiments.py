"""Protocol steps: standardisation on the training part, FairShap scores of a split."""

from __future__ import annotations

import numpy as np

from fairscore.experiments import fairshap_split_scores, standardised_parts
from fairscore.fileio import write_npz
from fairscore.splits import stratified_split


def toy(seed=0, n=400):
    rng = np.random.default_rng(seed)
    y, a = rng.integers(0, 2, n), rng.integers(0, 2, n)
    X = np.column_stack([a, rng.integers(0, 3, n), rng.standard_normal(n) * 10 + 3])
    return X, y, a, stratified_split(np.column_stack([y, a]), seed=seed)


def test_scaler_is_fit_on_training_rows_only():
    X, _, _, split = toy()
    parts = standardised_parts(X, split)
    np.testing.assert_allclose(parts["train"].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(parts["train"].std(axis=0), 1, atol=1e-12)
    assert not np.allclose(parts["test"].mean(axis=0), 0, atol=1e-3)


def test_fairshap_split_scores_have_weights_of_mean_one():
    X, y, a, split = toy()
    scores = fairshap_split_scores(X, y, a, split)
    n = len(split["train"])
    assert np.array_equal(scores["row"], split["train"])
    assert all(len(v) == n for v in scores.values())
    for name in ("w_acc", "w_eop", "w_eodds"):
        w = scores[name]
        assert w.min() == 0 and abs(w.mean() - 1) < 1e-12 and np.isfinite(w).all()


def test_npz_is_byte_deterministic_and_loadable(tmp_path):
    arrays = {"b": np.arange(5.0), "a": np.array([1, 2], dtype=np.int64)}
    write_npz(tmp_path / "x.npz", arrays)
    first = (tmp_path / "x.npz").read_bytes()
    write_npz(tmp_path / "x.npz", arrays)
    assert (tmp_path / "x.npz").read_bytes() == first
    with np.load(tmp_path / "x.npz") as z:
        assert list(z.keys()) == ["b", "a"] and np.array_equal(z["b"], arrays["b"])
