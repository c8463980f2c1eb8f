"""Datasets: loading, checking and splitting (``tidy``: the tidy-table format; ``aif360``: AIF360's
preprocessed German/Adult/COMPAS; ``csvdata``: a user's own CSV; ``splits``: stratified splits;
``external``, ``images``, ``embeddings``: CelebA, LFWA, FairFace and Jigsaw; ``download``: the data
mirror; ``fixtures`` and ``synthetic``: generated data)."""
