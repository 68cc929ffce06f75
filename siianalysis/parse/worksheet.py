"""Interpreting the tables found in a document: rows, ticks and texts.

Row labels are matched to the codebook tolerantly (numbering, typos, line breaks,
the "เช่น …" examples present or not). "อื่น ๆ (ระบุ) …" rows keep the label the team
wrote; a label the codebook does not know fills the next free "other" slot. A row
with no label but text or ticks continues the row above (teams run long text
over several lines). Nothing a team wrote is dropped: what fits nowhere goes to
the problems log with its text and cell.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache

from siianalysis.codebook import Codebook, RowType, Table, load_codebook
from siianalysis.parse.identity import WrittenIdentity, read_identity
from siianalysis.parse.locate import Block, find_blocks
from siianalysis.parse.split import DocumentLayout, WorksheetSpan, split_document
from siianalysis.parse.ticks import TableTicks, read_tick_cells
from siianalysis.problems import ProblemLog
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.text import clean, fold, strip_examples, strip_numbering

# Typos closer than this to a codebook label still name that row.
_FUZZY_CUTOFF = 0.86


@dataclass(slots=True)
class ParsedRow:
    table: str
    row_code: str
    label: str
    source: str
    ticks: dict[str, bool] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def has_content(self) -> bool:
        return any(self.ticks.values()) or any(self.texts.values())


@dataclass(slots=True)
class ParsedWorksheet:
    source_file: str
    identity: WrittenIdentity
    tables_found: dict[str, str]
    rows: list[ParsedRow]
    problems: ProblemLog
    part: str = ""  # the sheets it was read from, when its file holds several worksheets

    @property
    def is_worksheet(self) -> bool:
        return bool(self.tables_found)

    @property
    def source(self) -> str:
        """The file, and the sheets within it when the file holds several worksheets."""
        return f"{self.source_file}#{self.part}" if self.part else self.source_file


@dataclass(slots=True)
class ParsedDocument:
    """Every worksheet of one document, and the problems of the document as a whole
    (hidden sheets, tables tied to no place)."""

    source_file: str
    worksheets: list[ParsedWorksheet]
    problems: ProblemLog


@dataclass(slots=True)
class _Written:
    """One body line as written, before it is given a row code."""

    label: str
    ref: str
    ticks: dict[str, bool]
    texts: dict[str, str]


@cache
def _other_prefixes(table: Table) -> tuple[re.Pattern[str], ...]:
    """Loose patterns for "อื่น ๆ (ระบุ)" and its variants, longest first, so the
    team's own label after them can be cut out as written."""
    keys = sorted({k for r in table.other_rows for k in r.label.keys()}, key=len, reverse=True)
    gap = r"[\s\"'.,:;()\[\]\-_…]*"
    return tuple(re.compile("^" + gap.join(re.escape(ch) for ch in key) + gap, re.IGNORECASE) for key in keys)


def _match_row(table: Table, label: str) -> tuple[str, RowType | None, str]:
    """("canonical", row, written) | ("other", None, team label) | ("unknown", None, label)."""
    key = fold(label)
    written = strip_numbering(label)
    for row in table.canonical_rows:
        if key in row.label.keys():
            return "canonical", row, ""
    for pattern in _other_prefixes(table):
        if m := pattern.match(written):
            return "other", None, written[m.end():].strip()
    for row in table.canonical_rows:
        # "คนต้นแบบ (ปราชญ์ชาวบ้าน)": the label with the team's addition after it.
        if any(key.startswith(k) and len(k) >= 6 for k in row.label.keys()):
            return "canonical", row, written
    best, best_ratio = None, 0.0
    for row in table.canonical_rows:
        for k in row.label.keys():
            ratio = difflib.SequenceMatcher(None, key, k).ratio()
            if ratio > best_ratio:
                best, best_ratio = row, ratio
    if best is not None and best_ratio >= _FUZZY_CUTOFF:
        return "canonical", best, written
    return "unknown", None, strip_examples(written) or written


def _read_line(grid: Grid, block: Block, r: int, table_ticks: TableTicks) -> _Written:
    """One body line: its tick cells as ``read_tick_cells`` read them with their table, its texts."""
    ticks: dict[str, bool] = {}
    texts: dict[str, str] = {}
    for c, code in block.outcome_cols.items():
        reading = table_ticks.at(r, c)
        ticks[code] = reading.ticked
        if reading.remark:
            texts[f"remark.{code}"] = reading.remark
    for c, code in block.field_cols.items():
        if text := clean(grid.value(r, c)):
            texts[code] = text
    notes = [f"{header}: {text}" for c, header in block.extra_cols.items() if (text := clean(grid.value(r, c)))]
    if notes:
        texts["note"] = "\n".join(notes)
    return _Written(clean(grid.value(r, block.label_col)), grid.ref(r, block.label_col), ticks, texts)


