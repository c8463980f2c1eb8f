"""Protocol steps: standardisation on the training part, FairShap scores of a split."""

from __future__ import annotations

import numpy as np

from fairscore.protocols.table2 import fairshap_split_scores, standardised_parts
from fairscore.fileio import write_npz
from fairscore.datasets.splits import stratified_split


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


# ----------------------------------------------------------------------------- Table 2 runs
import pytest  # noqa: E402

from fairscore.datasets.aif360 import (  # noqa: E402
    load_aif360_dataset,
    load_aif360_preproc,
    place_aif360_raw_files,
)
from fairscore.errors import ConfigError  # noqa: E402
from fairscore.protocols.table2 import SplitData, fit_gbc, table2_method_runs, table2_split  # noqa: E402
from fairscore.datasets.splits import split_seeds  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from fairscore.protocols.baselines import merge_duplicates  # noqa: E402


@pytest.fixture(scope="module")
def german(raw_dir, default_config):
    place_aif360_raw_files({e["aif360_path"]: raw_dir / name for name, e in default_config["raw_files"].items()})
    frame, meta = load_aif360_preproc("german", "sex")
    X, y, a = frame.iloc[:, :-2].to_numpy(), frame["label"].to_numpy(), frame["protected"].to_numpy()
    from fairscore.datasets.tidy import stratify_codes

    splits = [stratified_split(stratify_codes(frame, meta), seed=s) for s in split_seeds(2)]
    return X, y, a, splits, load_aif360_dataset("german", "sex")


def test_gbc_is_sklearn_defaults_with_the_split_seed(german):
    X, y, a, splits, _ = german
    split, seed = splits[0], split_seeds(1)[0]
    parts = standardised_parts(X, split)
    w = np.where(a[split["train"]] == 1, 0.8, 1.4)
    ours = fit_gbc(parts["train"], y[split["train"]], w, seed)
    plain = GradientBoostingClassifier(random_state=seed).fit(parts["train"], y[split["train"]], sample_weight=w)
    assert ours.get_params() == plain.get_params()
    # German repeats its discrete rows, so fit_gbc merges them; rounding resolves an equal-gain split the
    # other way here (a few test probabilities move by about 0.01), but no predicted label changes
    np.testing.assert_array_equal(ours.predict(parts["test"]), plain.predict(parts["test"]))


def test_every_method_kind_runs_on_real_splits(german, default_config):
    X, y, a, splits, ds = german
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    results = {}
    for name, method in default_config["methods"].items():
        runs = table2_method_runs(method, X, y, a, splits, split_seeds(2), dataset="german",
                                  fairshap=scores, aif360=ds)
        assert list(runs["split"]) == [0, 1] and np.isfinite(runs[["accuracy", "eop", "eodds"]]).all().all()
        assert runs["accuracy"].between(0.5, 0.9).all(), name
        results[name] = runs
    # German IF hyperparameters (beta = gamma = 0) remove nothing: IF equals GBC, as in the paper
    assert results["if"].equals(results["gbc"])
    # alpha = 0 would be the unweighted GBC; alpha = 1 FairShap differs from it
    assert not results["fairshap_eop"]["accuracy"].equals(results["gbc"]["accuracy"])


def test_fairshap_alpha_zero_is_the_unweighted_gbc(german):
    X, y, a, splits, _ = german
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    zero = table2_method_runs({"kind": "fairshap", "label": "x", "valuation": "eop", "alpha": 0.0},
                              X, y, a, splits, split_seeds(2), dataset="german", fairshap=scores)
    gbc = table2_method_runs({"kind": "gbc", "label": "GBC"}, X, y, a, splits, split_seeds(2), dataset="german")
    assert zero.equals(gbc)
    assert SplitData.__dataclass_params__.frozen



def test_group_reweigh_per_dataset_follows_the_split_dataset(german):
    X, y, a, splits, _ = german
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    seeds = split_seeds(2)

    def runs(group_reweigh):
        method = {"kind": "fairshap", "label": "x", "valuation": "eop", "alpha": 1.0, "group_reweigh": group_reweigh}
        return table2_method_runs(method, X, y, a, splits, seeds, dataset="german", fairshap=scores)

    pure, combined = runs(False), runs(True)
    assert not pure.equals(combined)
    assert runs({"german": False, "adult": True}).equals(pure)
    assert runs({"german": True, "compas": False}).equals(combined)
    with pytest.raises(ConfigError, match="group_reweigh has no entry for dataset 'german'"):
        runs({"adult": True, "compas": True})


