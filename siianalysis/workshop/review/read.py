"""A filled review workbook back in: the experts' suggestions as feedback records.

``read_review(doc, codebook)`` looks, in every grid of a ``RawDocument``, for a
header row naming at least the tambon (code or name) column, the pillar column and
the suggestion column (the codebook's ``review.columns`` labels, Thai or English,
compared folded), on any row (a reviewer may add a title above it) and in any
column order. The hidden ``_siianalysis`` sheet the writer adds is not needed:
reviewers copy rows into workbooks of their own, so the header is the only
evidence. A document without such a header is not a review workbook: ``None``.

Below a header, every row is one suggestion, whatever the order (rows may have
been sorted or filtered; hidden rows count). A repeated header row (rows pasted
with their header) starts a new block with its own column positions.

- Columns the writer fills (identity, the team's text, scores, report link) are
  read only for the tambon code and the pillar; any **other** column (one a
  reviewer added, e.g. "หมายเหตุ") is kept: its non-empty text is appended to
  the row's suggestion as a line ``<header>: <text>``, so nothing typed is lost.
- A row with neither a suggestion (added columns included) nor a priority is not
  feedback and is skipped silently: the untouched rows of the sheet, and rows
  where a reviewer only filled down their name or a date.
- ``tambon_id``: a DOPA code (6 digits) or an unresolved ``u-`` id; a code that
  came back as a number ("500707.0") or in Thai digits is read back as text
  (DOPA codes never start with 0, so nothing is padded). Anything else, or an id
  not in ``known_tambons`` when that is given → warning ``review-unknown-tambon``
  and the row is not feedback.
- ``pillar``: the codebook's labels, aliases, English labels or codes; a typo
  close to one label (difflib ratio ≥ 0.8 on folded text, or one letter off a
  label of at least four letters) is corrected with a warning
  ``review-pillar-corrected``; anything else → ``review-unknown-pillar``, the
  row is not feedback.
- ``priority``: a label, alias or code, or blank; anything else → "" and a
  warning ``review-bad-priority``.
- ``reviewed_on``: any date ``parse_date`` reads (Thai or Arabic digits, BE or
  CE), an Excel date cell, or an Excel day number; else "" and a warning
  ``review-bad-date``.

Every warning names the cell (``Sheet!C7``) and quotes everything the reviewer
wrote on the row, the suggestion in full, so nothing is lost even when the row
is not kept. Identical records read twice from one document (rows copied to a
second sheet) are kept once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from siianalysis.codebook import Codebook, load_codebook
from siianalysis.ids import is_tambon_id
from siianalysis.parse.dates import parse_date
from siianalysis.problems import Problem
from siianalysis.readers.grid import Grid, RawDocument, column_letter
from siianalysis.schemas import COLUMNS
from siianalysis.text import arabic_digits, clean, fold

from . import CONTEXT_COLUMNS, MARKER_SHEET, context_header

FEEDBACK_COLUMNS = COLUMNS["feedback"]  # the processed table this reader fills
PILLAR_RATIO = 0.8
_FLOAT_ID = re.compile(r"^(\d+)\.0*$")
_EXCEL_DAY = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CONTEXT = "context"
_REQUIRED = ({"tambon_id", "tambon"}, {"pillar"}, {"suggestion"})


@dataclass(slots=True)
class ReviewRead:
    """What a review workbook said: ``feedback`` records (keys ``FEEDBACK_COLUMNS``)
    and ``problems`` (warnings naming the cell)."""

    feedback: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- headers ----------------------------------------------------------------------------------


def _header_keys(codebook: Codebook) -> dict[str, str]:
    """Folded header text → review column key, or ``_CONTEXT`` for the writer's context columns."""
    keys: dict[str, str] = {}
    for lang in ("th", "en"):
        for key in CONTEXT_COLUMNS:
            if key not in codebook.review.columns:
                keys.setdefault(fold(context_header(key, lang)), _CONTEXT)
    for key, label in codebook.review.columns.items():
        for k in (*label.keys(), fold(key)):
            if k:
                keys[k] = key  # review columns win over a context header spelled the same
    return keys


