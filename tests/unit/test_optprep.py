"""OptPrep on arrays gives aif360's own bytes: the masks, the distortion matrices, the draws."""

import numpy as np
import pandas as pd
import pytest
from aif360.algorithms.preprocessing import OptimPreproc, optim_preproc
from aif360.algorithms.preprocessing.optim_preproc_helpers.opt_tools import OptTools

from fairscore.datasets.aif360 import load_aif360_dataset, place_aif360_raw_files
from fairscore.datasets.splits import split_seeds
from fairscore.protocols.optprep import (
    ArrayOptTools,
    _memoised_distortion,
    apply_randomized_mapping,
    optprep_transform,
)

aif360_mapping = optim_preproc._apply_randomized_mapping
OPTIONS = {"epsilon": 0.05, "clist": [0.99, 1.99, 2.99], "dlist": [0.1, 0.05, 0.0]}


@pytest.fixture(scope="module")
def compas(raw_dir, default_config):
    place_aif360_raw_files({e["aif360_path"]: raw_dir / n for n, e in default_config["raw_files"].items()})
    return load_aif360_dataset("compas", "race")


def _mapping(n_rows, seed):
    """A frame of three categorical columns and a row-stochastic map of its domain (with zeros)."""
    rng = np.random.default_rng(seed)
    levels = [["a", "b", "c"], [0.0, 1.0], ["x", "y"]]
    df = pd.DataFrame({name: rng.choice(values, n_rows) for name, values in zip("ABC", levels)})
    df["rest"] = rng.normal(size=n_rows)
    index = pd.MultiIndex.from_product(levels, names=list("ABC"))
    p = rng.random((len(index), len(index))) * (rng.random((len(index), len(index))) < 0.4)
    p[:, 0] += 1e-3
    return df, pd.DataFrame(p / p.sum(axis=1, keepdims=True), index=index, columns=index.copy())


@pytest.mark.parametrize("seed", [0, 7])
def test_randomized_mapping_draws_what_aif360_draws(seed):
    df, mapping = _mapping(3000, seed)
    expected = aif360_mapping(df, mapping, features=list("ABC"), random_seed=seed + 11)
    after_aif360 = np.random.get_state()[1].copy()
    got = apply_randomized_mapping(df, mapping, features=list("ABC"), random_seed=seed + 11)
    pd.testing.assert_frame_equal(got, expected)
    assert np.array_equal(np.random.get_state()[1], after_aif360)  # the same stream, consumed as far
    assert not got[list("ABC")].equals(df[list("ABC")])  # the map moved rows


def test_randomized_mapping_refuses_rows_it_cannot_draw_from():
    df, mapping = _mapping(50, 1)
    bad = mapping.copy()
    bad.iloc[:, 0] += 0.5
    with pytest.raises(ValueError, match="do not sum to 1"):
        apply_randomized_mapping(df, bad, features=list("ABC"), random_seed=0)
    with pytest.raises(KeyError, match="not in the mapping's index"):
        apply_randomized_mapping(df.assign(A="z"), mapping, features=list("ABC"), random_seed=0)


def _fitted_tools(cls, dataset):
    frame, _ = dataset.convert_to_dataframe(de_dummy_code=True, sep="=", set_category=True)
    names = [n for n in frame.columns if n not in dataset.label_names + dataset.protected_attribute_names]
    tools = cls(df=frame, features=names + dataset.label_names + dataset.protected_attribute_names)
    tools.set_features(D=dataset.protected_attribute_names, X=names, Y=dataset.label_names)
    tools.set_distortion(_memoised_distortion("compas"), clist=OPTIONS["clist"])
    return tools


def test_masks_and_distortion_matrices_are_aif360s(compas):
    ours, theirs = _fitted_tools(ArrayOptTools, compas), _fitted_tools(OptTools, compas)
    for name in ["dfMask_Pxyd_to_Pxy", "dfMask_Pxyd_to_Pyd", "dfMask_Pxyd_to_Py", "dfMask_Pxy_to_Py",
                 "dfMask_Pxyd_to_Pd", "dfD"]:
        pd.testing.assert_frame_equal(getattr(ours, name), getattr(theirs, name), check_exact=True)
    assert ours.dfMask_Pxyd_to_Pxy.to_numpy().sum() == len(ours.dfP)  # one column per row
    assert len(ours.CMlist) == 3
    assert all(np.array_equal(a, b) for a, b in zip(ours.CMlist, theirs.CMlist, strict=True))
    again = _fitted_tools(ArrayOptTools, compas)  # the cached matrix
    pd.testing.assert_frame_equal(again.dfD, theirs.dfD, check_exact=True)


def _aif360_transform(dataset, seed):
    attr = dataset.protected_attribute_names[0]
    options = {"distortion_fun": _memoised_distortion("compas"), **OPTIONS}
    optimiser = OptimPreproc(OptTools, options, unprivileged_groups=[{attr: 0.0}], privileged_groups=[{attr: 1.0}],
                             seed=seed, verbose=False)
    transformed = dataset.align_datasets(optimiser.fit(dataset).transform(dataset, transform_Y=True))
    return transformed.features, (transformed.labels.ravel() == dataset.favorable_label).astype(int)


def test_optprep_transform_is_aif360s_on_compas_splits(compas):
    rng = np.random.default_rng(0)
    for seed in split_seeds(2):
        train = compas.subset(np.sort(rng.choice(len(compas.labels), 700, replace=False)))
        X, y = optprep_transform(train, distortion="compas", seed=seed, **OPTIONS)
        X_ref, y_ref = _aif360_transform(train, seed)
        assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)
        assert not np.array_equal(X, train.features)  # the transform changed the data
    assert optim_preproc._apply_randomized_mapping is aif360_mapping  # aif360 restored after use