def _merge_into(row: ParsedRow, line: _Written) -> None:
    for code, ticked in line.ticks.items():
        row.ticks[code] = row.ticks.get(code, False) or ticked
    for name, text in line.texts.items():
        row.texts[name] = f"{row.texts[name]}\n{text}" if row.texts.get(name) else text


def _describe(line: _Written) -> str:
    ticked = [c for c, t in line.ticks.items() if t]
    parts = [f"label {line.label!r}"] if line.label else []
    parts += [f"{k}: {v!r}" for k, v in line.texts.items()]
    if ticked:
        parts.append("ticked " + ", ".join(ticked))
    return "; ".join(parts)


class _TableRows:
    """Rows of one table as they are read, in codebook order at the end."""

    def __init__(self, table: Table, source_file: str, problems: ProblemLog) -> None:
        self.table = table
        self.source_file = source_file
        self.problems = problems
        self.rows: dict[str, ParsedRow] = {}
        self.last: ParsedRow | None = None

    def _new(self, code: str, label: str, line: _Written) -> ParsedRow:
        row = ParsedRow(self.table.code, code, label, f"{self.source_file}: {line.ref}")
        self.rows[code] = row
        return row

    def add(self, line: _Written) -> None:
        has_content = any(line.ticks.values()) or bool(line.texts)
        if not line.label:
            if not has_content:
                return
            if self.last is not None:
                _merge_into(self.last, line)  # text run over several lines
                return
        kind, row_type, written = _match_row(self.table, line.label) if line.label else ("other", None, "")
        if kind == "canonical":
            assert row_type is not None
            if row_type.code in self.rows:
                self.problems.warning(
                    self.source_file, line.ref, "duplicate-row",
                    f"{self.table.code} row {row_type.code} appears again; merged with the first ({_describe(line)})",
                )
                row = self.rows[row_type.code]
            else:
                row = self._new(row_type.code, row_type.label.th, line)
            if written and written != row_type.label.th:
                line.texts["written_label"] = written
            _merge_into(row, line)
            self.last = row
            return
        if kind == "unknown" and not has_content:
            self.problems.warning(
                self.source_file, line.ref, "text-outside-table",
                f"{self.table.code}: a line that is no row of the table and has nothing beside it: {line.label!r}",
            )
            return
        if kind == "other" and not written and not has_content:
            return  # the handout's empty "อื่น ๆ (ระบุ)" slot
        free = [r for r in self.table.other_rows if r.code not in self.rows]
        if not free:
            self.problems.warning(
                self.source_file, line.ref, "extra-row",
                f"{self.table.code}: more rows than the worksheet's 'other' slots; not in the tables: "
                f"{_describe(line)}",
            )
            self.last = None
            return
        label = written or free[0].label.th
        if not written:
            self.problems.warning(
                self.source_file, line.ref, "other-row-unlabelled",
                f"{self.table.code} row {free[0].code}: an 'other' row with content but no label of its own",
            )
        row = self._new(free[0].code, label, line)
        _merge_into(row, line)
        self.last = row

    def reported(self) -> list[ParsedRow]:
        order = {r.code: i for i, r in enumerate(self.table.rows)}
        keep = [r for r in self.rows.values() if r.has_content or self.table.row(r.row_code).other]
        return sorted(keep, key=lambda r: order[r.row_code])


def _hidden_sheet(grid: Grid, codebook: Codebook, problems: ProblemLog) -> None:
    """Says what a hidden sheet held: it is left out, but not silently."""
    blocks = [] if grid.kind == "docx-text" else find_blocks(grid, codebook)
    texts = sum(1 for row in grid.cells for c in row if c and not c.isspace())
    held = ", ".join(f"{b.table.number} ({b.table.code})" for b in blocks)
    problems.warning(
        grid.source_file, grid.part, "hidden-sheet-skipped",
        f"sheet {grid.part!r} is hidden, so it is not read as part of the worksheet "
        f"(it holds {texts} cells with text" + (f" and table {held}" if held else "") + "); "
        "unhide it and send the file again if it is current",
    )


def _unplaced_table(grid: Grid, block: Block, problems: ProblemLog) -> None:
    body = [clean(grid.value(r, block.label_col)) for r in range(block.body_start, block.body_end)]
    written = sum(1 for r in range(block.body_start, block.body_end) for c in grid.cells[r] if c and not c.isspace())
    problems.warning(
        grid.source_file, grid.ref(block.header_row, block.label_col), "table-unplaced",
        f"table {block.table.number} ({block.table.code}) comes before every place line of this file, "
        f"so it belongs to no tambon and is not read ({written} cells with text; rows "
        f"{', '.join(repr(b) for b in body if b)[:300] or 'unlabelled'})",
    )


