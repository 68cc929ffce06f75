"""Finding worksheet tables inside a grid by their content, not by cell positions.

A table is recognised by its header row: the label-column header, the text-field
headers and the outcome headers of the codebook ("ประเภท/รูปแบบ", "ขั้นตอนหรือวิธีการ
(ทำอย่างไร?)", "1. มีส่วนร่วม…"). Headers may sit at any offset, span two rows
(the outcomes header merged over numbered outcome columns) or one, and several
tables may share a sheet. Which table a header belongs to is decided by
evidence: its headers, a "ตารางที่ N" / "Table N" title above it (the codebook's
title cues), and the row labels below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from siianalysis.codebook import Codebook, Table
from siianalysis.readers.grid import Grid
from siianalysis.text import arabic_digits, clean, fold, leading_number

_BARE_NUMBER = re.compile(r"^\s*\(?([0-9]{1,2})\)?\s*\.?\s*$")
_OUTCOME_CODE = re.compile(r"^(PC|MC|DC)([0-9])$", re.IGNORECASE)
_MEMO_SIZE = 100_000  # entries a memo of ``_Index`` keeps (a worker reads thousands of files)


@dataclass(slots=True)
class Block:
    """One table found in a grid: where its header is, what each column holds."""

    table: Table
    header_row: int
    header_end: int
    body_start: int
    body_end: int  # exclusive
    label_col: int
    field_cols: dict[int, str] = field(default_factory=dict)  # column → field code
    outcome_cols: dict[int, str] = field(default_factory=dict)  # column → outcome code
    extra_cols: dict[int, str] = field(default_factory=dict)  # column → header as written


@dataclass(frozen=True, slots=True)
class _Index:
    """Folded header texts → what they name, built once per codebook."""

    label_of: dict[str, tuple[str, ...]]
    field_of: dict[str, tuple[tuple[str, str], ...]]
    outcomes_header: tuple[str, ...]
    title: re.Pattern[str]
    row_keys: dict[str, frozenset[str]]
    hits: dict[str, int] = field(default_factory=dict)
    # memos: the handout's header cells and titles recur in every worksheet
    kinds: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], tuple[str, str]] = field(default_factory=dict)
    titles: dict[str, int | None] = field(default_factory=dict)


@cache
def _index(codebook: Codebook) -> _Index:
    label_of: dict[str, list[str]] = {}
    field_of: dict[str, list[tuple[str, str]]] = {}
    row_keys: dict[str, frozenset[str]] = {}
    for t in codebook.tables:
        for k in t.label_column.keys():
            label_of.setdefault(k, []).append(t.code)
        for f in t.fields:
            for k in f.label.keys():
                field_of.setdefault(k, []).append((t.code, f.code))
        row_keys[t.code] = frozenset(k for r in t.canonical_rows for k in r.label.keys())
    title = _title_pattern(codebook.table_title_cues or (codebook.table_title_cue,))
    return _Index(
        label_of={k: tuple(v) for k, v in label_of.items()},
        field_of={k: tuple(v) for k, v in field_of.items()},
        outcomes_header=tuple(sorted(codebook.outcomes_header.keys(), key=len)),
        title=title,
        row_keys=row_keys,
    )


def _title_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """"<cue> N" at the start of a cell, for any of the codebook's title cues, longest
    first ("ตารางที่" before "ตาราง"); case does not matter ("TABLE 3"), and "Table no. 3",
    "Table #3", "Table 3:" are the same title."""
    words = sorted({clean(c) for c in cues if clean(c)}, key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words) or "(?!)"
    return re.compile(rf"^(?:{alt})\s*(?:no\.?\s*|#\s*)?([0-9]+)", re.IGNORECASE)


def title_number(text: str, codebook: Codebook) -> int | None:
    """N of a "ตารางที่ N …" / "Table N …" title row, else None."""
    index = _index(codebook)
    if text in index.titles:
        return index.titles[text]
    m = index.title.match(arabic_digits(clean(text)))
    number = int(m.group(1)) if m else None
    if len(index.titles) < _MEMO_SIZE:
        index.titles[text] = number
    return number


@lru_cache(maxsize=65536)
def header_number(text: str) -> int | None:
    """The outcome number a header cell shows: "3. …", "๓", "(3)"."""
    plain = arabic_digits(clean(text))
    m = _BARE_NUMBER.match(plain)
    if m:
        return int(m.group(1))
    return leading_number(plain)


def _is_outcomes_header(key: str, index: _Index) -> bool:
    return key.startswith(index.outcomes_header)


def _header_hits(key: str, index: _Index) -> int:
    """How many header meanings a folded cell has (0 for body text)."""
    hits = index.hits.get(key)
    if hits is None:  # memo: the same cell texts recur in every worksheet
        hits = int(key in index.label_of) + int(key in index.field_of) + int(_is_outcomes_header(key, index))
        index.hits[key] = hits
    return hits


def find_blocks(grid: Grid, codebook: Codebook) -> list[Block]:
    """Every worksheet table in the grid, top to bottom."""
    index = _index(codebook)
    folded = [[fold(c) if c else "" for c in row] for row in grid.cells]
    numbered = [_is_outcome_header_row(row, keys, index) for row, keys in zip(grid.cells, folded)]

    # Header rows: two header cells, or one with numbered outcome headers below it.
    starts: list[int] = []
    for r, row in enumerate(folded):
        hits = sum(_header_hits(k, index) > 0 for k in row if k)
        below = numbered[r + 1] if r + 1 < len(folded) else False
        if hits >= 2 or (hits == 1 and below):
            if starts and r - starts[-1] <= 1:
                continue  # second line of the same two-level header (Word repeats merged cells)
            starts.append(r)

    titles = {r: n for r, row in enumerate(grid.cells) for c in row[:3] if c and (n := title_number(c, codebook))}
    blocks: list[Block] = []
    for i, h in enumerate(starts):
        limit = starts[i + 1] if i + 1 < len(starts) else grid.n_rows
        header_end = h + 1 if h + 1 < limit and numbered[h + 1] else h
        if header_end == h and h + 1 < limit and _continues_header(folded[h + 1], index):
            header_end = h + 1
        body_end = _body_end(grid, folded, header_end + 1, limit, titles, index)
        title = next((titles[r] for r in range(h - 1, max(h - 4, -1), -1) if r in titles), None)
        block = _best_block(grid, folded, codebook, index, h, header_end, body_end, title)
        if block is not None:
            blocks.append(block)
    return blocks


def _is_outcome_header_row(row: list[str], keys: list[str], index: _Index) -> bool:
    """Numbered outcome headers under a merged header: the filled cells read 1, 2, … k
    (header cells that Word repeats from the line above aside).

    A body row ticked with "1"s, or "1. คนต้นแบบ" followed by ticks, is not one.
    """
    numbers = [header_number(c) for c, k in zip(row, keys) if c and clean(c) and not (k and _header_hits(k, index))]
    return len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1))


def _continues_header(row: list[str], index: _Index) -> bool:
    """A second header line with header cells only (Word repeats vertically merged ones)."""
    keys = [k for k in row if k]
    return bool(keys) and all(_header_hits(k, index) for k in keys)


def _body_end(grid: Grid, folded: list[list[str]], start: int, limit: int,
              titles: dict[int, int], index: _Index) -> int:
    """Where a table's rows stop: at a title row, or before the lines that introduce
    the next table (a heading line, a title) when the next header follows."""
    end = limit
    for r in range(start, limit):
        if r in titles:
            end = r
            break
    if end == limit and limit < grid.n_rows:
        # Walk back over the next table's heading lines: single-cell text that is no row.
        all_row_keys = frozenset().union(*index.row_keys.values())
        r = end - 1
        while r >= start:
            keys = [k for k in folded[r] if k]
            if not keys:
                r -= 1
                continue
            if len(keys) == 1 and keys[0] not in all_row_keys:
                end = r
                r -= 1
                continue
            break
    return end


def _header_columns(grid: Grid, folded: list[list[str]], header_rows: range,
                    n_cols: int) -> list[tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """(column, folded header cells, header cells as written) of each column with a header cell."""
    columns = []
    for c in range(n_cols):
        keys = tuple(folded[r][c] for r in header_rows if folded[r][c])
        if keys:
            columns.append((c, keys, tuple(grid.cells[r][c] for r in header_rows if folded[r][c])))
    return columns


def _classify_columns(columns: list[tuple[int, tuple[str, ...], tuple[str, ...]]], n_cols: int, table: Table,
                      index: _Index) -> tuple[int | None, dict[int, str], dict[int, str], dict[int, str]]:
    label_col: int | None = None
    fields: dict[int, str] = {}
    outcomes: dict[int, str] = {}
    extra: dict[int, str] = {}
    outcome_span: int | None = None
    n_out = len(table.outcomes)
    for c, keys, texts in columns:
        kind = index.kinds.get((table, keys, texts))
        if kind is None:
            kind = _column_kind(keys, texts, table, index)
            if len(index.kinds) < _MEMO_SIZE:
                index.kinds[(table, keys, texts)] = kind
        if kind[0] == "span":
            outcome_span = c if outcome_span is None else outcome_span
        if kind[0] == "label" and label_col is None:
            label_col = c
        elif kind[0] == "field" and kind[1] not in fields.values():
            fields[c] = kind[1]
        elif kind[0] == "outcome" and kind[1] not in outcomes.values():
            outcomes[c] = kind[1]
        elif kind[0] == "extra" or kind[0] in ("label", "field", "outcome"):
            extra[c] = kind[1] if kind[0] == "extra" else clean(" ".join(texts))
    if not outcomes and outcome_span is not None and n_out:
        # Outcome columns with no header of their own: the columns under the merged header.
        taken = set(fields) | ({label_col} if label_col is not None else set())
        cols = [c for c in range(outcome_span, n_cols) if c not in taken][:n_out]
        for c, o in zip(cols, table.outcomes):
            outcomes[c] = o.code
            extra.pop(c, None)
    return label_col, fields, outcomes, extra


def _column_kind(keys: tuple[str, ...], texts: tuple[str, ...], table: Table, index: _Index) -> tuple[str, str]:
    """What a column's header cells make it in ``table``: ("label", ""), ("field", code),
    ("outcome", code), ("span", "") under the merged outcomes header, or ("extra", header)."""
    n_out = len(table.outcomes)
    kind = None
    for key, text in zip(keys, texts):
        if key in index.label_of:
            kind = ("label", "")
        elif key in index.field_of:
            codes = [f for t, f in index.field_of[key] if t == table.code]
            if codes:
                kind = ("field", codes[0])
        if kind:
            break
    if kind is None:
        for key, text in zip(keys, texts):
            code = _outcome_from_header(text, key, table)
            if code and n_out:
                kind = ("outcome", code)
                break
    if kind is None:
        for key in keys:
            if _is_outcomes_header(key, index):
                kind = ("span", "")
                break
    if kind is None:
        for key in keys:
            cue = next((f.code for f in table.fields for cue in f.cues if fold(cue) in key), None)
            if cue:
                kind = ("field", cue)
                break
    if kind is None:
        kind = ("extra", clean(" ".join(texts)))
    return kind


def _outcome_from_header(text: str, key: str, table: Table) -> str | None:
    if m := _OUTCOME_CODE.match(clean(text)):
        code = m.group(1).upper() + m.group(2)
        return code if any(o.code == code for o in table.outcomes) else None
    number = header_number(text)
    if number is not None:
        return next((o.code for o in table.outcomes if o.number == number), None)
    return next((o.code for o in table.outcomes if key in o.label.keys()), None)


def _best_block(grid: Grid, folded: list[list[str]], codebook: Codebook, index: _Index,
                h: int, header_end: int, body_end: int, title: int | None) -> Block | None:
    header_rows = range(h, header_end + 1)
    header_keys = [folded[r][c] for r in header_rows for c in range(len(folded[r])) if folded[r][c]]
    n_cols = grid.n_cols
    columns = _header_columns(grid, folded, header_rows, n_cols)
    best: tuple[int, Block] | None = None
    for table in codebook.tables:
        score = 0
        score += 4 * any(table.code in index.label_of.get(k, ()) for k in header_keys)
        for k in header_keys:
            owners = {t for t, _ in index.field_of.get(k, ())}
            if table.code in owners:
                score += 3 if len(owners) == 1 else 1
        if title == table.number:
            score += 5
        label_col, fields, outcomes, extra = _classify_columns(columns, n_cols, table, index)
        if label_col is None:
            label_col = _first_body_column(grid, header_end + 1, body_end, fields, outcomes)
        if label_col is None:
            continue
        score += 2 * (len(outcomes) == len(table.outcomes))
        score += 2 * sum(
            1 for r in range(header_end + 1, body_end) if folded[r][label_col] in index.row_keys[table.code]
        ) if label_col < n_cols else 0
        block = Block(table, h, header_end, header_end + 1, body_end, label_col, fields, outcomes, extra)
        if best is None or score > best[0]:
            best = (score, block)
    if best is None or best[0] < 4:
        return None
    return best[1]


def _first_body_column(grid: Grid, start: int, end: int, fields: dict[int, str],
                       outcomes: dict[int, str]) -> int | None:
    """The label column when its header is missing: the leftmost column with text
    left of the first field column."""
    first = min([*fields, *outcomes], default=None)
    if first is None:
        return None
    for c in range(first):
        if any(clean(grid.value(r, c)) for r in range(start, end)):
            return c
    return None
