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


def resolve_processed_dir(processed_dir: str | Path) -> Path:
    """The processed-data folder a notebook means by ``processed_dir``.

    An absolute path, or a relative one that exists from the current directory,
    is taken as is. Otherwise a relative path is tried against the project
    folder (``project_root()``), and, with its leading ``../`` parts dropped,
    against it as well: the notebooks' default ``"../data/processed"`` is
    written from ``notebooks/``, but papermill may run them from anywhere. If
    nothing exists, the path is returned as given and ``load`` raises a clear
    ``FileNotFoundError``.
    """
    path = Path(processed_dir).expanduser()
    if path.is_absolute() or path.is_dir():
        return path
    parts = path.parts
    while parts and parts[0] in ("..", "."):
        parts = parts[1:]
    package_root = Path(__file__).resolve().parents[1]  # a source checkout: <repo>/siianalysis/config.py
    candidates = [project_root() / path]
    if parts:
        candidates += [project_root() / Path(*parts), package_root / Path(*parts)]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return path
