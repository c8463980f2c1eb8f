"""FairInfl score family (Wang, Wang & Liu, ICML 2022; ``algorithms.md`` §2, D6, D8, D16).

For a torch model with a single logit f(x; θ), the influence of training example i on
the relaxed fairness constraint is S(i, j) = λ (η/n) b_i Θ(x_i, x_j) (Eq. 12), where Θ
is the empirical NTK and b_i = ∂φ̂(f, i)/∂f the example's factor in the constraint.
The aggregated score (Eq. 35) is

    S(i) = (λη/n²) · b_i · Σ_j b_j Θ(x_i, x_j) = (λη/n²) · b_i · ⟨∇_θ f(x_i), G⟩,
    G = ∇_θ Σ_j b_j f(x_j; θ),

so every S(i) needs one backward pass (for G) and one forward-mode Jacobian-vector
product along G (:func:`torch.func.jvp`), batched — never the n × n kernel or the n × P
Jacobian (§2.3). :func:`explicit_scores` is the straightforward O(n²P) computation used
to prove it and to benchmark against.

Constraints (``b`` factors): ``dp``, ``tpr``, ``fpr``, ``eo`` (= tpr + fpr) and ``cov``;
group factors (``alpha``): ``paper`` (±1, Eqs. 15–17), ``group_mean`` (n times the
derivative of the trained group-mean gap) and ``centred`` (z − z̄, the authors' code).
The signs of the relaxed gaps at θ₀ are applied; they cancel in S(i) except for ``eo``.

Scores are computed in true float32 on CUDA: TF32 convolutions and matrix products (cuDNN's
default) moved a ResNet-18's scores by 0.9–1.2 % of the largest score on an H200, strict
float32 by 2e-5 (``benchmarks/gpu_check.py``).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from torch.func import functional_call, grad, jvp, vjp, vmap

from fairscore.errors import ConfigError, DataError
from fairscore.pipeline.progress import progress

__all__ = [
    "CONSTRAINTS",
    "accuracy_scores",
    "constraint_factors",
    "explicit_scores",
    "fairness_scores",
    "hinge_derivative",
    "kernel_products",
    "loss_scores",
    "ntk",
    "one_step_changes",
    "pairwise_scores",
    "predict_logits",
]

CONSTRAINTS = ("dp", "tpr", "fpr", "eo", "cov")
_ALPHAS = ("paper", "group_mean", "centred")


@contextmanager
def _strict_float32():
    """No TF32 inside (cuDNN convolutions, CUDA matrix products); the previous settings after."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def functional(model: torch.nn.Module):
    """Eval-mode functional view of ``model``: its detached parameters, f(params, x) -> logits
    (buffers held constant) and ``cast``, which makes a tensor of the parameters' dtype and device."""
    model.eval()
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    p0 = next(iter(params.values()))

    def f(p, x):
        return functional_call(model, (p, buffers), (x,)).reshape(x.shape[0])

    def cast(x):
        return torch.as_tensor(x if isinstance(x, torch.Tensor) else np.asarray(x), dtype=p0.dtype, device=p0.device)

    return params, f, cast


def _batches(n: int, batch_size: int, what: str):
    """Row slices of ``batch_size``; a pass that takes long logs its progress as ``what``."""
    return progress([slice(s, min(s + batch_size, n)) for s in range(0, n, batch_size)], what)


def predict_logits(model: torch.nn.Module, X, *, batch_size: int = 1024) -> torch.Tensor:
    """f(x) for every row of X, in evaluation mode, without gradients."""
    params, f, cast = functional(model)
    X = cast(X)
    with torch.no_grad():
        return torch.cat([f(params, X[s]) for s in _batches(len(X), batch_size, "prediction batches")])


def hinge_derivative(logits, y_pm) -> torch.Tensor:
    """ℓ′ of the hinge loss max(0, 1 − ỹ w): −ỹ·1[ỹ w < 1], with ỹ ∈ {−1, +1}."""
    return -y_pm * (y_pm * logits < 1).to(logits.dtype)


