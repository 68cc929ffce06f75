"""Cell fills and fonts of a workbook, read only when the parser asks.

Text is what calamine gives; some teams say more with the cell's look: a tick
cell filled with colour and no text, or a tick typed in a symbol font (the cell
holds "ü", the screen shows ✓). Reading styles costs a second pass over the
file, so the spreadsheet reader only attaches a ``WorkbookStyles`` to its grids
(``Grid.styles``) and the parser asks for the few sheets whose tick cells need
it. The first ask for a sheet reads that sheet's looks once:

- xlsx/xlsm from ``xl/styles.xml`` (cell formats: fills, fonts) and the
  sheet's part (each cell's format, else its row's or column's);
- ods from ``content.xml`` (automatic styles, font-face declarations) and
  ``styles.xml`` (the named styles they inherit from).

Both are parsed with lxml refusing entities, DTDs and the network (not with
openpyxl: importing it costs more than reading a dozen workbooks' styles). In an
ods, repeated rows and columns stay runs: a sheet that says "the next million
rows look alike" costs one entry.

The source keeps the file's bytes, so it works after a temporary file is gone
(zip members), and drops them when pickled: a grid that crossed a process or
went to the cache answers {} (its tick cells were read before).
.xls (BIFF) styles are not read: its tick cells are read by their text only.
"""

from __future__ import annotations

import io
import zipfile
from bisect import bisect_right
from typing import Literal

from siianalysis.readers.grid import CellLook
from siianalysis.readers.officexml import odf, parse_xml

StyleKind = Literal["xlsx", "ods"]
Cell = tuple[int, int]

_NO_LOOK = CellLook()


def styles_kind(data: bytes) -> StyleKind | None:
    """"xlsx" or "ods" for a workbook whose styles can be read, from its bytes; else None."""
    if data[:2] != b"PK":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        return "ods"
    return None


def workbook_styles(data: bytes) -> WorkbookStyles | None:
    """A style source for a zip-based workbook (xlsx, xlsm, ods); None for others (.xls)."""
    return WorkbookStyles(data) if data[:2] == b"PK" else None


class WorkbookStyles:
    """The looks of one workbook's cells, sheet by sheet, read on first ask."""

    __slots__ = ("_book", "_data", "_kind", "_sheets")

    def __init__(self, data: bytes, kind: StyleKind | None = None) -> None:
        self._data: bytes | None = data
        self._kind = kind  # sniffed on first ask when not given: most workbooks are never asked
        self._sheets: dict[str, _SheetLooks | _CellMap] = {}
        self._book: _XlsxBook | _OdsBook | None = None  # the parsed package, shared by its sheets

    def __getstate__(self) -> dict:
        return {"kind": self._kind}

    def __setstate__(self, state: dict) -> None:
        self._data, self._kind, self._sheets, self._book = None, state["kind"], {}, None

    def looks(self, sheet: str, cells: list[Cell]) -> dict[Cell, CellLook]:
        """Looks of sheet positions (0-based row, column); cells that look like nothing left out."""
        found = self._sheet(sheet)
        out = {}
        for cell in cells:
            look = found.at(*cell)
            if look != _NO_LOOK:
                out[cell] = look
        return out

    def _sheet(self, name: str) -> _SheetLooks | _CellMap:
        if name not in self._sheets:
            try:
                self._sheets[name] = self._read(name)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception:  # noqa: BLE001  styles calamine's reading does not need: text only
                self._sheets[name] = _SheetLooks()
        return self._sheets[name]

    def _read(self, name: str) -> _SheetLooks | _CellMap:
        if self._data is None:
            return _SheetLooks()
        if self._kind is None:
            self._kind = styles_kind(self._data)
        if self._book is None:
            if self._kind == "xlsx":
                self._book = _XlsxBook(self._data)
            elif self._kind == "ods":
                self._book = _OdsBook(self._data)
            else:
                return _SheetLooks()
        return self._book.sheet(name)  # type: ignore[union-attr]


