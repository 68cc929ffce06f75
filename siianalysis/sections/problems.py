"""Problems on a page: a reader's table, and the codes and messages kept for staff.

Readers see where a problem is and a sentence saying what happened, what it
means for the figures and what to do (``analysis.quality.reader_problems``). The
problem codes and the messages of the program that read the files are for the
staff who run the reports: they sit in a collapsed ``<details class="sii-staff">``
under the table, never in the reader's text (tests/test_thai_pages.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.quality import reader_problems
from siianalysis.words import t

from .html import Markup, join, severity_tag, table, tag

STAFF_CLASS = "sii-staff"
READER_COLUMNS = ("severity", "file", "where", "sentence")


def staff_note(content: object, lang: str, summary_key: str = "problem_staff.summary") -> Markup:
    """A collapsed note for staff (its summary says so, in both languages) holding ``content``."""
    return tag("details", join([tag("summary", t(summary_key, lang)), content]), cls=STAFF_CLASS)


def staff_problems(problems: pd.DataFrame, lang: str) -> Markup:
    """The problems as the processed data keeps them: file, location as logged, code, message."""
    k = "problem_staff"
    columns = [t("tambon.quality_notes.file", lang), t(f"{k}.location", lang), t(f"{k}.code", lang),
               t(f"{k}.message", lang)]
    return staff_note(table(columns, [[p.source_file, p.location, p.code, p.message]
                                      for p in problems.itertuples()]), lang)


def problems_table(ds: Dataset, problems: pd.DataFrame, lang: str,
                   columns: Sequence[str] = READER_COLUMNS) -> Markup:
    """The reader's table of ``problems`` (``columns`` of ``READER_COLUMNS``: severity,
    file, where, sentence) followed by the staff note of the same problems."""
    k = "tambon.quality_notes"
    heads = {"severity": t(f"{k}.severity", lang), "file": t(f"{k}.file", lang),
             "where": t(f"{k}.location", lang), "sentence": t(f"{k}.meaning", lang)}
    lines = reader_problems(ds, problems, lang)

    def cell(p, name: str) -> object:
        if name == "severity":
            return severity_tag(p.severity, lang)
        return p.source_file if name == "file" else getattr(p, name)

    body = [[cell(p, c) for c in columns] for p in lines.itertuples()]
    return Markup(table([heads[c] for c in columns], body) + staff_problems(problems, lang))
