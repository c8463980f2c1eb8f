"""The MLP's direct training loop is autograd's, bit for bit (``fairscore.models.mlp_direct``)."""

import numpy as np
import pytest
import torch

from fairscore.errors import ConfigError
from fairscore.models.mlp_direct import is_plain_mlp
from fairscore.models.tabular import mlp, resnet_two_fc, train_fair, train_stacked

CASES = {
    # name: (n, features, hidden, dtype, train_fair keywords)
    "erm_weighted": (600, 12, 16, torch.float32, {"lam": 0.0, "weighted": True}),
    "lfatr": (600, 12, 16, torch.float32, {"lam": 1.0}),
    "lfatr_weighted_decay_odd_batch": (500, 9, 8, torch.float32,
                                       {"lam": 1.0, "weighted": True, "batch_size": 100, "lr_boundaries": [0, 30, 30, 90],
                                        "lr_decay": 0.2, "weight_decay": 0.0}),
    "one_batch_smaller_than_batch_size": (77, 5, 8, torch.float32, {"lam": 1.0, "batch_size": 128}),
    "one_group_only": (300, 6, 8, torch.float32, {"lam": 1.0, "z": "ones"}),
    "float64": (400, 7, 8, torch.float64, {"lam": 1.0, "weighted": True, "lr": 1e-2, "betas": (0.99, 0.999)}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_direct_training_equals_autograd_training_bit_for_bit(name):
    n, features, hidden, dtype, kw = CASES[name]
    kw = dict(kw)
    rng = np.random.default_rng(len(name))
    X = rng.normal(size=(n, features))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    z = np.ones(n) if kw.pop("z", None) == "ones" else (rng.random(n) < 0.4).astype(float)
    if kw.pop("weighted", False):
        kw["sample_weight"] = rng.exponential(size=n)
    kw.setdefault("batch_size", 64)
    X = X.astype(np.float32 if dtype == torch.float32 else np.float64)
    trained = {direct: train_fair(mlp(features, hidden, seed=5, dtype=dtype), X, y, z, steps=120, seed=11,
                                  direct=direct, **kw) for direct in (False, True)}
    start = mlp(features, hidden, seed=5, dtype=dtype)
    for p, q, p0 in zip(trained[False].parameters(), trained[True].parameters(), start.parameters(), strict=True):
        assert not torch.equal(p, p0)  # it trained
        assert torch.equal(p, q)


def test_direct_training_is_the_default_for_the_mlp_only():
    assert is_plain_mlp(mlp(4, 8, seed=0)) and is_plain_mlp(mlp(4, 8, seed=0, dtype=torch.float64))
    assert not is_plain_mlp(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)))
    assert not is_plain_mlp(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)))
    assert not is_plain_mlp(resnet_two_fc(seed=0, blocks=(1, 1, 1, 1), hidden=8))


def test_direct_training_of_another_network_is_refused():
    X = np.zeros((8, 3, 8, 8), dtype=np.float32)
    with pytest.raises(ConfigError, match="direct=True"):
        train_fair(resnet_two_fc(seed=0, blocks=(1, 1, 1, 1), hidden=8), X, np.zeros(8), np.zeros(8), lam=0.0,
                   steps=1, seed=0, batch_size=4, direct=True)


STACKED_CASES = {
    # name: (n, features, hidden, dtype, train_stacked keywords)
    "lfatr_retrains": (700, 12, 16, torch.float32, {"lam": 1.0}),
    "lam_0_decay_odd_batch": (500, 9, 8, torch.float32,
                              {"lam": 0.0, "batch_size": 100, "lr_boundaries": [0, 30, 30, 90], "lr_decay": 0.2,
                               "weight_decay": 0.0}),
    "one_group_in_a_subset": (400, 6, 8, torch.float32, {"lam": 1.0, "z": "ones_in_first"}),
    "float64": (400, 7, 8, torch.float64, {"lam": 1.0, "lr": 1e-2, "betas": (0.99, 0.999)}),
    "adult_shapes": (1200, 98, 64, torch.float32, {"lam": 1.0, "batch_size": 128, "steps": 30}),
}


@pytest.mark.parametrize("name", list(STACKED_CASES))
def test_stacked_direct_training_equals_the_vmap_loop_bit_for_bit(name):
    n, features, hidden, dtype, kw = STACKED_CASES[name]
    kw = dict(kw)
    rng = np.random.default_rng(len(name))
    X = rng.normal(size=(n, features)).astype(np.float32 if dtype == torch.float32 else np.float64)
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    z = (rng.random(n) < 0.4).astype(float)
    kw.setdefault("batch_size", 64)
    subsets = [np.arange(n), np.sort(rng.choice(n, size=n // 2, replace=False)), np.arange(kw["batch_size"] + 3)]
    if kw.pop("z", None) == "ones_in_first":
        z[subsets[2]] = 1.0
    trained = {direct: train_stacked([mlp(features, hidden, seed=5, dtype=dtype) for _ in subsets], X, y, z, subsets,
                                     seed=11, direct=direct, **{"steps": 120, **kw}) for direct in (False, True)}
    start = mlp(features, hidden, seed=5, dtype=dtype)
    for vmapped, direct in zip(trained[False], trained[True], strict=True):
        for p, q, p0 in zip(vmapped.parameters(), direct.parameters(), start.parameters(), strict=True):
            assert not torch.equal(p, p0)  # it trained
            assert torch.equal(p, q)


def test_stacked_direct_training_of_another_network_is_refused():
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with pytest.raises(ConfigError, match="direct=True"):
        train_stacked([net], np.zeros((8, 3), np.float32), np.zeros(8), np.zeros(8), [np.arange(8)], lam=0.0,
                      steps=1, seed=0, batch_size=4, direct=True)
