"""Interpreting the tables found in a document: rows, ticks and texts.

A document's grids are searched for the worksheet's tables by content
(``parse.locate``), cut into worksheets (``parse.split``), and each table's body
lines given their rows (``parse.rows``) and their ticks (``parse.ticks``). A
document read from a structured source carries records instead of grids and is
interpreted by ``parse.records`` into the same worksheets. Nothing a team wrote
is dropped: text outside the tables is kept as the worksheet's notes
(``parse.outside``), and what fits nowhere else goes to the problems log with
its text and cell.
"""

from __future__ import annotations

from siianalysis.codebook import Codebook, load_codebook
from siianalysis.parse.identity import WrittenIdentity, read_identity
from siianalysis.parse.locate import Block, find_blocks
from siianalysis.parse.outside import outside_notes
from siianalysis.parse.parsed import ParsedDocument, ParsedRow, ParsedWorksheet, note_missing_tables
from siianalysis.parse.records import parse_records
from siianalysis.parse.rows import TableRows, WrittenLine
from siianalysis.parse.split import DocumentLayout, WorksheetSpan, split_document
from siianalysis.parse.ticks import TableTicks, read_tick_cells
from siianalysis.problems import ProblemLog
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.text import clean

__all__ = ["ParsedDocument", "ParsedRow", "ParsedWorksheet", "parse_document", "parse_worksheets"]


def _read_line(grid: Grid, block: Block, r: int, table_ticks: TableTicks) -> WrittenLine:
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
    return WrittenLine(clean(grid.value(r, block.label_col)), grid.ref(r, block.label_col), ticks, texts)


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
    tables: dict[str, TableRows] = {}
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
            rows = tables.setdefault(code, TableRows(block.table, doc.source_file, problems, keep_outside=True))
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
    # A page header speaks for the whole file: for its worksheet only when it holds one.
    identity = read_identity(RawDocument(doc.source_file, grids, margins=[] if part else doc.margins),
                             codebook, skip)
    parsed_rows = [row for code in (t.code for t in codebook.tables) if code in tables
                   for row in tables[code].reported()]
    note_missing_tables(found, codebook, doc.source_file, part or "whole file", problems)
    kept_out = {line.ref for rows in tables.values() for line in rows.outside}
    notes = outside_notes(doc.grids, span, kept_out, identity, codebook)
    return ParsedWorksheet(doc.source_file, identity, found, parsed_rows, problems, part, notes)


def parse_worksheets(doc: RawDocument, codebook: Codebook | None = None) -> ParsedDocument:
    """Interprets one document: every worksheet it holds (see ``parse.split``), with
    their tables, rows, ticks, texts and places, and what was left out and why.

    A document of records (a structured source) is read from them (``parse.records``).
    """
    codebook = codebook or load_codebook()
    if doc.records:
        return parse_records(doc, codebook)
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
    kept = [w for w in worksheets if w.is_worksheet and not _unfilled(w, problems)]
    return ParsedDocument(doc.source_file, kept, problems)


def _unfilled(worksheet: ParsedWorksheet, problems: ProblemLog) -> bool:
    """True, with a ``worksheet-unfilled`` error, for a worksheet whose tables hold no tick and
    no text and that has no note: the blank handout sent back. Counting it would give a tambon
    that reached nothing (scores of 0 that pull the network down); a table left blank in a
    worksheet that is otherwise filled is still a table sent with nothing reached."""
    if worksheet.notes or any(row.has_content for row in worksheet.rows):
        return False
    place = " / ".join(v for k in ("tambon", "amphoe", "province") if (v := worksheet.identity.get(k)))
    named = f" of {place!r}" if place else ""
    tables = ", ".join(worksheet.tables_found)
    problems.error(
        worksheet.source_file, worksheet.identity.locations.get("tambon", worksheet.part or "whole file"),
        "worksheet-unfilled",
        f"the worksheet{named} has its tables ({tables}) but no tick and no text in any of them "
        "(the blank form sent back?): not counted as a tambon",
    )
    return True


def _inherit_shared_identity(doc: RawDocument, layout: DocumentLayout, worksheets: list[ParsedWorksheet],
                             codebook: Codebook) -> None:
    """District, province and date written once for the whole file (a cover sheet that
    names no tambon, the file name) count for each worksheet that does not say its own."""
    used = {p.grid_index for span in layout.worksheets for p in span.pieces}
    rest = [g for gi, g in enumerate(doc.grids) if gi not in used and not g.hidden]
    shared = read_identity(RawDocument(doc.source_file, rest), codebook, {})
    for worksheet in worksheets:
        for key in ("amphoe", "province", "worksheet_date", "round"):
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
