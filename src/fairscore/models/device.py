"""Device choice for torch work: ``"auto"`` → CUDA when present, else CPU; bf16 autocast on CUDA
when asked (D22).
"""

from __future__ import annotations


import torch

from fairscore.errors import ConfigError

__all__ = [
    "autocast",
    "resolve_device",
]


def resolve_device(device: str) -> torch.device:
    """``auto`` → CUDA if available, else CPU; ``cpu`` or ``cuda`` as given (``cuda`` must exist)."""
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"device = {device!r}; expected auto, cpu or cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device = 'cuda' but no CUDA device is available; use device: auto or cpu")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def autocast(device: torch.device, amp: bool):
    """bfloat16 autocast when ``amp`` and ``device`` is CUDA; a no-op context elsewhere."""
    return torch.autocast("cuda", dtype=torch.bfloat16, enabled=bool(amp) and device.type == "cuda")

