"""Workbooks (.xlsx .xlsm .xls .ods) as grids, through python-calamine only.

calamine is a Rust reader: it opens all four formats, is many times faster than
openpyxl over thousands of files and gives cached formula values. Each
non-empty sheet becomes one ``Grid`` (hidden sheets too, marked ``hidden``:
the parser leaves them out of the worksheet and says what they held) whose ``origin`` is where its first cell sits, so refs are true Excel
addresses. Cells become text with numbers as a person reads them ("1", not
"1.0"); nothing else is cleaned (the parser calls ``text.clean``). Merged
ranges keep their value at the top-left cell only, as calamine gives it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from siianalysis.readers import UnreadableFile, brief
from siianalysis.readers.grid import Grid, RawDocument

_SKIPPED_TYPES = (SheetTypeEnum.ChartSheet, SheetTypeEnum.Vba)  # not hashable: a tuple


def cell_text(value: object) -> str:
    """One calamine value as the text a person sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):  # before date: datetime is a date
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.timedelta):  # durations: [h]:mm:ss
        seconds = round(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def sheet_grid(rows: list[list[object]], start: tuple[int, int] | None, source: str, part: str) -> Grid | None:
    """A rectangle of texts from ``to_python()`` rows starting at ``start``; None if no text at all."""
    cells = [[v if v.__class__ is str else cell_text(v) for v in row] for row in rows]
    if not any(c and not c.isspace() for row in cells for c in row):
        return None
    r0, c0 = start or (0, 0)
    # calamine starts at its first stored cell; drop any all-'' edge it kept so
    # that cells[0][0] is the first written row/column and refs stay true.
    while cells and not any(cells[0]):
        cells.pop(0)
        r0 += 1
    width = max(len(row) for row in cells)
    for row in cells:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    while width and all(row[0] == "" for row in cells):
        for row in cells:
            del row[0]
        width -= 1
        c0 += 1
    return Grid(source_file=source, part=part, kind="sheet", cells=cells, origin=(r0, c0))


def read_spreadsheet(path: Path, display_name: str) -> list[RawDocument]:
    """All non-empty sheets of a workbook, in workbook order, as one document."""
    doc = RawDocument(source_file=display_name)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise UnreadableFile("corrupt-file", "the workbook is password-protected") from exc
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine errors, OSError, and pyo3 panics (BaseException)
        raise UnreadableFile("corrupt-file", f"cannot open as a workbook ({brief(exc)})") from exc
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ in _SKIPPED_TYPES:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
                rows = sheet.to_python(skip_empty_area=True)
                start = sheet.start
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                raise UnreadableFile(
                    "corrupt-file", f"sheet '{meta.name}' cannot be read ({brief(exc)})"
                ) from exc
            grid = sheet_grid(rows, start, display_name, meta.name)
            if grid is not None:
                grid.hidden = meta.visible != SheetVisibleEnum.Visible
                doc.grids.append(grid)
    return [doc]
