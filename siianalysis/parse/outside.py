"""Text a team wrote outside the worksheet's tables, kept as the worksheet's notes.

Teams write more than the tables ask for: a Word paragraph between two tables
("หมายเหตุ: …", an explanation of a row), a spreadsheet cell beside a table or a
comment line under it. None of it may be dropped. The rule, for every non-empty
text of a worksheet's part of the document (``parse.split``: a note belongs to
the worksheet, the place, whose part it sits in):

- a cell the parser read as part of a table is not a note: the header rows, and
  in the body lines the label, text, outcome and added columns (what a team adds
  there is kept with its row already). A line in a table's label column that is
  no row of the table and has nothing beside it (a comment under the table) is a
  note, and so is the header of an added column with nothing under it;
- a cell beside a table (its body lines, in a column the table has no header
  for) is a note;
- the handout's own words are not notes: the codebook's labels (titles, column
  heads, row and outcome labels, the place and date labels), "ตารางที่ N <title>"
  lines, and the fixed lines the codebook lists under ``outside_tables``
  (the handout's and the template's headings and instructions). They are
  compared after folding (spaces, punctuation, numbering, digits and case
  aside: ``text.fold_keep_examples``; a text of several lines, each of them
  the handout's), so a line a team changed is kept;
- the place and date lines are not notes: the cells the worksheet's identity
  was read from, a field label and its value, and any other line that only
  names a place and a date (a place line repeated on every sheet;
  ``identity.is_place_or_date_line``);
- a bare number of up to three digits (a row's numbering beside the table, a
  page number) is not one.

Two things are left as they were: a line under a table with text in a column other
than the label's continues the row above (teams run long text over lines, and
``parse.rows`` cannot tell the two apart), so it is kept with that row; and in a file
holding several worksheets, what comes before its first place line belongs to no
worksheet (the coordinator's own heading; its tables are ``table-unplaced``).

Everything else is a ``Note``: its text as written (``clean``) and where it is,
in the ``source`` form of rows ("file.xlsx: Sheet1!H4", "file.docx: text 2,
paragraph 1 (after table 1)"). ``normalise`` writes notes to ``texts`` with the
codebook's note table code (``outside_tables.table``), field ``note``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml

from siianalysis.codebook import Codebook, Label
from siianalysis.parse.identity import (
    WrittenIdentity,
    cell_value_ref,
    field_label_key,
    is_place_or_date_line,
)
from siianalysis.parse.locate import Block, title_number
from siianalysis.parse.split import WorksheetSpan
from siianalysis.readers.grid import Grid
from siianalysis.text import arabic_digits, clean, fold, fold_keep_examples
from siianalysis.words import report_text_path

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_TITLE_CUE = re.compile(r"^\D*\d+")  # "ตารางที่ 1", "Table no. 3" before a title


@dataclass(frozen=True, slots=True)
class Note:
    """One text written outside the tables, and where (``source`` form: "file: cell")."""

    text: str
    source: str


@dataclass(frozen=True, slots=True, eq=False)
class _Handout:
    """The handout's own words, folded: whole lines, and lines with blanks in them."""

    lines: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]


def _label_lines(label: Label) -> set[str]:
    return {k for s in (label.th, label.seed_th, label.en, *label.aliases) if s
            for k in (fold(s), fold_keep_examples(s))}


@cache
def _handout(codebook: Codebook) -> _Handout:
    lines: set[str] = set()
    labels: list[Label] = [codebook.outcomes_header, *codebook.identity.values()]
    for table in codebook.tables:
        labels += [table.title, table.label_column, *(f.label for f in table.fields),
                   *(o.label for o in table.outcomes), *(r.label for r in table.rows)]
    for label in labels:
        lines |= _label_lines(label)
    patterns: list[re.Pattern[str]] = []
    written = [*codebook.outside_tables.handout_lines]
    template = _template_words()
    for key in codebook.outside_tables.template_words:
        for lang in ("th", "en"):
            written += str((template.get(key) or {}).get(lang, "")).splitlines()
    for line in written:
        if _PLACEHOLDER.search(line):  # "ทำเครื่องหมาย {tick} …": any mark in the blank
            pieces = [re.escape(fold_keep_examples(p)) for p in _PLACEHOLDER.split(line)]
            patterns.append(re.compile(".*".join(pieces)))
        elif line.strip():
            lines |= {fold(line), fold_keep_examples(line)}
    lines.discard("")
    return _Handout(frozenset(lines), tuple(patterns))


