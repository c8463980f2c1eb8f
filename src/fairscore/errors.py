"""Exceptions raised by fairscore.

Every message names the file, key or value at fault and what was expected.
Each class also subclasses a builtin so callers may catch either.
"""

__all__ = ["ConfigError", "DataError", "DownloadError", "FairscoreError"]


class FairscoreError(Exception):
    """Base class of all fairscore errors."""


class ConfigError(FairscoreError, ValueError):
    """A configuration value is missing, unknown or out of range."""


class DataError(FairscoreError, ValueError):
    """Input data is malformed, inconsistent or degenerate."""


class DownloadError(FairscoreError, OSError):
    """A file could not be obtained from any source, or its checksum did not match."""