def _classify(row: list[str], keys: dict[str, str]) -> dict[int, str] | None:
    """Column → key of a header row, or None when the row is no review header."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for c, text in enumerate(row):
        key = keys.get(fold(text)) if text else None
        if key is None:
            continue
        if key != _CONTEXT and key in taken:
            continue  # a second column of the same name: an added column, kept as text
        found[c] = key
        taken.add(key)
    if all(taken & need for need in _REQUIRED):
        return found
    return None


# --- values ------------------------------------------------------------------------------------


def tambon_id_of(text: str) -> str:
    """A tambon code as typed or as a spreadsheet gave it back, as the pipeline writes it."""
    s = arabic_digits(clean(text)).strip().lstrip("'").strip()
    if m := _FLOAT_ID.match(s):
        s = m.group(1)
    return s.lower() if s[:2].lower() == "u-" else s


def _levenshtein_one(a: str, b: str) -> bool:
    """Exactly one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _close_pillar(written: str, codebook: Codebook) -> str | None:
    """The one pillar a typo is close to, or None."""
    key = fold(written)
    if not key:
        return None
    best: dict[str, float] = {}
    for option in codebook.review.pillars:
        for k in option.label.keys():
            ratio = difflib.SequenceMatcher(None, key, k).ratio()
            if ratio < PILLAR_RATIO and len(k) >= 4 and _levenshtein_one(key, k):
                ratio = PILLAR_RATIO
            if ratio >= PILLAR_RATIO:
                best[option.code] = max(best.get(option.code, 0.0), ratio)
    if not best:
        return None
    top = max(best.values())
    winners = [code for code, r in best.items() if r == top]
    return winners[0] if len(winners) == 1 else None


def _date_of(text: str) -> str | None:
    """ISO date of a reviewer's date cell; "" when blank; None when unreadable."""
    s = clean(text)
    if not s:
        return ""
    d = parse_date(s)
    if d is None and _EXCEL_DAY.match(arabic_digits(s)):
        day = float(arabic_digits(s))
        if 20000 <= day <= 80000:  # 1954-2119: an Excel day number shown as a number
            d = _EXCEL_EPOCH + dt.timedelta(days=int(day))
    return d.isoformat() if d else None


# --- reading -------------------------------------------------------------------------------------


def _written(values: dict[str, str]) -> str:
    """Everything the reviewer wrote on a row, for a problem message."""
    parts = [f"{k}={values[k]!r}" for k in ("tambon_id", "tambon", "pillar", "reviewer", "priority", "reviewed_on")
             if values.get(k)]
    head = ", ".join(parts) if parts else "nothing else"
    return f"[{head}] suggestion in full: {values.get('suggestion', '')!r}"


