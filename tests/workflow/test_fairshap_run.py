"""A real Snakemake run of `fairshap_scores` on the test config."""

from __future__ import annotations

import json

import numpy as np

from fairscore.fileio import sha256_file



def test_fairshap_scores_target(shared_build):
    test_workflow = shared_build
    base = test_workflow / "results" / "scores" / "fairshap"
    assert sorted(p.name for p in base.iterdir()) == ["compas_race", "german_sex"]
    with np.load(base / "german_sex" / "0.npz") as z:
        assert len(z["row"]) == 700 and {"eop", "eodds", "w_eop", "w_eodds", "w_acc"} <= set(z.keys())
        assert abs(z["w_eop"].mean() - 1) < 1e-12
    record = json.loads((test_workflow / "results" / "provenance" / "fairshap_scores" / "german_sex.json").read_text())
    assert record["params"]["fairshap"]["k"] == 5
    assert [o["sha256"] for o in record["outputs"]] == [sha256_file(base / "german_sex" / f"{i}.npz") for i in range(3)]
