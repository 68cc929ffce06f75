"""Writers: one filled ``Worksheet`` in each of the layouts teams send.

- ``template``: the project's template (``siianalysis.workshop.template``) filled in.
- ``onesheet``: all four tables on one sheet at an offset, spacer rows (and
  sometimes a spacer column), a line "ตำบล… อำเภอ… จังหวัด…" and "วันที่ …"
  on top; two-level header, or one level with outcomes headed "1".."5"/"๑".."๕".
- ``handmade``: a sheet per table with a merged two-level header typed by
  hand: the handout's titles and typos, Thai numbering, labels without their
  "เช่น …" examples, labels broken over lines and stray spaces.
- ``ods``: either of the last two as an OpenDocument spreadsheet.
- ``docx``: a Word file with a heading, the place and date, and Word tables
  with merged header cells.
- ``csv``: the project's tidy CSV (one line per row × field).

Every table is first built as a ``Block`` (cells + merged ranges), which the
spreadsheet, ODS and Word writers place; all labels come from the codebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from pythainlp.tokenize import syllable_tokenize, word_tokenize

from siianalysis._odswriter import OdsSheet, write_ods
from siianalysis._zipfreeze import FIXED_DATETIME, freeze_zip
from siianalysis.codebook import Codebook, Label, RowType, Table
from siianalysis.sample.model import RowEntry, Worksheet, Writing, number, write_date, write_place_line, write_place_part
from siianalysis.workshop.template import build_template, prose, sheet_name, table_title
from siianalysis.workshop.xlsx import save_workbook

Cell = str | int | float | bool | dt.datetime | None
TIDY_COLUMNS = ("tambon", "amphoe", "province", "worksheet_date", "table", "row_code", "label", "field", "value")
# What a sample file's extension is per layout (ods / docx / csv are their own).
LAYOUT_EXT = {"template": "xlsx", "onesheet": "xlsx", "handmade": "xlsx", "ods": "ods", "docx": "docx", "csv": "csv"}


@dataclass(frozen=True, slots=True)
class Style:
    """How one file lays its worksheet out."""

    layout: str  # template | onesheet | handmade | ods | docx | csv
    writing: Writing = Writing()
    header: str = "two"  # two | one (outcome columns headed by their number only)
    labels: str = "seed"  # seed (the handout's, with examples) | clean | mixed
    broken: bool = False  # labels broken over lines, stray spaces inside words
    typos: bool = False  # headers exactly as the handout prints them (คักยภาพ, ภาศิก, ผู้ผู้นำ …)
    offset: tuple[int, int] = (0, 0)  # where the first table starts (onesheet)
    spacer_col: bool = False  # an empty column after the label column
    native_ticks: bool = False  # 1/0 as numbers, TRUE/FALSE as booleans (xlsx)
    one_sheet: bool = True  # ods: all tables on one sheet (else one per table)
    titles: bool = True  # "ตารางที่ N …" rows
    sheet_names: str = "short"  # handmade: short | number | sheetN
    macro: bool = False  # save as a macro-enabled workbook (.xlsm)
    seed: int = 0  # for the small random choices of rendering


@dataclass(slots=True)
class Block:
    """One table as cells (0-based, relative) and merged ranges (row, col, n_rows, n_cols)."""

    cells: list[list[Cell]]
    merges: list[tuple[int, int, int, int]]
    header_rows: int
    columns: list[str]
    tick_columns: frozenset[str] = frozenset()

    @property
    def width(self) -> int:
        return len(self.columns)


# ---------------------------------------------------------------- labels


@lru_cache(maxsize=512)
def _words(text: str) -> tuple[str, ...]:
    return tuple(word_tokenize(text, engine="newmm", keep_whitespace=True))


@lru_cache(maxsize=512)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(syllable_tokenize(text, engine="dict", keep_whitespace=True))


def _is_thai(text: str) -> bool:
    return bool(text) and all("\u0e00" <= ch <= "\u0e7f" for ch in text)


def _stray_space(text: str, rng: random.Random) -> str:
    """A space between two syllables of a word ("เยาว ชน", "สื่อ สาร"), as the handout's line breaks left."""
    parts = _syllables(text)
    bounds = [i for i in range(1, len(parts)) if _is_thai(parts[i - 1]) and _is_thai(parts[i])]
    if not bounds:
        return text
    i = rng.choice(bounds)
    return "".join(parts[:i]) + " " + "".join(parts[i:])


