"""What the reader noticed while reading the worksheets: problems per tambon and over the network.

``ds.problems`` holds one line per problem (``source_file, location, severity,
code, message, tambon_id``); the words that explain each code to a reader are
``siianalysis.words.problem_text``. A tambon's problems are those logged under
its id, superseded files included, and those of its source file (a problem found
before the tambon was known carries no id).
"""

from __future__ import annotations

import pandas as pd

from .dataset import Dataset
from .places import current_tambons

# problem codes that explain why a tambon has no DOPA code
RESOLUTION_CODES = ("unknown-tambon", "ambiguous-tambon", "no-tambon", "district-mismatch", "province-mismatch")


def tambon_problems(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """The problems of one tambon: logged under its id or in its source file, each once."""
    row = ds.tambon(str(tambon_id))
    p = ds.problems
    same_file = (p["source_file"] == row["source_file"]) & (row["source_file"] != "")
    mine = (p["tambon_id"] == row["tambon_id"]) | same_file
    return p[mine].drop_duplicates().reset_index(drop=True)


def resolution_problems(problems: pd.DataFrame) -> pd.DataFrame:
    """The lines of ``problems`` that explain why a tambon has no DOPA code (``RESOLUTION_CODES``)."""
    return problems[problems["code"].isin(RESOLUTION_CODES)]


def problem_counts(ds: Dataset) -> pd.DataFrame:
    """``severity, code, count`` over the network: errors first, then by count (highest
    first) and code."""
    p = ds.problems
    return (p.groupby(["severity", "code"]).size().rename("count").reset_index()
            .sort_values(["severity", "count", "code"], ascending=[True, False, True], kind="stable"))


def error_problems(ds: Dataset) -> pd.DataFrame:
    """The problems of severity ``error``, by file and location."""
    p = ds.problems
    return p[p["severity"] == "error"].sort_values(["source_file", "location"], kind="stable")


def unresolved_tambons(ds: Dataset) -> pd.DataFrame:
    """The ``tambons`` lines of the current tambons without a DOPA code, in file order."""
    tam = current_tambons(ds)
    return tam[~tam["resolved"].astype(bool)]