def test_group_reweigh_for_a_pair_takes_precedence_over_its_dataset(german):
    X, y, a, splits, _ = german
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    method = {"kind": "fairshap", "label": "x", "valuation": "eop", "alpha": 1.0}

    def runs(group_reweigh, protected):
        return table2_method_runs({**method, "group_reweigh": group_reweigh}, X, y, a, splits, split_seeds(2),
                                  dataset="german", protected=protected, fairshap=scores)

    pure, combined = runs(False, "sex"), runs(True, "sex")
    assert runs({"german": True, "german_sex": False}, "sex").equals(pure)
    assert runs({"german": True, "german_sex": False}, "age").equals(combined)
    assert runs({"german_sex": True}, "sex").equals(combined)
    with pytest.raises(ConfigError, match=r"no entry for dataset 'german' \(or german_age\)"):
        runs({"german_sex": True}, "age")


def test_fairshap_method_entries_are_typed_with_their_defaults():
    from fairscore.protocols.fairshap_method import fairshap_method

    plain = fairshap_method({"label": "FairShap EOp", "kind": "fairshap", "valuation": "eop", "alpha": 1.0})
    assert (plain.group_reweigh, plain.tie_order, plain.recipe_of, plain.score_set) == (False, "index", None, "fairshap")
    recipe = fairshap_method({"valuation": "eop", "alpha": 1.0, "tie_order": "authors", "recipe_of": "fairshap_eop",
                              "group_reweigh": {"german": False, "adult": True}})
    assert recipe.score_set == "fairshap_authors" and recipe.reweighs("adult") and not recipe.reweighs("german")
    assert recipe.covers("adult", "sex") and not recipe.covers("compas", "sex") and plain.covers("compas")
    with pytest.raises(ConfigError, match=r"methods.x: unknown keys \['valutaion'\]"):
        fairshap_method({"valutaion": "eop", "alpha": 1.0}, where="methods.x")


def _tiny_split(y_train, y_test, a_test):
    n_train, n_test = len(y_train), len(y_test)
    return SplitData(dataset="toy", seed=0, parts={"train": np.zeros((n_train, 1)), "test": np.zeros((n_test, 1))},
                     y={"train": np.asarray(y_train), "test": np.asarray(y_test)},
                     a={"train": np.zeros(n_train, int), "test": np.asarray(a_test)},
                     rows={"train": np.arange(n_train), "test": np.arange(n_test)})


@pytest.mark.parametrize(("y_train", "expected"), [([1, 1, 0], 1), ([0, 0, 1], 0), ([0, 1], 0)])
def test_majority_predicts_the_training_majority_class_for_every_test_row(y_train, expected):
    d = _tiny_split(y_train, [1, 0, 1, 0], [0, 0, 1, 1])
    m = table2_split({"kind": "majority", "label": "Majority class"}, d)
    assert m["pos_rate_a0"] == m["pos_rate_a1"] == expected
    assert m["accuracy"] == 0.5 and m["balanced_accuracy"] == 0.5
    assert m["eop"] == m["eodds"] == 0.0

# ----------------------------------------------------------------------------- cross-family: FairInfl rows
from fairscore.errors import DataError  # noqa: E402
from fairscore.protocols.cross_family import fairinfl_split_scores  # noqa: E402
from fairscore.fairshap.weights import normalise_weights  # noqa: E402
from fairscore.fairinfl.settings import Scoring  # noqa: E402
from fairscore.models.settings import Training  # noqa: E402
from fairscore.fairinfl.rundata import RunData  # noqa: E402
from fairscore.fairinfl.runs import score_model  # noqa: E402

_TINY_TRAINING = Training(hidden=8, lam=1.0, epochs=2, steps=None, batch_size=64, lr=1e-3, betas=(0.9, 0.999),
                          weight_decay=0.0, lr_boundaries=(), lr_decay=1.0)
_SCORING = Scoring(alpha="paper", kernel="full", chunk_size=1000, eta=1.0)


@pytest.fixture(scope="module")
def german_fairinfl(german):
    X, y, a, splits, _ = german
    return [fairinfl_split_scores(X, y, a, s, training=_TINY_TRAINING, scoring=_SCORING, split_index=k,
                                  constraints=["dp", "eo", "tpr"])
            for k, s in enumerate(splits)]


def test_fairinfl_split_scores_cover_the_training_rows_and_are_deterministic(german, german_fairinfl):
    X, y, a, splits, _ = german
    first = german_fairinfl[0]
    assert np.array_equal(first["row"], splits[0]["train"])
    assert set(first) == {"row", "fairness_dp", "fairness_eo", "fairness_tpr"}  # the asked constraints only
    assert all(v.shape == first["row"].shape and np.isfinite(v).all() for v in first.values())
    again = fairinfl_split_scores(X, y, a, splits[0], training=_TINY_TRAINING, scoring=_SCORING, split_index=0,
                                  constraints=["dp", "eo", "tpr"])
    assert all(np.array_equal(first[k], again[k]) for k in first)


