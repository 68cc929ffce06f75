"""The experts' review (ผู้ทรงคุณวุฒิ), the workshop's step 3: a workbook out, suggestions back in.

- ``sheet``  ``write_review_sheet(processed_dir, out_path)``: one protected Thai
  workbook row per tambon × pillar (people, mechanism, data, overall) with what a
  reviewer needs to judge it (the team's Table 4 text and plans, its scores against
  the network, a link to its report) and four empty columns for the reviewer.
- ``read``   ``read_review(doc, codebook)``: a filled review workbook, recognised by
  its header row (not by any marker), as ``feedback`` records and ``problems``;
  ``feedback_frame(records)`` sorts them into the ``FEEDBACK_COLUMNS`` frame.

The workbook is meant to sit beside the ``reports/`` folder (or inside the bundle
that holds it): its report links are relative paths (``reports/tambon/<id>.html``).

Column headers of the review proper come from the codebook
(``codebook.review.columns``); score headers and the workbook's own prose
(instructions, the headers of the context columns) from ``data/report_text.yaml``
(``tambon.scorecard.*``, ``review_sheet.*``). Importing this package imports
neither openpyxl nor pandas: the names are resolved on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from siianalysis.words import t, texts

# Written in a hidden sheet so a person (or a future version) can tell what the file
# is. The reader never needs it: reviewers copy rows into workbooks of their own.
MARKER_SHEET = "_siianalysis"
MARKER = "siianalysis review workbook"
FORMAT_VERSION = 1

# Column order of the review sheet.
IDENTITY_COLUMNS = ("tambon_id", "tambon", "amphoe", "province", "pillar")
CONTEXT_COLUMNS = (
    "summary_achievements", "summary_plan", "team_plans",
    "outcome_coverage", "tick_rate", "network_median", "report",
)
REVIEWER_COLUMNS = ("reviewer", "suggestion", "priority", "reviewed_on")
SHEET_COLUMNS = IDENTITY_COLUMNS + CONTEXT_COLUMNS + REVIEWER_COLUMNS
# Score headers are the tambon report's own words (report_text.yaml, tambon.scorecard.*).
SCORE_COLUMNS = ("outcome_coverage", "tick_rate", "network_median")


def words(lang: str = "th") -> dict[str, str]:
    """The review workbook's own prose in ``lang`` ("th" or "en"; instructions one a line)."""
    return texts("review_sheet", "en" if lang == "en" else "th")


def context_header(key: str, lang: str = "th") -> str:
    """The header of a context column (``CONTEXT_COLUMNS``) in ``lang``."""
    if key in SCORE_COLUMNS:
        return t(f"tambon.scorecard.{key}", "en" if lang == "en" else "th")
    return words(lang)[key]


_EXPORTS = {
    "write_review_sheet": "sheet",
    "build_review_workbook": "sheet",
    "ReviewRead": "read",
    "read_review": "read",
    "FEEDBACK_COLUMNS": "read",
    "feedback_frame": "read",
}

__all__ = sorted([*_EXPORTS, "MARKER_SHEET", "SHEET_COLUMNS", "context_header", "words"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # for type checkers only
    from .read import FEEDBACK_COLUMNS, ReviewRead, feedback_frame, read_review
    from .sheet import build_review_workbook, write_review_sheet