def _label_base(label: Label, style: Style, rng: random.Random) -> str:
    choice = style.labels if style.labels != "mixed" else rng.choice(("seed", "clean"))
    return label.seed_th if choice == "seed" and label.seed_th else label.th


def _header_base(label: Label, style: Style, rng: random.Random) -> str:
    return label.seed_th or label.th if style.typos else _label_base(label, style, rng)


def row_label(row: RowType, entry: RowEntry, style: Style, rng: random.Random) -> str:
    base = _label_base(row.label, style, rng)
    if style.broken:
        if rng.random() < 0.45:
            base = _break_line(base)
        if rng.random() < 0.25:
            base = _stray_space(base, rng)
    if row.other and entry.other_label:
        base = f"{base} {entry.other_label}"
    return f"{number(row.number, style.writing.thai_numbering)}. {base}"


def _break_line(text: str) -> str:
    r"""Breaks a label over two lines between words near its middle ("ผู้นำการ\nเปลี่ยนแปลง")."""
    words = list(_words(text))
    bounds = [
        i for i in range(1, len(words))
        if not words[i - 1].isspace() and not words[i].isspace()
        and words[i][:1] not in "/)-,.?" and words[i - 1][-1:] not in "(-/"
    ]
    if len(text) < 12 or not bounds:
        return text
    mid = min(bounds, key=lambda i: (abs(len("".join(words[:i])) - len(text) / 2), i))
    return "".join(words[:mid]) + "\n" + "".join(words[mid:])


# ---------------------------------------------------------------- blocks


def _columns(table: Table, style: Style) -> list[str]:
    cols: list[str] = []
    for kind in table.columns:
        if kind == "outcomes":
            cols.extend(o.code for o in table.outcomes)
        else:
            cols.append(kind)
            if kind == "label" and style.spacer_col:
                cols.append("_spacer")
    return cols


def _tick_cell(value: str, style: Style) -> Cell:
    if style.native_ticks:
        native = {"1": 1, "0": 0, "TRUE": True, "FALSE": False}
        if value in native:
            return native[value]
    return value


def build_block(table: Table, entries: list[RowEntry], style: Style, codebook: Codebook, rng: random.Random) -> Block:
    """The table's header rows and body rows as cells."""
    cols = _columns(table, style)
    two_level = bool(table.outcomes) and style.header == "two"
    n_header = 2 if two_level else 1
    header: list[list[Cell]] = [[""] * len(cols) for _ in range(n_header)]
    merges: list[tuple[int, int, int, int]] = []
    outcome_cols = [i for i, c in enumerate(cols) if c in {o.code for o in table.outcomes}]
    for i, key in enumerate(cols):
        if key == "_spacer":
            continue
        if key == "label":
            text = _header_base(table.label_column, style, rng)
        elif key in {f.code for f in table.fields}:
            text = _header_base(table.field(key).label, style, rng)
        else:
            outcome = table.outcome(key)
            num = number(outcome.number, style.writing.thai_numbering)
            if two_level:
                header[1][i] = f"{num}. {_header_base(outcome.label, style, rng)}"
                continue
            header[0][i] = num
            continue
        if style.broken and rng.random() < 0.3:
            text = _break_line(text)
        header[0][i] = text
        if two_level:
            merges.append((0, i, 2, 1))
    if two_level and outcome_cols:
        header[0][outcome_cols[0]] = codebook.outcomes_header.seed_th or codebook.outcomes_header.th
        merges.append((0, outcome_cols[0], 1, len(outcome_cols)))

    body: list[list[Cell]] = []
    for entry in entries:
        row_type = table.row(entry.code)
        line: list[Cell] = []
        for key in cols:
            if key == "label":
                line.append(row_label(row_type, entry, style, rng))
            elif key == "_spacer":
                line.append("")
            elif key in entry.ticks:
                line.append(_tick_cell(entry.ticks[key], style))
            else:
                line.append(entry.fields.get(key, ""))
        body.append(line)
        if entry.continuation:
            first_text = next(k for k in cols if k not in ("label", "_spacer"))
            body.append([entry.continuation if k == first_text else "" for k in cols])
    ticks = frozenset(o.code for o in table.outcomes)
    return Block(cells=header + body, merges=merges, header_rows=n_header, columns=cols, tick_columns=ticks)