class _CellMap(dict):
    """Looks of one xlsx sheet, cell by cell; a cell not stored takes its row's
    format (a formatted row), else its column's."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, CellLook] = {}
        self.columns: list[tuple[int, int, CellLook]] = []  # first, last column (0-based), look

    def at(self, row: int, col: int) -> CellLook:
        look = self.get((row, col))
        if look is not None:
            return look
        if row in self.rows:
            return self.rows[row]
        return next((look for first, last, look in self.columns if first <= col <= last), _NO_LOOK)


class _SheetLooks:
    """Looks of one sheet: rows as runs of columns, so repeated rows and columns stay cheap (ods)."""

    __slots__ = ("_row_starts", "_rows")

    def __init__(self) -> None:
        self._row_starts: list[int] = []
        self._rows: list[tuple[list[int], list[CellLook]]] = []  # per row run: column starts, looks

    def add_row(self, row: int, col_starts: list[int], looks: list[CellLook]) -> None:
        """A row (or a run of alike rows) starting at ``row``, in increasing order."""
        self._row_starts.append(row)
        self._rows.append((col_starts, looks))

    def at(self, row: int, col: int) -> CellLook:
        i = bisect_right(self._row_starts, row) - 1
        if i < 0:
            return _NO_LOOK
        col_starts, looks = self._rows[i]
        j = bisect_right(col_starts, col) - 1
        return looks[j] if j >= 0 else _NO_LOOK


# ---------------------------------------------------------------- xlsx

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# The first colours of the legacy palette (indexed 0–15: black, white, red, green,
# blue, yellow, magenta, cyan, twice); higher indexes are named as "indexed N".
_INDEXED = ("#000000", "#FFFFFF", "#FF0000", "#00FF00", "#0000FF", "#FFFF00", "#FF00FF", "#00FFFF") * 2


def _xlsx_colour(el) -> str:
    """A ``fgColor``/``bgColor`` element as "#RRGGBB", or the theme or index it names."""
    if el is None:
        return ""
    if rgb := el.get("rgb"):
        return "#" + rgb[-6:].upper()
    if (theme := el.get("theme")) is not None:
        tint = float(el.get("tint") or 0)
        return f"theme {theme}" + (f" {tint:+.2f}" if tint else "")
    if (indexed := el.get("indexed")) is not None:
        index = int(indexed)
        if index < len(_INDEXED):
            return _INDEXED[index]
        return "" if index >= 64 else f"indexed {index}"  # 64, 65: the system's automatic colours
    return ""


def _xlsx_fill(fill) -> str:
    if fill.find(f"{_MAIN}gradientFill") is not None:
        return "gradient"
    pattern = fill.find(f"{_MAIN}patternFill")
    kind = None if pattern is None else pattern.get("patternType")
    if kind is None or kind == "none":
        return ""
    colour = _xlsx_colour(pattern.find(f"{_MAIN}fgColor")) or _xlsx_colour(pattern.find(f"{_MAIN}bgColor"))
    return colour if kind == "solid" else f"{kind} {colour}".strip()


class _XlsxBook:
    """An xlsx/xlsm package's cell formats (``xl/styles.xml``) and where its sheets are."""

    def __init__(self, data: bytes) -> None:
        from siianalysis.readers.formulas import sheet_parts

        self.package = zipfile.ZipFile(io.BytesIO(data))
        self.parts = {name: part for part, name in sheet_parts(self.package).items()}
        root = parse_xml(self.package.read("xl/styles.xml"))

        def children(path: str) -> list:
            parent = root.find(path)
            return [] if parent is None else list(parent)

        fonts = [(f.find(f"{_MAIN}name").get("val", "") if f.find(f"{_MAIN}name") is not None else "")
                 for f in children(f"{_MAIN}fonts")]
        fills = [_xlsx_fill(f) for f in children(f"{_MAIN}fills")]
        self.formats: list[CellLook] = []
        for xf in children(f"{_MAIN}cellXfs"):
            font, fill = int(xf.get("fontId") or 0), int(xf.get("fillId") or 0)
            self.formats.append(CellLook(fills[fill] if fill < len(fills) else "",
                                         fonts[font] if font < len(fonts) else ""))

    def format(self, index: str | None) -> CellLook:
        try:
            return self.formats[int(index or 0)]
        except (ValueError, IndexError):
            return _NO_LOOK

    def sheet(self, name: str) -> _CellMap:
        looks = _CellMap()
        part = self.parts.get(name)
        if part is None:
            return looks
        root = parse_xml(self.package.read(part))
        columns: list[tuple[int, int, str]] = [  # (first, last) column, 0-based, and its format
            (int(col.get("min", 1)) - 1, int(col.get("max", 1)) - 1, col.get("style"))
            for col in root.iter(f"{_MAIN}col") if col.get("style")
        ]
        looks.columns = [(first, last, self.format(style)) for first, last, style in columns]
        for row in root.iter(f"{_MAIN}row"):
            row_format = row.get("s") if row.get("customFormat") in ("1", "true") else None
            if row_format is not None and (r := row.get("r", "")).isdigit():
                looks.rows[int(r) - 1] = self.format(row_format)
            for c in row.iter(f"{_MAIN}c"):
                at = _cell_ref(c.get("r", ""))
                if at is None:
                    continue
                index = c.get("s") or row_format or next((s for a, b, s in columns if a <= at[1] <= b), None)
                looks[at] = self.format(index)
        return looks


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """"D6" → (5, 3)."""
    col = i = 0
    while i < len(ref) and "A" <= ref[i] <= "Z":
        col = col * 26 + ord(ref[i]) - 64
        i += 1
    if not i or not ref[i:].isdigit():
        return None
    return int(ref[i:]) - 1, col - 1


# ---------------------------------------------------------------- ods

_q = odf


_TABLE, _ROW, _CELL, _COVERED, _COLUMN = (_q(n) for n in (
    "table:table", "table:table-row", "table:table-cell", "table:covered-table-cell", "table:table-column"))
