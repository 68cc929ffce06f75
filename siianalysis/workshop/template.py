"""The blank worksheet workbook teams fill in, laid out like the handout.

``write_template(path)`` writes an .xlsx with a cover sheet (the workshop's
title, the area's identity fields, short instructions) and one sheet per
worksheet table: a title row, a two-level header (the outcome columns under
one merged "outcomes" header), then the handout's numbered rows. Tick cells
accept only ✓ (or blank). Every label comes from the codebook; the template's
own prose (title, instructions) from ``data/report_text.yaml`` (``template.*``).

The same call gives a byte-identical file (``xlsx.save_workbook``).
``build_template`` returns the workbook and a ``TemplateLayout`` (which cell
holds what) so the sample generator can fill a template in without re-reading it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from siianalysis.codebook import Codebook, Lang, Table, load_codebook
from siianalysis.words import texts

from .xlsx import FONT_NAME, SHEET_NAME_MAX, save_workbook

TICK = "✓"  # the mark the handout asks for ("ทำเครื่องหมาย ✓")
IDENTITY_FIELDS = ("tambon", "amphoe", "province", "worksheet_date")
FONT_SIZE = 16

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E2EFDA")
_OUTCOME_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Where one table sits on its sheet (1-based rows and columns)."""

    table: str
    sheet: str
    title_row: int
    header_rows: tuple[int, ...]
    rows: dict[str, int]  # row code -> sheet row
    columns: dict[str, int]  # "label", field codes, outcome codes -> sheet column


@dataclass(frozen=True, slots=True)
class TemplateLayout:
    cover_sheet: str
    identity: dict[str, str]  # identity field -> coordinate of its input cell
    tables: dict[str, SheetLayout]


def prose(lang: Lang = "th") -> dict[str, str]:
    """The template's own words (title, instructions: one a line) in ``lang``."""
    return texts("template", "en" if lang == "en" else "th")


def table_title(table: Table, codebook: Codebook, lang: Lang = "th") -> str:
    """The table's title as the handout prints it (Thai) or its English one.

    The handout repeats table 3's title over table 4 (the summary); a title
    that repeats an earlier table's is replaced by the codebook's clean one.
    """
    if lang == "en":
        return table.title.en
    earlier = {t.title.seed_th for t in codebook.tables if t.number < table.number}
    seed = table.title.seed_th
    return table.title.th if not seed or seed in earlier else seed


def sheet_name(table: Table, lang: Lang = "th") -> str:
    """A sheet name like "ตาราง 1 คน": table number + a short name that fits Excel's 31 characters."""
    word = prose(lang)["table_word"]
    title = table.title.text(lang)
    quoted = _QUOTED.search(title)
    candidates = [quoted.group(1) if quoted else "", title, table.label_column.text(lang)]
    for short in candidates:
        name = f"{word} {table.number} {short}".strip()
        if short and len(name) <= SHEET_NAME_MAX:
            return name
    return f"{word} {table.number}"


def _font(bold: bool = False, size: int = FONT_SIZE) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def _header_cell(ws, row: int, col: int, value: str, fill: PatternFill = _HEADER_FILL) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = _font(bold=True)
    cell.alignment = _CENTRE
    cell.fill = fill
    cell.border = _BORDER


def _merge(ws, r0: int, c0: int, r1: int, c1: int) -> None:
    if (r0, c0) != (r1, c1):
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                ws.cell(row=r, column=c).border = _BORDER


def _cover(wb: Workbook, codebook: Codebook, lang: Lang) -> tuple[str, dict[str, str]]:
    words = prose(lang)
    ws = wb.active
    ws.title = str(words["cover_sheet"])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    ws["A1"] = words["workshop"]
    ws["A1"].font = _font(bold=True, size=18)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = 60
    ws["A2"] = words["subtitle"]
    ws["A2"].font = _font(bold=True)
    ws.merge_cells("A2:B2")
    identity: dict[str, str] = {}
    for i, key in enumerate(IDENTITY_FIELDS):
        row = 4 + i
        label = ws.cell(row=row, column=1, value=codebook.identity[key].text(lang))
        label.font = _font(bold=True)
        label.border = _BORDER
        value = ws.cell(row=row, column=2)
        value.font = _font()
        value.fill = _INPUT_FILL
        value.border = _BORDER
        identity[key] = value.coordinate
    other = next(r for t in codebook.tables for r in t.rows if r.other)
    other_label = other.label.seed_th if lang == "th" and other.label.seed_th else other.label.text(lang)
    first = 5 + len(IDENTITY_FIELDS)
    ws.cell(row=first, column=1, value=words["instructions_heading"]).font = _font(bold=True)
    for i, line in enumerate(words["instructions"].splitlines()):
        cell = ws.cell(row=first + 1 + i, column=1, value=str(line).format(tick=TICK, other=other_label))
        cell.font = _font()
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[cell.row].height = 42
    return ws.title, identity


