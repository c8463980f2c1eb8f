r"""Exact kNN-Shapley (Jia et al., VLDB 2019): the contribution matrix Φ, streamed.

For a reference point :math:`j` with label :math:`y_j`, order the training points
:math:`\alpha_1, \dots, \alpha_N` by (squared Euclidean distance, training index) and
let :math:`m_r = 1[y_{\alpha_r} = y_j]` (``tie_order="authors"`` orders equal distances
as the authors' code does instead, D30). Then

.. math::

    s(\alpha_N) = \frac{m_N}{\max(K, N)}, \qquad
    s(\alpha_r) = s(\alpha_{r+1}) + \frac{m_r - m_{r+1}}{\max(K, r)},

is the exact Shapley value of the utility
:math:`u_j(S) = \frac1K \#\{k \le \min(K, |S|) : \text{the } k\text{-th neighbour of } x_j
\text{ in } S \text{ has label } y_j\}`, and :math:`\Phi[i, j] = s(i)` is the
contribution matrix (``algorithms.md`` §1.1). Every FairShap valuation is a mean of
:math:`\Phi` over a subset of reference columns (§1.2–1.4), so :math:`\Phi` is streamed
in chunks of reference columns and never stored whole.

Exact shortcuts (no value changes):

* reference points with equal (features, label) have equal columns: each distinct
  column is computed once and weighted by its count;
* when the training set has at most 65,536 distinct rows, and at most half as many
  as points (the AIF360 datasets have 75, 242 and 72), distances are computed per
  distinct row and the (distance, index) order comes from a counting sort of small
  integer distance ranks.

Distances are summed feature by feature, :math:`d = \sum_f (x_f - x'_f)^2`, in the same
order on every path, so identical rows always tie exactly. The numba path first takes
distances from a matrix product and then recomputes them this way wherever the product's
rounding could change the order (:mod:`fairscore.fairshap.kernels`), so every path gives the same order.

References
----------
R. Jia et al., "Efficient task-specific data valuation for nearest neighbor algorithms",
PVLDB 12(11), 2019. doi:10.14778/3342263.3342637
A. Arnaiz-Rodriguez and N. Oliver, "FairShap: A Data Re-weighting Approach for
Algorithmic Fairness based on Shapley Values".
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from fairscore.errors import DataError

__all__ = [
    "TIE_ORDERS",
    "knn_shapley_matrix",
]


#: orders of training points at equal distance (D2, D30); see :func:`knn_shapley_matrix`
TIE_ORDERS = ("index", "authors")


_KEY_LIMIT = np.iinfo(np.uint16).max + 1  # numpy's stable sort is a radix sort for 16-bit keys


_PRODUCT_CHUNK = 1024  # most reference rows per distance product on the numba path (memory_mb caps it)


_ARRAYS_PER_CHUNK = 8  # float64 (C, N) arrays alive at once in a chunk, for the memory budget


# ----------------------------------------------------------------------------- backends
class _NumpyBackend:
    """Chunk kernels on the CPU with numpy; chunks run on threads (numpy releases the GIL)."""

    def __init__(self, n_threads: int | None):
        self.n_threads = n_threads or min(4, os.cpu_count() or 1)

    def floats(self, x):
        return np.ascontiguousarray(x, dtype=np.float64)

    def ints(self, x):
        return np.ascontiguousarray(x, dtype=np.int64)

    def zeros(self, shape):
        return np.zeros(shape)

    def as_float(self, a):
        return a.astype(np.float64)

    def argsort(self, a):
        return np.argsort(a, axis=1, kind="stable")

    def gather(self, a, idx):
        return np.take_along_axis(a, idx, axis=1)

    def scatter(self, idx, src):
        out = np.empty_like(src)
        np.put_along_axis(out, idx, src, axis=1)
        return out

    def concat(self, a, b):
        return np.concatenate([a, b], axis=1)

    def cumsum(self, a):
        return np.cumsum(a, axis=1)

    def reverse_cumsum(self, a):
        return np.cumsum(a[:, ::-1], axis=1)[:, ::-1]

    def small_keys(self, ranks):
        return ranks.astype(np.uint16)

    def order_by_distance(self, d):
        # Exact (distance, index) order in two cheap passes: a stable radix sort on a
        # monotone 16-bit bucket of d, then a stable timsort of the nearly sorted d.
        lo, hi = d.min(axis=1, keepdims=True), d.max(axis=1, keepdims=True)
        scale = (_KEY_LIMIT - 1) / np.where(hi > lo, hi - lo, 1.0)
        first = np.argsort(((d - lo) * scale).astype(np.uint16), axis=1, kind="stable")
        second = np.argsort(np.take_along_axis(d, first, axis=1), axis=1, kind="stable")
        return np.take_along_axis(first, second, axis=1)

    def numpy(self, a):
        return a

    def map(self, fn, items):
        if self.n_threads == 1 or len(items) == 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(self.n_threads) as pool:
            return list(pool.map(fn, items))


class _TorchBackend:
    """Chunk kernels with torch on a device (``"cuda"`` for a GPU, ``"cpu"``)."""

    def __init__(self, device: str):
        import torch

        self.torch = torch
        self.device = torch.device(device)

    def floats(self, x):
        return self.torch.as_tensor(np.asarray(x, dtype=np.float64), device=self.device)

    def ints(self, x):
        return self.torch.as_tensor(np.asarray(x, dtype=np.int64), device=self.device)

    def zeros(self, shape):
        return self.torch.zeros(shape, dtype=self.torch.float64, device=self.device)

    def as_float(self, a):
        return a.double()

    def argsort(self, a):
        return self.torch.sort(a, dim=1, stable=True).indices

    def gather(self, a, idx):
        return self.torch.gather(a, 1, idx)

    def scatter(self, idx, src):
        return self.torch.empty_like(src).scatter_(1, idx, src)

    def concat(self, a, b):
        return self.torch.cat([a, b], dim=1)

    def cumsum(self, a):
        return self.torch.cumsum(a, dim=1)

    def reverse_cumsum(self, a):
        return self.torch.flip(self.torch.cumsum(self.torch.flip(a, (1,)), dim=1), (1,))

    def small_keys(self, ranks):
        return ranks.to(self.torch.int32)

    def order_by_distance(self, d):
        return self.argsort(d)

    def numpy(self, a):
        return a.cpu().numpy()

    def map(self, fn, items):
        return [fn(i) for i in items]


def _resolve_device(device: str | None) -> str:
    """``None``/``"auto"``: CUDA when torch sees one, else ``"numba"``. Other names pass."""
    if device in (None, "auto"):
        import torch

        return "cuda" if torch.cuda.is_available() else "numba"
    return device


def _backend(device: str, n_threads: int | None):
    """numpy chunk kernels for ``"numpy"``; torch ones for a torch device name."""
    return _NumpyBackend(n_threads) if device == "numpy" else _TorchBackend(device)


# ----------------------------------------------------------------------------- kernels
def _sq_distances(be, R, T):
    """Squared Euclidean distances, shape (C, N), summed feature by feature."""
    d = be.zeros((R.shape[0], T.shape[0]))
    for f in range(R.shape[1]):
        d += (R[:, f : f + 1] - T[None, :, f]) ** 2
    return d


def _distance_keys(be, du):
    """Dense rank of each distance within its row: equal distances get equal keys."""
    order = be.argsort(du)
    sorted_d = be.gather(du, order)
    steps = be.as_float(sorted_d[:, 1:] != sorted_d[:, :-1])
    ranks = be.concat(be.zeros((du.shape[0], 1)), be.cumsum(steps))
    return be.small_keys(be.scatter(order, ranks))


def _training_rows(X_train, dedup):
    """(rows to measure distances to, each point's row or None, whether rows are distinct).

    Distinct rows are used when they fit 16-bit keys and are at most half the points.
    """
    limit = min(_KEY_LIMIT, len(X_train) // 2)
    if dedup and _distinct_hashes(X_train) <= limit:  # else there are more distinct rows than that
        unique, inverse = np.unique(X_train, axis=0, return_inverse=True)
        if len(unique) <= limit:
            return unique, inverse.ravel(), True
    return X_train, None, False


def _distinct_hashes(X):
    """Distinct values of an exact integer hash of the rows: equal rows hash equally, so
    there are at least this many distinct rows (cheaper than sorting the rows)."""
    bits = (np.asarray(X, np.float64) + 0.0).view(np.uint64)  # + 0.0 maps -0.0 to 0.0
    bits = bits ^ (bits >> np.uint64(32))  # sign and exponent bits reach the low half
    multipliers = np.random.default_rng(0).integers(1, 2**63, X.shape[1], dtype=np.uint64) | np.uint64(1)
    return len(np.unique(bits @ multipliers))  # wraps modulo 2^64


def _recursion_factors(n, k):
    """1 / max(K, r) for ranks r = 1..N-1, and 1 / max(K, N) for the farthest point."""
    return 1.0 / np.maximum(k, np.arange(1, n, dtype=np.float64)), 1.0 / max(k, n)


class _Engine:
    """Streams Phi over chunks of reference columns for one training set (numpy or torch)."""

    def __init__(self, X_train, y_train, *, k, backend, memory_mb, dedup):
        be = self.be = backend
        n = len(X_train)
        self.y = be.floats(y_train)
        inv_steps, self.last = _recursion_factors(n, k)
        self.inv_steps = be.floats(inv_steps)
        self.chunk = max(1, (memory_mb << 20) // (8 * n * _ARRAYS_PER_CHUNK))
        rows, inverse, self.by_row = _training_rows(X_train, dedup)
        self.T = be.floats(rows)
        if self.by_row:
            self.inverse = be.ints(inverse)

    def order(self, R):
        """Training indices sorted by (distance to each row of R, index), shape (C, N)."""
        be = self.be
        if self.by_row:
            return be.argsort(_distance_keys(be, _sq_distances(be, R, self.T))[:, self.inverse])
        return be.order_by_distance(_sq_distances(be, R, self.T))

    def phi(self, R, y_cols):
        """Phi for the reference columns (R, y_cols), shape (C, N)."""
        be = self.be
        order = self.order(R)
        match = be.as_float(self.y[order] == y_cols[:, None])
        steps = (match[:, :-1] - match[:, 1:]) * self.inv_steps[None, :]
        return be.scatter(order, be.reverse_cumsum(be.concat(steps, match[:, -1:] * self.last)))

    def map_columns(self, X_cols, y_cols, fn):
        """``fn(phi_chunk, slice)`` for every chunk of columns, in column order."""
        be = self.be
        slices = [slice(i, i + self.chunk) for i in range(0, len(X_cols), self.chunk)]
        return be.map(lambda sl: fn(self.phi(be.floats(X_cols[sl]), be.floats(y_cols[sl])), sl), slices)


def reference_columns(X_ref, y_ref, cell, dedup):
    """Distinct (features, label, cell) reference columns.

    Returns the columns' features and labels, each column's cell and point count, and
    each reference point's column.
    """
    if not dedup:
        return X_ref, y_ref, cell, np.ones(len(X_ref)), np.arange(len(X_ref))
    unique, inverse, counts = np.unique(np.column_stack([X_ref, y_ref, cell]), axis=0,
                                        return_inverse=True, return_counts=True)
    return unique[:, :-2], unique[:, -2], unique[:, -1].astype(np.int64), counts.astype(np.float64), inverse.ravel()


def check_inputs(X_train, y_train, X_ref, y_ref, groups, k, tie_order):
    if tie_order not in TIE_ORDERS:
        raise DataError(f"tie_order = {tie_order!r}; expected one of {', '.join(map(repr, TIE_ORDERS))}")
    X_train, X_ref = np.asarray(X_train, dtype=np.float64), np.asarray(X_ref, dtype=np.float64)
    y_train, y_ref = np.asarray(y_train).ravel(), np.asarray(y_ref).ravel()
    if X_train.ndim != 2 or X_ref.ndim != 2 or X_train.shape[1] != X_ref.shape[1]:
        raise DataError(f"X_train {X_train.shape} and X_ref {X_ref.shape}: expected 2-D arrays "
                        "with the same number of features")
    for name, X, y in (("train", X_train, y_train), ("ref", X_ref, y_ref)):
        if len(y) != len(X):
            raise DataError(f"y_{name} has {len(y)} labels for {len(X)} rows of X_{name}; expected equal lengths")
        if len(X) == 0:
            raise DataError(f"X_{name} is empty; expected at least one row")
        if not np.isfinite(X).all():
            bad = np.argwhere(~np.isfinite(X))[0]
            raise DataError(f"X_{name}[{bad[0]}, {bad[1]}] = {X[tuple(bad)]}; expected finite features")
    if groups is not None and len(np.asarray(groups).ravel()) != len(X_ref):
        raise DataError(f"a_ref has {len(np.asarray(groups).ravel())} values for {len(X_ref)} reference rows")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise DataError(f"k = {k!r}; expected an integer >= 1")
    return X_train, y_train, X_ref, y_ref


def cell_sums(X_train, y_train, X_cols, y_cols, col_cell, col_weight, n_cells, *, k, device, memory_mb,
               dedup, n_threads, tie_order):
    """Per cell g, the sum of col_weight[c] * Phi[:, c] over its columns; shape (n_train, n_cells)."""
    device = "numba" if tie_order == "authors" else _resolve_device(device)
    if device == "numba":
        from fairscore.fairshap import kernels

        inv_steps, last = _recursion_factors(len(X_train), k)
        columns = (np.asarray(y_train, np.float64), np.ascontiguousarray(X_cols, np.float64),
                   np.asarray(y_cols, np.float64), np.asarray(col_cell, np.int64), np.asarray(col_weight, np.float64),
                   n_cells, inv_steps, last)
        chunk = max(1, (memory_mb << 20) // (8 * len(X_train)))
        if tie_order == "authors":
            return kernels.authors_cell_contributions(np.ascontiguousarray(X_train), *columns, chunk).T
        rows, inverse, by_row = _training_rows(X_train, dedup)
        if by_row:
            return kernels.row_cell_contributions(np.ascontiguousarray(rows), inverse.astype(np.int64), *columns).T
        return kernels.product_cell_contributions(np.ascontiguousarray(X_train), *columns,
                                                  min(chunk, _PRODUCT_CHUNK)).T
    engine = _Engine(X_train, y_train, k=k, backend=_backend(device, n_threads), memory_mb=memory_mb,
                     dedup=dedup)
    be = engine.be
    W = np.zeros((len(X_cols), n_cells))
    W[np.arange(len(X_cols)), col_cell] = col_weight
    W = be.floats(W)
    parts = engine.map_columns(X_cols, y_cols, lambda phi, sl: be.numpy(phi.T @ W[sl]))
    total = parts[0].copy()
    for part in parts[1:]:  # fixed order: deterministic whatever the thread timing
        total += part
    return total


def knn_shapley_matrix(X_train, y_train, X_ref, y_ref, *, k=5, device="auto", memory_mb=256,
                       dedup=True, n_threads=None, tie_order="index") -> np.ndarray:
    """The exact kNN-Shapley contribution matrix.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
    y_train : array-like of shape (n_train,)
    X_ref : array-like of shape (n_ref, n_features)
    y_ref : array-like of shape (n_ref,)
    k : int
        Number of neighbours K.
    device : {"auto", "numba", "numpy"} or a torch device name
        ``"numba"``: fused CPU kernels; ``"numpy"``: vectorised numpy; a torch device
        (``"cpu"``, ``"cuda"``): torch there; ``"auto"``: CUDA when available, else numba.
    memory_mb : int
        Budget for the arrays of one chunk of reference columns: on the numba path the distance
        product's output (it sets how many reference rows share one product, at most 1,024),
        on the numpy and torch paths all of a chunk's arrays.
    dedup : bool
        Use the exact duplicate-row shortcuts (module docstring).
    n_threads : int, optional
        Threads of the numpy path.
    tie_order : {"index", "authors"}
        Order of training points at equal distance. ``"index"`` (D2): by training
        index. ``"authors"`` (D30): the order of the authors' kernel, their distance
        expression sorted by numba's non-stable ``np.argsort``; it always runs on the
        CPU (numba), whatever ``device``, and without the duplicate-row shortcut for
        training rows (their order depends on the whole array).

    Returns
    -------
    phi : ndarray of shape (n_train, n_ref)
        ``phi[i, j]`` is training point i's Shapley value for reference point j; each
        column sums to the kNN utility of the whole training set.

    Examples
    --------
    >>> import numpy as np
    >>> from fairscore import knn_shapley_matrix
    >>> X_train, y_train = np.array([[0.0], [1.0], [3.0]]), np.array([1, 1, 0])
    >>> phi = knn_shapley_matrix(X_train, y_train, np.array([[0.2]]), np.array([1]), k=1)
    >>> phi.ravel().tolist()
    [0.5, 0.5, 0.0]
    """
    X_train, y_train, X_ref, y_ref = check_inputs(X_train, y_train, X_ref, y_ref, None, k, tie_order)
    X_cols, y_cols, _, _, column = reference_columns(X_ref, y_ref, np.zeros(len(X_ref)), dedup)
    phi = cell_sums(X_train, y_train, X_cols, y_cols, np.arange(len(X_cols)), np.ones(len(X_cols)),
                     len(X_cols), k=k, device=device, memory_mb=memory_mb, dedup=dedup, n_threads=n_threads,
                     tie_order=tie_order)
    return phi[:, column]
