"""The one intermediate form every reader produces.

Whatever a team sends (a workbook, a Word file, a CSV export) becomes a
``RawDocument``: a list of ``Grid`` s of text cells, each cell able to say
where it came from, or, from a source that is already structured, a list of
``Record`` s (``readers.records``). One parser (``siianalysis.parse``)
interprets both; no reader knows anything about worksheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from siianalysis.problems import Problem
from siianalysis.readers.records import Record

GridKind = Literal["sheet", "docx-table", "docx-text", "csv"]


@dataclass(frozen=True, slots=True)
class CellLook:
    """How a cell looks where its text cannot say: its fill and its font.

    ``fill`` is "" for none, else "#RRGGBB" (or a theme/indexed colour or a
    pattern named as the file does); ``font`` is the font family as written.
    """

    fill: str = ""
    font: str = ""


class StyleSource(Protocol):
    """Cell looks of a workbook's sheets, read from the file only when asked."""

    def looks(self, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], CellLook]:
        """Looks of the given (row, column) sheet positions, 0-based; cells with no style left out."""
        ...


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(slots=True)
class Grid:
    """A rectangle of cell texts ('' for empty) from one sheet, table or file.

    ``origin`` is the sheet position of ``cells[0][0]`` (spreadsheets may start
    anywhere). ``row_refs``, when given, names each row's source (CSV lines).
    ``hidden`` marks a sheet its author hid (hidden or very hidden): read, so
    the parser can say what it held, but not part of the worksheet.
    ``styles``, set by the spreadsheet reader, gives cell fills and fonts on
    demand (``looks``): only the few sheets whose tick cells need them pay.
    ``merged`` lists a sheet's merged ranges (a tick written once across several boxes).
    """

    source_file: str
    part: str
    kind: GridKind
    cells: list[list[str]]
    origin: tuple[int, int] = (0, 0)
    row_refs: list[str] | None = None
    hidden: bool = False
    styles: StyleSource | None = field(default=None, repr=False, compare=False)
    # Merged ranges as grid positions (first row, first column, last row, last column), set by
    # the spreadsheet reader: the text stays at the top-left cell, '' elsewhere.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def value(self, row: int, col: int) -> str:
        if 0 <= row < len(self.cells) and 0 <= col < len(self.cells[row]):
            return self.cells[row][col]
        return ""

    def looks(self, cells: list[tuple[int, int]]) -> dict[tuple[int, int], CellLook]:
        """Fill and font of grid cells (grid positions); {} when the file cannot say."""
        if self.styles is None or not cells:
            return {}
        r0, c0 = self.origin
        found = self.styles.looks(self.part, [(r + r0, c + c0) for r, c in cells])
        return {(r - r0, c - c0): look for (r, c), look in found.items()}

    def ref(self, row: int, col: int | None = None) -> str:
        """A person-readable location: ``ตาราง1!C7``, ``table 2, row 3, cell 4``, ``line 12``."""
        if self.kind == "sheet":
            r = row + self.origin[0] + 1
            if col is None:
                return f"{self.part}!row {r}"
            return f"{self.part}!{column_letter(col + self.origin[1])}{r}"
        if self.kind == "docx-table":
            where = f"{self.part}, row {row + 1}"
            return where if col is None else f"{where}, cell {col + 1}"
        if self.kind == "docx-text":
            return f"{self.part}, paragraph {row + 1}"
        line = self.row_refs[row] if self.row_refs and row < len(self.row_refs) else f"line {row + 1}"
        return line if col is None else f"{line}, column {col + 1}"


@dataclass(slots=True)
class RawDocument:
    """Everything read from one file, in reading order: grids, or the records of a
    structured source (the parser reads a document with records from them)."""

    source_file: str
    grids: list[Grid] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # Lines of a word processor's page headers and footers: not the worksheet's text, but
    # where some teams put their tambon's name (the parser reads the place there last).
    margins: list[str] = field(default_factory=list)
    # What the reader found in cells it could still read (an online form's export: a
    # choice the form does not have, when and by whom it was submitted).
    problems: list[Problem] = field(default_factory=list)