def _hinge_derivatives(model, X, y) -> torch.Tensor:
    """ℓ′_i of every example at the model's parameters, with ỹ = 2y − 1."""
    logits = predict_logits(model, X)
    return hinge_derivative(logits, functional(model)[2](2 * np.asarray(y).ravel() - 1))


def _group_factor(z: np.ndarray, within: np.ndarray, alpha: str) -> np.ndarray:
    """Group factor on the rows in ``within`` (0 elsewhere): ±1, n·(1[z=1]/n₁ − 1[z=0]/n₀) or z − z̄."""
    out = np.zeros(len(z))
    z_in = z[within]
    if alpha == "paper":
        out[within] = np.where(z_in == 1, 1.0, -1.0)
    elif alpha == "group_mean":
        n1, n0 = (z_in == 1).sum(), (z_in == 0).sum()
        if n1 == 0 or n0 == 0:
            raise DataError("a group is empty among the rows the constraint uses; its mean is undefined")
        out[within] = len(z) * np.where(z_in == 1, 1.0 / n1, -1.0 / n0)
    elif alpha == "centred":
        out[within] = z_in - z_in.mean()
    else:
        raise ConfigError(f"alpha = {alpha!r}; expected one of {_ALPHAS}")
    return out


def _check_labels(z, y, n=None):
    z, y = np.asarray(z).astype(int).ravel(), np.asarray(y).astype(int).ravel()
    if len(z) != len(y) or (n is not None and len(z) != n):
        raise DataError(f"lengths differ: z {len(z)}, y {len(y)}" + ("" if n is None else f", logits {n}"))
    if not (set(np.unique(z)) <= {0, 1} and set(np.unique(y)) <= {0, 1}):
        raise DataError("z and y must be binary 0/1 arrays")
    return z, y