def _label_text(label, lang: Lang) -> str:
    return label.seed_th if lang == "th" and label.seed_th else label.text(lang)


def _table_sheet(wb: Workbook, table: Table, codebook: Codebook, lang: Lang) -> SheetLayout:
    ws = wb.create_sheet(sheet_name(table, lang))
    words = prose(lang)
    title = ws.cell(row=1, column=1, value=f"{words['title_word']} {table.number} {table_title(table, codebook, lang)}")
    title.font = _font(bold=True, size=18)

    two_level = bool(table.outcomes)
    top, bottom = 2, 3 if two_level else 2
    columns: dict[str, int] = {}
    col = 1
    for kind in table.columns:
        if kind == "label":
            columns["label"] = col
            _header_cell(ws, top, col, _label_text(table.label_column, lang))
            _merge(ws, top, col, bottom, col)
            ws.column_dimensions[get_column_letter(col)].width = 36
            col += 1
        elif kind == "outcomes":
            first = col
            _header_cell(ws, top, col, _label_text(codebook.outcomes_header, lang), _OUTCOME_FILL)
            for outcome in table.outcomes:
                columns[outcome.code] = col
                _header_cell(ws, bottom, col, f"{outcome.number}. {_label_text(outcome.label, lang)}", _OUTCOME_FILL)
                ws.column_dimensions[get_column_letter(col)].width = 17
                col += 1
            _merge(ws, top, first, top, col - 1)
        else:
            columns[kind] = col
            _header_cell(ws, top, col, _label_text(table.field(kind).label, lang))
            _merge(ws, top, col, bottom, col)
            ws.column_dimensions[get_column_letter(col)].width = 45
            col += 1
    last_col = col - 1
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.row_dimensions[top].height = 48
    if two_level:
        ws.row_dimensions[bottom].height = 170

    rows: dict[str, int] = {}
    for i, row_type in enumerate(table.rows):
        r = bottom + 1 + i
        rows[row_type.code] = r
        ws.row_dimensions[r].height = 66
        for c in range(1, last_col + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            cell.font = _font()
            cell.alignment = _WRAP_TOP
        ws.cell(row=r, column=columns["label"], value=f"{row_type.number}. {_label_text(row_type.label, lang)}")
        for outcome in table.outcomes:
            ws.cell(row=r, column=columns[outcome.code]).alignment = _CENTRE

    if table.outcomes:
        error = str(words["tick_error"]).format(tick=TICK)
        dv = DataValidation(type="list", formula1=f'"{TICK}"', allow_blank=True, showErrorMessage=True,
                            errorTitle=TICK, error=error)
        first_col = get_column_letter(columns[table.outcomes[0].code])
        last_outcome_col = get_column_letter(columns[table.outcomes[-1].code])
        first_row, last_row = min(rows.values()), max(rows.values())
        dv.add(f"{first_col}{first_row}:{last_outcome_col}{last_row}")
        ws.add_data_validation(dv)

    ws.freeze_panes = ws.cell(row=bottom + 1, column=2).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return SheetLayout(
        table=table.code,
        sheet=ws.title,
        title_row=1,
        header_rows=(top, bottom) if two_level else (top,),
        rows=rows,
        columns=columns,
    )


def build_template(lang: Lang = "th", codebook: Codebook | None = None) -> tuple[Workbook, TemplateLayout]:
    """The blank workbook (not saved) and where each of its cells is."""
    codebook = codebook or load_codebook()
    wb = Workbook()
    cover, identity = _cover(wb, codebook, lang)
    tables = {t.code: _table_sheet(wb, t, codebook, lang) for t in codebook.tables}
    wb.active = 0
    return wb, TemplateLayout(cover_sheet=cover, identity=identity, tables=tables)


def write_template(path: str | Path, lang: Lang = "th") -> Path:
    """Writes the blank worksheet workbook (.xlsx) at ``path`` and returns the path.

    Args:
        path: the file to write (its folder must exist).
        lang: "th" for the handout's Thai labels, "en" for English ones; same layout.
    """
    wb, _ = build_template(lang)
    return save_workbook(wb, path)
