"""kNN-Shapley and FairShap valuations, proven against the definitions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from numba import njit, prange

from fairscore.errors import DataError
from fairscore.fairshap.valuation import _multigroup_gaps, fair_shapley_values
from fairscore.fairshap.weights import interpolate_weights, normalise_weights
from fairscore.fairshap.knn import _distinct_hashes, knn_shapley_matrix


# ----------------------------------------------------------------------------- brute force
def knn_utility(X, y, members, x_ref, y_ref, k):
    """u(S) = (1/K) #{top-min(K,|S|) neighbours of x_ref in S with label y_ref}; order (d, index)."""
    if not members:
        return 0.0
    d = {i: float(np.sum((X[i] - x_ref) ** 2)) for i in members}
    ranked = sorted(members, key=lambda i: (d[i], i))[:k]
    return sum(y[i] == y_ref for i in ranked) / k


def shapley_by_enumeration(n, utility):
    """Exact Shapley values of utility(list of members) by enumerating every coalition."""
    values = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                values[i] += w * (utility([*subset, i]) - utility(list(subset)))
    return values


def brute_force_shapley(X, y, x_ref, y_ref, k):
    """Exact Shapley values of knn_utility by enumerating every coalition."""
    return shapley_by_enumeration(len(X), lambda members: knn_utility(X, y, members, x_ref, y_ref, k))


def small_problem(seed, n_train, n_ref, ties):
    rng = np.random.default_rng(seed)
    if ties:  # few integer values: duplicate rows and distance ties between distinct rows
        X = rng.integers(0, 3, size=(n_train, 2)).astype(float)
        R = rng.integers(0, 3, size=(n_ref, 2)).astype(float)
    else:
        X, R = rng.standard_normal((n_train, 3)), rng.standard_normal((n_ref, 3))
    return X, rng.integers(0, 2, n_train), R, rng.integers(0, 2, n_ref)


CASES = [(seed, n, k, ties) for seed, (n, k) in enumerate(
    [(1, 1), (2, 3), (4, 2), (5, 5), (6, 3), (7, 1), (8, 5), (8, 2), (3, 10), (8, 10)]) for ties in (False, True)]


@pytest.mark.parametrize("seed,n,k,ties", CASES)
@pytest.mark.parametrize("device,dedup", [("numpy", True), ("numpy", False), ("numba", True), ("numba", False),
                                          ("cpu", True)])
def test_matrix_equals_enumeration_of_all_coalitions(seed, n, k, ties, device, dedup):
    X, y, R, yr = small_problem(seed, n, 4, ties)
    phi = knn_shapley_matrix(X, y, R, yr, k=k, device=device, dedup=dedup)
    for j in range(len(R)):
        np.testing.assert_allclose(phi[:, j], brute_force_shapley(X, y, R[j], yr[j], k), atol=1e-12)


@pytest.mark.parametrize("ties", [False, True])
def test_efficiency_each_column_sums_to_the_full_set_utility(ties):
    X, y, R, yr = small_problem(11, 60, 25, ties)
    phi = knn_shapley_matrix(X, y, R, yr, k=5)
    full = [knn_utility(X, y, list(range(len(X))), R[j], yr[j], 5) for j in range(len(R))]
    np.testing.assert_allclose(phi.sum(axis=0), full, atol=1e-12)


@pytest.fixture(scope="module")
def duplicated():
    """Tabular-like data: 600 training and 300 reference rows drawn from 15 distinct rows."""
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 2, size=(15, 6)).astype(float) * rng.standard_normal(6)
    X, R = rows[rng.integers(0, 15, 600)], rows[rng.integers(0, 15, 300)]
    y, yr, ar = rng.integers(0, 2, 600), rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    return X, y, R, yr, ar


@pytest.mark.parametrize("device", ["numpy", "numba"])
def test_duplicate_aware_path_equals_plain_path_bit_for_bit(duplicated, device):
    X, y, R, yr, _ = duplicated
    plain = knn_shapley_matrix(X, y, R, yr, k=5, dedup=False, memory_mb=1, device="numpy")
    assert np.array_equal(knn_shapley_matrix(X, y, R, yr, k=5, dedup=True, device=device), plain)
    assert np.array_equal(knn_shapley_matrix(X, y, R, yr, k=5, dedup=False, device=device), plain)


