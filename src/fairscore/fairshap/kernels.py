"""Fused numba kernels for the CPU path of :mod:`fairscore.fairshap.knn`.

Per reference column: the exact (distance, training index) order, the kNN-Shapley
recursion and the weighted accumulation into the valuations, without materialising the
column. Distances are exact when summed feature by feature, as the numpy path does; the
order comes from:

* a counting sort of dense distance ranks of the distinct training rows when there are
  few of them (exact by construction);
* otherwise distances for up to 1,024 reference rows at a time (as many as ``memory_mb``
  allows) from one matrix product (BLAS),
  each within a proven bound of the exact one, and a monotone 40-bit key of them: a
  two-pass radix sort by the key's top 22 used bits, then each run of equal top bits
  sorted by the whole key (runs are short: buckets of 2^-22 of the distance range);
  where neighbouring keys step by at most one, every chain of points whose approximate
  distances lie within the bound of each other (equal distances, or a few ulps apart) is
  ordered by its exact distances and index (:func:`_exact_order`), so the order is exact;
* ``tie_order="authors"``: the authors' kernel's order (:func:`authors_orders`).

Each point of a column is one integer word (index, label match and, above them, the
sort key), so sorting moves one array; the recursion reads the match bit without a branch
(labels are unpredictable). Columns are dealt to a fixed number of blocks, each with its
own accumulator, and the blocks are summed in order: the result does not depend on the
number of threads, the chunk size or the order columns are processed in (the product path
processes one cell's columns together so that few accumulator rows are in use).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from fairscore.errors import DataError

N_BLOCKS = 16
_KEY_BITS = 40  # distance key: buckets of 2^-40 of the distance range, or 2 tol if wider
_RADIX_BITS = 22  # the radix passes sort by the key's top 22 used bits; a run sort finishes
_DIGIT_BITS = 11  # two radix passes
_SMALL_RUN = 32  # runs of near-equal distances up to this length are insertion-sorted


@njit(cache=True)
def _counting_sort(keys, n_keys, words, out, counts):
    """Stable sort of ``words`` by integer keys in [0, n_keys) into ``out``."""
    counts[: n_keys + 1] = 0
    for i in range(keys.shape[0]):
        counts[keys[i] + 1] += 1
    for b in range(n_keys):
        counts[b + 1] += counts[b]
    for i in range(keys.shape[0]):
        out[counts[keys[i]]] = words[i]
        counts[keys[i]] += 1


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
def row_cell_contributions(T, inverse, y, R, y_cols, col_cell, col_weight, n_cells, inv_steps, last):
    """Per cell g, the sum over columns c in g of col_weight[c] * Phi[:, c]; shape (n_cells, n_train).

    ``T`` holds the distinct training rows, ``inverse`` maps each training point to its row.
    """
    n = y.shape[0]
    T_by_feature = np.ascontiguousarray(T.T)
    acc = np.zeros((N_BLOCKS, n_cells, n))
    for b in prange(N_BLOCKS):
        d_rows = np.empty(T.shape[0])
        rank = np.empty(T.shape[0], dtype=np.int64)
        keys = np.empty(n, dtype=np.int64)
        words = np.empty(n, dtype=np.int64)
        ordered = np.empty(n, dtype=np.int64)
        counts = np.empty(max(T.shape[0], n) + 1, dtype=np.int64)
        for c in range(b, R.shape[0], N_BLOCKS):
            _distances(R, c, T_by_feature, d_rows)
            row_order = np.argsort(d_rows, kind="mergesort")
            r = 0
            for p in range(T.shape[0]):
                if p > 0 and d_rows[row_order[p]] != d_rows[row_order[p - 1]]:
                    r += 1
                rank[row_order[p]] = r
            for i in range(n):
                keys[i] = rank[inverse[i]]
                words[i] = _word(i, y[i], y_cols[c])
            _counting_sort(keys, r + 1, words, ordered, counts)
            _add_column(ordered, col_weight[c], acc[b, col_cell[c]], inv_steps, last)
    return _sum_blocks(acc)


@njit(cache=True)
def _radix_sort(words, shift, digit_bits, n_passes, tmp, counts):
    """Stable LSD radix sort of ``words`` by their bits from ``shift``, ``digit_bits`` a pass."""
    size = 1 << digit_bits
    mask = size - 1
    counts[:] = 0
    for i in range(words.shape[0]):
        for k in range(n_passes):
            counts[k, (words[i] >> (shift + digit_bits * k)) & mask] += 1
    for k in range(n_passes):
        total = 0
        for v in range(size):
            count = counts[k, v]
            counts[k, v] = total
            total += count
    src, dst = words, tmp
    for k in range(n_passes):
        at = shift + digit_bits * k
        for i in range(src.shape[0]):
            v = (src[i] >> at) & mask
            dst[counts[k, v]] = src[i]
            counts[k, v] += 1
        src, dst = dst, src
    if n_passes % 2:
        words[:] = src


@njit(cache=True)
def _sort_runs(words, low):
    """Sort words that a radix sort has ordered by their bits from ``low`` up: each run of equal
    such bits by whole word. Runs are short unless distances cluster; long ones use np.sort."""
    start = 0
    for e in range(1, words.shape[0] + 1):
        if e == words.shape[0] or words[e] >> low != words[start] >> low:
            if e - start > _SMALL_RUN:
                words[start:e] = np.sort(words[start:e])
            elif e - start > 1:
                _insertion_sort(words, start, e)
            start = e


@njit(cache=True)
def _insertion_sort(words, start, end):
    """Sort words start..end-1 in place by insertion."""
    for p in range(start + 1, end):
        item = words[p]
        q = p - 1
        while q >= start and words[q] > item:
            words[q + 1] = words[q]
            q -= 1
        words[q + 1] = item


@njit(cache=True)
def _exact_distance(T, i, r):
    """Squared distance summed feature by feature, as :func:`_distances` does."""
    out = 0.0
    for f in range(T.shape[1]):
        t = r[f] - T[i, f]
        out += t * t
    return out


@njit(cache=True)
def _exact_run(words, start, end, shift, T, r, exact):
    """Order words start..end-1 by (exact distance, index); their key bits are dropped.
    ``exact`` is scratch space of at least _SMALL_RUN values."""
    low = (np.int64(1) << shift) - 1
    if end - start > _SMALL_RUN:
        members = np.sort(words[start:end] & low)  # by index
        distances = np.empty(end - start)
        for m in range(end - start):
            distances[m] = _exact_distance(T, members[m] >> 1, r)
        words[start:end] = members[np.argsort(distances, kind="mergesort")]
        return
    for p in range(start, end):  # insertion sort by (distance, index)
        item = words[p] & low
        d_item = _exact_distance(T, item >> 1, r)
        q = p - 1
        while q >= start and (exact[q - start] > d_item or (exact[q - start] == d_item and words[q] > item)):
            words[q + 1], exact[q + 1 - start] = words[q], exact[q - start]
            q -= 1
        words[q + 1], exact[q + 1 - start] = item, d_item


@njit(cache=True)
def _sort_group(words, d, start, end, low, scratch):
    """Stable sort of words start..end-1 (equal keys) by their approximate distance."""
    if end - start > _SMALL_RUN:
        perm = np.argsort(d[(words[start:end] & low) >> 1], kind="mergesort")
        words[start:end] = words[start:end][perm]
        return
    for p in range(start, end):
        item = words[p]
        d_item = d[(item & low) >> 1]
        q = p - 1
        while q >= start and scratch[q - start] > d_item:
            words[q + 1], scratch[q + 1 - start] = words[q], scratch[q - start]
            q -= 1
        words[q + 1], scratch[q + 1 - start] = item, d_item


@njit(cache=True)
def _exact_order(words, d, tol, shift, T, r, scratch):
    """From words sorted by (key, index), the key a monotone bucket (wider than 2 tol) of the
    approximate distances d, each within ``tol / 2`` of the exact one: the exact
    (distance, index) order.

    Groups of equal keys are sorted by d (stable): the order by (d, index). Two points can
    then be out of order, or tied, only inside a chain of neighbours each within ``tol`` of
    the next, and such neighbours have equal or adjacent keys. Each chain of more than one
    point is ordered by exact distance, then index.
    """
    n = words.shape[0]
    low = (np.int64(1) << shift) - 1
    chain = 0  # start of the current chain
    p = 0
    while p < n:
        key = words[p] >> shift
        q = p + 1
        while q < n and words[q] >> shift == key:
            q += 1
        if q - p > 1:
            _sort_group(words, d, p, q, low, scratch)
        for e in range(p, q):  # does e continue the chain of e - 1?
            if e == 0 or (words[e - 1] >> shift) + 1 < key \
                    or d[(words[e] & low) >> 1] - d[(words[e - 1] & low) >> 1] > tol:
                if e - chain > 1:
                    _exact_run(words, chain, e, shift, T, r, scratch)
                chain = e
        p = q
    if n - chain > 1:
        _exact_run(words, chain, n, shift, T, r, scratch)


@njit(cache=True)
def _resolve_near_ties(words, d, tol, shift, T, r, scratch):
    """:func:`_exact_order` on each run of words whose keys step by at most one. Points whose
    keys are two or more apart are more than ``tol`` apart, so already in exact order."""
    start = 0
    prev = words[0] >> shift
    for e in range(1, words.shape[0]):
        key = words[e] >> shift
        if key - prev > 1:
            if e - start > 1:
                _exact_order(words[start:e], d, tol, shift, T, r, scratch)
            start = e
        prev = key
    if words.shape[0] - start > 1:
        _exact_order(words[start:], d, tol, shift, T, r, scratch)


@njit(parallel=True, cache=True)
def add_product_columns(G, cols, T, t_norms, r_norms, tol, R, y, y_cols, col_cell, col_weight, inv_steps, last,
                        acc):
    """Add columns ``cols`` into the block accumulators ``acc`` (N_BLOCKS, n_cells, n_train),
    column c into block c % N_BLOCKS, from ``G[i] = -2 T @ R[cols[i]]``.

    The approximate distances ``r_norms[i] + t_norms + G[i]`` are within ``tol[i] / 2`` of the
    exact ones. Each point's :func:`_word` carries a monotone 40-bit key of its distance above
    it. A radix sort by the key's top bits, :func:`_sort_runs` and :func:`_resolve_near_ties`
    give the exact (distance, index) order.
    """
    n = T.shape[0]
    shift = _index_bits(n) + 1
    key_bits = min(_KEY_BITS, 62 - shift)
    radix_bits = min(_RADIX_BITS, key_bits)  # the radix sort's bits: the key's top used ones
    n_passes = (radix_bits + _DIGIT_BITS - 1) // _DIGIT_BITS
    top = (np.int64(1) << key_bits) - 1
    for b in prange(N_BLOCKS):
        d = np.empty(n)
        words = np.empty(n, dtype=np.int64)
        tmp = np.empty(n, dtype=np.int64)
        scratch = np.empty(_SMALL_RUN)
        counts = np.empty((n_passes, 1 << _DIGIT_BITS), dtype=np.int64)
        for i in range(G.shape[0]):
            c = cols[i]
            if c % N_BLOCKS != b:
                continue
            lo, hi = np.inf, -np.inf
            for p in range(n):
                d[p] = (r_norms[i] + t_norms[p]) + G[i, p]
                lo = min(lo, d[p])
                hi = max(hi, d[p])
            scale = min(top / (hi - lo), 0.5 / tol[i]) if hi - lo > 2 * tol[i] else 0.0
            for p in range(n):
                words[p] = (np.int64((d[p] - lo) * scale) << shift) | _word(p, y[p], y_cols[c])
            low = shift + max(0, _index_bits(np.int64((hi - lo) * scale) + 1) - radix_bits)
            _radix_sort(words, low, _DIGIT_BITS, n_passes, tmp, counts)
            _sort_runs(words, low)
            _resolve_near_ties(words, d, tol[i], shift, T, R[c], scratch)
            _add_column(words, col_weight[c], acc[b, col_cell[c]], inv_steps, last)


@njit(cache=True)
def _word(i, y_i, y_col):
    """Point i and whether its label matches the column's, in one integer (sorted together)."""
    return (np.int64(i) << 1) | (y_i == y_col)


