"""Fused numba kernels for the CPU path of :mod:`fairscore.shapley`.

One pass per reference column: squared distances (summed feature by feature, as the
numpy path does), the exact (distance, training index) order, the kNN-Shapley
recursion, and the weighted accumulation into the valuations — without materialising
the column. The order comes from a stable counting sort:

* on dense distance ranks of the distinct training rows when there are few of them
  (exact by construction);
* otherwise on a monotone bucket of the distance (as many buckets as points),
  followed by a stable insertion sort inside each bucket (a merge sort for a large
  bucket), which makes the order exact.

Columns are dealt to a fixed number of blocks, each with its own accumulator, and the
blocks are summed in order: the result does not depend on the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

N_BLOCKS = 16
_SMALL_BUCKET = 32


@njit(cache=True)
def _counting_sort(keys, n_keys, d, y, order, d_sorted, y_sorted, counts):
    """Stable sort of the points by integer keys in [0, n_keys); distances and labels
    are carried along so that later passes read them sequentially."""
    counts[: n_keys + 1] = 0
    for i in range(keys.shape[0]):
        counts[keys[i] + 1] += 1
    for b in range(n_keys):
        counts[b + 1] += counts[b]
    for i in range(keys.shape[0]):
        p = counts[keys[i]]
        order[p] = i
        d_sorted[p] = d[i]
        y_sorted[p] = y[i]
        counts[keys[i]] += 1


@njit(cache=True)
def _sort_buckets(counts, n_keys, order, d_sorted, y_sorted):
    """Make a bucket-sorted order exact: stable sort by distance inside each bucket.

    After :func:`_counting_sort`, ``counts[b]`` is the end of bucket b.
    """
    start = 0
    for b in range(n_keys):
        end = counts[b]
        if end - start > _SMALL_BUCKET:
            perm = np.argsort(d_sorted[start:end], kind="mergesort") + start
            order[start:end] = order[perm]
            y_sorted[start:end] = y_sorted[perm]
            d_sorted[start:end] = d_sorted[perm]
        elif end - start > 1:
            for p in range(start + 1, end):
                item, d_item, y_item = order[p], d_sorted[p], y_sorted[p]
                q = p - 1
                while q >= start and d_sorted[q] > d_item:
                    order[q + 1], d_sorted[q + 1], y_sorted[q + 1] = order[q], d_sorted[q], y_sorted[q]
                    q -= 1
                order[q + 1], d_sorted[q + 1], y_sorted[q + 1] = item, d_item, y_item
        start = end


@njit(cache=True)
def _distances(R, c, T_by_feature, out):
    """Squared distances to reference row c, feature by feature (vectorises over points)."""
    out[:] = 0.0
    for f in range(T_by_feature.shape[0]):
        r = R[c, f]
        row = T_by_feature[f]
        for i in range(row.shape[0]):
            t = r - row[i]
            out[i] += t * t


@njit(parallel=True, cache=True)
def cell_contributions(T, inverse, by_row, y, R, y_cols, col_cell, col_weight, n_cells, inv_steps, last):
    """Per cell g, the sum over columns c in g of col_weight[c] * Phi[:, c]; shape (n_cells, n_train).

    ``T`` holds the distinct training rows when ``by_row`` (``inverse`` maps each
    training point to its row), else every training row.
    """
    n = y.shape[0]
    T_by_feature = np.ascontiguousarray(T.T)
    acc = np.zeros((N_BLOCKS, n_cells, n))
    for b in prange(N_BLOCKS):
        d_rows = np.empty(T.shape[0])
        rank = np.empty(T.shape[0], dtype=np.int64)
        d = np.empty(n)
        keys = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        d_sorted = np.empty(n)
        y_sorted = np.empty(n)
        counts = np.empty(max(T.shape[0], n) + 1, dtype=np.int64)
        for c in range(b, R.shape[0], N_BLOCKS):
            _distances(R, c, T_by_feature, d_rows)
            if by_row:
                row_order = np.argsort(d_rows, kind="mergesort")
                r = 0
                for p in range(T.shape[0]):
                    if p > 0 and d_rows[row_order[p]] != d_rows[row_order[p - 1]]:
                        r += 1
                    rank[row_order[p]] = r
                for i in range(n):
                    keys[i] = rank[inverse[i]]
                    d[i] = d_rows[inverse[i]]
                _counting_sort(keys, r + 1, d, y, order, d_sorted, y_sorted, counts)
            else:
                lo, hi = d_rows.min(), d_rows.max()
                scale = (n - 1) / (hi - lo) if hi > lo else 0.0
                for i in range(n):
                    keys[i] = int((d_rows[i] - lo) * scale)
                _counting_sort(keys, n, d_rows, y, order, d_sorted, y_sorted, counts)
                _sort_buckets(counts, n, order, d_sorted, y_sorted)
            _add_column(order, y_sorted, y_cols[c], col_weight[c], acc[b, col_cell[c]], inv_steps, last)
    return _sum_blocks(acc)


@njit(cache=True)
def _add_column(order, y_sorted, y_col, w, out, inv_steps, last):
    """The kNN-Shapley recursion along one column's order, ``w * Phi[:, c]`` added into out."""
    n = order.shape[0]
    m_next = 1.0 if y_sorted[n - 1] == y_col else 0.0
    s = m_next * last
    out[order[n - 1]] += s * w
    for r in range(n - 2, -1, -1):
        m = 1.0 if y_sorted[r] == y_col else 0.0
        s = s + (m - m_next) * inv_steps[r]
        m_next = m
        out[order[r]] += s * w


