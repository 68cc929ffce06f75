"""An online form's export (KoboToolbox, ODK Central, Google Forms) as worksheets of records.

A response sheet is one row per submission. Its header is read by
``forms.columns``; a sheet is an export when it has a tambon column and at least
three columns of the worksheet's tables (a worksheet typed in Excel has
neither). Each submission then becomes one ``RawDocument`` of records
(``readers.records``), which ``parse.records`` reads as it reads a tidy CSV:

- the place: a tambon named by its DOPA code (the XLSForm's choices) is given
  with its district's and province's Thai names from geothai; a code geothai
  does not know is passed as written, so the place is reported unresolved
  (``unknown-tambon``) with the cell; names (a labels export, a Google Form's
  text answers) are passed as written;
- the worksheet date: the form's own date question, else the date of the
  submission time (``data/forms.yaml``: ``_submission_time``, ``SubmissionDate``,
  ``end``, Google's ``Timestamp``/``ประทับเวลา``; a time with a zone is read in
  Thailand's, UTC+7). When and by whom it was submitted is a note
  (``form-submission``, info) on the submission's row;
- every row of every table the export has columns for is named, so a table
  left blank is a blank table, not a missing one; texts are texts; the "other"
  rows' own labels are their labels;
- outcomes: the chosen choices of a ``select_multiple`` column (codes or labels,
  space-separated; a Google grid's labels, comma-separated) and the 1/0 columns
  of split choices, together. A choice the form does not have is reported
  (``form-unknown-choice``) with its cell; a column that is no question of the
  form, when it holds an answer, too (``form-unknown-column``).

Every record names its cell (``Sheet!F3``, ``line 3, column 6``). Submissions
are given in the order they were submitted (ODK Central lists the newest
first), so when one repeats an earlier one for the same tambon and date the
later is current (``normalise``'s supersede rule).
"""

from __future__ import annotations

import datetime as dt
import re

import geothai

from siianalysis.codebook import Codebook, Table, load_codebook
from siianalysis.forms.columns import Column, may_be_export, read_header
from siianalysis.forms.settings import form_settings, header_key
from siianalysis.problems import Problem
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.readers.records import Record
from siianalysis.text import fold

# Fewest columns of the tables that make a sheet an export.
_MIN_TABLE_COLUMNS = 3
_QUOTED = 200
_TABLE_KINDS = ("text", "label", "outcomes", "choice")
_CHOSEN = frozenset({"1", "true", "yes"})
_NOT_CHOSEN = frozenset({"", "0", "false", "no"})
_NUMERIC_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_THAI_TIME = dt.timezone(dt.timedelta(hours=7))


def is_export(columns: list[Column | None]) -> bool:
    tables = sum(1 for c in columns if c is not None and c.kind in _TABLE_KINDS)
    return tables >= _MIN_TABLE_COLUMNS and any(c is not None and c.key == "tambon" for c in columns)


def _numeric(text: str, day_first: bool) -> dt.datetime | None:
    m = _NUMERIC_TIME.match(text.strip())
    if not m:
        return None
    a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day, month = (a, b) if day_first else (b, a)
    year -= 543 if year > 2400 else 0  # a Buddhist-Era year
    try:
        return dt.datetime(year, month, day, int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0))
    except ValueError:
        return None


def submitted_at(text: str, day_first: bool, utc: bool = False) -> dt.datetime | None:
    """A service's submission time, as Thailand's local time (naive), or None. ``utc``: a
    time written without a zone is UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _numeric(text, day_first)
    if when.tzinfo is None and utc:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(_THAI_TIME).replace(tzinfo=None) if when.tzinfo else when


def _day_first(grid: Grid, columns: list[Column | None], headers: list[str]) -> bool:
    """Whether the file's numeric dates are day first: as its times show, else as its
    timestamp header's language implies (``data/forms.yaml``)."""
    day_first_headers = {header_key(h) for h in form_settings()["day_first_time_headers"]}
    default = any(c is not None and c.kind == "submitted" and header_key(h) in day_first_headers
                  for h, c in zip(headers, columns))
    for c, column in enumerate(columns):
        if column is None or column.kind not in ("submitted", "date"):
            continue
        for r in range(1, grid.n_rows):
            if m := _NUMERIC_TIME.match(grid.value(r, c).strip()):
                if int(m.group(1)) > 12:
                    return True
                if int(m.group(2)) > 12:
                    return False
    return default