@njit(cache=True)
def _add_column(words, w, out, inv_steps, last):
    """The kNN-Shapley recursion along one column's order (:func:`_word` s, nearest first),
    ``w * Phi[:, c]`` added into out. Bits above the point's are ignored."""
    n = words.shape[0]
    mask = (np.int64(1) << (_index_bits(n) + 1)) - 1
    m_next = np.float64(words[n - 1] & 1)  # arithmetic, not a branch: labels are unpredictable
    s = m_next * last
    out[(words[n - 1] & mask) >> 1] += s * w
    for r in range(n - 2, -1, -1):
        m = np.float64(words[r] & 1)
        s = s + (m - m_next) * inv_steps[r]
        m_next = m
        out[(words[r] & mask) >> 1] += s * w


@njit(cache=True)
def _index_bits(n):
    """Bits that hold a point index below n."""
    bits = 0
    while (np.int64(1) << bits) < n:
        bits += 1
    return bits


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
        words = np.empty(y.shape[0], dtype=np.int64)
        for i in range((b - first) % N_BLOCKS, orders.shape[0], N_BLOCKS):
            c = first + i
            for r in range(words.shape[0]):
                words[r] = _word(orders[i, r], y[orders[i, r]], y_cols[c])
            _add_column(words, col_weight[c], acc[b, col_cell[c]], inv_steps, last)


