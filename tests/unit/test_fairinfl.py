"""FairInfl pruning, trainer, Adult balancing and protocol steps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from fairscore.datasets.tidy import balance_cells
from fairscore.errors import ConfigError, DataError
from fairscore.fairinfl.rundata import balanced_rows, load_run_data, run_data
from fairscore.fairinfl.runs import (
    baseline_rows,
    dp_violation,
    extreme_examples,
    infl_metrics,
    prune_runs,
    reduction_metrics,
    score_model,
    toy_example,
)
from fairscore.fairinfl.settings import Prune, Reduction, Scoring, dataset_training
from fairscore.fairinfl.variants import describe_protocol, sensitivity_summary, variant_protocol, variant_reuse
from fairscore.fileio import read_csv, write_csv
from fairscore.models.settings import Training
from fairscore.settings import as_params, section
from fairscore.fairinfl.influence import explicit_scores, fairness_scores
from fairscore.fairinfl.pruning import keep_indices, kept_count
from fairscore.reporting.fairinfl_figures import sensitivity_caption
from fairscore.models.tabular import (
    FairMLPClassifier,
    _group_gap,
    build_model,
    mlp,
    predict_labels,
    train_fair,
    train_stacked,
)

TRAINING_CONFIG = {"hidden": 8, "lam": 1.0, "epochs": 2, "steps": None, "batch_size": 32, "lr": 1e-3,
                   "betas": [0.9, 0.999], "weight_decay": 5e-4, "lr_boundaries": [], "lr_decay": 1.0}
SCORING_CONFIG = {"alpha": "paper", "kernel": "full", "chunk_size": 1000, "eta": 1.0}
PRUNE_CONFIG = {"constraint": "dp", "strategies": ["random", "fairness", "accuracy"], "fractions": [0.5, 1.0],
                "sign": "abs"}
TRAINING, SCORING = section(Training, TRAINING_CONFIG), section(Scoring, SCORING_CONFIG)


def prune(**overrides) -> Prune:
    return section(Prune, PRUNE_CONFIG, overrides)


def toy_data(n=400, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    z = rng.integers(0, 2, n)
    y = (X[:, 0] + z + 0.5 * rng.standard_normal(n) > 0.5).astype(int)
    return X, y, z


def test_pruning_keeps_the_requested_count_and_the_right_examples():
    fairness = np.array([0.5, -3.0, 0.1, 2.0, -0.5, 0.0])
    accuracy = np.array([1.0, 0.0, 0.0, 2.0, 1.0, 3.0])
    assert kept_count(0.5, 6) == 3 and kept_count(0.05, 10) == 1  # round(0.5) = 0, at least one kept
    np.testing.assert_array_equal(keep_indices("fairness", 0.5, n=6, fairness=fairness), [1, 3, 4])  # |S| 3, 2, 0.5
    # ties: |0.5| at rows 0 and 4; the lower index is removed first, so row 4 stays
    np.testing.assert_array_equal(keep_indices("fairness", 2 / 6, n=6, fairness=fairness), [1, 3])
    np.testing.assert_array_equal(keep_indices("accuracy", 0.5, n=6, accuracy=accuracy), [1, 2, 4])  # smallest, tie
    random = keep_indices("random", 0.5, n=6, seed=4426)
    np.testing.assert_array_equal(random, np.sort(np.random.RandomState(4426).choice(6, 3, replace=False)))
    with pytest.raises(ConfigError, match="prune strategy 'loss'"):
        keep_indices("loss", 0.5, n=6)
    with pytest.raises(DataError, match="kept fraction 0"):
        kept_count(0, 6)


def test_balance_cells_downsamples_every_cell_to_the_smallest():
    y = np.array([0] * 50 + [1] * 30)
    z = np.array([0] * 20 + [1] * 30 + [0] * 12 + [1] * 18)
    rows = balance_cells(y, z, seed=0)
    assert len(rows) == 48 and (np.diff(rows) > 0).all()
    for label in (0, 1):
        for group in (0, 1):
            assert ((y[rows] == label) & (z[rows] == group)).sum() == 12
    np.testing.assert_array_equal(rows, balance_cells(y, z, seed=0))


def test_mlp_initialisation_is_truncated_lecun_normal_and_seeded():
    model = mlp(100, 64, seed=3)
    w = model[0].weight.detach()
    std = np.sqrt(1 / 100)
    assert abs(w.std().item() - std) < 0.1 * std and w.abs().max().item() <= 2 * std / 0.87962566103423978 + 1e-6
    assert (model[0].bias == 0).all() and torch.equal(w, mlp(100, 64, seed=3)[0].weight.detach())


def test_retraining_is_deterministic_for_a_seed():
    X, y, z = toy_data()
    runs = [train_fair(mlp(6, 8, seed=1), X.astype(np.float32), y, z, lam=1.0, steps=50, seed=7) for _ in range(2)]
    for p, q in zip(runs[0].parameters(), runs[1].parameters(), strict=True):
        assert torch.equal(p, q)


def test_stacked_training_equals_separate_training():
    X, y, z = toy_data()
    subsets = [np.arange(0, 400, 2), np.arange(150), np.arange(400)]
    models = [mlp(6, 8, seed=1, dtype=torch.float64) for _ in subsets]
    separate = [train_fair(mlp(6, 8, seed=1, dtype=torch.float64), X[s], y[s], z[s], lam=1.0, steps=40, seed=7,
                           batch_size=32) for s in subsets]
    train_stacked(models, X, y, z, subsets, lam=1.0, steps=40, seed=7, batch_size=32)
    for a, b in zip(separate, models, strict=True):
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-10, atol=1e-12)


def test_lambda_lowers_the_group_gap_of_the_logits():
    X, y, z = toy_data(n=800)
    X = np.column_stack([X, z]).astype(np.float32)  # the group is a feature, as sex is on Adult

    def gap(lam):
        model = train_fair(mlp(7, 16, seed=0), X, y, z, lam=lam, steps=400, seed=0, batch_size=64, lr=1e-2)
        f = model(torch.as_tensor(X)).detach().numpy().ravel()
        return abs(f[z == 1].mean() - f[z == 0].mean())

    assert gap(1.0) < 0.5 * gap(0.0)


def test_sklearn_wrapper_honours_sample_weight_and_clones():
    X, y, _ = toy_data()
    clf = FairMLPClassifier(hidden=8, steps=60, batch_size=400, seed=0)
    plain = clf.fit(X, y).predict(X)
    weighted = clone(clf).fit(X, y, sample_weight=np.where(y == 1, 5.0, 0.2)).predict(X)
    assert weighted.mean() > plain.mean()  # up-weighting positives predicts more positives
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict(X), plain)


def test_training_steps_follow_d17():
    assert replace(TRAINING, epochs=200, batch_size=128).steps_for(5340) == 200 * 42
    assert replace(TRAINING, steps=78000).steps_for(5340) == 78000


def test_settings_are_typed_once_with_each_default_in_one_place():
    assert TRAINING.betas == (0.9, 0.999) and TRAINING.lr_boundaries == () and TRAINING.architecture == "mlp"
    assert (SCORING.batch_size, SCORING.grad_batch_size) == (1024, 256)
    assert section(Training, as_params(TRAINING)) == TRAINING  # params round-trip (what rules pass to scripts)
    assert as_params(TRAINING)["betas"] == [0.9, 0.999] and as_params(TRAINING)["device"] == "auto"
    with pytest.raises(ConfigError, match=r"fairinfl.training: unknown keys \['hiden'\]"):
        section(Training, TRAINING_CONFIG, {"hiden": 3}, where="fairinfl.training")
    with pytest.raises(ConfigError, match=r"fairinfl.reduction: missing keys \['steps'\]"):
        section(Reduction, {"bound": 0.01, "eps": 0.01, "max_iter": 2, "eta0": 2.0}, where="fairinfl.reduction")
    infl = {"training": TRAINING_CONFIG, "celeba": {"training": {"architecture": "resnet_two_fc", "hidden": 256},
                                                    "retrain": {"steps": 10}}}
    celeba, retrain = dataset_training(infl, "celeba"), dataset_training(infl, "celeba", retrain=True)
    assert (celeba.architecture, celeba.hidden, celeba.steps, retrain.steps) == ("resnet_two_fc", 256, None, 10)


def test_full_fraction_retrain_equals_the_score_model():
    X, y, z = toy_data()
    d = run_data(X, y, z, run=0)
    _, scores, lfatr = score_model(d, TRAINING, SCORING, run=0)
    assert set(scores) == {"fairness_dp", "fairness_tpr", "fairness_fpr", "fairness_eo", "fairness_cov",
                           "accuracy", "loss"}
    runs = prune_runs(d, scores, training=TRAINING, prune=prune(strategies=["random", "fairness"]), run=0)
    assert list(runs.kept) == [160, 320, 160, 320]
    full = runs[runs.fraction == 1.0]
    assert np.allclose(full.accuracy, lfatr["accuracy"]) and np.allclose(full.violation, lfatr["violation"])


def test_dp_violation_is_signed():
    assert dp_violation([1, 1, 0, 0], [1, 1, 0, 0]) == 1.0
    assert dp_violation([1, 0, 1, 1], [1, 1, 0, 0]) == -0.5


def test_toy_scores_are_proportional_to_abs_x_and_the_low_ones_are_dropped():
    toy = {"means": {"z0_y0": -2.0, "z1_y0": -1.0, "z0_y1": 1.5, "z1_y1": 2.5}, "sd": 1.0, "n_per_cell": 300,
           "drop_fraction": 0.2}
    points, models = toy_example(**toy, seed=0, scoring=SCORING)
    dropped = points[points.dropped]
    assert len(dropped) == 240 and dropped.x.abs().max() < points[~points.dropped].x.abs().median()
    ratio = points.score.abs() / points.x.abs()  # §5: balanced groups make Σ_j b_j = 0, so |S(i)| ∝ |x_i|
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-9)
    assert list(models.model) == ["all points", "low-|S| points weighted 0"] and models.violation_abs.le(1).all()


# ----------------------------------------------------------------------------- CelebA and Jigsaw (image and text)
RESNET = replace(TRAINING, architecture="resnet_two_fc", blocks=(1, 1, 1, 1), hidden=8, steps=2, batch_size=4,
                 augment=True, device="cpu")


def test_fixed_partitions_and_feature_modes():
    X = np.arange(24, dtype=np.uint8).reshape(6, 4) * 10
    y, z = np.array([0, 1, 0, 1, 0, 1]), np.array([1, 1, 0, 0, 1, 0])
    test = np.array([False, True, False, False, True, False])
    for run in (0, 3):  # a fixed partition does not depend on the run
        d = run_data(X, y, z, run=run, test=test, features="none")
        np.testing.assert_array_equal(d.X_test, X[test].astype(np.float32))
        np.testing.assert_array_equal(d.y_train, y[~test])
    np.testing.assert_allclose(run_data(X, y, z, run=0, test=test, features="pixels").X_train, X[~test] / 255.0)
    standard = run_data(X, y, z, run=0, test=test, features="standardise").X_train
    np.testing.assert_allclose(standard.mean(axis=0), 0, atol=1e-6)
    with pytest.raises(DataError, match="features = 'raw'"):
        run_data(X, y, z, run=0, features="raw")


def test_load_run_data_reads_images_and_leaves_out_the_validation_partition(tmp_path):
    images = np.arange(5 * 3 * 2 * 2, dtype=np.uint8).reshape(5, 3, 2, 2)
    partition = np.array(["train", "valid", "test", "train", "valid"])
    np.savez(tmp_path / "celeba.npz", images=images, y=np.array([0, 1, 1, 0, 1]), z=np.array([1, 0, 1, 0, 0]),
             partition=partition)
    d = load_run_data(tmp_path / "celeba.npz", run=0, features="pixels")
    assert d.X_train.shape == (2, 3, 2, 2) and d.X_test.shape == (1, 3, 2, 2)
    np.testing.assert_allclose(d.X_test[0], images[2] / 255.0)
    np.testing.assert_array_equal(d.y_train, [0, 0])


def test_resnet_two_fc_is_a_seeded_cifar_resnet_with_two_fc_layers():
    a = build_model(RESNET, 0, seed=3)
    b = build_model(RESNET, 0, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert a.conv1.kernel_size == (3, 3) and a.conv1.stride == (1, 1) and isinstance(a.maxpool, torch.nn.Identity)
    assert [type(m).__name__ for m in a.fc] == ["Linear", "ReLU", "Linear"] and a.fc[0].out_features == 8
    assert a(torch.zeros(2, 3, 12, 12)).shape == (2, 1)
    with pytest.raises(ConfigError, match="training.architecture = 'vgg'"):
        build_model(replace(RESNET, architecture="vgg"), 0, seed=0)


def test_resnet_scores_equal_the_explicit_ntk_definition():
    """The O(n) scores (one VJP, one JVP) on a conv net with batch norm (eval mode) match Eq. 35
    computed from the explicit n × P Jacobian."""
    rng = np.random.default_rng(0)
    X = rng.random((6, 3, 8, 8)).astype(np.float32)
    y, z = np.array([0, 1, 0, 1, 1, 0]), np.array([1, 1, 0, 0, 1, 0])
    model = build_model(RESNET, 0, seed=0).double()
    train_fair(model, X.astype(np.float64), y, z, lam=1.0, steps=2, seed=0, batch_size=4, augment=True)
    for constraint in ("dp", "eo"):
        fast = fairness_scores(model, X.astype(np.float64), z, y, constraint=constraint, batch_size=4)
        np.testing.assert_allclose(fast, explicit_scores(model, X.astype(np.float64), z, y, constraint=constraint),
                                   rtol=1e-8, atol=1e-14)


def test_resnet_runs_are_deterministic_and_retrains_run_one_after_another():
    rng = np.random.default_rng(1)
    X = rng.random((24, 3, 8, 8)).astype(np.float32)
    y, z = rng.integers(0, 2, 24), rng.integers(0, 2, 24)
    d = run_data(X, y, z, run=0, test=np.arange(24) >= 16, features="none")
    scoring = replace(SCORING, batch_size=8, grad_batch_size=4)
    model, scores, _ = score_model(d, RESNET, scoring, run=0)
    again, scores_again, _ = score_model(d, RESNET, scoring, run=0)
    for name in scores:
        np.testing.assert_array_equal(scores[name], scores_again[name])
    runs = prune_runs(d, scores, training=RESNET, prune=prune(strategies=["fairness"]), run=0)
    assert runs["kept"].tolist() == [8, 16]
    full = runs[runs["fraction"] == 1.0].iloc[0]
    pred = predict_labels(model, d.X_test)
    assert full["accuracy"] == pytest.approx(np.mean(pred == d.y_test))  # the full retrain is the score model
    with pytest.raises(ConfigError, match="reduction baseline trains the MLP only"):
        reduction_metrics(d, RESNET, Reduction(bound=0.01, eps=0.01, max_iter=2, eta0=2.0, steps=1), run=0)


def test_extreme_examples_rank_signed_scores_with_stable_ties():
    out = extreme_examples([0.5, -2.0, 3.0, 0.5, -2.0], count=2)
    assert out["end"].tolist() == ["highest", "highest", "lowest", "lowest"]
    assert out["train"].tolist() == [2, 0, 1, 4] and out["rank"].tolist() == [1, 2, 1, 2]
    with pytest.raises(DataError, match="count = 6"):
        extreme_examples([1.0] * 5, count=6)


def test_authors_group_means_broadcast_to_the_total_and_cancel_the_fairness_term():
    """The authors' relaxed DP term (UCSC-REAL/FairInfl metrics.constraints, JAX; JAX is not installed
    here, so it is written with torch, whose ``where`` broadcasts the same way):
    ``where(z > 0, logits, 0).sum() / (count(z > 0) + eps)`` with logits of shape (B, 1) and groups
    of shape (B,). ``where`` broadcasts them to (B, B) (entry [i, j] = f_i when z_j > 0), so the
    sum is Σf · count(z > 0) and both "group means" are Σf: the term and its gradient vanish.
    With logits of shape (B,) (the intended computation, our trainer's) it is the real gap."""
    eps = 1e-8
    z = torch.tensor([1, 1, 1, 0, 0, 0, 0, 1.0])
    weight = torch.tensor([[0.3], [-0.2]], requires_grad=True)
    X = torch.tensor([[1.0, 0.0], [2.0, 1.0], [1.5, -1.0], [-1.0, 0.5], [-2.0, 1.0], [0.0, 0.0], [-0.5, 2.0],
                      [1.0, 1.0]])
    logits = X @ weight  # (B, 1), as the authors' MLP returns it

    def authors_term(f):
        group_a = torch.where(z > 0, f, 0).sum() / (torch.where(z > 0, 1, 0).sum() + eps)
        group_b = torch.where(z <= 0, f, 0).sum() / (torch.where(z <= 0, 1, 0).sum() + eps)
        return group_a, group_b, torch.abs(group_a - group_b)

    assert torch.where(z > 0, logits, 0).shape == (8, 8)
    group_a, group_b, term = authors_term(logits)
    assert torch.allclose(group_a, logits.sum()) and torch.allclose(group_b, logits.sum())
    (broadcast_grad,) = torch.autograd.grad(term, weight, retain_graph=True)
    flat_a, flat_b, gap = authors_term(logits.squeeze(1))  # the intended (B,)-shaped computation
    (intended_grad,) = torch.autograd.grad(gap, weight)
    real_gap = logits[z > 0].mean() - logits[z <= 0].mean()
    assert torch.allclose(flat_a - flat_b, real_gap) and torch.allclose(gap, _group_gap(logits.squeeze(1), z))
    assert abs(real_gap.item()) > 0.5 and term.item() < 1e-6
    assert broadcast_grad.abs().max().item() < 1e-6 < 0.1 < intended_grad.abs().max().item()


def test_prune_by_fairness_keeps_the_largest_signed_scores_with_sign_signed():
    fairness = np.array([0.5, -3.0, 0.1, 2.0, -0.5, 0.0])
    np.testing.assert_array_equal(keep_indices("fairness", 0.5, n=6, fairness=fairness), [1, 3, 4])
    np.testing.assert_array_equal(keep_indices("fairness", 0.5, n=6, fairness=fairness, sign="signed"), [0, 2, 3])
    np.testing.assert_array_equal(keep_indices("fairness", 0.5, n=6, fairness=fairness, sign="abs"), [1, 3, 4])
    with pytest.raises(ConfigError, match="sign 'max'"):
        keep_indices("fairness", 0.5, n=6, fairness=fairness, sign="max")


def test_infl_metrics_report_group_positive_rates_and_balanced_accuracy():
    y = np.array([1, 1, 0, 0, 1, 0])
    z = np.array([0, 0, 0, 1, 1, 1])
    metrics = infl_metrics(np.array([1, 0, 0, 1, 1, 1]), y, z)
    assert metrics["pos_rate_a0"] == pytest.approx(1 / 3) and metrics["pos_rate_a1"] == 1.0
    assert metrics["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 3) / 2)  # recall of 1: 2/3, of 0: 1/3
    assert metrics["violation"] == pytest.approx(2 / 3) and metrics["accuracy"] == pytest.approx(3 / 6)
    constant = infl_metrics(np.ones(6, dtype=int), y, z)
    assert constant["balanced_accuracy"] == 0.5 and constant["violation"] == 0.0


def test_balanced_rows_by_label_and_sex_by_sex_or_none():
    y = np.array([0] * 50 + [1] * 30)
    z = np.array([0] * 20 + [1] * 30 + [0] * 12 + [1] * 18)
    np.testing.assert_array_equal(balanced_rows(y, z, balancing="label_sex", seed=0), balance_cells(y, z, seed=0))
    rows = balanced_rows(y, z, balancing="sex", seed=0)
    assert (z[rows] == 0).sum() == (z[rows] == 1).sum() == 32 and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(balanced_rows(y, z, balancing="none", seed=0), np.arange(80))
    with pytest.raises(ConfigError, match="balancing = 'label'"):
        balanced_rows(y, z, balancing="label", seed=0)


INFL = {"adult": {"balancing": "label_sex"}, "training": TRAINING_CONFIG, "scores": SCORING_CONFIG,
        "prune": PRUNE_CONFIG,
        "variants": {"same": {}, "signed": {"sign": "signed"}, "chunked": {"kernel": "chunked"},
                     "lam_0_0": {"lam": 0.0}, "lam_1_0": {"retrain_lam": 0.0}, "sex": {"balancing": "sex"},
                     "authors": {"lam": 0.0, "sign": "signed", "training": {"steps": 50, "lr_boundaries": [10]},
                                 "retrain": {"lr_decay": 0.9}}}}


def test_variant_protocol_merges_the_overrides_over_the_default():
    default = variant_protocol(INFL)
    assert default == variant_protocol(INFL, "same")
    assert default.training == TRAINING and default.scores == SCORING and default.prune == prune()
    assert default.training.lam == default.retrain.lam == 1.0 and default.prune.sign == "abs"
    lam00 = variant_protocol(INFL, "lam_0_0")
    assert lam00.training.lam == lam00.retrain.lam == 0.0
    lam10 = variant_protocol(INFL, "lam_1_0")
    assert (lam10.training.lam, lam10.retrain.lam) == (1.0, 0.0)
    authors = variant_protocol(INFL, "authors")
    assert authors.training.steps == authors.retrain.steps == 50 and authors.training.lr_boundaries == (10,)
    assert authors.training.lr_decay == 1.0 and authors.retrain.lr_decay == 0.9
    assert authors.training.hidden == TRAINING.hidden and authors.prune.sign == "signed"
    assert variant_protocol(INFL, "chunked").scores.kernel == "chunked" and SCORING.kernel == "full"
    assert describe_protocol(authors) == "λ 0/0, signed S, full kernel, α paper, label×sex-balanced, 50 steps"
    with pytest.raises(ConfigError, match="no variant 'nope'"):
        variant_protocol(INFL, "nope")
    with pytest.raises(ConfigError, match=r"unknown keys \['steps'\]"):
        variant_protocol({**INFL, "variants": {"bad": {"steps": 10}}}, "bad")
    with pytest.raises(ConfigError, match="sign = 'max'"):
        variant_protocol({**INFL, "variants": {"bad": {"sign": "max"}}}, "bad")
    with pytest.raises(ConfigError, match=r"^fairinfl.adult.retrain: unknown keys \['hiden'\]"):
        variant_protocol({**INFL, "adult": {**INFL["adult"], "retrain": {"hiden": 3}}})
    with pytest.raises(ConfigError, match=r"fairinfl.adult.retrain or fairinfl.variants.bad.retrain: unknown keys"):
        variant_protocol({**INFL, "variants": {"bad": {"retrain": {"hiden": 3}}}}, "bad")


def test_variant_reuse_shares_only_what_cannot_differ():
    assert variant_reuse(INFL, "signed") == {"model": True, "scores": True, "strategies": ["random", "accuracy"],
                                             "baselines": True}
    assert variant_reuse(INFL, "chunked") == {"model": True, "scores": False, "strategies": ["random", "accuracy"],
                                              "baselines": True}
    assert variant_reuse(INFL, "lam_1_0") == {"model": True, "scores": True, "strategies": [], "baselines": True}
    assert variant_reuse(INFL, "lam_0_0") == {"model": False, "scores": False, "strategies": [], "baselines": True}
    assert variant_reuse(INFL, "sex") == {"model": False, "scores": False, "strategies": [], "baselines": False}
    assert variant_reuse(INFL, "authors")["baselines"] is False
    assert variant_reuse(INFL, "same")["strategies"] == ["random", "fairness", "accuracy"]


def test_prune_runs_copy_reused_strategies_and_keep_the_row_order():
    X, y, z = toy_data()
    d = run_data(X, y, z, run=0)
    _, scores, _ = score_model(d, TRAINING, SCORING, run=0)
    common = {"training": TRAINING, "run": 0}
    both, signed_both = prune(strategies=["random", "fairness"]), prune(strategies=["random", "fairness"], sign="signed")
    full = prune_runs(d, scores, **common, prune=both)
    signed = prune_runs(d, scores, **common, prune=signed_both, reused=full, reuse=["random"])
    assert list(signed.strategy) == ["random", "random", "fairness", "fairness"]
    assert signed[signed.strategy == "random"].equals(full[full.strategy == "random"])
    alone = prune_runs(d, scores, **common, prune=signed_both)
    np.testing.assert_allclose(signed.accuracy, alone.accuracy)
    assert not np.allclose(signed[signed.strategy == "fairness"].violation, full[full.strategy == "fairness"].violation)
    with pytest.raises(DataError, match="expected run 1"):
        prune_runs(d, scores, training=TRAINING, run=1, prune=both, reused=full, reuse=["random"])
    with pytest.raises(DataError, match="no earlier prune rows"):
        prune_runs(d, scores, **common, prune=both, reuse=["random"])


def test_reused_prune_rows_read_back_from_csv_match_every_configured_fraction(tmp_path):
    """Fractions such as 0.3, 0.6, 0.7 come back from a written CSV as the config's doubles
    (pandas' default parser returns 0.29999999999999993, and the reuse found 16 of 22 rows)."""
    X, y, z = toy_data()
    d = run_data(X, y, z, run=0)
    _, scores, _ = score_model(d, TRAINING, SCORING, run=0)
    fractions = [0.3, 0.6, 0.7, 1.0]
    full = prune_runs(d, scores, training=TRAINING, run=0, prune=prune(strategies=["random"], fractions=fractions))
    write_csv(full, tmp_path / "prune.csv")
    reused = read_csv(tmp_path / "prune.csv")
    assert reused["fraction"].tolist() == fractions
    signed = prune(strategies=["random", "fairness"], fractions=fractions, sign="signed")
    again = prune_runs(d, scores, training=TRAINING, run=0, prune=signed, reused=reused, reuse=["random"])
    assert again[again.strategy == "random"]["accuracy"].tolist() == full["accuracy"].tolist()


def summary_frame(differences, runs=3):
    """Prune rows of one variant: random |violation| 0.2 (accuracy 0.8), fairness 0.2 + difference + run noise."""
    rows = []
    for fraction, difference in differences.items():
        for run in range(runs):
            noise = 0.01 * (run - 1)
            rows += [{"run": run, "strategy": "random", "fraction": fraction, "violation_abs": 0.2, "accuracy": 0.8},
                     {"run": run, "strategy": "fairness", "fraction": fraction, "violation_abs": 0.2 + difference + noise,
                      "accuracy": 0.78}]
    return pd.DataFrame(rows)


def test_sensitivity_summary_decides_whether_a_variant_rescues_the_claim():
    prunes = {"lower": summary_frame({0.1: 0.0, 0.2: -0.1, 0.4: -0.1}),
              "mixed": summary_frame({0.1: -0.1, 0.2: -0.1, 0.4: 0.0}),
              "one_run": summary_frame({0.1: -0.1, 0.2: -0.1, 0.4: -0.1}, runs=1)}
    summary = sensitivity_summary(prunes, fractions=[0.1, 0.2, 0.4], claim_fractions=[0.2, 0.4])
    verdict = summary.drop_duplicates("variant").set_index("variant")["rescues_claim"]
    assert verdict.to_dict() == {"lower": "yes", "mixed": "no", "one_run": "undetermined"}
    lower = summary[summary.variant == "lower"].set_index("fraction")
    assert list(lower.fairness_lower) == ["", "yes", "yes"]
    assert lower.loc[0.2, "difference_violation_abs_mean"] == pytest.approx(-0.1)
    assert lower.loc[0.2, "difference_violation_abs_se"] == pytest.approx(0.01 / np.sqrt(3))
    assert lower.loc[0.2, "difference_accuracy_mean"] == pytest.approx(-0.02)
    caption = sensitivity_caption(summary.assign(description="d"), claim_fractions=[0.2, 0.4])
    assert "Variants that rescue the claim: lower." in caption and "Undetermined (fewer than two runs): one_run" in caption
    with pytest.raises(DataError, match="missing fractions \\[0.3\\]"):
        sensitivity_summary(prunes, fractions=[0.3], claim_fractions=[0.3])
    with pytest.raises(ConfigError, match="claim_fractions"):
        sensitivity_summary(prunes, fractions=[0.1], claim_fractions=[0.2])


def test_a_variant_copies_the_reduction_row_exactly_when_the_oracle_is_the_same(tmp_path, monkeypatch):
    X, y, z = toy_data(120, 4)
    d = run_data(X.astype(np.float32), y, z, run=0, test=np.arange(120) >= 90, features="none")
    reduction = Reduction(bound=0.01, eps=0.01, max_iter=3, eta0=2.0, steps=None)
    both = ["erm", "reduction"]
    write_csv(baseline_rows(d, TRAINING, reduction, baselines=both, run=0), tmp_path / "default.csv")
    default = read_csv(tmp_path / "default.csv")
    # the authors'-code variant: λ 0, another lr schedule, the same budget as steps (2 epochs of ⌈90/32⌉)
    variant = replace(TRAINING, lam=0.0, steps=6, lr_boundaries=(2,), lr_decay=0.2)
    copied = baseline_rows(d, variant, reduction, baselines=both, run=0, default_rows=default,
                           default_training=TRAINING)
    fresh = baseline_rows(d, variant, reduction, baselines=both, run=0)
    write_csv(copied, tmp_path / "copied.csv")
    write_csv(fresh, tmp_path / "fresh.csv")
    assert (tmp_path / "copied.csv").read_bytes() == (tmp_path / "fresh.csv").read_bytes()

    def refit(*args, **kwargs):
        raise AssertionError("refitted")

    monkeypatch.setattr("fairscore.fairinfl.runs.reduction_metrics", refit)
    baseline_rows(d, variant, reduction, baselines=["reduction"], run=0, default_rows=default,
                  default_training=TRAINING)  # copied: no refit
    for other in (replace(variant, lr=2e-3), replace(variant, steps=7), replace(variant, hidden=9)):
        with pytest.raises(AssertionError, match="refitted"):
            baseline_rows(d, other, reduction, baselines=["reduction"], run=0, default_rows=default,
                          default_training=TRAINING)
    with pytest.raises(DataError, match="hold 0 reduction rows of run 1; expected 1"):
        baseline_rows(d, variant, reduction, baselines=["reduction"], run=1, default_rows=default,
                      default_training=TRAINING)
