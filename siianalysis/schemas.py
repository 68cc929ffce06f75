"""The processed-data contract, declared once: every table, its columns in order, their checks.

``COLUMNS`` is the contract's shape (table -> columns, in the order they are
written); ``BOOL_COLUMNS`` the true/false columns, every other column is text.
``normalise`` writes in this order and ``analysis.dataset`` reads by it, so the
two can never disagree. ``schemas()`` adds what each value must look like (the
rules of ``_checks``) as pandera schemas; ``validate`` checks the tables by them
before anything is written, with pandas alone when they pass (pandera says why
when they do not). pandera is imported only then, so reading the shape costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from siianalysis.codebook import TABLES, load_codebook
from siianalysis.ids import ID_PATTERN, TAMBON_ID
from siianalysis.rounds import ROUND_PATTERN

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

# table -> columns, in the order they are written
COLUMNS: dict[str, tuple[str, ...]] = {
    "tambons": (
        "tambon_id",
        "round",  # the round (siianalysis.rounds): a Buddhist-Era year "2567", "r2", or "" (none named)
        "resolved", "tambon_th", "amphoe_th", "province_th",
        "province_code",  # 2 digits or ""
        "worksheet_date",  # ISO date or ""
        "source_file", "tambon_en", "amphoe_en", "province_en",
        "amphoe_code",  # 4 digits or ""
        "tables",  # tables found in the worksheet, comma-separated ("people,mechanism,data,summary")
    ),
    "rows": ("tambon_id", "round", "table", "row_code", "label", "source"),
    "ticks": ("tambon_id", "round", "table", "row_code", "criterion_code", "ticked"),
    # a table's text: its row (row_code) and field, source "" (where the row was written is
    # rows.source); a note written outside the tables (parse.outside): table = the codebook's
    # note table ("note"), row_code "", field "note", source = where it was written ("file: cell")
    "texts": ("tambon_id", "round", "table", "row_code", "field", "text", "source"),
    # round: the worksheet's round when the problem is about one (tambon_id given), else ""
    "problems": ("source_file", "location", "severity", "code", "message", "tambon_id", "round"),
    # the experts' suggestions (workshop step 3): pillar = people | mechanism | data | overall,
    # priority = high | medium | low or "", reviewed_on = ISO date or ""
    "feedback": ("tambon_id", "round", "pillar", "reviewer", "suggestion", "priority", "reviewed_on", "source_file"),
}
PROCESSED_TABLES = tuple(COLUMNS)
BOOL_COLUMNS = frozenset({"resolved", "ticked"})
# Tables whose file must exist; problems and feedback may be absent
# (a clean run has no problems; no expert has reviewed yet).
REQUIRED = ("tambons", "rows", "ticks", "texts")


def columns(name: str) -> list[str]:
    """The declared column order of a processed table."""
    return list(COLUMNS[name])


@dataclass(frozen=True, slots=True)
class _Rule:
    """What one column's values must look like: text or true/false, never missing; text may
    have to match a pattern (from its start, as pandera's ``str_matches``), be one of some
    values or be at least so long. The pandera schema and the quick check read the same rules."""

    kind: type = str
    matches: str | None = None
    isin: tuple[str, ...] | None = None
    min_length: int | None = None


def _str(*, matches: str | None = None, isin=None, min_length: int | None = None) -> _Rule:
    return _Rule(str, matches, tuple(isin) if isin is not None else None, min_length)


def _column(rule: _Rule) -> pa.Column:
    import pandera.pandas as pa

    checks = []
    if rule.matches is not None:
        checks.append(pa.Check.str_matches(rule.matches))
    if rule.isin is not None:
        checks.append(pa.Check.isin(list(rule.isin)))
    if rule.min_length is not None:
        checks.append(pa.Check.str_length(min_value=rule.min_length))
    return pa.Column(rule.kind, checks=checks, nullable=False)


def _note_table() -> str:
    """The ``texts.table`` of notes written outside the tables (the codebook's ``outside_tables``)."""
    return load_codebook().outside_tables.table


def _notes_are_worksheet_level(df):
    """A note (table = the note table) has no row and is a ``note``; a table's text has a row."""
    note = df["table"] == _note_table()
    return (note == (df["row_code"] == "")) & (~note | (df["field"] == "note"))


def _codes() -> tuple[list[str], list[str], list[str]]:
    cb = load_codebook()
    rows = [r.code for t in cb.tables for r in t.rows]
    outcomes = [o.code for o in cb.outcomes]
    fields = sorted({f.code for t in cb.tables for f in t.fields})
    return rows, outcomes, fields


def _checks() -> dict[str, dict[str, _Rule]]:
    """table -> column -> what its values must look like."""
    rows, outcomes, fields = _codes()
    field_pattern = rf"^({'|'.join(fields)}|note|written_label|remark\.({'|'.join(outcomes)}))$"
    review = load_codebook().review
    tambon_id = _str(matches=TAMBON_ID.pattern)
    table = _str(isin=list(TABLES))
    iso_date = _str(matches=r"^(\d{4}-\d{2}-\d{2})?$")
    round_code = _str(matches=ROUND_PATTERN)
    return {
        "tambons": {
            "tambon_id": tambon_id,
            "round": round_code,
            "resolved": _Rule(bool),
            "tambon_th": _str(),
            "amphoe_th": _str(),
            "province_th": _str(),
            "province_code": _str(matches=r"^(\d{2})?$"),
            "worksheet_date": iso_date,
            "source_file": _str(),
            "tambon_en": _str(),
            "amphoe_en": _str(),
            "province_en": _str(),
            "amphoe_code": _str(matches=r"^(\d{4})?$"),
            "tables": _str(),
        },
        "rows": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": table,
            "row_code": _str(isin=rows),
            "label": _str(),
            "source": _str(),
        },
        "ticks": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": table,
            "row_code": _str(isin=rows),
            "criterion_code": _str(isin=outcomes),
            "ticked": _Rule(bool),
        },
        "texts": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": _str(isin=[*TABLES, _note_table()]),
            "row_code": _str(isin=["", *rows]),
            "field": _str(matches=field_pattern),
            "text": _str(min_length=1),
            "source": _str(),
        },
        "problems": {
            "source_file": _str(),
            "location": _str(),
            "severity": _str(isin=["error", "warning", "info"]),
            "code": _str(matches=r"^[a-z][a-z0-9-]*$"),
            "message": _str(min_length=1),
            "tambon_id": _str(matches=rf"^(?:{ID_PATTERN})?$"),
            "round": round_code,
        },
        "feedback": {
            "tambon_id": tambon_id,
            "round": round_code,
            "pillar": _str(isin=[p.code for p in review.pillars]),
            "reviewer": _str(),
            "suggestion": _str(),
            "priority": _str(isin=["", *(p.code for p in review.priorities)]),
            "reviewed_on": iso_date,
            "source_file": _str(),
        },
    }


