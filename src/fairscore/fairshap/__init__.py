"""FairShap: exact kNN-Shapley valuations of training rows against a reference set, and the
sample weights built from them (``knn``: the exact kNN-Shapley engine; ``kernels``: its compiled
inner loops; ``valuation``: the fairness valuations φ_acc, φ_eop, φ_eodds, φ_dp; ``weights``:
values → sample weights; ``faces``: the face-image case; ``estimator``: the library's scikit-learn
style :class:`~fairscore.fairshap.estimator.FairShapWeights`)."""