@pytest.mark.parametrize("device", ["numpy", "numba"])
def test_duplicate_aware_valuations_equal_plain_valuations(duplicated, device):
    X, y, R, yr, ar = duplicated
    fast = fair_shapley_values(X, y, R, yr, ar, dedup=True, device=device)
    plain = fair_shapley_values(X, y, R, yr, ar, dedup=False, memory_mb=1, n_threads=1, device="numpy")
    np.testing.assert_allclose(fast.to_numpy(), plain.to_numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("device", ["cpu", "numba"])
@pytest.mark.parametrize("dedup", [True, False])
def test_torch_and_numba_paths_equal_numpy_path(duplicated, device, dedup):
    X, y, R, yr, ar = duplicated
    np.testing.assert_allclose(knn_shapley_matrix(X, y, R, yr, device=device, dedup=dedup),
                               knn_shapley_matrix(X, y, R, yr, device="numpy", dedup=dedup), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fair_shapley_values(X, y, R, yr, ar, device=device, dedup=dedup).to_numpy(),
                               fair_shapley_values(X, y, R, yr, ar, device="numpy", dedup=dedup).to_numpy(),
                               rtol=0, atol=1e-12)


def test_continuous_data_numba_equals_numpy():
    """No duplicate rows: the bucket sort path, with skewed distances and large buckets."""
    rng = np.random.default_rng(9)
    X = np.concatenate([rng.standard_normal((3000, 5)) * 0.01, rng.standard_normal((20, 5)) * 100])
    R, y, yr = rng.standard_normal((50, 5)) * 0.01, rng.integers(0, 2, 3020), rng.integers(0, 2, 50)
    assert np.array_equal(knn_shapley_matrix(X, y, R, yr, device="numba"),
                          knn_shapley_matrix(X, y, R, yr, device="numpy", dedup=False))


# ----------------------------------------------------------------------------- authors' tie order
@njit(parallel=True, fastmath=True)
def authors_sv_matrix(X_train, X_test, y_train, y_test, K=5):
    """``get_SV_matrix_numba_memory`` of the authors' ``fairSV/fair_shapley_sklearn.py``, as published."""
    shapley_mat = np.zeros((X_train.shape[0], X_test.shape[0]), dtype=np.float64)
    for j in prange(X_test.shape[0]):
        xt_query = X_test[j]
        y_t_label = y_test[j]
        distance1 = np.sum(np.square(X_train - xt_query), axis=1)
        alpha = np.argsort(distance1)
        N = X_train.shape[0]
        for i in range(N - 1, -1, -1):
            if i == N - 1:
                shapley_mat[alpha[i], j] = np.float64(int(y_train[alpha[i]] == y_t_label) / N)
            else:
                shapley_mat[alpha[i], j] = np.float64(shapley_mat[alpha[i + 1], j] + (
                    int(y_train[alpha[i]] == y_t_label) - int(y_train[alpha[i + 1]] == y_t_label)) / K * min(K, i + 1)
                    / (i + 1))
    return shapley_mat


@njit
def numba_argsort_ranks(X, x_ref):
    """Each training point's rank in numba's np.argsort of the authors' distances."""
    ranks = np.empty(X.shape[0], dtype=np.int64)
    ranks[np.argsort(np.sum(np.square(X - x_ref), axis=1))] = np.arange(X.shape[0])
    return ranks


def brute_force_ranked(y, rank, y_ref, k):
    """Exact Shapley values by enumeration, neighbours taken in the given rank order."""
    def utility(members):
        return sum(y[i] == y_ref for i in sorted(members, key=lambda i: rank[i])[:k]) / k if members else 0.0
    return shapley_by_enumeration(len(y), utility)


@pytest.fixture(scope="module")
def many_ties():
    """400 training and 60 reference rows on a 3 x 3 integer grid: every column has big mixed-label ties."""
    rng = np.random.default_rng(21)
    X, R = rng.integers(0, 3, size=(400, 2)).astype(float), rng.integers(0, 3, size=(60, 2)).astype(float)
    return X, rng.integers(0, 2, 400), R, rng.integers(0, 2, 60), rng.integers(0, 2, 60)


@pytest.mark.parametrize("dedup", [True, False])
def test_authors_tie_order_equals_the_authors_kernel_and_differs_from_index(many_ties, dedup):
    X, y, R, yr, _ = many_ties
    theirs = authors_sv_matrix(X, R, y, yr, K=5)
    authors = knn_shapley_matrix(X, y, R, yr, k=5, tie_order="authors", dedup=dedup, memory_mb=1)
    np.testing.assert_allclose(authors, theirs, rtol=0, atol=1e-12)
    index = knn_shapley_matrix(X, y, R, yr, k=5, dedup=dedup)
    assert np.abs(index - theirs).max() > 1e-3


@pytest.mark.parametrize("seed,n,k", [(1, 5, 2), (2, 8, 3), (3, 9, 5)])
def test_authors_tie_order_equals_enumeration_in_numba_argsort_order(seed, n, k):
    X, y, R, yr = small_problem(seed, n, 3, ties=True)
    phi = knn_shapley_matrix(X, y, R, yr, k=k, tie_order="authors")
    for j in range(len(R)):
        np.testing.assert_allclose(phi[:, j], brute_force_ranked(y, numba_argsort_ranks(X, R[j]), yr[j], k),
                                   atol=1e-12)


def test_authors_tie_order_valuations_are_means_of_the_authors_matrix(many_ties):
    X, y, R, yr, ar = many_ties
    v = fair_shapley_values(X, y, R, yr, ar, tie_order="authors")
    theirs = authors_sv_matrix(X, R, y, yr, K=5)
    np.testing.assert_allclose(v["acc"], theirs.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(v["tpr_a0"], theirs[:, (yr == 1) & (ar == 0)].mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(v["tnr_a1"], theirs[:, (yr == 0) & (ar == 1)].mean(axis=1), rtol=0, atol=1e-12)


def test_unknown_tie_order_is_named(many_ties):
    X, y, R, yr, ar = many_ties
    with pytest.raises(DataError, match="tie_order = 'stable'; expected one of 'index', 'authors'"):
        fair_shapley_values(X, y, R, yr, ar, tie_order="stable")


def test_matrix_product_path_orders_near_ties_exactly():
    """Distances equal or a few ulps apart, which a matrix product can swap: the numba path
    (distances from a product, then resolved) equals the numpy path (summed feature by feature)."""
    rng = np.random.default_rng(13)
    base = rng.standard_normal((60, 6))
    X = np.concatenate([base, base[:, ::-1], base[:, [1, 0, 3, 2, 5, 4]], base * (1 + 2 ** -52), base + 1e-15])
    R = np.concatenate([np.zeros((1, 6)), np.full((2, 6), 0.5), base[:3]])
    y, yr = rng.integers(0, 2, len(X)), rng.integers(0, 2, len(R))
    assert np.array_equal(knn_shapley_matrix(X, y, R, yr, device="numba", dedup=False),
                          knn_shapley_matrix(X, y, R, yr, device="numpy", dedup=False))
    same = np.repeat(base[:1], 50, axis=0)  # one distance for every point
    assert np.array_equal(knn_shapley_matrix(same, y[:50], R, yr, device="numba", dedup=False),
                          knn_shapley_matrix(same, y[:50], R, yr, device="numpy", dedup=False))


def test_matrix_product_path_is_exact_when_distances_cluster_below_one_radix_bucket():
    """One far outlier squeezes every other distance into a few radix buckets, and a cluster of
    distinct points within 1e-9 of each other shares one bucket: long runs that the kernel
    must finish sorting by the whole key. Also several cells (the columns are reordered by cell)."""
    rng = np.random.default_rng(17)
    X = np.concatenate([1e-9 * rng.standard_normal((3000, 4)), rng.standard_normal((200, 4)), np.full((1, 4), 1e6)])
    R = np.concatenate([np.zeros((3, 4)), rng.standard_normal((5, 4))])
    y, yr, ar = rng.integers(0, 2, len(X)), np.array([0, 1, 1, 0, 1, 0, 1, 0]), np.array([0, 1, 0, 1, 1, 0, 0, 1])
    assert np.array_equal(knn_shapley_matrix(X, y, R, yr, device="numba", dedup=False),
                          knn_shapley_matrix(X, y, R, yr, device="numpy", dedup=False))
    numba_values = fair_shapley_values(X, y, R, yr, ar, device="numba", dedup=False)
    numpy_values = fair_shapley_values(X, y, R, yr, ar, device="numpy", dedup=False)
    np.testing.assert_allclose(numba_values.to_numpy(), numpy_values.to_numpy(), rtol=1e-12, atol=1e-15)


def test_row_hash_never_counts_more_rows_than_are_distinct():
    """The cheap check that skips sorting the training rows: equal rows hash equally (-0.0 and
    0.0 too), so it never counts more rows than np.unique finds."""
    rng = np.random.default_rng(5)
    few = rng.integers(0, 3, (400, 3)).astype(float)
    few[::7] *= -1  # -0.0 wherever a zero was negated; rows of opposite signs
    assert _distinct_hashes(few) == len({tuple(row) for row in few}) == len(np.unique(few, axis=0)) == 48
    many = rng.standard_normal((400, 3))
    assert _distinct_hashes(many) == 400


def test_chunking_and_threads_do_not_change_values(duplicated):
    X, y, R, yr, ar = duplicated
    a = fair_shapley_values(X, y, R, yr, ar, memory_mb=1, n_threads=2, dedup=False, device="numpy")
    b = fair_shapley_values(X, y, R, yr, ar, memory_mb=1, n_threads=2, dedup=False, device="numpy")
    c = fair_shapley_values(X, y, R, yr, ar, memory_mb=512, n_threads=1, dedup=False, device="numpy")
    assert a.equals(b)
    np.testing.assert_allclose(a.to_numpy(), c.to_numpy(), rtol=1e-12, atol=1e-15)


def test_accuracy_valuation_agrees_with_pydvl():
    pydvl = pytest.importorskip("pydvl.valuation")
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(3)
    X, R = rng.standard_normal((150, 4)), rng.standard_normal((60, 4))
    y, yr = rng.integers(0, 2, 150), rng.integers(0, 2, 60)
    ours = fair_shapley_values(X, y, R, yr, None, k=5)["acc"]
    valuation = pydvl.KNNShapleyValuation(KNeighborsClassifier(n_neighbors=5),
                                          pydvl.Dataset(R, yr), progress=False)
    theirs = valuation.fit(pydvl.Dataset(X, y)).result
    order = np.argsort(theirs.indices)
    np.testing.assert_allclose(ours, theirs.values[order], rtol=0, atol=1e-9)


# ----------------------------------------------------------------------------- identities
@pytest.fixture(scope="module")
def binary(duplicated):
    X, y, R, yr, ar = duplicated
    return fair_shapley_values(X, y, R, yr, ar), (X, y, R, yr, ar)


def test_rate_identities(binary):
    v, (X, *_) = binary
    n = len(X)
    for g in (0, 1):
        np.testing.assert_allclose(v[f"fpr_a{g}"], 1 / n - v[f"tnr_a{g}"], atol=1e-15)
        np.testing.assert_allclose(v[f"fnr_a{g}"], 1 / n - v[f"tpr_a{g}"], atol=1e-15)
    np.testing.assert_allclose(v["eop"], v["tpr_a0"] - v["tpr_a1"], atol=1e-15)
    np.testing.assert_allclose(v["eodds"], 0.5 * ((v["fpr_a0"] - v["fpr_a1"]) + (v["tpr_a0"] - v["tpr_a1"])),
                               atol=1e-15)
    np.testing.assert_allclose(v["eodds"], 0.5 * ((v["tnr_a1"] - v["tnr_a0"]) + (v["tpr_a0"] - v["tpr_a1"])),
                               atol=1e-15)
    np.testing.assert_allclose(v["eodds_abs"], 0.5 * (np.abs(v["fpr_a0"] - v["fpr_a1"])
                                                      + np.abs(v["tpr_a0"] - v["tpr_a1"])), atol=1e-15)


def test_efficiency_identities_give_soft_knn_rates(binary):
    v, (X, y, R, yr, ar) = binary
    u = np.array([knn_utility(X, y, list(range(len(X))), R[j], yr[j], 5) for j in range(len(R))])
    assert v["acc"].sum() == pytest.approx(u.mean(), abs=1e-12)
    for g in (0, 1):
        tpr = u[(yr == 1) & (ar == g)].mean()
        tnr = u[(yr == 0) & (ar == g)].mean()
        assert v[f"tpr_a{g}"].sum() == pytest.approx(tpr, abs=1e-12)
        assert v[f"fpr_a{g}"].sum() == pytest.approx(1 - tnr, abs=1e-12)


def test_data_sign_flips_a_gap_whose_privileged_rate_is_lower(binary):
    v, (X, y, R, yr, ar) = binary
    data = fair_shapley_values(X, y, R, yr, ar, sign="data")
    s_tpr = 1.0 if v["tpr_a1"].sum() >= v["tpr_a0"].sum() else -1.0
    np.testing.assert_allclose(data["eop"], s_tpr * v["eop"], atol=1e-15)


def test_a_equals_y_case(duplicated):
    X, y, R, yr, _ = duplicated
    v = fair_shapley_values(X, y, R, yr, None)
    n = len(X)
    np.testing.assert_allclose(v["eop"], v["tpr"] + v["tnr"] - 1 / n, atol=1e-15)
    np.testing.assert_allclose(v["fpr"], 1 / n - v["tnr"], atol=1e-15)
    # the bounded form is a positive affine map: identical weights after normalisation
    np.testing.assert_allclose(normalise_weights(v["eop"]), normalise_weights(v["eop_bounded"]), atol=1e-9)


def test_multigroup_reduces_to_binary_data_signed_eop_weights(binary):
    v, (X, *_) = binary
    mg = {key: v[key].to_numpy() for key in ("acc", "tpr", "tnr", "tpr_a0", "tpr_a1", "tnr_a0", "tnr_a1",
                                             "fpr_a0", "fpr_a1")}
    _multigroup_gaps(mg, [0, 1], len(X))
    data = fair_shapley_values(*binary[1], sign="data")
    np.testing.assert_allclose(normalise_weights(mg["eop"]), normalise_weights(data["eop"]), atol=1e-9)


def test_three_groups(duplicated):
    X, y, R, yr, _ = duplicated
    ar = np.arange(len(R)) % 3
    v = fair_shapley_values(X, y, R, yr, ar)
    assert {"tpr_a2", "tnr_a2", "eop", "eodds"} <= set(v.columns) and np.isfinite(v.to_numpy()).all()
    gap = {g: abs(v["tpr"].sum() - v[f"tpr_a{g}"].sum()) for g in range(3)}
    g = max(gap, key=gap.get)
    np.testing.assert_allclose(np.abs(v["eop"]), np.abs(v[f"tpr_a{g}"] - v["tpr"]), atol=1e-15)


# ----------------------------------------------------------------------------- weights and errors
def test_weights_are_min_max_then_mean_one():
    w = normalise_weights([-2.0, 0.0, 2.0, 4.0])
    np.testing.assert_allclose(w, [0, 1 / 3, 2 / 3, 1] / np.mean([0, 1 / 3, 2 / 3, 1]))
    assert w.min() == 0 and w.mean() == pytest.approx(1)


def test_alpha_interpolation():
    w = normalise_weights([1.0, 2.0, 5.0])
    np.testing.assert_array_equal(interpolate_weights(w, 0.0), np.ones(3))
    np.testing.assert_allclose(interpolate_weights(w, 1.0), w)
    assert interpolate_weights(w, 0.3).mean() == pytest.approx(1)
    with pytest.raises(DataError, match="alpha = 1.5"):
        interpolate_weights(w, 1.5)


def test_equal_valuations_are_an_error():
    with pytest.raises(DataError, match="all 3 valuations equal 0.5"):
        normalise_weights([0.5, 0.5, 0.5])


def test_empty_reference_cell_is_named(duplicated):
    X, y, R, yr, ar = duplicated
    ar = np.where(yr == 1, 1, ar)  # no positive reference point in group 0
    with pytest.raises(DataError, match="cell 'tpr_a0'"):
        fair_shapley_values(X, y, R, yr, ar)


def test_nan_feature_is_named(duplicated):
    X, y, R, yr, ar = duplicated
    X = X.copy()
    X[7, 2] = np.nan
    with pytest.raises(DataError, match=r"X_train\[7, 2\] = nan"):
        fair_shapley_values(X, y, R, yr, ar)


def test_mismatched_lengths_are_named(duplicated):
    X, y, R, yr, ar = duplicated
    with pytest.raises(DataError, match="y_train has 599 labels for 600 rows"):
        fair_shapley_values(X, y[:-1], R, yr, ar)
    with pytest.raises(DataError, match="a_ref has 299 values for 300 reference rows"):
        fair_shapley_values(X, y, R, yr, ar[:-1])


def test_non_binary_labels_are_named(duplicated):
    X, y, R, yr, ar = duplicated
    with pytest.raises(DataError, match=r"y_ref has values \[0, 1, 2\]"):
        fair_shapley_values(X, y, R, np.where(np.arange(len(yr)) == 0, 2, yr), ar)
