"""FairInfl: per-example influence of a fairness constraint through the neural tangent kernel,
pruning by it, and the paper's protocols (``influence``: the scores; ``pruning``: which rows to
keep; ``rundata``: one run's data; ``settings``: the typed score, prune and reduction
settings; ``variants``: protocol variants and recipes; ``runs``:
scoring, pruning-and-retraining, baselines and the appendix checks; ``scorer``: the library's
:func:`~fairscore.fairinfl.scorer.fairinfl_scores`)."""
