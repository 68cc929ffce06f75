"""Workbooks (.xlsx .xlsm .xls .ods) as grids, through python-calamine.

calamine is a Rust reader: it opens all four formats, is many times faster than
openpyxl over thousands of files and gives cached formula values. Each
non-empty sheet becomes one ``Grid`` (hidden sheets too, marked ``hidden``:
the parser leaves them out of the worksheet and says what they held) whose ``origin`` is where its first cell sits, so refs are true Excel
addresses. Cells become text with numbers as a person reads them ("1", not
"1.0"); nothing else is cleaned (the parser calls ``text.clean``). Merged
ranges keep their value at the top-left cell only, as calamine gives it; the ranges
themselves are on the grid (``Grid.merged``).

Two things calamine cannot give are added: a formula stored without a value
(files written by libraries) keeps its formula text (``readers.formulas``), and
xlsx/xlsm/ods grids carry a ``WorkbookStyles`` (``readers.styles``) that reads
cell fills and fonts only if the parser asks for them.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from siianalysis.readers.base import UnreadableFile, brief
from siianalysis.readers.formulas import formulas_without_values
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.readers.precheck import PASSWORD_PROTECTED
from siianalysis.readers.styles import workbook_styles

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


# A formula cell far from the sheet's text would make its grid absurdly large
# (a broken or hostile file): beyond this many cells, only formulas inside the
# text's rectangle are kept.
_MAX_FORMULA_GRID_CELLS = 2_000_000


def with_formulas(rows: list[list[object]], start: tuple[int, int] | None,
                  formulas: dict[tuple[int, int], str]) -> tuple[list[list[object]], tuple[int, int] | None]:
    """calamine's rows with the formulas stored without a value put in their empty cells.

    ``formulas`` are sheet positions (0-based); the rectangle grows to hold them.
    """
    if not formulas:
        return rows, start
    r0, c0 = start if (start is not None and rows) else (min(r for r, _ in formulas), min(c for _, c in formulas))
    width = max((len(row) for row in rows), default=0)
    top, left = min(r0, *(r for r, _ in formulas)), min(c0, *(c for _, c in formulas))
    bottom = max(r0 + len(rows), *(r + 1 for r, _ in formulas))
    right = max(c0 + width, *(c + 1 for _, c in formulas))
    if (bottom - top) * (right - left) > _MAX_FORMULA_GRID_CELLS:
        inside = {(r, c): f for (r, c), f in formulas.items()
                  if r0 <= r < r0 + len(rows) and c0 <= c < c0 + width}
        return with_formulas(rows, start, inside) if inside and len(inside) < len(formulas) else (rows, start)
    grid: list[list[object]] = [[""] * (right - left) for _ in range(bottom - top)]
    for i, row in enumerate(rows):
        grid[r0 - top + i][c0 - left:c0 - left + len(row)] = row
    for (r, c), text in formulas.items():
        if grid[r - top][c - left] in ("", None):
            grid[r - top][c - left] = text
    return grid, (top, left)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot open the file ({brief(exc)})") from exc


def read_spreadsheet(path: Path, display_name: str) -> list[RawDocument]:
    """All non-empty sheets of a workbook, in workbook order, as one document."""
    doc = RawDocument(source_file=display_name)
    data = _read_bytes(path)
    formulas = formulas_without_values(data)
    styles = workbook_styles(data)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise UnreadableFile("corrupt-file", PASSWORD_PROTECTED) from exc
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
                merged = sheet.merged_cell_ranges or []
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                raise UnreadableFile(
                    "corrupt-file", f"sheet '{meta.name}' cannot be read ({brief(exc)})"
                ) from exc
            if meta.name in formulas:
                rows, start = with_formulas(rows, start, formulas[meta.name])
            grid = sheet_grid(rows, start, display_name, meta.name)
            if grid is not None:
                grid.hidden = meta.visible != SheetVisibleEnum.Visible
                grid.styles = styles
                r0, c0 = grid.origin
                grid.merged = [(a - r0, b - c0, c - r0, d - c0) for (a, b), (c, d) in merged if (a, b) != (c, d)]
                doc.grids.append(grid)
    return [doc]
