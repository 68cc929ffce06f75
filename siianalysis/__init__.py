"""siianalysis: S-I-I area-management worksheets of Thai tambon teams, from the files
teams send to per-tambon and network reports.

A researcher starts here (a notebook, a Python prompt)::

    import siianalysis as sii

    ds = sii.load()                 # the project's data/processed; or sii.load("path/to/processed")
    ds.tambons, ds.rows, ds.ticks   # the processed tables, pandas frames (also texts, problems, feedback)
    ds.codebook.table("people")     # the codebook: tables, rows, outcomes, S-I-I lenses
    sii.tambon_scores(ds)           # every score, one line per tambon (formulas: help(sii.analysis.scores))
    sii.network_positions(ds)       # where each tambon stands in the network and its province

Where the rest lives, in the order the data flows (each package's docstring says more)::

    readers/    raw files (xlsx ods docx csv, zips) -> grids of text cells that know their cell
    parse/      grids -> worksheets matched to the codebook, tambons resolved (geothai)
    normalise   raw folder -> processed tables (schemas: their columns, checked before writing)
    analysis/   Dataset, scores, strengths and gaps, Thai text, every table and figure of the reports
    sections/   the report sections: analysis tables and figures assembled as HTML
    report/     notebooks rendered to HTML for every tambon and the network
    workshop/   the workshop loop: blank template, review workbook out and in, compilation, bundle
    words       every word shown to people (data/report_text.yaml), Thai and English
    codebook    the worksheets' one source of truth (data/codebook.yaml)
    ids, config the tambon-id rule; where the project's folders are

Importing the package loads nothing heavy: every name below is imported on first
use (module ``__getattr__``), and importing has no side effects.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_EXPORTS: dict[str, str] = {
    "Dataset": "siianalysis.analysis.dataset",
    "table_scores": "siianalysis.analysis.scores",
    "outcome_reach": "siianalysis.analysis.scores",
    "pillar_scores": "siianalysis.analysis.scores",
    "lens_scores": "siianalysis.analysis.scores",
    "tambon_scores": "siianalysis.analysis.scores",
    "positions": "siianalysis.analysis.scores",
    "position": "siianalysis.analysis.scores",
    "network_positions": "siianalysis.analysis.scores",
    "network_position": "siianalysis.analysis.scores",
    "percentile_rank": "siianalysis.analysis.scores",
    "Codebook": "siianalysis.codebook",
    "load_codebook": "siianalysis.codebook",
    "resolve_processed_dir": "siianalysis.config",
}
# what a researcher reaches as attributes (``sii.analysis.scores``, ``sii.words.t``); the
# commands' packages (report, workshop) are imported by name. Kept to the analysis side:
# a report notebook that imports ``siianalysis`` counts these as code it runs.
_SUBMODULES = ("analysis", "sections", "words", "codebook", "config", "ids", "schemas")

__all__ = sorted(["__version__", "load", *_EXPORTS])


def load(processed_dir: str | Path | None = None, codebook: Codebook | str | Path | None = None,
         cache: bool = True, tambon_id: str | None = None) -> Dataset:
    """The processed worksheets as a ``Dataset`` (``siianalysis.analysis.dataset.load``).

    Args:
        processed_dir: the folder ``siianalysis normalise`` wrote; None for the project's
            ``data/processed`` (``siianalysis.config.processed_dir()``). A relative path is
            taken from the current directory (``resolve_processed_dir`` finds it from anywhere).
        codebook: a ``Codebook``, a codebook YAML path, or None for the bundled one.
        cache: hand back the Dataset already read from this folder when no file changed.
        tambon_id: for one tambon's report: when the folder holds the network's shared tables
            (``analysis.shared_tables``, written by ``report``), a Dataset of that tambon's own
            lines and the network's results it is compared with; otherwise the whole Dataset.
    """
    from siianalysis.analysis.dataset import load as load_dataset
    from siianalysis.config import processed_dir as project_processed_dir

    folder = project_processed_dir() if processed_dir is None else processed_dir
    if tambon_id is not None and codebook is None:  # the bundled codebook: the one the shared tables are of
        from siianalysis.analysis.shared_tables import tambon_view

        view = tambon_view(folder, str(tambon_id), codebook)
        if view is not None:
            return view
    return load_dataset(folder, codebook, cache)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))


if TYPE_CHECKING:  # for type checkers and IDEs only; never executed
    from siianalysis.analysis.dataset import Dataset
    from siianalysis.analysis.scores import (
        lens_scores,
        network_position,
        network_positions,
        outcome_reach,
        percentile_rank,
        pillar_scores,
        position,
        positions,
        table_scores,
        tambon_scores,
    )
    from siianalysis.codebook import Codebook, load_codebook
    from siianalysis.config import resolve_processed_dir
