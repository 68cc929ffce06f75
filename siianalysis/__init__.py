"""siianalysis: S-I-I area-management worksheets of Thai tambon teams, from the files
teams send to per-tambon and network reports.

Importing the package loads nothing heavy; functions import what they need.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_codebook", "normalise"]


def __getattr__(name: str):
    # Lazy: `import siianalysis` stays fast and side-effect free.
    if name == "normalise":
        from siianalysis.normalise import normalise

        return normalise
    if name == "load_codebook":
        from siianalysis.codebook import load_codebook

        return load_codebook
    raise AttributeError(f"module 'siianalysis' has no attribute {name!r}")
