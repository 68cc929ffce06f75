"""Reading a tick cell: is the outcome marked, and did the team write a remark?

The spellings are the codebook's (``ticks:``). Besides them, a tick followed by
a remark ("✓ (บางหมู่บ้าน)", "มี 3 หมู่บ้าน") is a tick whose remark is kept; a
"not ticked" word followed by a remark ("ไม่มี เพราะ…") is not a tick, remark
kept. Anything else is ambiguous: not counted as a tick, kept as a remark, and
reported as a warning so a person can look.

A cell alone cannot always say. ``read_tick_cells`` reads a table's tick cells
together, as the codebook's rules ask: a cross (✗ ✘ × ☒ …) is "not reached"
beside other tick marks and "reached" where it is the only mark; a letter in a
symbol font (Wingdings "ü") is the mark the font shows; and when no tick cell
holds text, filled cells are ticks. Cell fills and fonts come from the grid's
style source, asked only for such tables. Table-level findings are one warning
per table, never one per cell. ``read_tick_texts`` applies the rules that need
only the text (crosses by their table, ambiguous cells) to tick values from
anywhere: a grid's cells, or a structured source's records.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

from siianalysis.codebook import Codebook, Table
from siianalysis.parse.locate import Block
from siianalysis.problems import ProblemLog
from siianalysis.readers.grid import Grid
from siianalysis.text import arabic_digits, clean

_SEPARATOR = re.compile(r"^[\s:;,.()\[\]\-–—]+|[\s()\[\]]+$")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f]")


@dataclass(frozen=True, slots=True)
class TickReading:
    ticked: bool
    remark: str = ""
    ambiguous: bool = False
    cross: bool = False  # a cross (✗ ×…): ticked alone, its table decides (``read_tick_cells``)


def _is_word_char(ch: str) -> bool:
    # Thai vowel and tone marks are not "alphanumeric" to Python but are part of words.
    return ch.isalnum() or "\u0e00" <= ch <= "\u0e7f"


def _split_marker(text: str, markers: frozenset[str]) -> tuple[str, str] | None:
    """(marker, remark) when text starts with a marker followed by a separator."""
    lowered = text.casefold()
    for marker in sorted(markers, key=len, reverse=True):
        if not marker or not lowered.startswith(marker):
            continue
        rest = text[len(marker):]
        # A word marker must end at a boundary: "มีบางส่วน" is not "มี" + remark.
        if rest and _is_word_char(marker[-1]) and _is_word_char(rest[0]):
            continue
        return marker, _SEPARATOR.sub("", rest).strip()
    return None


def read_tick(raw: str, codebook: Codebook) -> TickReading:
    """Interprets one outcome cell as written by a team."""
    # A phone's emoji keyboard adds a variation selector ("✔" + U+FE0F): it only asks for the
    # emoji look, so it is no remark. Thai digits match as Arabic ones ("๑" is "1").
    text = clean(raw)
    if _VARIATION_SELECTORS.search(text):
        text = clean(_VARIATION_SELECTORS.sub("", text))
    key = arabic_digits(text).casefold()
    if key in codebook.not_ticked:
        return TickReading(False)
    if key in codebook.crosses:
        return TickReading(True, cross=True)
    if key in codebook.ticked:
        return TickReading(True)
    # Test "not ticked" first: "ไม่มี …" must not read as "มี …".
    found = _split_marker(text, codebook.not_ticked - {""})
    if found:
        return TickReading(False, found[1])
    found = _split_marker(text, codebook.crosses)
    if found:
        return TickReading(True, found[1], cross=True)
    found = _split_marker(text, codebook.ticked)
    if found:
        return TickReading(True, found[1])
    return TickReading(False, text, ambiguous=True)


Cell = tuple[int, int]
# Where a cell was written, for a person: ``ตาราง1!C7``, ``line 12``.
CellRef = Callable[[int, int], str]
# Cells named in a table-level warning; the rest are counted.
_CELLS_NAMED = 12


@dataclass(slots=True)
class TableTicks:
    """A table's tick cells as read together: a reading per (row, column) of the
    grid, and the warnings about the table (or its cells) to log."""

    readings: dict[Cell, TickReading] = field(default_factory=dict)
    problems: ProblemLog = field(default_factory=ProblemLog)

    def at(self, row: int, col: int) -> TickReading:
        return self.readings.get((row, col), _NOT_TICKED)


_NOT_TICKED = TickReading(False)


@cache
def _symbol_letters(codebook: Codebook) -> frozenset[str]:
    """Every letter some symbol font shows as a mark."""
    return frozenset(ch for chars in codebook.symbol_fonts.values() for ch in chars)


def _looks_like_symbols(text: str, codebook: Codebook) -> bool:
    letters = _symbol_letters(codebook)
    return bool(text) and all(ch in letters or ch.isspace() for ch in text)


def _named(ref: CellRef, cells: list[Cell]) -> str:
    refs = [ref(r, c) for r, c in sorted(cells)[:_CELLS_NAMED]]
    more = len(cells) - len(refs)
    return ", ".join(refs) + (f" and {more} more" if more > 0 else "")


def _cells_are(n: int) -> str:
    return f"{n} cell is" if n == 1 else f"{n} cells are"


def _marks(texts: dict[Cell, str], cells: list[Cell]) -> str:
    """The marks cells start with, once each: "✓ ✔"."""
    return " ".join(sorted({clean(texts[cell])[:1] for cell in cells}))


def _table_name(table: Table) -> str:
    return f"table {table.number} ({table.code})"


def read_tick_cells(grid: Grid, block: Block, codebook: Codebook) -> TableTicks:
    """Reads every tick cell of one table (its body rows × outcome columns) by the
    codebook's rules for single cells and for the table as a whole."""
    out = TableTicks()
    texts: dict[Cell, str] = {}
    for r in range(block.body_start, block.body_end):
        for c in block.outcome_cols:
            raw = grid.value(r, c)
            if raw:
                texts[(r, c)] = raw
                out.readings[(r, c)] = read_tick(raw, codebook)
    if not out.readings or not any(clean(t) for t in texts.values()):
        _ticks_from_colour(grid, block, codebook, out)
        return out
    _symbol_font_ticks(grid, codebook, texts, out)
    spread = _merged_ticks(grid, block, texts, out)
    read = read_tick_texts(texts, block.table, block.outcome_cols, codebook, source_file=grid.source_file,
                           where=grid.ref(block.header_row, block.label_col), ref=grid.ref, readings=out.readings)
    if spread:
        read.problems.warning(
            grid.source_file, grid.ref(block.header_row, block.label_col), "tick-merged",
            f"{_table_name(block.table)}: a mark written in a merged cell counts for every outcome box it "
            f"covers: {'; '.join(spread[:_CELLS_NAMED])}" + (f" and {len(spread) - _CELLS_NAMED} more"
                                                              if len(spread) > _CELLS_NAMED else ""),
        )
    return read


