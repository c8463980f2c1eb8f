"""The library API (`from fairscore import ...`): the README snippet runs, the docstring examples
hold, FairShapWeights is a scikit-learn estimator that gives the pipeline's Table 2 weights,
fairinfl_scores equals the pipeline's scores, and bad input is refused naming the argument."""

from __future__ import annotations

import doctest
import importlib
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone

import fairscore
from fairscore import FairShapWeights, fairinfl_scores
from fairscore.datasets.aif360 import load_aif360_preproc, place_aif360_raw_files
from fairscore.datasets.splits import split_seeds, stratified_split
from fairscore.datasets.tidy import LABEL, PROTECTED, stratify_codes
from fairscore.errors import DataError
from fairscore.fairinfl.influence import fairness_scores
from fairscore.fairshap.weights import interpolate_weights
from fairscore.protocols.table2 import FAIRSHAP_WEIGHTED, fairshap_split_scores

HEADING = "## Use it as a library"


def _readme_snippets(text: str) -> list[str]:
    """The python code blocks between HEADING and the next second-level heading."""
    start = text.index(HEADING) + len(HEADING)
    end = text.find("\n## ", start)
    return re.findall(r"```python\n(.*?)```", text[start:None if end < 0 else end], flags=re.S)


def _data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X, a = rng.normal(size=(n, 3)), rng.integers(0, 2, n)
    y = (X[:, 0] + 0.5 * a + rng.normal(scale=0.5, size=n) > 0).astype(int)
    return X, y, a


# ----------------------------------------------------------------------------- the public names
def test_readme_snippet_runs(root):
    snippets = _readme_snippets((root / "README.md").read_text())
    assert snippets, f"no python block under {HEADING!r} in README.md"
    namespace: dict = {}
    for code in snippets:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    weights, scores = namespace["fs"].sample_weight_, namespace["scores"]
    assert weights.shape == (400,) and np.isclose(weights.mean(), 1.0)
    assert scores.shape == (400,) and np.isfinite(scores).all() and len(namespace["kept"]) == 320


@pytest.mark.parametrize("module", sorted(set(fairscore._PUBLIC.values())))
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_public_name_has_an_example():
    missing = [name for name in fairscore._PUBLIC if ">>> " not in (getattr(fairscore, name).__doc__ or "")]
    assert missing == []


def test_all_lists_the_lazy_names_and_unknown_names_fail():
    assert set(fairscore.__all__) == {"__version__", *fairscore._PUBLIC} and set(fairscore.__all__) <= set(dir(fairscore))
    with pytest.raises(AttributeError, match="no_such_name"):
        fairscore.no_such_name  # noqa: B018


def test_import_fairscore_loads_neither_torch_nor_sklearn():
    code = "import sys, fairscore; print(sorted(m for m in ('torch', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- FairShapWeights
def test_estimator_is_clonable_and_stores_its_parameters():
    est = FairShapWeights("eodds", k=3, alpha=0.4, tie_order="authors")
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy is not est
    assert copy.get_params()["valuation"] == "eodds" and copy.set_params(k=7).k == 7


def test_fit_sets_the_attributes():
    X, y, a = _data()
    fs = FairShapWeights("eop", alpha=0.5).fit(X[:60], y[:60], X_ref=X[60:], y_ref=y[60:], a_ref=a[60:])
    assert fs.values_.shape == fs.sample_weight_.shape == (60,) and fs.n_features_in_ == 3
    assert np.array_equal(fs.values_, fs.valuations_["eop"].to_numpy())
    assert np.isclose(fs.sample_weight_.mean(), 1.0) and fs.sample_weight_.min() == pytest.approx(0.5)
    assert fs.scaler_ is not None and np.allclose(fs.scaler_.mean_, X[:60].mean(axis=0))