def _components(constraint: str, z, y, alpha: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """The constraint's unsigned factor components and the rows whose gap gives each sign.

    b = Σ_c s_c·component_c, where s_c is the sign of the relaxed gap on ``rows_c`` at θ₀
    (for ``cov`` the sign of Σ (z − z̄) f, marked by rows = None).
    """
    everyone = np.ones(len(z), dtype=bool)
    parts = {"tpr": y == 1, "fpr": y == 0}
    if constraint == "dp":
        return [(_group_factor(z, everyone, alpha), everyone)]
    if constraint == "cov":
        return [(z - z.mean(), None)]
    if constraint in parts:
        return [(_group_factor(z, parts[constraint], alpha), parts[constraint])]
    if constraint == "eo":
        return [(_group_factor(z, rows, alpha), rows) for rows in parts.values()]
    raise ConfigError(f"constraint = {constraint!r}; expected one of {CONSTRAINTS}")


def _signs(components, z, f, constraint) -> list[float]:
    signs = []
    for component, rows in components:
        if rows is None:
            signs.append(1.0 if float(component @ f) >= 0 else -1.0)
            continue
        g1, g0 = rows & (z == 1), rows & (z == 0)
        if not g1.any() or not g0.any():
            raise DataError(f"constraint {constraint!r}: a group has no examples among the rows it uses")
        signs.append(1.0 if f[g1].mean() - f[g0].mean() >= 0 else -1.0)
    return signs


def _numpy(t) -> np.ndarray:
    return np.asarray(t.detach().cpu() if isinstance(t, torch.Tensor) else t, dtype=np.float64).ravel()


def constraint_factors(constraint: str, z, y, logits, *, alpha: str = "paper") -> np.ndarray:
    """b_i = ∂φ̂(f, i)/∂f for every example (``algorithms.md`` §2.2 table), with the gap signs at θ₀.

    Parameters
    ----------
    constraint : {"dp", "tpr", "fpr", "eo", "cov"}
    z : array-like of shape (n,)
        Binary group (1 = the group written z = 1 in the paper).
    y : array-like of shape (n,)
        Labels in {0, 1} (1 = positive).
    logits : array-like of shape (n,)
        f(x_i) at θ₀, for the signs of the relaxed gaps.
    alpha : {"paper", "group_mean", "centred"}
        Group factor (D16); ``cov`` always uses z − z̄.
    """
    f = _numpy(logits)
    z, y = _check_labels(z, y, len(f))
    components = _components(constraint, z, y, alpha)
    return sum(s * c for s, (c, _) in zip(_signs(components, z, f, constraint), components, strict=True))


def _forward_and_tangents(model, X, components: list, rows, batch_size):
    """One forward and one backward per batch (``torch.func.vjp``): the logits of ``rows`` and, per
    component w (aligned with ``rows``), the tangent G_w = Σ_k w_k ∇_θ f(x_{rows[k]}), in float64."""
    params, f, cast = functional(model)
    weights = [cast(w).reshape(-1) for w in components]
    tangents = [{k: torch.zeros_like(v, dtype=torch.float64) for k, v in params.items()} for _ in weights]
    logits = cast(torch.empty(len(rows)))
    for s in _batches(len(rows), batch_size, "influence batches (backward pass)"):
        idx = rows[s]
        out, pullback = vjp(lambda p: f(p, X[idx]), params)  # noqa: B023 - used at once
        logits[s] = out.detach()
        for w, tangent in zip(weights, tangents, strict=True):
            (step,) = pullback(w[s])
            for k in tangent:
                tangent[k] += step[k].to(torch.float64)
    return logits, tangents


def _tangent_products(model, X, tangent, rows, out, batch_size) -> None:
    """out[i] = ⟨∇_θ f(x_i), tangent⟩ for i in ``rows``, one JVP per batch."""
    params, f, _ = functional(model)
    tangent = {k: v.to(params[k].dtype) for k, v in tangent.items()}
    for s in _batches(len(rows), batch_size, "influence batches (JVP)"):
        idx = rows[s]
        _, products = jvp(lambda p: f(p, X[idx]), (params,), (tangent,))  # noqa: B023 - used at once
        out[idx] = products.to(torch.float64)


def _prepare(model, X):
    X = functional(model)[2](X)
    return X, X.device


@_strict_float32()
def kernel_products(model: torch.nn.Module, X, weights, *, batch_size: int = 1024) -> torch.Tensor:
    """u_i = Σ_j w_j Θ(x_i, x_j) for every i, by one backward pass and one JVP (§2.3).

    G is accumulated in float64 whatever the model's dtype.
    """
    X, device = _prepare(model, X)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if len(w) != len(X):
        raise DataError(f"{len(w)} weights for {len(X)} examples")
    rows = torch.arange(len(X), device=device)
    _, (tangent,) = _forward_and_tangents(model, X, [w], rows, batch_size)
    u = torch.empty(len(X), dtype=torch.float64, device=device)
    _tangent_products(model, X, tangent, rows, u, batch_size)
    return u


def _chunks(n: int, chunk_size: int) -> np.ndarray:
    """Chunk label per row: ⌊n/B⌋ near-equal chunks in stored order (``np.array_split``), at least one."""
    labels = np.empty(n, dtype=int)
    for c, rows in enumerate(np.array_split(np.arange(n), max(n // chunk_size, 1))):
        labels[rows] = c
    return labels


@_strict_float32()
def fairness_scores(model: torch.nn.Module, X, z, y, *, constraint: str = "dp", alpha: str = "paper",
                    lam: float = 1.0, eta: float = 1.0, kernel: str = "full", chunk_size: int = 1000,
                    batch_size: int = 1024) -> np.ndarray:
    """Aggregated fairness influence S(i) (Eq. 35) of every training example, exactly.

    ``kernel="full"`` is the paper's S(i) = (λη/n²) b_i Σ_j b_j Θ_ij over all n. ``"chunked"``
    is the authors' code (D6): the stored order is cut into ⌊n/chunk_size⌋ chunks, b is
    computed within each chunk, and S(i) = (1/|c|) b_i Σ_{j∈c} b_j Θ_ij (no λ, η); with
    ``alpha="centred"`` that is their (z − z̄_c) covariance form. Returns a float64 array.
    """
    if kernel not in ("full", "chunked"):
        raise ConfigError(f"kernel = {kernel!r}; expected 'full' or 'chunked'")
    X, device = _prepare(model, X)
    z, y = _check_labels(z, y, len(X))
    chunk = np.zeros(len(X), dtype=int) if kernel == "full" else _chunks(len(X), chunk_size)
    b, scale = np.empty(len(X)), np.empty(len(X))
    u = torch.empty(len(X), dtype=torch.float64, device=device)
    for c in np.unique(chunk):
        where = np.flatnonzero(chunk == c)
        rows = torch.as_tensor(where, device=device)
        components = _components(constraint, z[where], y[where], alpha)
        logits, tangents = _forward_and_tangents(model, X, [w for w, _ in components], rows, batch_size)
        signs = _signs(components, z[where], _numpy(logits), constraint)
        b[where] = sum(s * w for s, (w, _) in zip(signs, components, strict=True))
        tangent = {k: sum(s * t[k] for s, t in zip(signs, tangents, strict=True)) for k in tangents[0]}
        _tangent_products(model, X, tangent, rows, u, batch_size)
        scale[where] = lam * eta / len(X) ** 2 if kernel == "full" else 1.0 / len(where)
    return scale * b * u.cpu().numpy()


@_strict_float32()
def loss_scores(model: torch.nn.Module, X, y, *, eta: float = 1.0, lam: float = 0.0, factors=None,
                batch_size: int = 1024) -> np.ndarray:
    """Aggregated loss influence (App. A, Eq. 38 over all targets), exactly:
    S_ℓ(i) = (η/n²) c_i ⟨∇f_i, Σ_j ℓ′_j ∇f_j⟩ with c_i = ℓ′_i + λ b_i (``factors`` = b)."""
    d = _hinge_derivatives(model, X, y).cpu().numpy().astype(np.float64)
    c = d if factors is None else d + lam * np.asarray(factors, dtype=np.float64)
    u = kernel_products(model, X, d, batch_size=batch_size).cpu().numpy()
    return eta / len(d) ** 2 * c * u


def _per_example_grads(model, X, batch_size):
    """Yield (rows, per-example gradient dict) batch by batch (``vmap(grad)``)."""
    params, f, cast = functional(model)
    X = cast(X)
    single = grad(lambda p, x: f(p, x.unsqueeze(0)).squeeze(0))
    for s in _batches(len(X), batch_size, "per-example gradient batches"):
        yield s, vmap(single, in_dims=(None, 0))(params, X[s])


def _flat(per_example: dict) -> torch.Tensor:
    return torch.cat([v.reshape(v.shape[0], -1) for v in per_example.values()], dim=1)


@_strict_float32()
def accuracy_scores(model: torch.nn.Module, X, y, *, batch_size: int = 256) -> np.ndarray:
    """D8 accuracy score g_i = |ℓ′_i|·‖∇_θ f(x_i)‖₂ (single-logit GraNd), per-example gradients in batches."""
    d = _hinge_derivatives(model, X, y).abs()
    norms = torch.empty(len(d), dtype=torch.float64, device=d.device)
    for s, g in _per_example_grads(model, X, batch_size):
        norms[s] = _flat(g).to(torch.float64).norm(dim=1)
    return (d.to(torch.float64) * norms).cpu().numpy()


@_strict_float32()
def ntk(model: torch.nn.Module, X_a, X_b=None, *, batch_size: int = 256) -> torch.Tensor:
    """Explicit empirical NTK Θ(x_a, x_b) = ⟨∇f(x_a), ∇f(x_b)⟩ from per-example gradients."""
    J_a = torch.cat([_flat(g) for _, g in _per_example_grads(model, X_a, batch_size)])
    J_b = J_a if X_b is None else torch.cat([_flat(g) for _, g in _per_example_grads(model, X_b, batch_size)])
    return J_a @ J_b.T


def explicit_scores(model: torch.nn.Module, X, z, y, *, constraint: str = "dp", alpha: str = "paper",
                    lam: float = 1.0, eta: float = 1.0) -> np.ndarray:
    """The straightforward Eq. 35: the n × P Jacobian, the n × n kernel Θ, then (λη/n²) b ⊙ Θb."""
    logits = predict_logits(model, X)
    b = constraint_factors(constraint, z, y, logits, alpha=alpha)
    theta = ntk(model, X).to(torch.float64).cpu().numpy()
    return lam * eta / len(b) ** 2 * b * (theta @ b)


def pairwise_scores(model: torch.nn.Module, X, z, y, X_target, *, rows=None, constraint: str = "dp",
                    alpha: str = "paper", lam: float = 1.0, eta: float = 1.0) -> np.ndarray:
    """S(i, j) = λ (η/n) b_i Θ(x_i, x_j) (Eq. 12) for training rows ``rows`` (all when None)
    and every target in ``X_target``; shape (len(rows), n_target). b uses the whole training set."""
    logits = predict_logits(model, X)
    b = constraint_factors(constraint, z, y, logits, alpha=alpha)
    rows = np.arange(len(b)) if rows is None else np.asarray(rows)
    theta = ntk(model, np.asarray(X)[rows], X_target).to(torch.float64).cpu().numpy()
    return lam * eta / len(b) * b[rows, None] * theta


def one_step_changes(model: torch.nn.Module, X, y, factors, X_target, pairs, *, eta: float = 1e-3,
                     lam: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """First-order check (App. C.3, §2.8) for (training i, target j) ``pairs``.

    predicted: (η/n) Θ(x_i, x_j) (ℓ′_i + λ b_i); real: f(x_j; θ′) − f(x_j; θ₀) after the step
    θ′ = θ₀ + (η/n) ∇_θ[ℓ(f(x_i), ỹ_i) + λ b_i f(x_i)] that removes example i.
    """
    params, f, cast = functional(model)
    X, X_target, b = cast(X), cast(X_target), cast(factors)
    y_pm = cast(2 * np.asarray(y).ravel() - 1)
    n = len(X)
    pairs = np.asarray(pairs)
    i, j = torch.as_tensor(pairs[:, 0], device=X.device), torch.as_tensor(pairs[:, 1], device=X.device)

    def objective(p, x, t, bi):
        w = f(p, x.unsqueeze(0)).squeeze(0)
        return torch.clamp(1 - t * w, min=0) + lam * bi * w

    def change(x, t, bi, xt):
        g = grad(objective)(params, x, t, bi)
        moved = {k: params[k] + eta / n * g[k] for k in params}
        return f(moved, xt.unsqueeze(0)).squeeze(0) - f(params, xt.unsqueeze(0)).squeeze(0)

    real = vmap(change)(X[i], y_pm[i], b[i], X_target[j])
    logits = predict_logits(model, X)
    d = hinge_derivative(logits, y_pm)
    grads_i = torch.cat([_flat(g) for _, g in _per_example_grads(model, X[i], 256)])
    grads_j = torch.cat([_flat(g) for _, g in _per_example_grads(model, X_target[j], 256)])
    theta = (grads_i * grads_j).sum(dim=1)
    predicted = eta / n * theta * (d[i] + lam * b[i])
    return predicted.detach().cpu().numpy().astype(np.float64), real.detach().cpu().numpy().astype(np.float64)