def _merged_ticks(grid: Grid, block: Block, texts: dict[Cell, str], out: TableTicks) -> list[str]:
    """A tick written in a merged cell (one ✓ across PC1–PC5, or down two rows) is read as
    the page shows it: in every tick box the merge covers. Its remark stays with the first
    box only; a cell the codebook cannot read (or reads as not reached) is left where it is.
    Returns what was spread, for the table's one warning."""
    spread: list[str] = []
    body = range(block.body_start, block.body_end)
    for r0, c0, r1, c1 in grid.merged:
        reading = out.readings.get((r0, c0))
        if reading is None or reading.ambiguous or not reading.ticked or c0 not in block.outcome_cols:
            continue
        covered = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0) and r in body and c in block.outcome_cols and not grid.value(r, c)]
        for cell in covered:
            texts[cell] = texts[(r0, c0)]
            out.readings[cell] = replace(reading, remark="")
        if covered:
            first, last = grid.ref(r0, c0), grid.ref(r1, c1)
            span = f"{first}:{last.rsplit('!', 1)[-1]}" if grid.kind == "sheet" else f"{first} to {last}"
            spread.append(f"{clean(texts[(r0, c0)])!r} in {span} "
                          f"({', '.join(block.outcome_cols[c] for c in range(c0, c1 + 1) if c in block.outcome_cols)})")
    return spread


def read_tick_texts(texts: dict[Cell, str], table: Table, outcome_cols: dict[int, str], codebook: Codebook, *,
                    source_file: str, where: str, ref: CellRef,
                    readings: dict[Cell, TickReading] | None = None) -> TableTicks:
    """Reads one table's tick values together by the rules that need only their text.

    ``texts`` holds the values as written by (row, column) of the table's tick
    cells, ``outcome_cols`` the outcome code of each column; ``where`` names the
    table and ``ref`` a cell in warnings. ``readings`` are the cells as already
    read (a grid's symbol-font letters shown as their marks); by default each
    value is read alone first (``read_tick``).
    """
    out = TableTicks({cell: read_tick(raw, codebook) for cell, raw in texts.items()} if readings is None
                     else readings)
    _crosses_by_table(table, codebook, texts, out, source_file, where, ref)
    for (r, c), reading in sorted(out.readings.items()):
        if reading.ambiguous:
            out.problems.warning(
                source_file, ref(r, c), "ambiguous-tick",
                f"{table.code} outcome {outcome_cols[c]}: {clean(texts[(r, c)])!r} is not a tick the "
                "codebook knows; counted as not reached, kept as a remark",
            )
    return out


