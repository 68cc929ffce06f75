"""Interpreting records (``readers.records``) into the worksheets grids give.

A structured source says by code which table, row and field each value belongs
to, so nothing here is found by content. Its records are read against the
codebook:

- Tables, rows, fields and outcomes by their codes, ignoring case. A row is the
  row its code names, whatever its label says; a label that is not the
  codebook's is kept (``written_label``), and an "other" row's label is the
  team's own ("อื่น ๆ (ระบุ)" cut off). A record that gives a label and nothing
  else names its row.
- Rows the codebook knows are read first, in its order, then the others as
  they first appear. A row code the table does not know (or none) is read by
  its label (or its code) as a workbook's line is: the next free "other" slot,
  a duplicate of a row the label names, an extra row past the slots
  (``parse.rows``); with neither, it continues the row read before it.
- Values written twice for one cell are joined with a newline. Outcome values
  are ticks by the codebook's spellings, each table's read together (crosses
  by their table, ambiguous values kept as remarks: ``parse.ticks``); text
  fields are texts; a field the table does not know goes to the row's ``note``
  as "field: text".
- Records of a table the codebook does not know are reported
  (``text-outside-table``), quoted.
- The place and date are the records' identity values, the first given for
  each; what they leave blank may come from the file name, as for any file.

Every row, tick and problem names the record it came from (its ``ref``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from siianalysis.codebook import Codebook, RowType, Table
from siianalysis.parse.identity import WrittenIdentity, read_identity
from siianalysis.parse.parsed import ParsedDocument, ParsedRow, ParsedWorksheet, note_missing_tables
from siianalysis.parse.rows import TableRows, WrittenLine
from siianalysis.parse.ticks import Cell, read_tick_texts
from siianalysis.problems import ProblemLog
from siianalysis.readers.grid import RawDocument
from siianalysis.readers.records import IDENTITY_KEYS, Record
from siianalysis.text import clean

# Characters of an unknown table's records quoted in its warning.
_QUOTED = 300


@dataclass(slots=True)
class _RowRecords:
    """The records of one row of a table, by field (the codebook's code, or as written)."""

    code: str
    row_type: RowType | None
    ref: str
    label: str = ""
    values: dict[str, list[Record]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return clean("\n".join(r.value for r in self.values.get(name, ())))


def _text_fields(table: Table) -> list[str]:
    """The table's text fields in the handout's column order."""
    return [c for c in table.columns if c not in ("label", "outcomes")]


def _gather(table: Table, records: list[Record]) -> tuple[list[_RowRecords], list[str]]:
    """The table's rows (codebook rows in its order, then the rest as they first
    appear) and the fields it does not know, in order of first appearance."""
    row_types = {r.code.casefold(): r for r in table.rows}
    known = {f.casefold(): f for f in [*_text_fields(table), *(o.code for o in table.outcomes)]}
    rows: dict[tuple[str, str], _RowRecords] = {}
    extra: list[str] = []
    for rec in records:
        code, label, name = rec.row_code.strip(), rec.label.strip(), rec.field.strip()
        key = ("code", code.casefold()) if code else ("label", label)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _RowRecords(code, row_types.get(code.casefold()), rec.ref)
        if label and not row.label:
            row.label = label
        if not name and not rec.value.strip():
            continue  # a record that only names its row
        name = known.get(name.casefold(), name)
        if name not in known.values() and name not in extra:
            extra.append(name)
        row.values.setdefault(name, []).append(rec)
    order = {r.code: i for i, r in enumerate(table.rows)}
    named = sorted((r for r in rows.values() if r.row_type), key=lambda r: order[r.row_type.code])
    return named + [r for r in rows.values() if not r.row_type], extra


def _table_rows(source_file: str, table: Table, records: list[Record], codebook: Codebook,
                problems: ProblemLog) -> list[ParsedRow]:
    """One table's rows, ticks and texts from its records."""
    rows, extra = _gather(table, records)
    texts: dict[Cell, str] = {}
    refs: dict[Cell, str] = {}
    for r, row in enumerate(rows):
        for c, outcome in enumerate(table.outcomes):
            written = row.values.get(outcome.code, ())
            if raw := "\n".join(rec.value for rec in written):
                texts[(r, c)], refs[(r, c)] = raw, written[0].ref
    ticks = read_tick_texts(texts, table, {c: o.code for c, o in enumerate(table.outcomes)}, codebook,
                            source_file=source_file, where=records[0].ref, ref=lambda r, c: refs[(r, c)])
    problems.extend(ticks.problems)
    out = TableRows(table, source_file, problems)
    for r, row in enumerate(rows):
        line = WrittenLine(clean(row.label) or (row.code if not row.row_type else ""), row.ref, {}, {})
        for c, outcome in enumerate(table.outcomes):
            reading = ticks.at(r, c)
            line.ticks[outcome.code] = reading.ticked
            if reading.remark:
                line.texts[f"remark.{outcome.code}"] = reading.remark
        for name in _text_fields(table):
            if text := row.text(name):
                line.texts[name] = text
        notes = [f"{name}: {text}" if name else text for name in extra if (text := row.text(name))]
        if notes:
            line.texts["note"] = "\n".join(notes)
        if row.row_type:
            out.add_named(row.row_type, line)
        else:
            out.add(line)
    return out.reported()


def _unknown_table(source_file: str, name: str, records: list[Record], codebook: Codebook,
                   problems: ProblemLog) -> None:
    said = "; ".join(f"{r.row_code.strip() or r.label.strip() or '(no row)'} {r.field.strip()}: {r.value.strip()!r}"
                     for r in records)
    problems.warning(
        source_file, records[0].ref, "text-outside-table",
        f"table {name!r} is none of the worksheet's tables ({', '.join(t.code for t in codebook.tables)}), "
        f"so its {len(records)} record(s) are not read: {said[:_QUOTED]}",
    )


def _identity(doc: RawDocument, codebook: Codebook) -> WrittenIdentity:
    """The first value the records give for each key; the file name for the rest."""
    found = WrittenIdentity()
    for rec in doc.records:
        for key in IDENTITY_KEYS:
            if key not in found.values and rec.identity.get(key):
                found.offer(key, rec.identity[key], rec.ref)
    named = read_identity(RawDocument(doc.source_file), codebook, {})
    for key, value in named.values.items():
        found.offer(key, value, named.locations[key])
    return found


def parse_records(doc: RawDocument, codebook: Codebook) -> ParsedDocument:
    """Interprets a document of records: one worksheet, or none when no record is of a
    worksheet table (the records of unknown tables are then the document's problems)."""
    tables = {t.code.casefold(): t.code for t in codebook.tables}
    by_table: dict[str, list[Record]] = {}
    for rec in doc.records:
        if not rec.names_only_place:
            name = rec.table.strip()
            by_table.setdefault(tables.get(name.casefold(), name), []).append(rec)
    problems = ProblemLog(doc.problems)  # what the reader found in its cells
    found: dict[str, str] = {}
    rows: list[ParsedRow] = []
    for table in codebook.tables:
        if records := by_table.get(table.code):
            found[table.code] = records[0].ref
            rows += _table_rows(doc.source_file, table, records, codebook, problems)
    note_missing_tables(found, codebook, doc.source_file, "whole file", problems)
    outside = ProblemLog()
    for name, records in by_table.items():
        if name not in found:
            _unknown_table(doc.source_file, name, records, codebook, outside)
    worksheet = ParsedWorksheet(doc.source_file, _identity(doc, codebook), found, rows, problems)
    return ParsedDocument(doc.source_file, [worksheet] if worksheet.is_worksheet else [], outside)
