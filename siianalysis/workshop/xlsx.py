"""Writing the workbooks people open: safe cells, the house font, byte-identical files.

One home for the rules every workbook of the workshop follows (the blank
template, the review workbook, the compilation):

- a cell holds text a spreadsheet accepts: the control characters openpyxl
  refuses are dropped, and text longer than Excel's 32,767 characters is cut
  with " …" (``cell_text``);
- text from teams and reviewers is untrusted: one a spreadsheet could take for
  a formula (``export.looks_like_formula``, the CSV guard's rule: ``= + - @``,
  their full-width forms, tab, carriage return) is written as a text cell,
  never as a formula (``write_cell``);
- the font is the Thai government standard, TH Sarabun New (``FONT_NAME``);
  Office falls back to another font when it is missing;
- the same workbook gives the same bytes: fixed core-property dates and a
  normalised zip (``save_workbook``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

from siianalysis._zipfreeze import FIXED_DATETIME, freeze_zip
from siianalysis.export import looks_like_formula

FONT_NAME = "TH Sarabun New"
CELL_MAX = 32_767  # characters one cell holds
SHEET_NAME_MAX = 31  # characters of a sheet name
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def cell_text(text: str) -> str:
    """``text`` as a cell can hold it: no illegal control characters, at most ``CELL_MAX``
    characters (a longer text is cut and ends with " …")."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 2].rstrip() + " …"


def write_cell(ws, row: int, col: int, value: Any):
    """Writes ``value`` at (``row``, ``col``) and returns the cell: text through ``cell_text``,
    anything else as it is; text that looks like a formula stays text (``data_type = "s"``),
    never a formula."""
    cell = ws.cell(row=row, column=col, value=cell_text(value) if isinstance(value, str) else value)
    if looks_like_formula(cell.value):
        cell.data_type = "s"
    return cell


def sheet_name(text: str) -> str:
    """``text`` as a sheet name: no character Excel refuses in one, at most ``SHEET_NAME_MAX``."""
    return _SHEET_NAME_BAD.sub("_", text)[:SHEET_NAME_MAX] or "Sheet"


def save_workbook(wb: Workbook, path: str | Path, *, macro_enabled: bool = False) -> Path:
    """Saves ``wb`` byte-for-byte reproducibly: fixed core-property dates, frozen zip.

    ``macro_enabled`` declares the workbook part as macro-enabled (for an .xlsm
    name) without adding any macro.
    """
    path = Path(path)
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME
    wb.properties.creator = "siianalysis"
    wb.properties.lastModifiedBy = "siianalysis"
    # openpyxl's save_workbook stamps the clock into "modified"; its writer does not.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()

    def transform(name: str, data: bytes) -> bytes:
        if macro_enabled and name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return data

    return freeze_zip(path, transform)
