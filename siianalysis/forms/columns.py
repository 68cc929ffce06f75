"""What each column of an online form's export holds, read from its header.

Two kinds of export are known:

- **KoboToolbox and ODK Central** exports of the XLSForm ``siianalysis xlsform``
  writes. Their headers are the form's names (``forms.names``) as the services
  spell them: with the group before the question joined by ``/`` (KoboToolbox),
  ``-`` (ODK Central), another separator, or no group at all; or the questions'
  labels instead (KoboToolbox "labels" exports, with or without the group's label
  before them). A ``select_multiple`` is one column of its chosen codes (or
  labels) separated by spaces, or one column per choice, ``question/choice``,
  holding 1 or 0, or both. Every spelling is generated from the codebook, so a
  header is recognised by exact lookup.
- **Google Forms** response sheets built on the worksheet: each question named as
  the worksheet's column is, with the row in brackets, ``Question [row label]`` —
  the way Google writes a checkbox grid (a column per grid row, the chosen
  outcomes joined by ", "), and the way the text questions beside it are named.
  The question is matched to the table's text fields and its label column by the
  codebook's spellings (anything else is the outcomes grid); the row to the
  table's rows ("อื่น ๆ (ระบุ) 2" is the second "other" row). An "other" row, which
  every table has, belongs to the table of the nearest column before it that asks
  the same question.

Place and date columns are also found by the codebook's identity labels (ตำบล,
Province …), and the services' own columns by ``data/forms.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from siianalysis.codebook import Codebook, RowType, Table
from siianalysis.forms import names
from siianalysis.forms.settings import form_settings, header_key
from siianalysis.parse.identity import field_keys
from siianalysis.text import fold, strip_numbering

ColumnKind = Literal["place", "date", "text", "label", "outcomes", "choice", "submitted", "submitter", "service"]
# What sets a form's answers apart in a column of chosen outcomes.
Joiner = Literal[" ", ", "]


@dataclass(frozen=True, slots=True)
class Column:
    """One column's meaning. ``key``: the identity key (place, date), the text field,
    the outcome (choice); ``rank`` orders columns of one kind (submission times)."""

    kind: ColumnKind
    table: str = ""
    row: str = ""
    key: str = ""
    joiner: Joiner = " "
    rank: int = 0


def _spellings(q: names.Question) -> list[str]:
    """Every header a service writes for question ``q``."""
    out = [q.name, *(f"{q.group}{sep}{q.name}" for sep in names.GROUP_SEPARATORS)]
    for lang in ("th", "en"):
        label, group = q.label.text(lang), q.group_label.text(lang)  # type: ignore[arg-type]
        out += [label, *(f"{group}{sep}{label}" for sep in names.GROUP_SEPARATORS)]
    return out


@cache
def form_columns(codebook: Codebook) -> dict[str, Column]:
    """Header (``header_key``) → meaning, for every spelling of the XLSForm's questions and
    of the services' own columns."""
    found: dict[str, Column] = {}
    settings = form_settings()
    for rank, header in enumerate(settings["submission_time"]):
        found[header_key(header)] = Column("submitted", rank=rank)
    for rank, header in enumerate(settings["submitter"]):
        found[header_key(header)] = Column("submitter", rank=rank)
    for header in settings["service_columns"]:
        found[header_key(header)] = Column("service")
    for q in names.questions(codebook):
        kind = {"place": "place", "date": "date", "text": "text", "label": "label", "outcomes": "outcomes"}[q.kind]
        column = Column(kind, q.table, q.row, q.key)  # type: ignore[arg-type]
        for spelling in _spellings(q):
            found.setdefault(header_key(spelling), column)
            if q.kind != "outcomes":
                continue
            table = codebook.table(q.table)
            for outcome in table.outcomes:
                label = names.outcome_label(table, outcome.code)
                for choice in (outcome.code, label.th, label.en):
                    found.setdefault(header_key(f"{spelling}{names.CHOICE_SEPARATOR}{choice}"),
                                     Column("choice", q.table, q.row, outcome.code))
    return found


_BRACKETS = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\[\]]+)\]\s*$", re.DOTALL)
_TRAILING_NUMBER = re.compile(r"^(?P<label>.*?)\s*(?P<n>\d+)$")