# uniqueness of each table's key, where it has one
_UNIQUE = {"tambons": ["tambon_id", "round"], "rows": ["tambon_id", "round", "row_code"],
           "ticks": ["tambon_id", "round", "row_code", "criterion_code"],
           # a table's text: one per row and field; a note: one per place it was written
           "texts": ["tambon_id", "round", "row_code", "field", "source"]}
# checks across a table's columns
_ROW_CHECKS = {"texts": _notes_are_worksheet_level}


def schemas() -> dict[str, pa.DataFrameSchema]:
    """One pandera schema per processed table, columns in ``COLUMNS`` order (``strict``:
    no undeclared column slips in; ``ordered``: none out of place)."""
    import pandera.pandas as pa

    checks = _checks()
    return {
        name: pa.DataFrameSchema({c: _column(checks[name][c]) for c in cols}, strict=True, ordered=True,
                                 unique=_UNIQUE.get(name),
                                 checks=[pa.Check(_ROW_CHECKS[name])] if name in _ROW_CHECKS else None)
        for name, cols in COLUMNS.items()
    }


def validate(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every processed table checked against its schema (``schemas()``); raises pandera's
    ``SchemaError`` naming what is wrong.

    The same rules are first checked here with pandas alone (``_passes``): a table that
    passes is as pandera would return it, and pandera (0.25 s to import, 0.2 s to build and
    run, after the workers, in ``normalise``'s serial tail) is called only for a table that
    does not, to say why, or when a table is not as ``normalise`` makes them.
    """
    checks = _checks()
    failing = [name for name, df in frames.items() if not _passes(name, df, checks)]
    if not failing:
        return dict(frames)
    full = schemas()
    return {name: full[name].validate(df) if name in failing else df for name, df in frames.items()}


def _passes(name: str, df: pd.DataFrame, checks: dict[str, dict[str, _Rule]]) -> bool:
    """Whether ``df`` surely passes table ``name``'s schema: the declared columns in order, each
    of the dtype ``normalise`` gives (text: pandas' ``str``; ``bool``), none missing, every rule,
    the key unique, the table's row check. False at any doubt (then pandera decides)."""
    import numpy as np
    import pandas as pd

    if name not in COLUMNS or list(df.columns) != list(COLUMNS[name]) or not df.columns.is_unique:
        return False
    text_dtype = pd.Series([], dtype=str).dtype
    for col in COLUMNS[name]:
        rule, values = checks[name][col], df[col]
        if rule.kind is bool:
            if values.dtype != np.dtype(bool):
                return False
            continue
        if values.dtype != text_dtype or values.isna().any():
            return False
        # as pandera's builtin checks compute them (str_matches, isin, str_length)
        if rule.matches is not None and not values.str.match(rule.matches, na=False).all():
            return False
        if rule.isin is not None and not values.isin(list(rule.isin)).all():
            return False
        if rule.min_length is not None and not (values.str.len() >= rule.min_length).all():
            return False
    if name in _UNIQUE and df.duplicated(subset=_UNIQUE[name], keep=False).any():
        return False
    return name not in _ROW_CHECKS or bool(_ROW_CHECKS[name](df).all())
