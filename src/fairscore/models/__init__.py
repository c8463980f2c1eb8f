"""Torch models and training shared by both families (``tabular``: the MLP / ResNet heads trained
with a fairness penalty; ``vision``: torchvision backbones for the image cases; ``device``: device
choice and autocast; ``settings``: the typed training settings)."""