def _read_grid(grid: Grid, doc: RawDocument, codebook: Codebook, keys: dict[str, str],
               known: set[str] | None, out: ReviewRead) -> bool:
    header: dict[int, str] | None = None
    header_text: dict[int, str] = {}
    found = False
    src = doc.source_file
    for r, raw in enumerate(grid.cells):
        row = [clean(v) for v in raw]
        if not any(row):
            continue
        mapped = _classify(row, keys)
        if mapped is not None:
            header, found = mapped, True
            header_text = {c: text for c, text in enumerate(row)}
            continue
        if header is None:
            continue
        cols = {key: c for c, key in header.items() if key != _CONTEXT}
        values = {key: row[c] if c < len(row) else "" for key, c in cols.items()}
        extras = [
            f"{header_text.get(c) or column_letter(c + (grid.origin[1] if grid.kind == 'sheet' else 0))}: {text}"
            for c, text in enumerate(row)
            if text and c not in header
        ]
        suggestion = "\n".join([s for s in [values.get("suggestion", "")] if s] + extras)
        values["suggestion"] = suggestion
        priority_text = values.get("priority", "")
        if not suggestion and not priority_text:
            continue  # not reviewed (a name or a date alone is no feedback)

        def ref(key: str) -> str:
            c = cols.get(key)
            return grid.ref(r, c) if c is not None else grid.ref(r)

        id_key = "tambon_id" if "tambon_id" in cols else "tambon"
        tid = tambon_id_of(values.get(id_key, ""))
        if not is_tambon_id(tid) or (known is not None and tid not in known):
            why = "no tambon code" if not tid else (
                f"tambon {tid!r} is not in the processed data" if is_tambon_id(tid)
                else f"{tid!r} is not a tambon code")
            out.problems.append(Problem(src, ref(id_key), "warning", "review-unknown-tambon",
                                        f"{why}; this suggestion is not counted: {_written(values)}"))
            continue

        pillar_text = values.get("pillar", "")
        pillar = codebook.review.pillar_of(pillar_text)
        if pillar is None:
            pillar = _close_pillar(pillar_text, codebook)
            if pillar is None:
                labels = ", ".join(p.label.th for p in codebook.review.pillars)
                out.problems.append(Problem(
                    src, ref("pillar"), "warning", "review-unknown-pillar",
                    f"unknown pillar {pillar_text!r} (one of: {labels}); this suggestion is not counted: "
                    f"{_written(values)}", tid))
                continue
            label = next(p.label.th for p in codebook.review.pillars if p.code == pillar)
            out.problems.append(Problem(src, ref("pillar"), "warning", "review-pillar-corrected",
                                        f"pillar {pillar_text!r} read as {label!r} ({pillar})", tid))

        priority = ""
        if priority_text:
            priority = codebook.review.priority_of(priority_text) or ""
            if not priority:
                labels = ", ".join(p.label.th for p in codebook.review.priorities)
                out.problems.append(Problem(
                    src, ref("priority"), "warning", "review-bad-priority",
                    f"cannot read the priority {priority_text!r} (one of: {labels}); left blank, "
                    f"the suggestion is kept: {_written(values)}", tid))

        date_text = values.get("reviewed_on", "")
        reviewed_on = _date_of(date_text)
        if reviewed_on is None:
            reviewed_on = ""
            out.problems.append(Problem(src, ref("reviewed_on"), "warning", "review-bad-date",
                                        f"cannot read the date {date_text!r}; left blank, the suggestion is kept: "
                                        f"{_written(values)}", tid))

        record = {
            # the round is the tambon's worksheet's, known once every worksheet is read (normalise)
            "tambon_id": tid, "round": "", "pillar": pillar, "reviewer": values.get("reviewer", ""), "suggestion": suggestion,
            "priority": priority, "reviewed_on": reviewed_on, "source_file": src,
        }
        if record not in out.feedback:
            out.feedback.append(record)
    return found


def read_review(doc: RawDocument, codebook: Codebook | None = None,
                known_tambons: set[str] | None = None) -> ReviewRead | None:
    """The feedback of a filled review workbook, or None if ``doc`` holds none.

    Args:
        doc: a document from ``siianalysis.readers.read_file``.
        codebook: the codebook (its ``review`` section); None for the bundled one.
        known_tambons: the tambon ids of the processed data; a suggestion for any
            other id is a ``review-unknown-tambon`` warning. None: any well-formed id.
    """
    codebook = codebook or load_codebook()
    keys = _header_keys(codebook)
    out = ReviewRead()
    found = False
    for grid in doc.grids:
        if grid.part == MARKER_SHEET:
            continue  # the writer's marker: a hint for people, nothing to read
        found = _read_grid(grid, doc, codebook, keys, known_tambons, out) or found
    return out if found else None


def feedback_frame(records: list[dict[str, str]], codebook: Codebook | None = None) -> pd.DataFrame:
    """The feedback records as a frame of ``FEEDBACK_COLUMNS`` (all text), sorted by
    tambon_id, pillar (codebook order), reviewer, source_file, suggestion, then the rest."""
    codebook = codebook or load_codebook()
    df = pd.DataFrame([{c: str(r.get(c, "") or "") for c in FEEDBACK_COLUMNS} for r in records],
                      columns=list(FEEDBACK_COLUMNS)).astype("str")
    order = {p.code: i for i, p in enumerate(codebook.review.pillars)}
    by = ["tambon_id", "pillar", "reviewer", "source_file", "suggestion", "priority", "reviewed_on"]
    rank = lambda v: f"{order.get(v, len(order)):04d}{v}"  # noqa: E731  codebook order, then unknown codes
    df = df.sort_values(by, key=lambda s: s.map(rank) if s.name == "pillar" else s, kind="stable")
    return df.reset_index(drop=True)


__all__ = ["FEEDBACK_COLUMNS", "ReviewRead", "feedback_frame", "read_review", "tambon_id_of"]
