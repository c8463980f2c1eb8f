"""The MLP's training loop without autograd, bit for bit :func:`~fairscore.models.tabular.train_fair`.

A step of the single-logit MLP (Linear – ReLU – Linear) on a CPU batch of 128 rows costs about
1.4 ms through autograd and ``torch.optim.AdamW``, almost all of it per-operation overhead (the
arithmetic is ~2 MFLOP). This loop runs the same operations by hand: the forward pass, the
backward pass written out as the kernels autograd calls (``addmm``/``mm`` in the layouts of
``AddmmBackward0``, ``threshold_backward`` for the ReLU, ``where`` for the hinge's clamp, the
group-gap terms in the engine's order), and AdamW's single-tensor update applied once to all
parameters laid end to end in one buffer (every AdamW operation is element-wise). The
parameters after any number of steps equal autograd's exactly (``torch.equal``;
``tests/unit/test_mlp_direct.py``), in about a third of the time. Both loops run in
``torch.inference_mode()``, which skips autograd's per-operation bookkeeping (same kernels).

:func:`train_stacked_mlp_direct` does the same for several models trained together: it runs the
batched kernels that ``torch.func.vmap`` and autograd call in
:func:`~fairscore.models.tabular.train_stacked` (``bmm``, then the bias added; the backward
``bmm`` layouts; sums over the batch dimension), bit for bit.
"""

from __future__ import annotations

from collections import Counter

import torch

__all__ = ["is_plain_mlp", "train_mlp_direct", "train_stacked_mlp_direct"]


def is_plain_mlp(model: torch.nn.Module) -> bool:
    """Whether ``model`` is :func:`~fairscore.models.tabular.mlp`'s network (Linear – ReLU –
    Linear to one logit) on the CPU, the case :func:`train_mlp_direct` reproduces."""
    return (isinstance(model, torch.nn.Sequential) and len(model) == 3
            and isinstance(model[0], torch.nn.Linear) and isinstance(model[1], torch.nn.ReLU)
            and isinstance(model[2], torch.nn.Linear) and model[2].out_features == 1
            and model[0].bias is not None and model[2].bias is not None
            and model[0].weight.device.type == "cpu")


def _parameters(model: torch.nn.Sequential) -> list[torch.Tensor]:
    """The plain MLP's weights and biases in the order the direct loops keep them: W1, b1, W2, b2."""
    return [model[0].weight, model[0].bias, model[2].weight, model[2].bias]


