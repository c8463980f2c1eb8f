"""Experimental protocols that turn scores into the papers' numbers (``table2``: FairShap Table 2
and its methods; ``fairshap_method``: a typed FairShap method entry; ``baselines``: Group RW, PostPro, LabelBias, OptPrep, IF; ``metrics``: per-split
metrics and aggregation; ``fairshap_studies``: α curves, ablation, synthetic case; ``runtime``:
the run-time study; ``cross_family``: each family's scores in the other's protocol)."""
