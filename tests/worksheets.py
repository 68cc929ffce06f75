"""Worksheets written the way teams write them, with what they say, for tests.

A ``Filled`` worksheet holds what a team wrote; writers lay it out as an xlsx
(one sheet per table or all on one sheet, at an offset, one- or two-level
header) or a docx (a line naming the tambon above Word tables with merged
header cells). Tests read the files back and compare cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import docx
import openpyxl
from openpyxl.utils import get_column_letter

from siianalysis.codebook import Table, load_codebook

CB = load_codebook()


@dataclass
class Line:
    """One row as written: label cell text, text fields, outcome cells as spelled."""

    label: str
    texts: dict[str, str] = field(default_factory=dict)
    ticks: dict[str, str] = field(default_factory=dict)


@dataclass
class Filled:
    place_line: str  # e.g. "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่"
    date_text: str
    tables: dict[str, list[Line]]


def numbered(table: Table, code: str, extra: str = "") -> str:
    row = table.row(code)
    return f"{row.number}. {row.label.seed_th}{(' ' + extra) if extra else ''}"


def header_rows(table: Table, two_level: bool = True, numbers_only: bool = False) -> list[list[str]]:
    """The handout's header: label, fields, outcomes (merged header + numbered), plan."""
    top, sub = [], []
    for col in table.columns:
        if col == "label":
            top.append(table.label_column.seed_th)
            sub.append("")
        elif col == "outcomes":
            for i, o in enumerate(table.outcomes):
                text = str(o.number) if numbers_only else f"{o.number}. {o.label.seed_th}"
                top.append(CB.outcomes_header.seed_th if i == 0 else "")
                sub.append(text)
        else:
            top.append(table.field(col).label.seed_th)
            sub.append("")
    if not two_level:
        return [[s if s else t for t, s in zip(top, sub)]]
    return [top, sub] if table.outcomes else [top]


def body_row(table: Table, line: Line) -> list[str]:
    cells = []
    for col in table.columns:
        if col == "label":
            cells.append(line.label)
        elif col == "outcomes":
            cells.extend(line.ticks.get(o.code, "") for o in table.outcomes)
        else:
            cells.append(line.texts.get(col, ""))
    return cells


def table_block(table: Table, lines: list[Line], two_level: bool = True, title: bool = True,
                numbers_only: bool = False) -> list[list[str]]:
    rows = [[f"{CB.table_title_cue} {table.number} {table.title.seed_th}"]] if title else []
    rows += header_rows(table, two_level, numbers_only)
    rows += [body_row(table, line) for line in lines]
    return rows


def write_xlsx_per_sheet(path: Path, filled: Filled, offset: tuple[int, int] = (0, 0), cover: bool = True,
                         two_level: bool = True, round_field: tuple[str, str] | None = None) -> Path:
    """One sheet per table, after a cover sheet naming the place and date (``cover``);
    ``round_field``: a (label, value) line added to the cover, e.g. ("ปีงบประมาณ", "2567")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if cover:
        ws.title = "ปก"
        tambon, amphoe, province = _split_place(filled.place_line)
        fields = [(CB.identity[key].th, value) for key, value in (
            ("tambon", tambon), ("amphoe", amphoe), ("province", province), ("worksheet_date", filled.date_text))]
        for r, (label, value) in enumerate([*fields, *([round_field] if round_field else [])], start=2):
            ws.cell(r, 2, label)
            ws.cell(r, 3, value)
    else:
        wb.remove(ws)
    for code, lines in filled.tables.items():
        table = CB.table(code)
        sheet = wb.create_sheet(f"ตาราง{table.number}")
        if not cover:
            sheet.cell(1, 1, filled.place_line)
        block = table_block(table, lines, two_level)
        _put(sheet, block, offset)
        if two_level and table.outcomes:
            first = offset[1] + table.columns.index("outcomes") + 1
            hr = offset[0] + 2  # the title row comes first
            sheet.merge_cells(start_row=hr, start_column=first, end_row=hr, end_column=first + len(table.outcomes) - 1)
    wb.save(path)
    return path


def write_xlsx_one_sheet(path: Path, filled: Filled, offset: tuple[int, int] = (2, 1), two_level: bool = True,
                         numbers_only: bool = False) -> Path:
    """All four tables on one sheet, at an offset, blank spacer rows between them."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "แบบฟอร์ม"
    sheet.cell(1, 1, filled.place_line)
    sheet.cell(2, 1, f"{CB.identity['worksheet_date'].th} {filled.date_text}")
    row = offset[0]
    for code, lines in filled.tables.items():
        block = table_block(CB.table(code), lines, two_level, numbers_only=numbers_only)
        _put(sheet, block, (row, offset[1]))
        row += len(block) + 2  # two blank spacer rows
    wb.save(path)
    return path


def _put(sheet, block: list[list[str]], offset: tuple[int, int]) -> None:
    for r, cells in enumerate(block):
        for c, value in enumerate(cells):
            if value != "":
                cell = sheet.cell(offset[0] + r + 1, offset[1] + c + 1, value)
                if value.startswith("="):
                    cell.data_type = "s"  # text a team typed, not a formula (Excel: a leading ')
    for c in range(offset[1] + 1, offset[1] + 12):
        sheet.column_dimensions[get_column_letter(c)].width = 18


def write_docx(path: Path, filled: Filled) -> Path:
    """A Word file: the tambon line and date above the tables; the outcomes header
    merged across its columns and the other header cells merged down two rows."""
    document = docx.Document()
    document.add_paragraph(filled.place_line)
    document.add_paragraph(f"{CB.identity['worksheet_date'].th} {filled.date_text}")
    for code, lines in filled.tables.items():
        table = CB.table(code)
        document.add_paragraph(f"{CB.table_title_cue} {table.number} {table.title.seed_th}")
        heads = header_rows(table, two_level=True)
        body = [body_row(table, line) for line in lines]
        width = len(heads[0])
        t = document.add_table(rows=len(heads) + len(body), cols=width)
        for r, cells in enumerate(heads + body):
            for c, value in enumerate(cells):
                if value:
                    t.cell(r, c).text = value
        if table.outcomes:
            first = table.columns.index("outcomes")
            last = first + len(table.outcomes) - 1
            t.cell(0, first).merge(t.cell(0, last)).text = CB.outcomes_header.seed_th
            for c in range(width):
                if not first <= c <= last:
                    top = t.cell(0, c)
                    text = top.text
                    top.merge(t.cell(1, c)).text = text
    document.save(path)
    return path


def _split_place(line: str) -> tuple[str, str, str]:
    parts = line.split()
    return (parts + ["", "", ""])[:3]
