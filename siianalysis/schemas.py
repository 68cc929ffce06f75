"""The processed-data contract, declared once and checked before anything is written."""

from __future__ import annotations

import pandera.pandas as pa

from siianalysis.codebook import TABLES, load_codebook
from siianalysis.ids import ID_PATTERN, TAMBON_ID



def _str(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=nullable)


def _codes() -> tuple[list[str], list[str], list[str]]:
    cb = load_codebook()
    rows = [r.code for t in cb.tables for r in t.rows]
    outcomes = [o.code for o in cb.outcomes]
    fields = sorted({f.code for t in cb.tables for f in t.fields})
    return rows, outcomes, fields


def schemas() -> dict[str, pa.DataFrameSchema]:
    """One schema per processed table (``strict``: no undeclared column slips in)."""
    rows, outcomes, fields = _codes()
    field_pattern = rf"^({'|'.join(fields)}|note|written_label|remark\.({'|'.join(outcomes)}))$"
    review = load_codebook().review
    tambon_id = _str(pa.Check.str_matches(TAMBON_ID.pattern))
    table = _str(pa.Check.isin(list(TABLES)))
    return {
        "tambons": pa.DataFrameSchema(
            {
                "tambon_id": tambon_id,
                "resolved": pa.Column(bool),
                "tambon_th": _str(),
                "amphoe_th": _str(),
                "province_th": _str(),
                "province_code": _str(pa.Check.str_matches(r"^(\d{2})?$")),
                "worksheet_date": _str(pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
                "source_file": _str(),
                "tambon_en": _str(),
                "amphoe_en": _str(),
                "province_en": _str(),
                "amphoe_code": _str(pa.Check.str_matches(r"^(\d{4})?$")),
                "tables": _str(),
            },
            strict=True, ordered=True, unique=["tambon_id"],
        ),
        "rows": pa.DataFrameSchema(
            {
                "tambon_id": tambon_id,
                "table": table,
                "row_code": _str(pa.Check.isin(rows)),
                "label": _str(),
                "source": _str(),
            },
            strict=True, ordered=True, unique=["tambon_id", "row_code"],
        ),
        "ticks": pa.DataFrameSchema(
            {
                "tambon_id": tambon_id,
                "table": table,
                "row_code": _str(pa.Check.isin(rows)),
                "criterion_code": _str(pa.Check.isin(outcomes)),
                "ticked": pa.Column(bool),
            },
            strict=True, ordered=True, unique=["tambon_id", "row_code", "criterion_code"],
        ),
        "texts": pa.DataFrameSchema(
            {
                "tambon_id": tambon_id,
                "table": table,
                "row_code": _str(pa.Check.isin(rows)),
                "field": _str(pa.Check.str_matches(field_pattern)),
                "text": _str(pa.Check.str_length(min_value=1)),
            },
            strict=True, ordered=True, unique=["tambon_id", "row_code", "field"],
        ),
        "problems": pa.DataFrameSchema(
            {
                "source_file": _str(),
                "location": _str(),
                "severity": _str(pa.Check.isin(["error", "warning", "info"])),
                "code": _str(pa.Check.str_matches(r"^[a-z][a-z0-9-]*$")),
                "message": _str(pa.Check.str_length(min_value=1)),
                "tambon_id": _str(pa.Check.str_matches(rf"^(?:{ID_PATTERN})?$")),
            },
            strict=True, ordered=True,
        ),
        "feedback": pa.DataFrameSchema(
            {
                "tambon_id": tambon_id,
                "pillar": _str(pa.Check.isin([p.code for p in review.pillars])),
                "reviewer": _str(),
                "suggestion": _str(),
                "priority": _str(pa.Check.isin(["", *(p.code for p in review.priorities)])),
                "reviewed_on": _str(pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
                "source_file": _str(),
            },
            strict=True, ordered=True,
        ),
    }


def columns(name: str) -> list[str]:
    """The declared column order of a processed table."""
    return list(schemas()[name].columns)