def outcome_of(table: Table, text: str) -> str | None:
    """The outcome a choice names: its code, its number, or its label (any spelling)."""
    text = text.strip()
    for outcome in table.outcomes:
        if text.casefold() == outcome.code.casefold() or text.rstrip(".") == str(outcome.number):
            return outcome.code
    key = fold(text)
    if not key:
        return None
    for outcome in table.outcomes:
        if key in outcome.label.keys() or key in (fold(outcome.short.th), fold(outcome.short.en)):
            return outcome.code
    return None


def chosen_outcomes(table: Table, value: str, joiner: str) -> tuple[list[str], list[str]]:
    """(outcome codes, parts naming none) of a column of chosen answers. Labels hold spaces
    and commas themselves, so the longest run of parts that names a choice is taken first."""
    parts = [p.strip() for p in (value.split() if joiner == " " else value.split(","))]
    parts = [p for p in parts if p]
    codes: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            if code := outcome_of(table, joiner.join(parts[i:j])):
                codes.append(code)
                i = j
                break
        else:
            unknown.append(parts[i])
            i += 1
    return codes, unknown


def _place(values: dict[str, str]) -> dict[str, str]:
    """The place as the parser reads it: DOPA codes given as geothai's Thai names."""
    tambon, amphoe, province = (values.get(k, "").strip() for k in ("tambon", "amphoe", "province"))
    if re.fullmatch(r"\d{6}", tambon) and (address := geothai.address(tambon)) is not None:
        return {"tambon": address.subdistrict.name_th, "amphoe": address.district.name_th,
                "province": address.province.name_th}
    if re.fullmatch(r"\d{4}", amphoe) and (district := geothai.district(amphoe)) is not None:
        amphoe = district.name_th
    if re.fullmatch(r"\d{2}", province) and (found := geothai.province(province)) is not None:
        province = found.name_th
    return {"tambon": tambon, "amphoe": amphoe, "province": province}


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "…")