def _parse_span(doc: RawDocument, span: WorksheetSpan, codebook: Codebook, part: str) -> ParsedWorksheet:
    """One worksheet: its tables' rows, ticks and texts, and the place it names."""
    problems = ProblemLog()
    tables: dict[str, _TableRows] = {}
    found: dict[str, str] = {}
    grids: list[Grid] = []
    skip: dict[int, set[int]] = {}
    for piece in span.pieces:
        grid = doc.grids[piece.grid_index]
        outside = set(range(piece.start)) | set(range(piece.end, grid.n_rows))
        skip[len(grids)] = outside.union(*(range(b.header_row, b.body_end) for b in piece.blocks))
        grids.append(grid)
        for block in piece.blocks:
            code = block.table.code
            where = grid.ref(block.header_row, block.label_col)
            if code in found:
                problems.warning(
                    doc.source_file, where, "table-repeated",
                    f"table {block.table.number} ({code}) appears again (first at {found[code]}); rows merged",
                )
            else:
                found[code] = where
            rows = tables.setdefault(code, _TableRows(block.table, doc.source_file, problems))
            rows.last = None
            if block.table.outcomes and not block.outcome_cols:
                problems.warning(
                    doc.source_file, where, "no-outcome-columns",
                    f"table {block.table.number} ({code}): no outcome columns recognised in its header",
                )
            table_ticks = read_tick_cells(grid, block, codebook)
            problems.extend(table_ticks.problems)
            for r in range(block.body_start, block.body_end):
                rows.add(_read_line(grid, block, r, table_ticks))
    identity = read_identity(RawDocument(doc.source_file, grids), codebook, skip)
    parsed_rows = [row for code in (t.code for t in codebook.tables) if code in tables
                   for row in tables[code].reported()]
    if found:
        for table in codebook.tables:
            if table.code not in found:
                problems.warning(
                    doc.source_file, part or "whole file", "table-missing",
                    f"table {table.number} ({table.code}, {table.title.th}) was not found in this worksheet",
                )
    return ParsedWorksheet(doc.source_file, identity, found, parsed_rows, problems, part)


def parse_worksheets(doc: RawDocument, codebook: Codebook | None = None) -> ParsedDocument:
    """Interprets one document: every worksheet it holds (see ``parse.split``), with
    their tables, rows, ticks, texts and places, and what was left out and why."""
    codebook = codebook or load_codebook()
    problems = ProblemLog()
    visible: dict[int, list[Block]] = {}
    for gi, grid in enumerate(doc.grids):
        if grid.hidden:
            _hidden_sheet(grid, codebook, problems)
        else:
            visible[gi] = [] if grid.kind == "docx-text" else find_blocks(grid, codebook)
    layout = split_document(doc.grids, visible, codebook)
    for gi, block in layout.unplaced:
        _unplaced_table(doc.grids[gi], block, problems)
    worksheets: list[ParsedWorksheet] = []
    for span in layout.worksheets:
        part = span.describe(doc.grids) if layout.several else ""
        worksheet = _parse_span(doc, span, codebook, part)
        if worksheet.is_worksheet or not layout.several:
            worksheets.append(worksheet)
        else:
            place = worksheet.identity
            problems.warning(
                doc.source_file, place.locations.get("tambon", part), "place-without-tables",
                f"{place.get('tambon')!r} is named here but no worksheet table follows it ({part})",
            )
    if layout.several:
        _inherit_shared_identity(doc, layout, worksheets, codebook)
    return ParsedDocument(doc.source_file, [w for w in worksheets if w.is_worksheet], problems)


def _inherit_shared_identity(doc: RawDocument, layout: DocumentLayout, worksheets: list[ParsedWorksheet],
                             codebook: Codebook) -> None:
    """District, province and date written once for the whole file (a cover sheet that
    names no tambon, the file name) count for each worksheet that does not say its own."""
    used = {p.grid_index for span in layout.worksheets for p in span.pieces}
    rest = [g for gi, g in enumerate(doc.grids) if gi not in used and not g.hidden]
    shared = read_identity(RawDocument(doc.source_file, rest), codebook, {})
    for worksheet in worksheets:
        for key in ("amphoe", "province", "worksheet_date"):
            if not worksheet.identity.get(key) and shared.get(key):
                worksheet.identity.offer(key, shared.get(key), shared.locations[key])


def parse_document(doc: RawDocument, codebook: Codebook | None = None) -> ParsedWorksheet:
    """Interprets a document that holds one worksheet (``parse_worksheets`` for any document).

    Problems about the document as a whole (hidden sheets) are in the worksheet's
    log. A document that holds no worksheet gives one with no tables
    (``is_worksheet`` is False); one that holds several is refused with ValueError.
    """
    parsed = parse_worksheets(doc, codebook)
    if len(parsed.worksheets) > 1:
        raise ValueError(f"{doc.source_file} holds {len(parsed.worksheets)} worksheets; use parse_worksheets")
    if parsed.worksheets:
        worksheet = parsed.worksheets[0]
        worksheet.problems[:0] = parsed.problems
        return worksheet
    return ParsedWorksheet(doc.source_file, WrittenIdentity(), {}, [], ProblemLog(parsed.problems))
