"""Progress lines of long loops, with a fake clock."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from fairscore.pipeline.progress import Progress, format_seconds, progress

LOG = "fairscore.test_progress"


class FakeClock:
    """A clock that moves by ``step`` seconds at each reading."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOG]


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (42.4, "42 s"), (185, "3 min 05 s"), (7620, "2 h 07 min"),
                                           (-1, "0 s")])
def test_durations_read_as_seconds_minutes_or_hours(seconds, text):
    assert format_seconds(seconds) == text


def test_a_long_loop_logs_every_interval_and_at_the_end(caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    # the clock is read once at the start and once per item; 10 s per item, a line at most every 30 s
    items = list(progress(range(10), "German GBC splits", log=logging.getLogger(LOG), every_s=30,
                          clock=FakeClock(10)))
    assert items == list(range(10))
    assert lines(caplog) == [
        "German GBC splits: 3 of 10 done, 30 s elapsed, ~1 min 10 s remaining",
        "German GBC splits: 6 of 10 done, 1 min 00 s elapsed, ~40 s remaining",
        "German GBC splits: 9 of 10 done, 1 min 30 s elapsed, ~10 s remaining",
        "German GBC splits: 10 of 10 done in 1 min 50 s",
    ]


def test_a_short_loop_logs_nothing(caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    assert list(progress(["a", "b"], "steps", log=logging.getLogger(LOG), every_s=30, clock=FakeClock(1))) == ["a", "b"]
    assert lines(caplog) == []


def test_a_counted_loop_takes_its_total_and_counts_several_at_once(caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    tracker = Progress(100, "training steps", log=logging.getLogger(LOG), every_s=60, clock=FakeClock(40))
    tracker.advance(20)  # 40 s: not yet
    tracker.advance(30)  # 80 s: 50 of 100
    tracker.advance(50)  # the last item: only the end line
    tracker.finish()
    assert lines(caplog) == ["training steps: 50 of 100 done, 1 min 20 s elapsed, ~1 min 20 s remaining",
                             "training steps: 100 of 100 done in 2 min 40 s"]


def test_a_generator_needs_its_total(caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    batches = (b for b in range(4))
    assert list(progress(batches, "batches", total=4, log=logging.getLogger(LOG), every_s=30,
                         clock=FakeClock(20))) == [0, 1, 2, 3]
    assert lines(caplog)[0] == "batches: 2 of 4 done, 40 s elapsed, ~40 s remaining"
    with pytest.raises(TypeError):
        list(progress((b for b in range(4)), "batches"))


def test_exponentiated_gradient_iterations_are_counted_from_fairlearn_s_log(caplog):
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient
    from sklearn.linear_model import LogisticRegression

    from fairscore.fairinfl.runs import iteration_progress

    rng = np.random.default_rng(0)
    X, z = rng.normal(size=(200, 3)), rng.integers(0, 2, 200)
    y = (X[:, 0] + z + rng.normal(size=200) > 0.5).astype(int)
    caplog.set_level(logging.INFO)  # as in a job (fairscore.pipeline.workflow.run)
    mitigator = ExponentiatedGradient(LogisticRegression(), DemographicParity(), max_iter=4, eps=1e-9)
    with iteration_progress(4, clock=FakeClock(30)):  # the clock moves 30 s at each reading
        mitigator.fit(X, y, sensitive_features=z)
    assert [r.getMessage() for r in caplog.records if r.name == "fairscore.pipeline.progress"] == [
        f"exponentiated-gradient iterations (at most): {k} of 4 done, {elapsed} elapsed, ~{left} remaining"
        for k, elapsed, left in ((1, "30 s", "1 min 30 s"), (2, "1 min 00 s", "1 min 00 s"), (3, "1 min 30 s", "30 s"))
    ] + ["exponentiated-gradient iterations (at most): 4 of 4 done in 2 min 30 s"]
    assert not [r for r in caplog.records if r.name.startswith("fairlearn")]  # its DEBUG records stay hidden
    eg_log = logging.getLogger("fairlearn.reductions._exponentiated_gradient.exponentiated_gradient")
    assert eg_log.propagate and not eg_log.handlers  # and its logger is as before
