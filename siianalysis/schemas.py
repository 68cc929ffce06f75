"""The processed-data contract, declared once: every table, its columns in order, their checks.

``COLUMNS`` is the contract's shape (table -> columns, in the order they are
written); ``BOOL_COLUMNS`` the true/false columns, every other column is text.
``normalise`` writes in this order and ``analysis.dataset`` reads by it, so the
two can never disagree. ``schemas()`` adds what each value must look like and
checks it with pandera before anything is written; pandera is imported only
then, so reading the shape costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from siianalysis.codebook import TABLES, load_codebook
from siianalysis.ids import ID_PATTERN, TAMBON_ID
from siianalysis.rounds import ROUND_PATTERN

if TYPE_CHECKING:
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


def _str(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    import pandera.pandas as pa

    return pa.Column(str, checks=list(checks), nullable=nullable)


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


def _checks() -> dict[str, dict[str, pa.Column]]:
    """table -> column -> what its values must look like."""
    import pandera.pandas as pa

    rows, outcomes, fields = _codes()
    field_pattern = rf"^({'|'.join(fields)}|note|written_label|remark\.({'|'.join(outcomes)}))$"
    review = load_codebook().review
    tambon_id = _str(pa.Check.str_matches(TAMBON_ID.pattern))
    table = _str(pa.Check.isin(list(TABLES)))
    iso_date = _str(pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$"))
    round_code = _str(pa.Check.str_matches(ROUND_PATTERN))
    return {
        "tambons": {
            "tambon_id": tambon_id,
            "round": round_code,
            "resolved": pa.Column(bool),
            "tambon_th": _str(),
            "amphoe_th": _str(),
            "province_th": _str(),
            "province_code": _str(pa.Check.str_matches(r"^(\d{2})?$")),
            "worksheet_date": iso_date,
            "source_file": _str(),
            "tambon_en": _str(),
            "amphoe_en": _str(),
            "province_en": _str(),
            "amphoe_code": _str(pa.Check.str_matches(r"^(\d{4})?$")),
            "tables": _str(),
        },
        "rows": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": table,
            "row_code": _str(pa.Check.isin(rows)),
            "label": _str(),
            "source": _str(),
        },
        "ticks": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": table,
            "row_code": _str(pa.Check.isin(rows)),
            "criterion_code": _str(pa.Check.isin(outcomes)),
            "ticked": pa.Column(bool),
        },
        "texts": {
            "tambon_id": tambon_id,
            "round": round_code,
            "table": _str(pa.Check.isin([*TABLES, _note_table()])),
            "row_code": _str(pa.Check.isin(["", *rows])),
            "field": _str(pa.Check.str_matches(field_pattern)),
            "text": _str(pa.Check.str_length(min_value=1)),
            "source": _str(),
        },
        "problems": {
            "source_file": _str(),
            "location": _str(),
            "severity": _str(pa.Check.isin(["error", "warning", "info"])),
            "code": _str(pa.Check.str_matches(r"^[a-z][a-z0-9-]*$")),
            "message": _str(pa.Check.str_length(min_value=1)),
            "tambon_id": _str(pa.Check.str_matches(rf"^(?:{ID_PATTERN})?$")),
            "round": round_code,
        },
        "feedback": {
            "tambon_id": tambon_id,
            "round": round_code,
            "pillar": _str(pa.Check.isin([p.code for p in review.pillars])),
            "reviewer": _str(),
            "suggestion": _str(),
            "priority": _str(pa.Check.isin(["", *(p.code for p in review.priorities)])),
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
        name: pa.DataFrameSchema({c: checks[name][c] for c in cols}, strict=True, ordered=True,
                                 unique=_UNIQUE.get(name),
                                 checks=[pa.Check(_ROW_CHECKS[name])] if name in _ROW_CHECKS else None)
        for name, cols in COLUMNS.items()
    }
