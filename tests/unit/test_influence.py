"""FairInfl scores against their brute-force definitions, on small float64 MLPs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairscore.errors import ConfigError, DataError
from fairscore.fairinfl import influence
from fairscore.fairinfl.influence import (
    CONSTRAINTS,
    accuracy_scores,
    constraint_factors,
    explicit_scores,
    fairness_scores,
    kernel_products,
    loss_scores,
    ntk,
    one_step_changes,
    pairwise_scores,
    predict_logits,
)


def small_mlp(d=5, hidden=7, seed=0, batchnorm=False):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(d, hidden)] + ([torch.nn.BatchNorm1d(hidden)] if batchnorm else []) + \
             [torch.nn.ReLU(), torch.nn.Linear(hidden, 1)]
    return torch.nn.Sequential(*layers).double()


def data(n=60, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    z = rng.integers(0, 2, n)
    y = (X[:, 0] + 0.8 * z + 0.3 * rng.standard_normal(n) > 0.3).astype(int)
    return X, z, y


def per_example_jacobian(model, X):
    """Brute force: one backward pass per example."""
    rows = []
    for x in torch.as_tensor(X):
        model.zero_grad()
        model(x.unsqueeze(0)).sum().backward()
        rows.append(torch.cat([p.grad.reshape(-1) for p in model.parameters()]).clone())
    return torch.stack(rows)


@pytest.mark.parametrize("constraint", CONSTRAINTS)
@pytest.mark.parametrize("alpha", ["paper", "group_mean", "centred"])
def test_o_n_scores_equal_the_explicit_kernel(constraint, alpha):
    model, (X, z, y) = small_mlp(), data()
    fast = fairness_scores(model, X, z, y, constraint=constraint, alpha=alpha, lam=0.7, eta=0.3, batch_size=16)
    slow = explicit_scores(model, X, z, y, constraint=constraint, alpha=alpha, lam=0.7, eta=0.3)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-15)
    assert np.abs(slow).max() > 0


def test_explicit_kernel_equals_the_per_example_backward_jacobian():
    model, (X, _, _) = small_mlp(), data(n=12)
    J = per_example_jacobian(model, X)
    np.testing.assert_allclose(ntk(model, X).numpy(), (J @ J.T).numpy(), rtol=1e-12)


def test_eq35_by_hand_from_the_brute_force_jacobian():
    model, (X, z, y) = small_mlp(), data()
    J = per_example_jacobian(model, X).numpy()
    f = (model(torch.as_tensor(X)).detach().numpy().ravel())
    s = 1.0 if f[z == 1].mean() >= f[z == 0].mean() else -1.0
    b = s * np.where(z == 1, 1.0, -1.0)
    n = len(b)
    by_hand = np.array([b[i] * sum(b[j] * J[i] @ J[j] for j in range(n)) for i in range(n)]) / n**2
    np.testing.assert_allclose(fairness_scores(model, X, z, y, constraint="dp"), by_hand, rtol=1e-9)


def test_batchnorm_model_is_scored_in_eval_mode_example_by_example():
    model, (X, z, y) = small_mlp(batchnorm=True), data()
    model.train()
    model(torch.as_tensor(X))  # move the running statistics away from their initial values
    fast = fairness_scores(model, X, z, y, batch_size=7)
    np.testing.assert_allclose(fast, explicit_scores(model, X, z, y), rtol=1e-6)


def test_chunked_kernel_equals_the_explicit_within_chunk_kernel():
    model, (X, z, y) = small_mlp(), data(n=50)
    scores = fairness_scores(model, X, z, y, constraint="dp", alpha="centred", kernel="chunked", chunk_size=20)
    theta = ntk(model, X).numpy()
    expected = np.empty(50)
    for rows in np.array_split(np.arange(50), 2):  # ⌊50/20⌋ = 2 chunks of 25
        c = z[rows] - z[rows].mean()
        expected[rows] = c * (theta[np.ix_(rows, rows)] @ c) / len(rows)
    np.testing.assert_allclose(scores, expected, rtol=1e-9)


def test_corollaries_eo_is_tpr_plus_fpr_and_cov_is_half_dp_for_balanced_groups():
    model, (X, _, y) = small_mlp(), data(n=40)
    z = np.tile([0, 1], 20)  # balanced: z̄ = ½ (Corollary 4.2's assumption)
    target = data(n=9, seed=1)[0]
    pair = {c: pairwise_scores(model, X, z, y, target, constraint=c) for c in ("dp", "tpr", "fpr", "eo", "cov")}
    np.testing.assert_allclose(pair["eo"], pair["tpr"] + pair["fpr"], rtol=1e-12)
    np.testing.assert_allclose(pair["cov"], 0.5 * pair["dp"], rtol=1e-12)


def test_constraint_factors_follow_the_table():
    z, y = np.array([1, 1, 0, 0]), np.array([1, 0, 1, 0])
    f = np.array([2.0, 1.0, 0.0, -1.0])  # group 1 favoured everywhere
    np.testing.assert_array_equal(constraint_factors("dp", z, y, f), [1, 1, -1, -1])
    np.testing.assert_array_equal(constraint_factors("tpr", z, y, f), [1, 0, -1, 0])
    np.testing.assert_array_equal(constraint_factors("fpr", z, y, f), [0, 1, 0, -1])
    np.testing.assert_array_equal(constraint_factors("eo", z, y, f), constraint_factors("dp", z, y, f))  # Cor. 4.1
    np.testing.assert_array_equal(constraint_factors("dp", z, y, -f), [-1, -1, 1, 1])
    np.testing.assert_allclose(constraint_factors("cov", z, y, f), [0.5, 0.5, -0.5, -0.5])
    np.testing.assert_allclose(constraint_factors("dp", [1, 0, 0, 0], y, f, alpha="group_mean"),
                               [4, -4 / 3, -4 / 3, -4 / 3])
    with pytest.raises(ConfigError, match="constraint = 'parity'"):
        constraint_factors("parity", z, y, f)
    with pytest.raises(ConfigError, match="alpha = 'half'"):
        constraint_factors("dp", z, y, f, alpha="half")
    with pytest.raises(DataError, match="a group has no examples"):
        constraint_factors("tpr", [1, 1, 0, 0], [1, 1, 0, 0], f)


def test_loss_scores_and_accuracy_scores_match_their_definitions():
    model, (X, _, y) = small_mlp(), data()
    J = per_example_jacobian(model, X).numpy()
    f = predict_logits(model, X).numpy()
    t = 2 * y - 1
    d = -t * (t * f < 1)
    n = len(d)
    expected = d * (J @ (J.T @ d)) / n**2 * 0.5
    np.testing.assert_allclose(loss_scores(model, X, y, eta=0.5), expected, rtol=1e-9)
    np.testing.assert_allclose(accuracy_scores(model, X, y, batch_size=8), np.abs(d) * np.linalg.norm(J, axis=1),
                               rtol=1e-12)


def test_kernel_products_accumulate_in_float64_for_float32_models():
    model, (X, _, _) = small_mlp(), data()
    w = np.linspace(-1, 1, len(X))
    exact = kernel_products(model, X, w).numpy()
    u32 = kernel_products(model.float(), X.astype(np.float32), w, batch_size=8)
    assert u32.dtype == torch.float64
    np.testing.assert_allclose(u32.numpy(), exact, rtol=1e-4)


def test_first_order_prediction_tracks_the_real_one_step_change():
    model, (X, z, y) = small_mlp(hidden=16), data(n=200)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    Xt, t = torch.as_tensor(X), torch.as_tensor(2.0 * y - 1)
    for _ in range(300):  # train a little, so the check runs at a trained θ₀
        opt.zero_grad()
        torch.clamp(1 - t * model(Xt).squeeze(1), min=0).mean().backward()
        opt.step()
    b = constraint_factors("dp", z, y, predict_logits(model, X), alpha="group_mean")
    rng = np.random.default_rng(0)
    target = data(n=50, seed=2)[0]
    pairs = np.column_stack([rng.integers(0, 200, 300), rng.integers(0, 50, 300)])
    predicted, real = one_step_changes(model, X, y, b, target, pairs, eta=1e-3)
    assert np.corrcoef(predicted, real)[0, 1] > 0.99
    np.testing.assert_allclose(predicted, real, rtol=0.05, atol=1e-3 * np.abs(real).max())


def test_scores_run_without_tf32_and_leave_the_settings_as_they_were(monkeypatch):
    seen = []

    def spy(*args):
        seen.append((torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32))
        raise RuntimeError("stop")

    monkeypatch.setattr(influence, "_tangent_products", spy)
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
    try:
        model = torch.nn.Linear(3, 1).double()
        X, z, y = np.random.default_rng(0).normal(size=(6, 3)), np.array([0, 1] * 3), np.array([1, 0, 0, 1, 1, 0])
        with pytest.raises(RuntimeError, match="stop"):
            influence.fairness_scores(model, X, z, y)
        assert seen == [(False, False)]
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved
