"""A table's rows as they are read: which row of the codebook each line is.

Row labels are matched to the codebook tolerantly (numbering, typos, line breaks,
the "เช่น …" examples present or not). "อื่น ๆ (ระบุ) …" rows keep the label the team
wrote; a label the codebook does not know fills the next free "other" slot. A line
with no label but text or ticks continues the row above (teams run long text over
several lines). A line whose row a structured source names by code is that row,
whatever its label says. Nothing a team wrote is dropped: what fits nowhere goes
to the problems log with its text and where it was written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from siianalysis.codebook import RowType, Table
from siianalysis.parse.parsed import ParsedRow
from siianalysis.problems import ProblemLog
from siianalysis.text import fold, strip_examples, strip_numbering

# Typos closer than this to a codebook label still name that row.
_FUZZY_CUTOFF = 0.86


@dataclass(slots=True)
class WrittenLine:
    """One body line as written, before it is given a row code: its label, where it
    was written (a cell, a CSV line), its ticks by outcome code and its texts by field."""

    label: str
    ref: str
    ticks: dict[str, bool]
    texts: dict[str, str]

    @property
    def has_content(self) -> bool:
        return any(self.ticks.values()) or bool(self.texts)


@cache
def _other_prefixes(table: Table) -> tuple[re.Pattern[str], ...]:
    """Loose patterns for "อื่น ๆ (ระบุ)" and its variants, longest first, so the
    team's own label after them can be cut out as written."""
    keys = sorted({k for r in table.other_rows for k in r.label.keys()}, key=len, reverse=True)
    gap = r"[\s\"'.,:;()\[\]\-_…]*"
    return tuple(re.compile("^" + gap.join(re.escape(ch) for ch in key) + gap, re.IGNORECASE) for key in keys)


def _match_row(table: Table, label: str) -> tuple[str, RowType | None, str]:
    """("canonical", row, written) | ("other", None, team label) | ("unknown", None, label)."""
    key = fold(label)
    written = strip_numbering(label)
    for row in table.canonical_rows:
        if key in row.label.keys():
            return "canonical", row, ""
    for pattern in _other_prefixes(table):
        if m := pattern.match(written):
            return "other", None, written[m.end():].strip()
    for row in table.canonical_rows:
        # "คนต้นแบบ (ปราชญ์ชาวบ้าน)": the label with the team's addition after it.
        if any(key.startswith(k) and len(k) >= 6 for k in row.label.keys()):
            return "canonical", row, written
    best, best_ratio = None, 0.0
    for row in table.canonical_rows:
        for k in row.label.keys():
            ratio = difflib.SequenceMatcher(None, key, k).ratio()
            if ratio > best_ratio:
                best, best_ratio = row, ratio
    if best is not None and best_ratio >= _FUZZY_CUTOFF:
        return "canonical", best, written
    return "unknown", None, strip_examples(written) or written


def _merge_into(row: ParsedRow, line: WrittenLine) -> None:
    for code, ticked in line.ticks.items():
        row.ticks[code] = row.ticks.get(code, False) or ticked
    for name, text in line.texts.items():
        row.texts[name] = f"{row.texts[name]}\n{text}" if row.texts.get(name) else text


def _describe(line: WrittenLine) -> str:
    ticked = [c for c, t in line.ticks.items() if t]
    parts = [f"label {line.label!r}"] if line.label else []
    parts += [f"{k}: {v!r}" for k, v in line.texts.items()]
    if ticked:
        parts.append("ticked " + ", ".join(ticked))
    return "; ".join(parts)


class TableRows:
    """Rows of one table as they are read, in codebook order at the end."""

    def __init__(self, table: Table, source_file: str, problems: ProblemLog, keep_outside: bool = False) -> None:
        self.table = table
        self.source_file = source_file
        self.problems = problems
        self.rows: dict[str, ParsedRow] = {}
        self.last: ParsedRow | None = None
        # keep_outside: a line that is no row and has nothing beside it (a comment under the
        # table) is kept here, for the worksheet's notes (``parse.outside``), not reported
        self.keep_outside = keep_outside
        self.outside: list[WrittenLine] = []

    def _new(self, code: str, label: str, line: WrittenLine) -> ParsedRow:
        row = ParsedRow(self.table.code, code, label, f"{self.source_file}: {line.ref}")
        self.rows[code] = row
        return row

    def _canonical(self, row_type: RowType, line: WrittenLine, written: str) -> None:
        if row_type.code in self.rows:
            self.problems.warning(
                self.source_file, line.ref, "duplicate-row",
                f"{self.table.code} row {row_type.code} appears again; merged with the first ({_describe(line)})",
            )
            row = self.rows[row_type.code]
        else:
            row = self._new(row_type.code, row_type.label.th, line)
        if written and written != row_type.label.th:
            line.texts["written_label"] = written
        _merge_into(row, line)
        self.last = row

    def _other(self, slot: RowType, line: WrittenLine, written: str) -> None:
        """A line in an "other" slot: the team's label, or a warning that it has none."""
        if not written:
            self.problems.warning(
                self.source_file, line.ref, "other-row-unlabelled",
                f"{self.table.code} row {slot.code}: an 'other' row with content but no label of its own",
            )
        row = self._new(slot.code, written or slot.label.th, line)
        _merge_into(row, line)
        self.last = row

    def add(self, line: WrittenLine) -> None:
        """A line found by its label (a workbook's or Word table's body line)."""
        has_content = line.has_content
        if not line.label:
            if not has_content:
                return
            if self.last is not None:
                _merge_into(self.last, line)  # text run over several lines
                return
        kind, row_type, written = _match_row(self.table, line.label) if line.label else ("other", None, "")
        if kind == "canonical":
            assert row_type is not None
            self._canonical(row_type, line, written)
            return
        if kind == "unknown" and not has_content:
            if self.keep_outside:
                self.outside.append(line)
                return
            self.problems.warning(
                self.source_file, line.ref, "text-outside-table",
                f"{self.table.code}: a line that is no row of the table and has nothing beside it: {line.label!r}",
            )
            return
        if kind == "other" and not written and not has_content:
            return  # the handout's empty "อื่น ๆ (ระบุ)" slot
        free = [r for r in self.table.other_rows if r.code not in self.rows]
        if not free:
            self.problems.warning(
                self.source_file, line.ref, "extra-row",
                f"{self.table.code}: more rows than the worksheet's 'other' slots; not in the tables: "
                f"{_describe(line)}",
            )
            self.last = None
            return
        self._other(free[0], line, written)

    def add_named(self, row_type: RowType, line: WrittenLine) -> None:
        """A line whose row a structured source names by its code: that row, whatever
        its label says. A label that is not the codebook's is kept (``written_label``;
        for an "other" row, the row's label, "อื่น ๆ (ระบุ)" cut off)."""
        kind, matched, written = _match_row(self.table, line.label) if line.label else ("canonical", row_type, "")
        if kind == "canonical" and matched is not row_type or kind == "unknown" and not row_type.other:
            written = strip_numbering(line.label)  # another row's label, or the team's own words: as written
        if not row_type.other or row_type.code in self.rows:
            self._canonical(row_type, line, written)
        elif written or line.has_content:
            self._other(row_type, line, written)

    def reported(self) -> list[ParsedRow]:
        order = {r.code: i for i, r in enumerate(self.table.rows)}
        keep = [r for r in self.rows.values() if r.has_content or self.table.row(r.row_code).other]
        return sorted(keep, key=lambda r: order[r.row_code])