def _symbol_font_ticks(grid: Grid, codebook: Codebook, texts: dict[Cell, str], out: TableTicks) -> None:
    """Letters typed in a symbol font ("ü" in Wingdings) read as the marks the font shows."""
    candidates = [cell for cell, reading in out.readings.items()
                  if reading.ambiguous and _looks_like_symbols(clean(texts[cell]), codebook)]
    if not candidates:
        return
    for cell, look in grid.looks(candidates).items():
        chars = codebook.symbol_fonts.get(look.font.casefold())
        if chars:
            shown = "".join(chars.get(ch, ch) for ch in clean(texts[cell]))
            out.readings[cell] = read_tick(shown, codebook)
            texts[cell] = shown


def _is_cross_like(text: str, codebook: Codebook) -> bool:
    key = clean(text).casefold()
    return key in codebook.cross_like_ticks or _split_marker(clean(text), codebook.cross_like_ticks) is not None


def _crosses_by_table(table: Table, codebook: Codebook, texts: dict[Cell, str], out: TableTicks,
                      source_file: str, where: str, ref: CellRef) -> None:
    """Crosses read by their table: "no" beside other tick marks, the Thai mark for "reached" alone."""
    crosses = [cell for cell, reading in out.readings.items() if reading.cross]
    if not crosses:
        return
    others = [cell for cell, reading in out.readings.items()
              if reading.ticked and not reading.cross and not _is_cross_like(texts[cell], codebook)]
    if others:
        for cell in crosses:
            out.readings[cell] = TickReading(False, out.readings[cell].remark)
        out.problems.warning(
            source_file, where, "cross-as-not-reached",
            f"{_table_name(table)} is marked with {_marks(texts, others)} and with {_marks(texts, crosses)}: "
            f"a cross beside other tick marks means 'no', so its {_cells_are(len(crosses))} read as not reached "
            f"({_named(ref, crosses)})",
        )
    else:
        out.problems.warning(
            source_file, where, "cross-as-tick",
            f"{_table_name(table)} is marked only with {_marks(texts, crosses)}: read as the Thai cross that marks "
            f"a choice, so its {_cells_are(len(crosses))} read as reached ({_named(ref, crosses)})",
        )


def _ticks_from_colour(grid: Grid, block: Block, codebook: Codebook, out: TableTicks) -> None:
    """No tick cell holds text: cells filled with a colour that is not decoration are ticks."""
    if grid.styles is None or not block.outcome_cols:
        return
    # The table's lines: a blank row (a spacer before the next table) is not part of it.
    written = [block.label_col, *block.field_cols, *block.extra_cols]
    rows = [r for r in range(block.body_start, block.body_end) if any(clean(grid.value(r, c)) for c in written)]
    area = [(r, c) for r in rows for c in block.outcome_cols]
    if not area:
        return
    edges = [(r, block.label_col) for r in rows] + [(block.body_start - 1, c) for c in block.outcome_cols]
    looks = grid.looks(area + edges)
    unfilled = codebook.unfilled_colours

    def fill(cell: Cell) -> str:
        look = looks.get(cell)
        return "" if look is None or look.fill.upper() in unfilled else look.fill

    fills: dict[Cell, str] = {}
    for r, c in area:
        colour = fill((r, c))
        # The row's (banding, a highlighted row) or the column's (a tinted column): decoration.
        if colour and colour != fill((r, block.label_col)) and colour != fill((block.body_start - 1, c)):
            fills[(r, c)] = colour
    if not fills:
        return
    background = ""
    if len(fills) == len(area):  # every tick cell filled: the commonest fill is the table's background
        background = Counter(fills.values()).most_common(1)[0][0]
        fills = {cell: colour for cell, colour in fills.items() if colour != background}
        if not fills:
            return
    for cell in fills:
        out.readings[cell] = TickReading(True)
    by_colour: dict[str, list[Cell]] = {}
    for cell, colour in fills.items():
        by_colour.setdefault(colour, []).append(cell)
    said = "; ".join(f"filled {colour}: {_named(grid.ref, cells)}" for colour, cells in sorted(by_colour.items()))
    base = f"; {background} on its other tick cells is taken as the table's background" if background else ""
    out.problems.warning(
        grid.source_file, grid.ref(block.header_row, block.label_col), "ticks-from-colour",
        f"{_table_name(block.table)}: no tick cell holds text, so cells filled with a colour are ticks: "
        f"{_cells_are(len(fills))} read as ticks ({said}){base}",
    )
