"""Which worksheets a document holds, and which sheets are not part of any.

Most files hold one worksheet: a cover sheet (or a place line) and the tables,
on one sheet or one sheet per table. A province coordinator's workbook holds
several: a sheet per tambon, each with its own place (a ตำบล/อำเภอ/จังหวัด line or
a place block in its top rows), or one long sheet where each block starts with a
new place line. The rule, in reading order (sheets in workbook order; a Word
document is one flow of paragraphs and tables):

1. A *place* is a line or field outside the tables that names a tambon. Places
   naming the same tambon (a place line repeated on every table sheet) are one.
2. A document that names at most one place is one worksheet, whatever its
   layout (today's rule: a cover sheet and a sheet per table stay together).
3. Otherwise each place opens a worksheet. A sheet naming one place belongs to
   it whole (the place may sit above or below its tables). A sheet naming
   several is cut at each place line: a table belongs to the place above it.
   A sheet naming none continues the worksheet before it (a cover sheet, then
   its table sheets). A table that comes before every place cannot be tied to
   one: it is reported (``table-unplaced``), never merged into a neighbour.
4. Hidden sheets (hidden or very hidden) are not part of any worksheet: an old
   version is often kept in one. They are reported (``hidden-sheet-skipped``)
   with what they held. Hidden rows and columns inside a visible sheet are read
   like the rest: the reader cannot tell them apart, and what a team wrote in
   them is still what it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from siianalysis.codebook import Codebook
from siianalysis.parse.identity import place_rows
from siianalysis.parse.locate import Block
from siianalysis.readers.grid import Grid


@dataclass(slots=True)
class Piece:
    """Part of one grid that belongs to a worksheet: rows ``start``–``end`` (exclusive)."""

    grid_index: int
    start: int
    end: int
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class WorksheetSpan:
    """Where one worksheet sits in a document."""

    pieces: list[Piece] = field(default_factory=list)

    def describe(self, grids: list[Grid]) -> str:
        """Names the sheets (and rows, where a sheet was cut) a person finds it in."""
        names: list[str] = []
        for p in self.pieces:
            grid = grids[p.grid_index]
            name = grid.part
            if grid.kind == "sheet" and (p.start > 0 or p.end < grid.n_rows):
                first, last = p.start + grid.origin[0] + 1, p.end + grid.origin[0]
                name = f"{name}!{first}:{last}"
            if name not in names:
                names.append(name)
        # A Word file's worksheet runs over many paragraphs and tables: name its ends.
        return ", ".join(names) if len(names) <= 3 else f"{names[0]} – {names[-1]}"


@dataclass(slots=True)
class DocumentLayout:
    """The worksheets of a document and what is left out of them."""

    worksheets: list[WorksheetSpan]
    unplaced: list[tuple[int, Block]]  # (grid index, table) before every place
    several: bool  # more than one place: worksheets are named by sheet


def _flow(grid: Grid) -> str:
    """Grids of one flow: a spreadsheet's sheet, or the whole of a Word file or CSV."""
    return f"sheet:{grid.part}" if grid.kind == "sheet" else "document"


def _places(grid: Grid, blocks: list[Block], codebook: Codebook) -> list[tuple[int, str]]:
    """The places a grid names. A place line is never a table row: one that sits where a
    table's body runs on (the next tambon's line, above its first table) ends that body."""
    def lone_text(r: int) -> bool:
        return sum(1 for c in grid.cells[r] if c and not c.isspace()) == 1

    inside = {r for b in blocks for r in range(b.header_row, b.body_end)
              if r < b.body_start or not lone_text(r)}
    found = place_rows(grid, inside, codebook)
    for r, _ in found:
        for block in blocks:
            if block.body_start <= r < block.body_end:
                block.body_end = r
    return found


def split_document(grids: list[Grid], blocks: dict[int, list[Block]], codebook: Codebook) -> DocumentLayout:
    """Assigns every table of the visible grids to a worksheet (see the module's rule).

    ``blocks`` maps a grid's index to the tables found in it; hidden grids and
    grids with no key are left out.
    """
    places = {gi: _places(grids[gi], bl, codebook) for gi, bl in blocks.items()}
    distinct = {name for found in places.values() for _, name in found}
    if len(distinct) <= 1:
        span = WorksheetSpan([Piece(gi, 0, grids[gi].n_rows, list(bl)) for gi, bl in blocks.items()])
        return DocumentLayout([span], [], several=False)

    spans: list[WorksheetSpan] = []
    by_place: dict[str, WorksheetSpan] = {}
    unplaced: list[tuple[int, Block]] = []
    current: WorksheetSpan | None = None
    flow_places: dict[str, set[str]] = {}
    for gi in blocks:
        flow_places.setdefault(_flow(grids[gi]), set()).update(name for _, name in places[gi])

    def open_span(name: str) -> WorksheetSpan:
        if name not in by_place:
            by_place[name] = WorksheetSpan()
            spans.append(by_place[name])
        return by_place[name]

    for gi, grid_blocks in blocks.items():
        grid = grids[gi]
        names_here = flow_places[_flow(grid)]
        if len(names_here) == 1 and grid.kind == "sheet":
            # A sheet naming one place belongs to it whole, tables above the place line too.
            current = open_span(next(iter(names_here)))
            current.pieces.append(Piece(gi, 0, grid.n_rows, list(grid_blocks)))
            continue
        # Cut the grid at each place line; a table belongs to the place above it,
        # the rows above the first place line to the worksheet before (if any).
        bounds = [0, *(r for r, _ in places[gi]), grid.n_rows]
        owners = [current, *(open_span(name) for _, name in places[gi])]
        for owner, start, end in zip(owners, bounds, bounds[1:]):
            inside = [b for b in grid_blocks if start <= b.header_row < end]
            if owner is not None and (inside or start < end):
                owner.pieces.append(Piece(gi, start, end, inside))
            elif owner is None:
                unplaced.extend((gi, b) for b in inside)
        current = owners[-1]
    return DocumentLayout(spans, unplaced, several=True)
