"""Tables, figures and the reproduction report (``tables``; ``compare``: ours vs the paper;
``verdicts``: the statistical rules; ``claims``: the papers' claims and their rules; ``figures``,
``fairshap_figures``, ``fairinfl_figures``; ``sections`` and ``report``: the report)."""
