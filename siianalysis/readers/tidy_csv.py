"""The project's own long CSV format, read into the same grids a workbook gives.

So other tools (forms, databases, this project's sample generator) can feed the
pipeline without a workbook. One line per (row, field)::

    tambon, amphoe, province, worksheet_date, table, row_code, label, field, value

(UTF-8 with or without BOM, comma separated; exact header names in any order;
extra columns ignored; table, row and field codes matched ignoring case; a
line with no field and no value just names its row). Lines are grouped by
(tambon, amphoe, province, worksheet_date), each group one ``RawDocument`` in
order of first appearance, so one CSV can carry many tambons. Each document holds an identity grid and,
per table present, a grid laid out like the handout: a header row (label
column, text fields, outcomes as "1. …") and one body row per row code present,
in codebook order, labelled "<number>. <label or the codebook's label>". The
parser then reads them exactly as it reads a workbook, by content.

Nothing is dropped: a line whose row code is unknown to its table becomes an
extra body row after the codebook's rows (labelled with its label, or its row
code, without a number); a field unknown to the table goes in an extra column
at the end headed with the field code; a line whose table is unknown goes in a
grid of its own (part = that table name) whose columns are all such extra
columns. The parser sees them and can report them. Values written twice for the
same cell are joined with a newline. ``row_refs`` name the CSV line (header =
line 1) of the first line behind each row; a line is a record, numbered as
Excel numbers its rows (a quoted value spanning lines is one line).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from siianalysis.codebook import Table, load_codebook
from siianalysis.readers.base import UnreadableFile, brief
from siianalysis.readers.grid import Grid, RawDocument

IDENTITY_COLUMNS = ("tambon", "amphoe", "province", "worksheet_date")
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


def _decode(raw: bytes) -> str:
    # Thai Windows Excel saves "CSV" as cp874 (TIS-620); accept it rather than fail.
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("corrupt-file", "the CSV is neither UTF-8 nor Thai (cp874) text")


def _lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, record) for each non-blank data line; checks the header (line 1)."""
    text = _decode(path.read_bytes())
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


class _TableGrid:
    """Collects one table's cells, then lays them out like the handout."""

    def __init__(self, table: Table | None, name: str):
        self.table, self.name = table, name
        self.rows: dict[str, dict] = {}  # row key → {"label", "line", "values": {field: [..]}}
        self.fields = self._codebook_fields(table)
        self.extra_fields: list[str] = []
        self.canonical = {f.casefold(): f for f in self.fields}  # "pc1" → "PC1", "Method" → "method"

    @staticmethod
    def _codebook_fields(table: Table | None) -> list[str]:
        """Field and outcome codes in the handout's column order after the label column."""
        out: list[str] = []
        for col in table.columns if table else ():
            if col == "outcomes":
                out.extend(o.code for o in table.outcomes)
            elif col != "label":
                out.append(col)
        return out

    def add(self, line: int, row_code: str, label: str, field: str, value: str) -> None:
        row = self.rows.setdefault(row_code or label, {"label": "", "line": line, "values": {}})
        if label and not row["label"]:
            row["label"] = label
        if not field and not value.strip():  # a line that only names an "other" row
            return
        field = self.canonical.get(field.casefold(), field)
        if field not in self.fields and field not in self.extra_fields:
            self.extra_fields.append(field)
        row["values"].setdefault(field, []).append(value)

    def grid(self, source: str) -> Grid:
        fields = self.fields + self.extra_fields
        t = self.table
        if t is None:
            header = [self.name] + fields
        else:
            heads = {f.code: f.label.th for f in t.fields} | {o.code: f"{o.number}. {o.label.th}" for o in t.outcomes}
            header = [t.label_column.th] + [heads.get(f, f) for f in fields]
        known = [r.code for r in t.rows] if t else []
        order = [c for c in known if c in self.rows] + [k for k in self.rows if k not in known]
        cells, refs = [header], ["line 1"]
        for key in order:
            row = self.rows[key]
            if key in known:
                rt = t.row(key)
                first = f"{rt.number}. {row['label'] or rt.label.th}"
            else:
                first = row["label"] or key
            cells.append([first] + ["\n".join(row["values"].get(f, ())) for f in fields])
            refs.append(f"line {row['line']}")
        return Grid(source, self.name, "csv", cells, row_refs=refs)


def read_tidy_csv(path: Path, display_name: str) -> list[RawDocument]:
    """A tidy CSV as one document per (tambon, amphoe, province, worksheet_date)."""
    try:
        lines = _lines(path)
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot read the CSV ({brief(exc)})") from exc
    codebook = load_codebook()
    tables = {t.code: t for t in codebook.tables}
    groups: dict[tuple[str, ...], tuple[int, dict[str, _TableGrid]]] = {}
    for line, rec in lines:
        key = tuple(rec[c].strip() for c in IDENTITY_COLUMNS)
        _, grids = groups.setdefault(key, (line, {}))
        name = rec["table"].strip()
        name = name.casefold() if name.casefold() in tables else name
        tg = grids.get(name)
        if tg is None:
            tg = grids[name] = _TableGrid(tables.get(name), name or "(no table)")
        tg.add(line, rec["row_code"].strip().upper(), rec["label"].strip(), rec["field"].strip(), rec["value"])

    docs = []
    for key, (first_line, grids) in groups.items():
        identity = [[codebook.identity[c].th, v] for c, v in zip(IDENTITY_COLUMNS, key)]
        doc = RawDocument(source_file=display_name)
        doc.grids.append(Grid(display_name, "identity", "csv", identity, row_refs=[f"line {first_line}"] * 4))
        known = [t for t in codebook.tables if t.code in grids]
        doc.grids += [grids[t.code].grid(display_name) for t in known]
        doc.grids += [tg.grid(display_name) for name, tg in grids.items() if name not in tables]
        docs.append(doc)
    return docs