def test_without_groups_the_labels_are_the_groups():
    X, y, _ = _data()
    fs = FairShapWeights("eop_bounded", standardize=False).fit(X[:60], y[:60], X_ref=X[60:], y_ref=y[60:])
    assert fs.scaler_ is None and "eop_bounded" in fs.valuations_.columns and fs.sample_weight_.shape == (60,)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "no X_ref and no y_ref"),
    ({"X_ref": "ref"}, "no y_ref"),
    ({"X_ref": "ref", "y_ref": "ref", "X": np.zeros(60)}, r"X has shape \(60,\)"),
    ({"X_ref": np.zeros((30, 2)), "y_ref": "ref"}, "X has 3 features and X_ref 2"),
    ({"X_ref": "ref", "y_ref": "ref", "y": np.zeros(59, dtype=int)}, "y_train has 59 labels for 60 rows"),
    ({"X_ref": "ref", "y_ref": "ref", "a_ref": np.zeros(29, dtype=int)}, "a_ref has 29 values for 30"),
])
def test_fit_refuses_bad_input_naming_the_argument(kwargs, message):
    X, y, a = _data()
    ref = {"X_ref": X[60:], "y_ref": y[60:], "a_ref": a[60:]}
    args = {"X": X[:60], "y": y[:60], "a_ref": ref["a_ref"],
            **{key: ref[key] if isinstance(value, str) else value for key, value in kwargs.items()}}
    with pytest.raises(DataError, match=message):
        FairShapWeights().fit(args.pop("X"), args.pop("y"), **args)


def test_fit_refuses_a_valuation_the_groups_do_not_have():
    X, y, _ = _data()
    with pytest.raises(DataError, match=r"valuation = 'eodds'; expected one of \['acc'"):
        FairShapWeights("eodds").fit(X[:60], y[:60], X_ref=X[60:], y_ref=y[60:])


@pytest.fixture(scope="module")
def german(raw_dir, default_config):
    """German/sex and its first split, made as the pipeline makes them."""
    place_aif360_raw_files({e["aif360_path"]: raw_dir / name for name, e in default_config["raw_files"].items()})
    frame, meta = load_aif360_preproc("german", "sex")
    cfg = default_config["splits"]
    seed = split_seeds(1, seed=cfg["seed"], high=cfg["seed_high"])[0]
    split = stratified_split(stratify_codes(frame, meta), seed=seed, train_fraction=cfg["train_fraction"],
                             validation_fraction=cfg["validation_fraction"])
    X = frame.drop(columns=[LABEL, PROTECTED]).astype(float)
    return X, frame[LABEL].to_numpy(), frame[PROTECTED].to_numpy(), split


def test_weights_equal_the_pipelines_table2_weights_on_german(german, default_config):
    X, y, a, split = german
    options = {key: default_config["fairshap"][key] for key in ("k", "sign")}
    scores = fairshap_split_scores(X, y, a, split, **options)
    train, ref = split["train"], split["validation"]
    for valuation, alpha in zip(FAIRSHAP_WEIGHTED, (1.0, 0.7, 0.3), strict=True):
        fs = FairShapWeights(valuation, alpha=alpha, **options).fit(
            X.iloc[train], y[train], X_ref=X.iloc[ref], y_ref=y[ref], a_ref=a[ref])
        # _predict_fairshap's weights: interpolate_weights(w_<valuation>, alpha)
        assert np.array_equal(fs.sample_weight_, interpolate_weights(scores[f"w_{valuation}"], alpha)), valuation
        assert np.array_equal(fs.values_, scores[valuation])


# ----------------------------------------------------------------------------- fairinfl_scores
def _model(in_features=3, out=1):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(in_features, 8), torch.nn.ReLU(), torch.nn.Linear(8, out)).double()


@pytest.mark.parametrize("constraint", ["dp", "eo"])
def test_fairinfl_scores_equal_the_pipelines_scores(constraint):
    X, y, a = _data()
    model = _model()
    got = fairinfl_scores(model, X, y, sensitive_features=a, constraint=constraint, kernel="chunked", chunk_size=30)
    want = fairness_scores(model, X, a, y, constraint=constraint, kernel="chunked", chunk_size=30)
    assert got.shape == (90,) and np.array_equal(got, want)


@pytest.mark.parametrize(("change", "message"), [
    ({"model": "not a model"}, "model is a str"),
    ({"model": torch.nn.ReLU()}, "model is a ReLU without parameters"),
    ({"model": _model(out=2)}, r"output of shape \(1, 2\)"),
    ({"X": np.zeros((0, 3))}, "X has no rows"),
    ({"y": np.zeros(89, dtype=int)}, "y has 89 values for 90 rows"),
    ({"y": np.full(90, 2)}, r"y has values \[2\]; expected binary"),
    ({"sensitive_features": np.arange(90) % 3}, r"sensitive_features has values \[0, 1, 2\]"),
])
def test_fairinfl_scores_refuse_bad_input_naming_the_argument(change, message):
    X, y, a = _data()
    args = {"model": _model(), "X": X, "y": y, "sensitive_features": a, **change}
    with pytest.raises(DataError, match=message):
        fairinfl_scores(args.pop("model"), args.pop("X"), args.pop("y"), **args)