def _row_of(table: Table, written: str) -> RowType | None:
    """The row a bracket names: a row code, a canonical row's label (any spelling), or
    an "other" row's label, with its place among the other rows after it ("… 2")."""
    text = strip_numbering(written) or written.strip()
    for row in table.rows:
        if text.casefold() == row.code.casefold():
            return row
    key = fold(text)
    for row in table.canonical_rows:
        if key in row.label.keys():
            return row
    m = _TRAILING_NUMBER.match(text)
    label, n = (m.group("label"), int(m.group("n"))) if m else (text, 1)
    others = table.other_rows
    if others and fold(label) in others[0].label.keys() and 1 <= n <= len(others):
        return others[n - 1]
    return None


def _question_of(table: Table, written: str) -> tuple[ColumnKind, str]:
    """What a bracket column's question asks of its row: a text field, the row's label,
    or (anything else) its outcomes."""
    key = fold(written)
    for f in table.fields:
        if key in f.label.keys():
            return "text", f.code
    if key in table.label_column.keys():
        return "label", ""
    folded = written.casefold()
    for f in table.fields:
        if any(cue.casefold() in folded for cue in f.cues):
            return "text", f.code
    return "outcomes", ""


def google_column(header: str, codebook: Codebook, table_hint: str = "") -> Column | None:
    """A ``Question [row]`` column's meaning, or None. ``table_hint``: the table of the same
    question's other columns, for rows that only that table's "other" rows can be."""
    m = _BRACKETS.match(header.strip())
    if not m:
        return None
    tables = [codebook.table(table_hint)] if table_hint else list(codebook.tables)
    for table in tables:
        row = _row_of(table, m.group("row"))
        # Every table has "other" rows: only the table's own label column (or a hint) says whose.
        if row is None or (row.other and not table_hint
                           and fold(m.group("question")) not in table.label_column.keys()):
            continue
        kind, field = _question_of(table, m.group("question"))
        if kind == "outcomes" and not table.outcomes:
            continue
        return Column(kind, table.code, row.code, field, ", ")
    return None


_SEGMENTS = re.compile("[" + re.escape("".join(names.GROUP_SEPARATORS)) + "]")
# What the form's questions look like in any export: a name ("P1_method"), a numbered
# label ("1.1 …", also after its group's), a Google column ("… [row]").
_QUESTION_LIKE = re.compile(r"(?:^|[/\-.:])[A-Za-z]\d+_[a-z]+(?:/\w+)?$|^\d+\.\d+\s|\]\s*$")


def may_be_export(headers: list[str], codebook: Codebook) -> bool:
    """Whether a header row could be an export's: a tambon column and a few columns shaped
    like the form's questions. A cheap look before the spellings of every question are
    built: a worksheet's first row (a title, a place line, "ตำบล | name") does not pass."""
    if sum(1 for h in headers if h and _QUESTION_LIKE.search(h)) < 3:
        return False
    labels = field_keys(codebook)
    for header in headers:
        last = _SEGMENTS.split(header)[-1] if header else ""
        if last.strip().casefold() == "tambon" or labels.get(fold(last)) == "tambon" \
                or labels.get(fold(header)) == "tambon":
            return True
    return False


def read_header(headers: list[str], codebook: Codebook) -> list[Column | None]:
    """Each header's meaning (None: a column this project does not know)."""
    known = form_columns(codebook)
    identity = field_keys(codebook)
    out: list[Column | None] = []
    for header in headers:
        column = known.get(header_key(header))
        if column is None and (key := identity.get(fold(header))):
            column = Column("date" if key == "worksheet_date" else "place", key=key)
        if column is None:
            column = google_column(header, codebook)
        out.append(column)
    # "Other" rows: the table of the nearest column before them that asks the same
    # question of a canonical row (a grid's columns stand together, other rows last).
    last: dict[str, str] = {}
    for i, (header, column) in enumerate(zip(headers, out)):
        m = _BRACKETS.match(header.strip())
        if m is None:
            continue
        question = fold(m.group("question"))
        if column is not None and column.joiner == ", ":
            last[question] = column.table
        elif column is None and (hint := last.get(question)):
            out[i] = google_column(header, codebook, hint)
    return out