def test_fairinfl_split_scores_of_some_constraints_are_the_score_models_scores(german, german_fairinfl):
    X, y, a, splits, _ = german
    parts, split = standardised_parts(X, splits[1]), splits[1]
    d = RunData(parts["train"].astype(np.float32), y[split["train"]], a[split["train"]],
                parts["test"].astype(np.float32), y[split["test"]], a[split["test"]])
    _, every, _ = score_model(d, _TINY_TRAINING, _SCORING, run=1)  # every constraint, accuracy and loss
    assert {"accuracy", "loss", "fairness_cov"} <= set(every)
    eo = fairinfl_split_scores(X, y, a, split, training=_TINY_TRAINING, scoring=_SCORING, split_index=1,
                               constraints=["eo"])
    assert set(eo) == {"row", "fairness_eo"}
    assert eo["fairness_eo"].tobytes() == every["fairness_eo"].tobytes()
    assert german_fairinfl[1]["fairness_dp"].tobytes() == every["fairness_dp"].tobytes()
    with pytest.raises(ConfigError, match=r"constraint = 'dq'; expected one of \('dp', 'tpr', 'fpr', 'eo', 'cov'\)"):
        fairinfl_split_scores(X, y, a, split, training=_TINY_TRAINING, scoring=_SCORING, split_index=1,
                              constraints=["eo", "dq"])


def test_fairinfl_weights_are_fairshap_normalised_abs_scores(german, german_fairinfl):
    X, y, a, splits, _ = german
    method = {"kind": "fairinfl", "label": "x", "constraint": "eo", "use": "weights"}
    ours = table2_method_runs(method, X, y, a, splits, split_seeds(2), dataset="german", fairinfl=german_fairinfl)
    split, seed, s = splits[0], split_seeds(2)[0], german_fairinfl[0]
    parts = standardised_parts(X, split)
    w = normalise_weights(np.abs(s["fairness_eo"]))
    pred = fit_gbc(parts["train"], y[split["train"]], w, seed).predict(parts["test"])
    assert ours.loc[0, "accuracy"] == np.mean(pred == y[split["test"]])


def test_fairinfl_prune_keeps_the_largest_abs_scores(german, german_fairinfl):
    X, y, a, splits, _ = german
    method = {"kind": "fairinfl", "label": "x", "constraint": "dp", "use": "prune", "keep": 0.5}
    ours = table2_method_runs(method, X, y, a, splits, split_seeds(2), dataset="german", fairinfl=german_fairinfl)
    split, seed, s = splits[0], split_seeds(2)[0], german_fairinfl[0]
    parts = standardised_parts(X, split)
    n = len(split["train"])
    kept = np.sort(np.argsort(np.abs(s["fairness_dp"]), kind="stable")[n - round(n / 2):])
    pred = fit_gbc(parts["train"][kept], y[split["train"]][kept], None, seed).predict(parts["test"])
    assert ours.loc[0, "accuracy"] == np.mean(pred == y[split["test"]])


def test_fairinfl_rows_refuse_one_label_weights_and_foreign_scores(german, german_fairinfl):
    X, y, a, splits, _ = german
    tpr = {"kind": "fairinfl", "label": "x", "constraint": "tpr", "use": "weights"}
    with pytest.raises(ConfigError, match="'tpr' weights are 0 for every training row of label"):
        table2_method_runs(tpr, X, y, a, splits, split_seeds(2), dataset="german", fairinfl=german_fairinfl)
    eo = dict(tpr, constraint="eo")
    with pytest.raises(DataError, match="other training rows"):
        table2_method_runs(eo, X, y, a, splits, split_seeds(2), dataset="german", fairinfl=german_fairinfl[::-1])
    with pytest.raises(DataError, match="needs the split's FairInfl scores"):
        table2_method_runs(eo, X, y, a, splits, split_seeds(2), dataset="german")


# ----------------------------------------------------------------------------- distinct-row GBC fits
def test_gbc_fit_on_distinct_rows_predicts_as_the_fit_on_every_row():
    rng = np.random.default_rng(3)
    n = 3000
    X = rng.integers(0, 3, (n, 4)).astype(float)
    X[:, 3] = rng.integers(0, 2, n)  # 108 (row, label) cells: each pair repeats about 28 times
    y = (X[:, 0] + X[:, 3] + rng.standard_normal(n) > 2).astype(int)
    X_test = rng.integers(0, 3, (500, 4)).astype(float)
    n_distinct = len(np.unique(np.column_stack([X, y]), axis=0))
    assert n_distinct < n / 10
    for w in (None, rng.uniform(0, 2, n), np.where(X[:, 3] == 1, 0.7, 1.6)):
        ours = fit_gbc(X, y, w, 11)
        plain = GradientBoostingClassifier(random_state=11).fit(X, y, sample_weight=w)
        assert ours.estimators_[0, 0].tree_.n_node_samples[0] == n_distinct  # fit on the distinct pairs
        np.testing.assert_array_equal(ours.predict(X_test), plain.predict(X_test))
        np.testing.assert_allclose(ours.predict_proba(X_test), plain.predict_proba(X_test), rtol=0, atol=1e-12)
        given = fit_gbc(X, y, w, 11, groups=merge_duplicates(X, y))  # groups made once per split (SplitData)
        np.testing.assert_array_equal(given.predict_proba(X_test), ours.predict_proba(X_test))


