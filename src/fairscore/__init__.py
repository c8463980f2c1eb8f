"""fairscore: per-example fairness scores (FairInfl, FairShap) and their reproduction pipeline."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fairscore")
except PackageNotFoundError:  # running from src/ without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
