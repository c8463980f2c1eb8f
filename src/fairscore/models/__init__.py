"""Torch models and training shared by both families (``tabular``: the MLP / ResNet heads trained
with a fairness penalty; ``mlp_direct``: the MLP's training loop without autograd; ``memoized``: a
classifier fitted once per distinct input (the reduction's oracle); ``vision``: torchvision
backbones for the image cases; ``device``: device choice and autocast; ``settings``: the typed
training settings)."""