def product_cell_contributions(T, y, R, y_cols, col_cell, col_weight, n_cells, inv_steps, last, chunk):
    """Per cell g, the sum over columns c in g of col_weight[c] * Phi[:, c]; shape (n_cells, n_train).

    Distances of ``chunk`` reference rows at a time come from one matrix product (BLAS);
    :func:`add_product_columns` makes the order exact.
    """
    t_norms = np.einsum("ij,ij->i", T, T)
    r_norms = np.einsum("ij,ij->i", R, R)
    # |approximate - exact| <= (4F + 10) u (|r|^2 + |t|^2) (dot products, norms and the
    # feature-by-feature sum each within F u of the true value); tol is twice that, doubled.
    # A margin for underflowing products is added.
    tol = (4.0 * (4 * T.shape[1] + 16) * np.finfo(np.float64).eps / 2 * (r_norms + t_norms.max())
           + 16 * T.shape[1] * np.finfo(np.float64).smallest_subnormal)
    if not np.isfinite(tol).all():
        raise DataError(f"squared feature norms overflow (largest {max(t_norms.max(), r_norms.max())}); "
                        "expected standardised features")
    minus_2T = -2.0 * T
    acc = np.zeros((N_BLOCKS, n_cells, y.shape[0]))
    G = np.empty((min(chunk, R.shape[0]), T.shape[0]))  # reused: no page faults per chunk
    # Columns of one cell are processed together, so few accumulator rows are in use at a
    # time; each block still adds its columns in index order (the sums do not change).
    by_cell = np.argsort(col_cell, kind="stable")
    for first in range(0, R.shape[0], chunk):
        cols = by_cell[first : first + chunk]
        np.matmul(R[cols], minus_2T.T, out=G[: len(cols)])
        add_product_columns(G[: len(cols)], cols, T, t_norms, r_norms[cols], tol[cols], R, y, y_cols, col_cell,
                            col_weight, inv_steps, last, acc)
    return _sum_blocks(acc)


def authors_cell_contributions(X_train, y, R, y_cols, col_cell, col_weight, n_cells, inv_steps, last, chunk):
    """:func:`cell_contributions` with the authors' tie order, ``chunk`` columns at a time."""
    acc = np.zeros((N_BLOCKS, n_cells, y.shape[0]))
    for first in range(0, R.shape[0], chunk):
        orders = authors_orders(X_train, R[first : first + chunk])
        add_ordered_columns(orders, first, y, y_cols, col_cell, col_weight, inv_steps, last, acc)
    return _sum_blocks(acc)
