"""One analysis file for SPSS and Stata: a line per tambon × round, with its labels.

Variables, in this order (names ASCII, at most 32 characters, the same in every export):

- identity: ``tambon_id`` (the DOPA code, or ``u-…`` when unresolved), ``round`` (when the
  processed tables have rounds), ``resolved`` (0/1), ``province_code``, ``amphoe_code``, the
  place names in Thai and English (``tambon_th`` … ``province_en``), ``worksheet_date`` (a
  date);
- the scores of ``analysis.scores.tambon_scores`` under their own names
  (``people_outcome_coverage``, ``overall_outcome_coverage``, ``lens_innovation`` …; see
  that module for every formula), computed per round; a score that does not exist for a
  tambon (a table not submitted) is missing (NaN → system-missing), never 0;
- a 0/1 variable per row × outcome of the three scored tables, named by their codebook
  codes in lower case, row then outcome: ``p1_pc1`` is row P1 (role models) × outcome PC1
  of Table 1, ``m8_mc7`` the second "other" row of Table 2 × outcome MC7. 1 = the team
  ticked the outcome on that row (``scores.ticked_cells``, the one definition of a counted
  tick); 0 = it did not, or did not report the row; missing = the table was not in the
  worksheet (``table_present`` false).

Labels: each variable's label and the value labels (0/1 of a tick: ไม่บรรลุ/บรรลุ, "not
reached/reached"; 0/1 of a yes/no: ไม่ใช่/ใช่, "no/yes") in Thai, or English with
``lang="en"``: codes' labels from the codebook, the rest from ``data/fields.yaml``.

No free text: nothing a team or a reviewer wrote (row labels, texts, suggestions, file
names) is in the file; the place names are the official DOPA names of resolved tambons,
and for an unresolved one the names as written, masked like every shared output when the
dataset was (``source.export_dataset``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.scores import (
    SCORED_TABLES,
    table_scores,
    tambon_scores,
    ticked_cells,
)

from .fields import analysis_node, analysis_text
from .source import ROUND, round_slices

IDENTITY = ("tambon_id", ROUND, "resolved", "province_code", "amphoe_code", "tambon_th", "amphoe_th",
            "province_th", "tambon_en", "amphoe_en", "province_en", "worksheet_date")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass
class AnalysisFile:
    """The frame to write and its labels: ``labels`` variable -> label, ``value_labels``
    variable -> {value: label}."""

    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    lang: str = "th"


def tick_variable(row_code: str, outcome_code: str) -> str:
    """``p1_pc1``: the variable of row ``P1`` × outcome ``PC1``."""
    return f"{row_code}_{outcome_code}".lower()


def _tick_columns(ds: Dataset) -> list[tuple[str, str, str]]:
    """(table, row, outcome) of every tick variable, codebook order."""
    return [(t, r.code, o.code) for t in SCORED_TABLES for r in ds.codebook.table(t).rows
            for o in ds.codebook.table(t).outcomes]


def _one_round(ds: Dataset, round_value: str | None) -> pd.DataFrame:
    tambons = ds.tambons.drop_duplicates("tambon_id")
    out = tambons[[c for c in IDENTITY if c in tambons.columns]].reset_index(drop=True)
    if round_value is not None:
        out[ROUND] = round_value
    out["resolved"] = out["resolved"].astype(float)
    out["worksheet_date"] = pd.to_datetime(out["worksheet_date"].replace("", None), errors="coerce",
                                           format="%Y-%m-%d")
    scores = tambon_scores(ds).set_index("tambon_id")
    for column in scores.columns:
        if column in out.columns or scores[column].dtype == object or pd.api.types.is_string_dtype(scores[column]):
            continue  # identity columns, already there
        values = scores[column].astype(float) if pd.api.types.is_bool_dtype(scores[column]) else scores[column]
        out[column] = out["tambon_id"].map(values).to_numpy()
    ticked = ticked_cells(ds)
    hit = set(zip(ticked["tambon_id"], ticked["row_code"], ticked["criterion_code"], strict=True))
    ts = table_scores(ds)
    present = set(zip(ts.loc[ts["table_present"].astype(bool), "tambon_id"],
                      ts.loc[ts["table_present"].astype(bool), "table"], strict=True))
    ticks = {}
    for table, row, outcome in _tick_columns(ds):
        ticks[tick_variable(row, outcome)] = [
            (1.0 if (tid, row, outcome) in hit else 0.0) if (tid, table) in present else float("nan")
            for tid in out["tambon_id"]]
    return pd.concat([out, pd.DataFrame(ticks, index=out.index)], axis=1)


def _pillar(ds: Dataset, code: str, lang: str) -> str:
    return next(p.label.text(lang) for p in ds.codebook.review.pillars if p.code == code)


def _score_label(ds: Dataset, column: str, lang: str) -> str:
    """``people_tick_rate`` -> "คน: สัดส่วนช่องที่ทำเครื่องหมาย"; the name itself when the
    words file does not know the measure (a score added later still gets a label)."""
    measures = analysis_node("measures")
    for prefix in (*SCORED_TABLES, "overall"):
        measure = column.removeprefix(f"{prefix}_")
        if column.startswith(f"{prefix}_") and measure in measures:
            return analysis_text("table_measure", lang, table=_pillar(ds, prefix, lang),
                                 measure=analysis_text(f"measures.{measure}", lang))
    if column.startswith("lens_"):
        lens = next((x for x in ds.codebook.lenses if x.code == column.removeprefix("lens_")), None)
        if lens is not None:
            return analysis_text("lens", lang, lens=lens.short.text(lang))
    try:
        return analysis_text(column, lang)
    except KeyError:
        return column


def _labels(ds: Dataset, frame: pd.DataFrame, lang: str) -> tuple[dict[str, str], dict[str, dict[float, str]]]:
    labels: dict[str, str] = {}
    values: dict[str, dict[float, str]] = {}
    reached = {float(k): analysis_text(f"reached.{k}", lang) for k in ("0", "1")}
    yes_no = {float(k): analysis_text(f"yes_no.{k}", lang) for k in ("0", "1")}
    ticks = {tick_variable(r, o): (t, r, o) for t, r, o in _tick_columns(ds)}
    for column in frame.columns:
        if column in ticks:
            table, row, outcome = ticks[column]
            tb = ds.codebook.table(table)
            labels[column] = analysis_text("tick", lang, table=tb.number, row=row,
                                           row_label=tb.row(row).label.text(lang), outcome=outcome,
                                           outcome_label=tb.outcome(outcome).short.text(lang))
            values[column] = reached
        elif column in IDENTITY:
            labels[column] = analysis_text(f"identity.{column}", lang)
        else:
            labels[column] = _score_label(ds, column, lang)
        if column == "resolved" or column.endswith(("_present", "_submitted")):
            values[column] = yes_no
    return labels, values


def analysis_file(ds: Dataset, lang: str = "th") -> AnalysisFile:
    """The analysis file of ``ds``: a line per tambon × round (module docstring)."""
    parts = [_one_round(part, value) for value, part in round_slices(ds)]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    bad = [c for c in frame.columns if not NAME.match(c)]
    if bad:  # a bug: a score named so that SPSS or Stata would refuse it
        raise ValueError(f"variable names SPSS and Stata cannot take: {', '.join(bad)}")
    labels, values = _labels(ds, frame, lang)
    return AnalysisFile(frame, labels, values, lang)