@njit(cache=True)
def _sum_blocks(acc):
    total = acc[0].copy()
    for b in range(1, N_BLOCKS):
        total += acc[b]
    return total


@njit(parallel=True, fastmath=True, cache=True)
def authors_orders(X_train, R):
    """Each reference row's training order as the authors' kernel computes it.

    The body repeats ``get_SV_matrix_numba_memory`` of ``fairSV/fair_shapley_sklearn.py``
    (github.com/AdrianArnaiz/fair-shap): the same distance expression in a
    ``parallel=True, fastmath=True`` kernel, ordered by numba's ``np.argsort`` (a
    quicksort, not stable), so tied points come out in the order their code gives them.
    """
    orders = np.empty((R.shape[0], X_train.shape[0]), dtype=np.int64)
    for j in prange(R.shape[0]):
        xt_query = R[j]
        distance1 = np.sum(np.square(X_train - xt_query), axis=1)
        orders[j] = np.argsort(distance1)
    return orders


@njit(parallel=True, cache=True)
def add_ordered_columns(orders, first, y, y_cols, col_cell, col_weight, inv_steps, last, acc):
    """Add columns ``first, first + 1, ...`` (one given order per row of ``orders``) into the
    block accumulators ``acc`` (N_BLOCKS, n_cells, n_train); column c goes to block c % N_BLOCKS."""
    for b in prange(N_BLOCKS):
        y_sorted = np.empty(y.shape[0])
        for i in range((b - first) % N_BLOCKS, orders.shape[0], N_BLOCKS):
            c = first + i
            order = orders[i]
            for r in range(order.shape[0]):
                y_sorted[r] = y[order[r]]
            _add_column(order, y_sorted, y_cols[c], col_weight[c], acc[b, col_cell[c]], inv_steps, last)


def authors_cell_contributions(X_train, y, R, y_cols, col_cell, col_weight, n_cells, inv_steps, last, chunk):
    """:func:`cell_contributions` with the authors' tie order, ``chunk`` columns at a time."""
    acc = np.zeros((N_BLOCKS, n_cells, y.shape[0]))
    for first in range(0, R.shape[0], chunk):
        orders = authors_orders(X_train, R[first : first + chunk])
        add_ordered_columns(orders, first, y, y_cols, col_cell, col_weight, inv_steps, last, acc)
    return _sum_blocks(acc)