def test_gbc_without_duplicates_is_the_plain_fit_bit_for_bit():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((300, 4)), rng.integers(0, 2, 300)
    w = rng.uniform(0.5, 1.5, 300)
    ours = fit_gbc(X, y, w, 5)
    plain = GradientBoostingClassifier(random_state=5).fit(X, y, sample_weight=w)
    assert ours.estimators_[0, 0].tree_.n_node_samples[0] == 300
    np.testing.assert_array_equal(ours.predict_proba(X), plain.predict_proba(X))


# ----------------------------------------------------------------------------- run-time benchmark repeats
def test_runtime_runs_time_the_large_sizes_repeats_large_times():
    from fairscore.protocols.runtime import runtime_runs

    runs = runtime_runs(["group_rw"], sizes=[100, 200, 300], n_features=3, repeats=3, seed=0, repeats_large=1,
                        large_size=200)
    assert runs.groupby("n_total")["repeat"].count().to_dict() == {100: 3, 200: 1, 300: 1}
    full = runtime_runs(["group_rw"], sizes=[100, 200], n_features=3, repeats=2, seed=0, repeats_large=None,
                        large_size=200)
    assert full.groupby("n_total")["repeat"].count().to_dict() == {100: 2, 200: 2}
    with pytest.raises(ConfigError, match="without large_size"):
        runtime_runs(["group_rw"], sizes=[100], n_features=3, repeats=1, seed=0, repeats_large=1)


def test_runtime_runs_time_the_baselines_on_baseline_blas_threads_and_fairshap_on_the_default(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    from fairscore.protocols import runtime

    def blas_threads():
        return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    seen = {}

    def recording(name, fn):
        def wrapped(*args, **kwargs):
            seen[name] = {lib: threads for lib, threads in blas_threads().items() if lib in shown}
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(runtime, "group_reweighing_weights", recording("group_rw", runtime.group_reweighing_weights))
    monkeypatch.setattr(runtime, "fair_shapley_values", recording("fairshap", runtime.fair_shapley_values))
    with threadpool_limits(2, user_api="blas"):
        shown = [lib for lib, threads in blas_threads().items() if threads == 2]  # libraries that can show a cap
        if not shown:
            pytest.skip("no BLAS library here runs 2 threads: a cap of 1 would not show")
        for cap in (1, None):
            runs = runtime.runtime_runs(["fairshap", "group_rw"], sizes=[100], n_features=3, repeats=1, seed=0,
                                        baseline_blas_threads=cap)
            assert seen["group_rw"] == dict.fromkeys(shown, cap or 2), cap
            assert seen["fairshap"] == dict.fromkeys(shown, 2), cap
            recorded = runs.set_index("method")["blas_threads"]
            assert np.isnan(recorded["fairshap"]) and (np.isnan(recorded["group_rw"]) if cap is None
                                                        else recorded["group_rw"] == cap)


# ----------------------------------------------------------------------------- alpha curves reuse Table 2 runs
def test_alpha_curve_takes_alpha_one_and_zero_from_the_table2_runs():
    import pandas as pd

    from fairscore.protocols.fairshap_studies import alpha_curve_runs

    X, y, a, split = toy()
    splits, seeds = [split, toy(seed=1)[3]], [3, 4]
    scores = [fairshap_split_scores(X, y, a, s) for s in splits]
    fresh = alpha_curve_runs("eop", [0.0, 0.5, 1.0], X, y, a, splits, seeds, dataset="toy", fairshap=scores)
    table2 = {1.0: table2_method_runs({"kind": "fairshap", "label": "FairShap EOp", "valuation": "eop", "alpha": 1.0},
                                      X, y, a, splits, seeds, dataset="toy", fairshap=scores),
              0.0: table2_method_runs({"kind": "gbc", "label": "GBC"}, X, y, a, splits, seeds, dataset="toy")}
    reused = alpha_curve_runs("eop", [0.0, 0.5, 1.0], X, y, a, splits, seeds, dataset="toy", fairshap=scores,
                              known=table2)
    pd.testing.assert_frame_equal(reused, fresh)
    with pytest.raises(DataError, match="alpha = 1.0: the given runs cover splits"):
        alpha_curve_runs("eop", [1.0], X, y, a, splits, [3, 5], dataset="toy", fairshap=scores, known=table2)