def title_text(table: Table, codebook: Codebook, style: Style, handout: bool) -> str:
    """ "ตารางที่ N <title>"; ``handout`` copies the handout's title (its table 4 mistake included)."""
    words = prose("th")
    title = table.title.seed_th if handout and table.title.seed_th else table_title(table, codebook)
    return f"{words['title_word']} {number(table.number, style.writing.thai_numbering)} {title}"


# ---------------------------------------------------------------- spreadsheet grids


@dataclass(slots=True)
class GridSheet:
    """Cells of one sheet (0-based), merges, which cells belong to a table."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    table_cells: set[tuple[int, int]] = field(default_factory=set)
    header_cells: set[tuple[int, int]] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, r: int, c: int, value: Cell) -> None:
        if value not in (None, ""):
            self.cells[(r, c)] = value

    def put_block(self, block: Block, r0: int, c0: int) -> int:
        """Places ``block`` with its top-left at (r0, c0); returns the row after it."""
        for r, line in enumerate(block.cells):
            for c, value in enumerate(line):
                self.put(r0 + r, c0 + c, value)
                self.table_cells.add((r0 + r, c0 + c))
                if r < block.header_rows:
                    self.header_cells.add((r0 + r, c0 + c))
        self.merges += [(r0 + r, c0 + c, nr, nc) for r, c, nr, nc in block.merges]
        for c, key in enumerate(block.columns):
            width = 4 if key == "_spacer" else 14 if key in block.tick_columns else 40
            self.widths[c0 + c] = max(self.widths.get(c0 + c, 0), width)
        return r0 + len(block.cells)


def identity_line(ws: Worksheet, style: Style, codebook: Codebook) -> tuple[str, Cell]:
    """The place line and the date ("วันที่ …" text, or a date value for a date cell)."""
    place = write_place_line(codebook, ws.place, style.writing)
    return place, write_date(ws.date, style.writing.date_form)


def onesheet_grid(ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random, name: str = "Sheet1") -> GridSheet:
    """All tables on one sheet at ``style.offset`` with blank rows between."""
    sheet = GridSheet(name)
    r, c = style.offset
    place, date = identity_line(ws, style, codebook)
    date_label = codebook.identity["worksheet_date"].th
    sheet.put(r, c, place)
    if isinstance(date, dt.datetime):
        sheet.put(r + 1, c, date_label)
        sheet.put(r + 1, c + 1, date)
    else:
        sheet.put(r + 1, c, f"{date_label} {date}")
    r += 3
    for table in codebook.tables:
        entries = ws.tables.get(table.code)
        if entries is None:
            continue
        if style.titles:
            sheet.put(r, c, title_text(table, codebook, style, handout=rng.random() < 0.5))
            r += 1
        r = sheet.put_block(build_block(table, entries, style, codebook, rng), r, c)
        r += rng.choice((1, 2, 2, 3))
    return sheet


_SHEET_NAMES = {
    "number": lambda t: f"{prose('th')['table_word']}{t.number}",
    "sheetN": lambda t: f"Sheet{t.number}",
}


def per_table_grids(ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> list[GridSheet]:
    """A sheet per table, the place and date as label/value cells on the first one."""
    sheets = []
    for table in codebook.tables:
        entries = ws.tables.get(table.code)
        if entries is None:
            continue
        namer = _SHEET_NAMES.get(style.sheet_names, lambda t: sheet_name(t))
        sheet = GridSheet(namer(table))
        r = 0
        if not sheets:
            bare = Writing("bare", style.writing.capital_short, style.writing.date_form, style.writing.thai_numbering)
            for i, key in enumerate(("tambon", "amphoe", "province")):
                sheet.put(0, 2 * i, codebook.identity[key].th)
                sheet.put(0, 2 * i + 1, write_place_part(codebook, ws.place, key, bare))
            sheet.put(1, 0, codebook.identity["worksheet_date"].th)
            sheet.put(1, 1, write_date(ws.date, style.writing.date_form))
            r = 3
        if style.titles:
            sheet.put(r, 0, title_text(table, codebook, style, handout=True))
            block_width = len(_columns(table, style))
            if rng.random() < 0.5:
                sheet.merges.append((r, 0, 1, block_width))
            r += 1
        sheet.put_block(build_block(table, entries, style, codebook, rng), r, 0)
        sheets.append(sheet)
    return sheets


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL = PatternFill("solid", fgColor="E2EFDA")


def save_grid_xlsx(path: Path, sheets: list[GridSheet], *, macro: bool = False, font: str = "Tahoma") -> Path:
    """Writes grid sheets as a workbook (text wraps, tables bordered, headers shaded)."""
    wb = Workbook()
    wb.remove(wb.active)
    plain, bold = Font(name=font, size=10), Font(name=font, size=10, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for grid in sheets:
        ws = wb.create_sheet(grid.name)
        for (r, c) in sorted(grid.table_cells | set(grid.cells)):
            cell = ws.cell(row=r + 1, column=c + 1)
            value = grid.cells.get((r, c))
            if value is not None:
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text a team typed, not a formula
                if isinstance(value, dt.datetime):
                    cell.number_format = "d/m/yyyy"
            cell.font = bold if (r, c) in grid.header_cells else plain
            if (r, c) in grid.table_cells:
                cell.border = _BORDER
                cell.alignment = wrap
            if (r, c) in grid.header_cells:
                cell.fill = _FILL
        for r, c, nr, nc in grid.merges:
            ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + nr, end_column=c + nc)
        for c, width in grid.widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = width
    return save_workbook(wb, path, macro_enabled=macro)


def save_grid_ods(path: Path, sheets: list[GridSheet]) -> Path:
    out = []
    for grid in sheets:
        n_rows = max((r for r, _ in grid.cells), default=-1) + 1
        n_cols = max((c for _, c in grid.cells), default=-1) + 1
        rows: list[list] = [[None] * n_cols for _ in range(n_rows)]
        for (r, c), value in grid.cells.items():
            rows[r][c] = write_date(value.date(), "slash_be") if isinstance(value, dt.datetime) else value
        widths = [grid.widths.get(c, 10) * 0.22 for c in range(n_cols)]
        out.append(OdsSheet(grid.name, rows, merges=list(grid.merges), widths_cm=widths))
    return write_ods(path, out)


# ---------------------------------------------------------------- the layouts


def write_template_filled(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    """The project's template with the team's answers typed in."""
    wb, layout = build_template("th", codebook)
    cover = wb[layout.cover_sheet]
    for key in ("tambon", "amphoe", "province"):
        cover[layout.identity[key]] = write_place_part(codebook, ws.place, key, style.writing)
    date = write_date(ws.date, style.writing.date_form)
    cover[layout.identity["worksheet_date"]] = date
    if isinstance(date, dt.datetime):
        cover[layout.identity["worksheet_date"]].number_format = "d mmmm yyyy"
    for table in codebook.tables:
        sheet_layout = layout.tables[table.code]
        sheet = wb[sheet_layout.sheet]
        entries = ws.tables.get(table.code)
        if entries is None:
            del wb[sheet_layout.sheet]
            continue
        for entry in entries:
            r = sheet_layout.rows[entry.code]
            row_type = table.row(entry.code)
            if row_type.other and entry.other_label:
                sheet.cell(row=r, column=sheet_layout.columns["label"]).value = (
                    f"{row_type.number}. {row_type.label.seed_th} {entry.other_label}"
                )
            for key, text in entry.fields.items():
                cell = sheet.cell(row=r, column=sheet_layout.columns[key])
                cell.value = text or None
                if text.startswith("="):
                    cell.data_type = "s"
            for code, tick in entry.ticks.items():
                sheet.cell(row=r, column=sheet_layout.columns[code]).value = _tick_cell(tick, style) if tick != "" else None
    return save_workbook(wb, path, macro_enabled=style.macro)


def write_onesheet(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    return save_grid_xlsx(path, [onesheet_grid(ws, style, codebook, rng)], macro=style.macro)


def write_handmade(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    return save_grid_xlsx(path, per_table_grids(ws, style, codebook, rng), macro=style.macro, font="TH SarabunPSK")


def write_ods_file(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    if style.one_sheet:
        sheets = [onesheet_grid(ws, style, codebook, rng, name="Sheet1")]
    else:
        sheets = per_table_grids(ws, style, codebook, rng)
    return save_grid_ods(path, sheets)


def _docx_fonts(document, name: str = "TH Sarabun New", size: int = 14) -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(size * 2))
    rpr.append(size_cs)


def _docx_table(document, block: Block) -> None:
    table = document.add_table(rows=len(block.cells), cols=block.width)
    table.style = "Table Grid"
    covered = {
        (r + dr, c + dc) for r, c, nr, nc in block.merges for dr in range(nr) for dc in range(nc) if dr or dc
    }
    for r, c, nr, nc in block.merges:
        table.cell(r, c).merge(table.cell(r + nr - 1, c + nc - 1))
    for r, line in enumerate(block.cells):
        for c, value in enumerate(line):
            if (r, c) in covered or value in (None, ""):
                continue
            table.cell(r, c).text = str(value)


def write_docx(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    """A Word file: heading, place, date, then the tables with merged headers."""
    document = docx.Document()
    _docx_fonts(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    props = document.core_properties
    props.created = props.modified = FIXED_DATETIME
    props.last_modified_by = props.author = "siianalysis"
    props.title = ""
    document.add_heading(str(prose("th")["subtitle"]), level=1)
    place, date = identity_line(ws, style, codebook)
    if isinstance(date, dt.datetime):
        date = write_date(ws.date, "th_long_thai")
    document.add_paragraph(place)
    document.add_paragraph(f"{codebook.identity['worksheet_date'].th} {date}")
    for table in codebook.tables:
        entries = ws.tables.get(table.code)
        if entries is None:
            continue
        if style.titles:
            document.add_paragraph(title_text(table, codebook, style, handout=rng.random() < 0.5))
        _docx_table(document, build_block(table, entries, style, codebook, rng))
        document.add_paragraph("")
    document.save(str(path))
    return freeze_zip(path)


def tidy_records(ws: Worksheet, codebook: Codebook) -> list[dict[str, str]]:
    """The worksheet in the project's tidy form: one record per row × field."""
    out = []
    base = {
        "tambon": ws.place.tambon,
        "amphoe": ws.place.amphoe,
        "province": ws.place.province,
        "worksheet_date": ws.date.isoformat(),
    }
    for table in codebook.tables:
        for entry in ws.tables.get(table.code, ()):
            if entry.empty:
                continue
            row_type = table.row(entry.code)
            label = f"{row_type.label.th} {entry.other_label}".strip() if row_type.other else row_type.label.th
            values = list(entry.fields.items()) + list(entry.ticks.items())
            for key, value in values:
                out.append(base | {"table": table.code, "row_code": entry.code, "label": label, "field": key, "value": value})
    return out


def write_csv(path: Path, ws: Worksheet, style: Style, codebook: Codebook, rng: random.Random) -> Path:
    """The tidy CSV (UTF-8 with BOM so Excel shows Thai)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=TIDY_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(tidy_records(ws, codebook))
    return path


WRITERS = {
    "template": write_template_filled,
    "onesheet": write_onesheet,
    "handmade": write_handmade,
    "ods": write_ods_file,
    "docx": write_docx,
    "csv": write_csv,
}


def write_worksheet(path: Path, ws: Worksheet, style: Style, codebook: Codebook) -> Path:
    """Writes ``ws`` at ``path`` in ``style.layout`` and returns the path."""
    rng = random.Random(style.seed)
    return WRITERS[style.layout](Path(path), ws, style, codebook, rng)