class _FlatAdamW:
    """``torch.optim.AdamW``'s single-tensor update (``foreach``/``fused`` off, no amsgrad) on
    one flat buffer; ``params``/``grads`` hand out views shaped like the model's parameters."""

    def __init__(self, parameters, *, lr, betas, weight_decay, eps=1e-8):
        shapes = [p.shape for p in parameters]
        self.flat = torch.cat([p.detach().reshape(-1) for p in parameters])
        self.grad = torch.empty_like(self.flat)
        self.exp_avg, self.exp_avg_sq = torch.zeros_like(self.flat), torch.zeros_like(self.flat)
        sizes = [p.numel() for p in parameters]
        self.params = [v.view(s) for v, s in zip(self.flat.split(sizes), shapes, strict=True)]
        self.grads = [v.view(s) for v, s in zip(self.grad.split(sizes), shapes, strict=True)]
        self.lr, self.betas, self.weight_decay, self.eps = lr, tuple(betas), weight_decay, eps
        self.steps = 0.0  # torch keeps a float32 tensor and reads it with .item(): the same integer

    def step(self) -> None:
        beta1, beta2 = self.betas
        self.steps += 1.0
        if self.weight_decay != 0:
            self.flat.mul_(1 - self.lr * self.weight_decay)
        self.exp_avg.lerp_(self.grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(self.grad, self.grad, value=1 - beta2)
        step_size = self.lr / (1 - beta1 ** self.steps)
        denom = (self.exp_avg_sq.sqrt() / (1 - beta2 ** self.steps) ** 0.5).add_(self.eps)
        self.flat.addcdiv_(self.exp_avg, denom, value=-step_size)


def train_mlp_direct(model: torch.nn.Sequential, X: torch.Tensor, t: torch.Tensor, z: torch.Tensor,
                     w: torch.Tensor | None, batches, *, lam: float, lr: float, betas, weight_decay: float,
                     lr_boundaries=(), lr_decay: float = 1.0) -> torch.nn.Sequential:
    """Train ``model`` (:func:`is_plain_mlp`) in place on the row positions of each of ``batches``.

    ``X``, ``t`` (labels ±1), ``z`` and ``w`` (sample weights or None) are tensors of the
    model's dtype. Loss, optimiser and learning-rate schedule are those of
    :func:`~fairscore.models.tabular.train_fair` (``MultiStepLR`` with ``lr_boundaries``,
    ``lr_decay``), with the same results bit for bit.
    """
    parameters = _parameters(model)
    with torch.inference_mode():  # no autograd bookkeeping per operation: the same kernels, ~15 % faster
        trained = _train_single(parameters, X, t, z, w, batches, lam=lam, lr=lr, betas=betas,
                                weight_decay=weight_decay, lr_boundaries=lr_boundaries, lr_decay=lr_decay)
    with torch.no_grad():
        for parameter, value in zip(parameters, trained, strict=True):
            parameter.copy_(value)
    return model


def _train_single(parameters, X, t, z, w, batches, *, lam, lr, betas, weight_decay, lr_boundaries, lr_decay):
    """:func:`train_mlp_direct`'s loop; returns the trained W1, b1, W2, b2."""
    dtype = X.dtype
    optimiser = _FlatAdamW(parameters, lr=lr, betas=betas, weight_decay=weight_decay)
    W1, b1, W2, b2 = optimiser.params
    W1t, W2t = W1.t(), W2.t()  # views: they follow the in-place updates
    gW1, gb1, gW2, gb2 = optimiser.grads
    milestones = Counter(lr_boundaries)
    mean_grad = weighted_mean = None
    for step, rows in enumerate(batches):
        _milestone_lr([optimiser], milestones, step, lr_decay)
        rows = torch.as_tensor(rows)
        size = len(rows)
        xb, tb = X.index_select(0, rows), t.index_select(0, rows)
        hidden = torch.relu(torch.addmm(b1, xb, W1t))
        logits = torch.addmm(b2, hidden, W2t).squeeze(-1)
        margin = 1 - tb * logits
        if mean_grad is None:  # MeanBackward0: ones / n (every batch has the same size)
            mean_grad = torch.ones(size, dtype=dtype) / size
            weighted_mean = None if w is None else torch.ones(len(w), dtype=dtype) / size * w
        grad = mean_grad if w is None else weighted_mean.index_select(0, rows)
        grad = -torch.where(margin >= 0, grad, 0.0) * tb  # clamp_min, rsub and mul backward
        if lam:  # λ·|m₁ − m₀|, m_a = Σ logits·1[group a] / (count_a + 1e-8); gap terms reach logits first
            zb = z.index_select(0, rows)
            in1, in0 = zb > 0, zb <= 0
            count1, count0 = in1.sum() + 1e-8, in0.sum() + 1e-8
            gap_grad = torch.ones((), dtype=dtype) * lam * ((logits * in1).sum() / count1
                                                            - (logits * in0).sum() / count0).sgn()
            grad = ((-gap_grad / count0).expand(size) * in0 + (gap_grad / count1).expand(size) * in1) + grad
        grad = grad.unsqueeze(-1)
        torch.mm(grad.t(), hidden, out=gW2)
        torch.sum(grad, 0, out=gb2)
        grad_pre = torch.ops.aten.threshold_backward(grad.mm(W2), hidden, 0)
        torch.mm(grad_pre.t(), xb, out=gW1)
        torch.sum(grad_pre, 0, out=gb1)
        optimiser.step()
    return optimiser.params


def _milestone_lr(optimisers, milestones, step, lr_decay) -> None:
    """MultiStepLR: lr · decay^count at each boundary, in Python floats."""
    if step in milestones:
        for optimiser in optimisers:
            optimiser.lr = optimiser.lr * lr_decay ** milestones[step]


def train_stacked_mlp_direct(models: list[torch.nn.Sequential], X: torch.Tensor, t: torch.Tensor, z: torch.Tensor,
                             batches, *, lam: float, lr: float, betas, weight_decay: float, lr_boundaries=(),
                             lr_decay: float = 1.0) -> list[torch.nn.Sequential]:
    """Train same-shaped ``models`` (:func:`is_plain_mlp`) in place, model m on rows ``idx[m]`` of
    each ``idx`` of ``batches`` (an integer tensor of shape (models, batch size)).

    ``X``, ``t`` (labels ±1) and ``z`` are tensors of the models' dtype. The result is
    :func:`~fairscore.models.tabular.train_stacked`'s ``vmap`` loop bit for bit: the forward
    pass as ``bmm`` with the bias added after it, the backward pass in the layouts autograd
    uses for that (the hinge's mean as ones / batch size, the gap's terms reaching the logits
    before the hinge's), and AdamW's single-tensor update on each stacked parameter.
    """
    with torch.inference_mode():  # as in train_mlp_direct
        W1, b1, W2, b2 = _train_stacked(models, X, t, z, batches, lam=lam, lr=lr, betas=betas,
                                        weight_decay=weight_decay, lr_boundaries=lr_boundaries, lr_decay=lr_decay)
    with torch.no_grad():
        for m, model in enumerate(models):
            for parameter, trained in zip(_parameters(model), (W1, b1, W2, b2), strict=True):
                parameter.copy_(trained[m])
    return models


def _train_stacked(models, X, t, z, batches, *, lam, lr, betas, weight_decay, lr_boundaries, lr_decay):
    """:func:`train_stacked_mlp_direct`'s loop; returns the trained stacked W1, b1, W2, b2."""
    dtype, size = X.dtype, None
    stacked = [torch.stack([p.detach() for p in same]) for same in zip(*map(_parameters, models), strict=True)]
    optimisers = [_FlatAdamW([p], lr=lr, betas=betas, weight_decay=weight_decay) for p in stacked]
    (W1,), (b1,), (W2,), (b2,) = (o.params for o in optimisers)
    W1t, W2t = W1.transpose(1, 2), W2.transpose(1, 2)  # views: they follow the in-place updates
    (gW1,), (gb1,), (gW2,), (gb2,) = (o.grads for o in optimisers)
    n_models, hidden_size = b1.shape
    milestones = Counter(lr_boundaries)
    for step, idx in enumerate(batches):
        _milestone_lr(optimisers, milestones, step, lr_decay)
        if size is None:  # MeanBackward1: the ones of the sum's gradient divided by the batch size
            size = idx.shape[1]
            mean_grad = torch.ones((n_models, size), dtype=dtype) / size
        rows = idx.reshape(-1)  # gathers as X[idx] does, 3x faster
        xb, tb = X.index_select(0, rows).view(*idx.shape, -1), t.index_select(0, rows).view(idx.shape)
        hidden = torch.relu(b1.unsqueeze(1) + torch.bmm(xb, W1t))
        logits = (b2.unsqueeze(1) + torch.bmm(hidden, W2t)).squeeze(-1)
        margin = 1 - tb * logits
        grad = -torch.where(margin >= 0, mean_grad, 0.0) * tb
        if lam:  # λ·|m₁ − m₀| per model; the two gap terms are summed before the hinge's gradient joins
            zb = z.index_select(0, rows).view(idx.shape)
            in1, in0 = zb > 0, zb <= 0
            count1, count0 = in1.sum(1) + 1e-8, in0.sum(1) + 1e-8
            gap_grad = torch.ones(n_models, dtype=dtype) * lam * ((logits * in1).sum(1) / count1
                                                                   - (logits * in0).sum(1) / count0).sgn()
            grad = ((-gap_grad / count0).unsqueeze(1) * in0 + (gap_grad / count1).unsqueeze(1) * in1) + grad
        grad = grad.unsqueeze(-1)
        torch.sum(grad, 1, keepdim=True, out=gb2.view(n_models, 1, 1))
        torch.bmm(hidden.transpose(1, 2), grad, out=gW2.view(n_models, hidden_size, 1))
        grad_pre = torch.ops.aten.threshold_backward(torch.bmm(grad, W2), hidden, 0)
        torch.sum(grad_pre, 1, keepdim=True, out=gb1.view(n_models, 1, hidden_size))
        gW1.copy_(torch.bmm(xb.transpose(1, 2), grad_pre).transpose(1, 2))
        for optimiser in optimisers:
            optimiser.step()
    return W1, b1, W2, b2