class _Submission:
    """One row of the export read into a document of records."""

    def __init__(self, grid: Grid, r: int, headers: list[str], columns: list[Column | None],
                 codebook: Codebook, day_first: bool) -> None:
        self.grid, self.r, self.headers, self.columns = grid, r, headers, columns
        self.codebook, self.day_first = codebook, day_first
        self.doc = RawDocument(grid.source_file)
        self.when: dt.datetime | None = None

    def value(self, c: int) -> str:
        return self.grid.value(self.r, c).strip()

    def first(self, kind: str, key: str = "") -> tuple[str, str, int]:
        """(value, cell, column) of the first non-empty column of this kind (and key); by
        rank for the services' columns."""
        found = sorted((col.rank, c) for c, col in enumerate(self.columns)
                       if col is not None and col.kind == kind and (not key or col.key == key) and self.value(c))
        if not found:
            return "", "", -1
        c = found[0][1]
        return self.value(c), self.grid.ref(self.r, c), c

    def problem(self, severity: str, c: int, code: str, message: str) -> None:
        where = self.grid.ref(self.r, c) if c >= 0 else self.grid.ref(self.r)
        self.doc.problems.append(Problem(self.grid.source_file, where, severity, code, message))  # type: ignore[arg-type]

    def identity(self) -> list[Record]:
        """Records naming the place (at the tambon's cell) and the date (at its own cell)."""
        written = {key: self.first("place", key)[0] for key in ("tambon", "amphoe", "province")}
        place_ref = self.first("place", "tambon")[1] or self.grid.ref(self.r)
        time, time_ref, time_col = self.first("submitted")
        utc = {header_key(h) for h in form_settings()["utc_without_zone"]}
        self.when = submitted_at(time, self.day_first, time_col >= 0 and header_key(self.headers[time_col]) in utc)
        date, date_ref, _ = self.first("date")
        if date and (numeric := _numeric(date, self.day_first)) is not None and not self.day_first:
            date = numeric.date().isoformat()  # a month-first spreadsheet's date, as ISO
        if not date and self.when is not None:
            date, date_ref = self.when.date().isoformat(), time_ref
        who, _, _ = self.first("submitter")
        if time or who:
            said = "submitted" + (f" {time}" if time else "") + (f" by {who}" if who else "")
            self.problem("info", time_col, "form-submission", f"{said} ({self.headers[time_col] if time else 'row'})")
        return [Record("", "", "", "", "", place_ref, _place(written)),
                Record("", "", "", "", "", date_ref or place_ref, {"worksheet_date": date})]

    def read(self) -> RawDocument:
        identity = self.identity()
        named: dict[tuple[str, str], tuple[str, str]] = {}  # (table, row) -> (label, first cell)
        texts: list[Record] = []
        chosen: dict[tuple[str, str], dict[str, str]] = {}  # (table, row) -> {outcome: cell}
        for c, column in enumerate(self.columns):
            value, ref = self.value(c), self.grid.ref(self.r, c)
            if column is None:
                if value:
                    self.problem("warning", c, "form-unknown-column",
                                 f"column {self.headers[c]!r} is no question of the worksheet's form, so its "
                                 f"answer is not read: {_quote(value)}")
                continue
            if column.kind not in _TABLE_KINDS:
                continue
            where = (column.table, column.row)
            label, first_ref = named.get(where, ("", ref))
            named[where] = (value if column.kind == "label" and value else label, first_ref)
            if column.kind == "text" and value:
                texts.append(Record(column.table, column.row, "", column.key, value, ref))
            elif column.kind == "outcomes" and value:
                codes, unknown = chosen_outcomes(self.codebook.table(column.table), value, column.joiner)
                for code in codes:
                    chosen.setdefault(where, {}).setdefault(code, ref)
                if unknown:
                    self.problem("warning", c, "form-unknown-choice",
                                 f"{column.row}: {', '.join(map(_quote, unknown))} in column "
                                 f"{self.headers[c]!r} is none of the form's outcomes, so it is not counted")
            elif column.kind == "choice":
                if value.casefold() in _CHOSEN:
                    chosen.setdefault(where, {}).setdefault(column.key, ref)
                elif value.casefold() not in _NOT_CHOSEN:  # as written: the parser reads what it says
                    texts.append(Record(column.table, column.row, "", column.key, value, ref))
        records = list(identity)
        for table in self.codebook.tables:
            for row in table.rows:
                if (where := (table.code, row.code)) in named:
                    label, ref = named[where]
                    records.append(Record(table.code, row.code, label, "", "", ref))
                    records += [Record(table.code, row.code, "", code, "1", cell)
                                for code, cell in chosen.get(where, {}).items()]
        self.doc.records = records + texts
        return self.doc


def read_form_export(grid: Grid, codebook: Codebook | None = None) -> list[RawDocument] | None:
    """Each submission of an export as a document of records, in the order they were
    submitted; None when the grid is no export of the worksheet's form."""
    codebook = codebook or load_codebook()
    if grid.n_rows < 1:
        return None
    headers = [grid.value(0, c).strip() for c in range(grid.n_cols)]
    if not may_be_export(headers, codebook):
        return None
    columns = read_header(headers, codebook)
    if not is_export(columns):
        return None
    day_first = _day_first(grid, columns, headers)
    submissions = [_Submission(grid, r, headers, columns, codebook, day_first)
                   for r in range(1, grid.n_rows) if any(v.strip() for v in grid.cells[r])]
    docs = [(s.read(), s.when, s.r) for s in submissions]
    docs.sort(key=lambda d: (d[1] or dt.datetime.min, d[2]))
    return [d[0] for d in docs]
