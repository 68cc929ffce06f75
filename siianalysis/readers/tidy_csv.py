"""The project's own long CSV format, read into records (``readers.records``).

So other tools (forms, databases, this project's sample generator) can feed the
pipeline without a workbook. One line per (row, field)::

    tambon, amphoe, province, worksheet_date, table, row_code, label, field, value

(UTF-8 with or without BOM, or Thai Windows' cp874; comma separated; exact
header names in any order; extra columns ignored). Each line is one ``Record``
with its codes and value as written and ``ref`` naming its line (header = line
1; a line is a record, numbered as Excel numbers its rows, so a quoted value
spanning lines is one line). Lines are grouped by (tambon, amphoe, province,
worksheet_date), each group one ``RawDocument`` in order of first appearance,
so one CSV can carry many tambons. What the codes mean (codes matched ignoring
case, unknown rows, fields and tables, a line that only names its row, values
written twice) is the parser's: ``siianalysis.parse.records``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from siianalysis.readers.base import UnreadableFile, brief
from siianalysis.readers.delimited import decode_text
from siianalysis.readers.grid import RawDocument
from siianalysis.readers.records import IDENTITY_KEYS, Record

IDENTITY_COLUMNS = IDENTITY_KEYS
TIDY_COLUMNS = (*IDENTITY_COLUMNS, "table", "row_code", "label", "field", "value")


def write_tidy_csv(path: Path, records: list[dict]) -> Path:
    """Writes records (dicts keyed by ``TIDY_COLUMNS``; missing keys → '') as a tidy CSV.

    UTF-8 with a BOM, so Excel shows the Thai text correctly.
    """
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TIDY_COLUMNS)
        for rec in records:
            writer.writerow(["" if rec.get(c) is None else str(rec.get(c)) for c in TIDY_COLUMNS])
    return path


def names_tidy_columns(cells: list[str]) -> bool:
    """True when a first line names a column of the tidy format: the file means to be one."""
    return any(c.strip().lstrip("\ufeff") in TIDY_COLUMNS for c in cells)


def _lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, record) for each non-blank data line; checks the header (line 1)."""
    text = decode_text(path.read_bytes())
    if not text.strip():
        raise UnreadableFile("empty-file", "the CSV has no text")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = [h.strip() for h in next(reader)]
        missing = [c for c in TIDY_COLUMNS if c not in header]
        if missing:
            raise UnreadableFile(
                "not-a-worksheet",
                f"not a tidy worksheet CSV, missing column(s): {', '.join(missing)}",
            )
        index = {c: header.index(c) for c in TIDY_COLUMNS}
        out = []
        # Records, not physical lines: the row number Excel shows, even when a
        # quoted value spans lines; blank lines count, as Excel shows them.
        for number, row in enumerate(reader, start=2):
            if any(v.strip() for v in row):
                out.append((number, {c: (row[i] if i < len(row) else "") for c, i in index.items()}))
    except csv.Error as exc:
        raise UnreadableFile("corrupt-file", f"malformed CSV ({brief(exc)})") from exc
    if not out:
        raise UnreadableFile("empty-file", "the CSV has a header but no data lines")
    return out


def read_tidy_csv(path: Path, display_name: str) -> list[RawDocument]:
    """A tidy CSV as one document of records per (tambon, amphoe, province, worksheet_date)."""
    try:
        lines = _lines(path)
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot read the CSV ({brief(exc)})") from exc
    docs: dict[tuple[str, ...], RawDocument] = {}
    places: dict[tuple[str, ...], dict[str, str]] = {}
    for line, rec in lines:
        key = tuple(rec[c].strip() for c in IDENTITY_COLUMNS)
        doc = docs.get(key)
        if doc is None:
            doc = docs[key] = RawDocument(source_file=display_name)
            places[key] = dict(zip(IDENTITY_COLUMNS, key))  # one mapping shared by the group's records
        doc.records.append(Record(rec["table"], rec["row_code"], rec["label"], rec["field"], rec["value"],
                                  f"line {line}", places[key]))
    return list(docs.values())