_ROW_GROUPS = {_q(n) for n in ("table:table-header-rows", "table:table-rows", "table:table-row-group")}
_COLUMN_GROUPS = {_q(n) for n in ("table:table-header-columns", "table:table-columns", "table:table-column-group")}
_NAME, _STYLE_NAME, _DEFAULT_STYLE = _q("table:name"), _q("table:style-name"), _q("table:default-cell-style-name")
_ROWS_REPEATED, _COLS_REPEATED = _q("table:number-rows-repeated"), _q("table:number-columns-repeated")


def _repeat(el, attr: str) -> int:
    try:
        return max(int(el.get(attr, "1")), 1)
    except ValueError:
        return 1


class _OdsBook:
    """An OpenDocument spreadsheet's tables and cell styles, parsed once."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            self.content = parse_xml(package.read("content.xml"))
            names = set(package.namelist())
            common = parse_xml(package.read("styles.xml")) if "styles.xml" in names else None
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # name → (fill, font, parent)
        self.fonts: dict[str, str] = {}  # font-face name → family
        for root in (common, self.content):
            if root is None:
                continue
            for face in root.iter(_q("style:font-face")):
                family = face.get(_q("svg:font-family")) or face.get(_q("style:name"), "")
                self.fonts[face.get(_q("style:name"), "")] = family.strip().strip("'\"")
            for style in root.iter(_q("style:style")):
                if style.get(_q("style:family")) != "table-cell":
                    continue
                cell_props = style.find(_q("style:table-cell-properties"))
                text_props = style.find(_q("style:text-properties"))
                fill = None if cell_props is None else cell_props.get(_q("fo:background-color"))
                font = None
                if text_props is not None:
                    font = text_props.get(_q("style:font-name")) or text_props.get(_q("fo:font-family"))
                self.styles[style.get(_q("style:name"), "")] = (fill, font, style.get(_q("style:parent-style-name")))
        self._resolved: dict[str, CellLook] = {}

    def look(self, name: str | None) -> CellLook:
        """A cell style's fill and font, inherited from its parents where it sets none."""
        if not name:
            return _NO_LOOK
        if name in self._resolved:
            return self._resolved[name]
        fill = font = None
        seen: set[str] = set()
        current: str | None = name
        while current and current not in seen and (fill is None or font is None):
            seen.add(current)
            own_fill, own_font, parent = self.styles.get(current, (None, None, None))
            fill = own_fill if fill is None else fill
            font = own_font if font is None else font
            current = parent
        colour = "" if not fill or fill == "transparent" else fill.upper()
        look = self._resolved[name] = CellLook(colour, self.fonts.get(font, font or "") if font else "")
        return look

    def sheet(self, name: str) -> _SheetLooks:
        looks = _SheetLooks()
        table = next((t for t in self.content.iter(_TABLE) if t.get(_NAME) == name), None)
        if table is None:
            return looks
        column_defaults = self._column_defaults(table)
        row = 0
        for el in self._rows(table):
            repeat = _repeat(el, _ROWS_REPEATED)
            starts, row_looks = self._row_runs(el, column_defaults)
            looks.add_row(row, starts, row_looks)
            row += repeat
        looks.add_row(row, [], [])
        return looks

    def _rows(self, parent):
        for child in parent:
            if child.tag == _ROW:
                yield child
            elif child.tag in _ROW_GROUPS:
                yield from self._rows(child)

    def _column_defaults(self, table) -> tuple[list[int], list[str | None]]:
        starts: list[int] = []
        names: list[str | None] = []
        col = 0

        def walk(parent) -> None:
            nonlocal col
            for child in parent:
                if child.tag == _COLUMN:
                    starts.append(col)
                    names.append(child.get(_DEFAULT_STYLE))
                    col += _repeat(child, _COLS_REPEATED)
                elif child.tag in _COLUMN_GROUPS:
                    walk(child)

        walk(table)
        return starts, names

    def _row_runs(self, row_el, column_defaults) -> tuple[list[int], list[CellLook]]:
        """The row's cells as runs of looks; a cell with no style takes the row's or column's default."""
        col_starts, col_names = column_defaults
        row_default = row_el.get(_DEFAULT_STYLE)
        starts: list[int] = []
        looks: list[CellLook] = []
        col = 0
        for cell in row_el:
            if cell.tag not in (_CELL, _COVERED):
                continue
            repeat = _repeat(cell, _COLS_REPEATED)
            own = cell.get(_STYLE_NAME) or row_default
            if own:
                starts.append(col)
                looks.append(self.look(own))
            else:  # the columns' default styles over this run of cells
                end = col + repeat
                i = bisect_right(col_starts, col) - 1
                c = col
                while c < end:
                    starts.append(c)
                    looks.append(self.look(col_names[i] if i >= 0 else None))
                    c = min(col_starts[i + 1], end) if i + 1 < len(col_starts) else end
                    i += 1
            col += repeat
        starts.append(col)
        looks.append(_NO_LOOK)
        return starts, looks
