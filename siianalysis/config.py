"""Where things live, so no notebook or command hard-codes a path.

``SIIANALYSIS_HOME`` points at another project folder; by default it is the
folder holding ``data/`` above the current directory (a clone of this repo).
Nothing happens at import time beyond computing paths.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The project folder: $SIIANALYSIS_HOME, else the nearest parent with data/raw, else cwd."""
    if env := os.environ.get("SIIANALYSIS_HOME"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "data" / "raw").is_dir():
            return candidate
    return here


def raw_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data" / "raw"


def processed_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data" / "processed"


def reports_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "reports"