def _template_words() -> dict:
    """The template's words (``report_text.yaml`` ``template``: key -> {th, en}), read with
    libyaml where it is installed: every normalise worker reads them once, and the
    pure-Python reader takes longer over the whole file than parsing a worksheet does."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(report_text_path(), encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader).get("template") or {}


def is_handout_text(text: str, codebook: Codebook) -> bool:
    """Whether ``text`` is one of the handout's own lines (a label, a title, an instruction)."""
    return _is_handout_text(clean(text), codebook)


@lru_cache(maxsize=16384)  # titles and instructions recur in every worksheet
def _is_handout_text(text: str, codebook: Codebook) -> bool:
    if "\n" in text:  # a paragraph or cell of several handout lines
        return all(_is_handout_text(line, codebook) for line in text.splitlines() if line.strip())
    handout = _handout(codebook)
    key = fold_keep_examples(text)
    if key in handout.lines or any(p.fullmatch(key) for p in handout.patterns):
        return True
    if title_number(text, codebook) is None:
        return False
    # "ตารางที่ 1 …": a table's title line when what follows the number is a title (or nothing).
    rest = fold_keep_examples(_TITLE_CUE.sub("", arabic_digits(text), count=1))
    return not rest or rest in handout.lines


@lru_cache(maxsize=16384)
def _bare_number(text: str) -> bool:
    """Punctuation, or a number of at most three digits (numbering; a phone number is a note)."""
    key = fold_keep_examples(text)
    return not key or (key.isdigit() and len(key) <= 3)


class _Used:
    """Which cells of one grid the tables took, and which of those were left out of them."""

    def __init__(self, grid: Grid, blocks: list[Block], kept_out: set[str]) -> None:
        self.rows: dict[int, frozenset[int] | None] = {}  # row -> columns used (None: the whole row)
        self.notes: set[tuple[int, int]] = set()  # table cells that are notes all the same
        for block in blocks:
            for r in range(block.header_row, block.header_end + 1):
                self.rows[r] = None
            columns = frozenset({block.label_col, *block.field_cols, *block.outcome_cols, *block.extra_cols})
            for r in range(block.body_start, block.body_end):
                self.rows[r] = columns
            if kept_out:
                self.notes |= {(r, block.label_col) for r in range(block.body_start, block.body_end)
                               if grid.ref(r, block.label_col) in kept_out}
            for c in block.extra_cols:  # an added column with nothing under it: its header is a note
                if not any(clean(grid.value(r, c)) for r in range(block.body_start, block.body_end)):
                    head = next((r for r in range(block.header_row, block.header_end + 1)
                                 if clean(grid.value(r, c))), None)
                    if head is not None:
                        self.notes.add((head, c))

    def free(self, grid: Grid, start: int, end: int) -> Iterator[tuple[int, int, str]]:
        """(row, column, text) of every cell with text that no table took, in reading order."""
        for r in range(start, min(end, grid.n_rows)):
            taken = self.rows.get(r, frozenset())
            for c, cell in enumerate(grid.cells[r]):
                if cell and (taken is not None and c not in taken or (r, c) in self.notes) \
                        and (text := clean(cell)):
                    yield r, c, text


def _where(grid: Grid, grids: list[Grid], r: int, c: int) -> str:
    """A cell's location; a Word paragraph also says which table it follows."""
    ref = grid.ref(r, c)
    if grid.kind != "docx-text":
        return ref
    index = next(i for i, g in enumerate(grids) if g is grid)
    before = next((g.part for g in reversed(grids[:index]) if g.kind == "docx-table"), "")
    after = next((g.part for g in grids[index + 1:] if g.kind == "docx-table"), "")
    return f"{ref} (after {before})" if before else f"{ref} (before {after})" if after else ref


def outside_notes(grids: list[Grid], span: WorksheetSpan, kept_out: set[str], identity: WrittenIdentity,
                  codebook: Codebook) -> list[Note]:
    """Every note of one worksheet (see the module's rule), in reading order.

    ``kept_out``: locations of table lines the rows reader left out as no row
    (``TableRows.outside``); ``identity``: the place and date it read.
    """
    used_refs = set(identity.locations.values())
    notes: list[Note] = []
    for piece in span.pieces:
        grid = grids[piece.grid_index]
        beside: set[str] = set()  # a field label's value cell
        for r, c, text in _Used(grid, piece.blocks, kept_out).free(grid, piece.start, piece.end):
            ref = grid.ref(r, c)
            if ref in used_refs or ref in beside or _bare_number(text):
                continue
            if field_label_key(text, codebook):
                beside.add(cell_value_ref(grid, r, c))
                continue
            if is_handout_text(text, codebook) or is_place_or_date_line(text, codebook):
                continue
            notes.append(Note(text, f"{grid.source_file}: {_where(grid, grids, r, c)}"))
    return notes
