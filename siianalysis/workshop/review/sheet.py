"""The review workbook sent to the experts (ผู้ทรงคุณวุฒิ): one row per tambon × pillar.

``write_review_sheet(processed_dir, out_path)`` reads the processed tables (the
output of ``siianalysis normalise``) and writes an .xlsx with

1. an instructions sheet (Thai, or English with ``lang="en"``);
2. the review sheet: for every current tambon and every review pillar of the
   codebook (people, mechanism, data, overall), one row with
   - identity: tambon code (a *text* cell, never a number), tambon, district,
     province, pillar (the codebook's label);
   - context, read only: the team's Table 4 text for the pillar (achievements,
     how to raise it; "overall" joins the three pillars' briefly), the plans the
     team wrote in the pillar's table (row label + plan, shortened: the full text
     is in the tambon report), the pillar's outcome coverage, tick rate and the
     network median of that coverage (``overall``: the overall outcome coverage,
     and all ticks ÷ all tick cells, as the report's scorecard), and a hyperlink
     to the tambon report ``<reports_base>/tambon/<id>.html``, relative to the
     workbook: the workbook is meant to sit beside the project's ``reports/``
     folder, or beside the folder the report bundle unpacks into (also
     ``reports/``: ``workshop.bundle.TOP_FOLDER``); pass ``reports_base="."`` when it
     sits *inside* the reports folder;
   - four empty columns for the reviewer: name, suggestion (wide, wrapped),
     priority (a drop-down of the codebook's priority labels, other text allowed
     after a warning) and date.
3. a hidden sheet ``_siianalysis`` naming the file a siianalysis review workbook
   with its format version; the reader never relies on it.

The review sheet is protected **without a password** so the team's text is not
changed by accident: every cell is locked except the reviewer's four columns;
filtering (autofilter on the header), sorting, resizing columns and rows and
inserting columns stay allowed. (Excel refuses to sort a range holding locked
cells on a protected sheet; the instructions say to unprotect it first.) Panes
are frozen below the header and right of the identity columns.

Scores are computed once for the whole network with ``siianalysis.analysis``
(``tambon_scores``, ``table_scores``, ``positions``), exactly as the tambon
reports compute them, *before* the ``provinces`` filter, so the network median
is the network's. Worksheet text is untrusted: strings beginning with "=" are
written as text cells, never formulas; characters a workbook cannot hold are
dropped. The same processed data give a byte-identical file.
"""

from __future__ import annotations

import math
from copy import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from siianalysis.analysis.dataset import Dataset, load
from siianalysis.analysis.scores import SCORED_TABLES, positions, table_scores, tambon_scores
from siianalysis.codebook import Codebook, Lang
from siianalysis.ids import is_tambon_id
from siianalysis.parse.place_spelling import read_province
from siianalysis.workshop.provinces import province_code
from siianalysis.workshop.xlsx import FONT_NAME, cell_text, save_workbook, write_cell

from . import (
    CONTEXT_COLUMNS, FORMAT_VERSION, IDENTITY_COLUMNS, MARKER, MARKER_SHEET, REVIEWER_COLUMNS, SCORE_COLUMNS,
    SHEET_COLUMNS,
    context_header, words,
)

FONT_SIZE = 14
PLAN_CHARS = 300  # one plan (or one Table 4 text in the "overall" row) in the sheet
CELL_CHARS = 1500  # one context cell
DATA_ROW_HEIGHT = 96

_THIN = Side(style="thin", color="A0A0A0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E2EFDA")
_CONTEXT_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)
_WIDTHS = {
    "tambon_id": 11, "tambon": 16, "amphoe": 16, "province": 14, "pillar": 10,
    "summary_achievements": 40, "summary_plan": 40, "team_plans": 50,
    "outcome_coverage": 13, "tick_rate": 13, "network_median": 13, "report": 26,
    "reviewer": 20, "suggestion": 60, "priority": 14, "reviewed_on": 14,
}
_PERCENT = "0.0%"


# --- text ----------------------------------------------------------------------------------


def _short(text: str, limit: int, more: str) -> str:
    """``text`` cut at ``limit`` characters (at a space or line end when one is near)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + more


def _text_cell(ws, row: int, col: int, value: object):
    """A text cell (``xlsx.write_cell``); an empty text is an empty cell."""
    text = cell_text("" if value is None else str(value))
    return write_cell(ws, row, col, text or None)


# --- data ----------------------------------------------------------------------------------


def _select_provinces(tambons: pd.DataFrame, provinces: Iterable[str] | None) -> pd.DataFrame:
    """The tambons of the provinces asked for: each read by ``workshop.provinces.province_code``
    (a Thai or English name in any case, "จังหวัด…"/"จ.…", an abbreviation, or the 2-digit
    code), so every way of naming a province selects the same tambons, unresolved ones too
    (they keep the code of the province they name).

    Raises ``ValueError`` for a name that is no province (naming the close ones), and for a
    province no tambon is in.
    """
    if provinces is None:
        return tambons
    wanted = [str(p).strip() for p in provinces if str(p).strip()]
    if not wanted:
        return tambons
    codes = tambons["province_code"].fillna("").astype(str)
    for i in codes.index[codes == ""]:  # written before unresolved places kept their province's code
        row = tambons.loc[i]
        codes[i] = next((p.code for name in (row["province_th"], row["province_en"]) if isinstance(name, str)
                         for p in read_province(name).areas[:1]), "")
    keep = pd.Series(False, index=tambons.index)
    for p in wanted:
        hit = codes == province_code(p)
        if not hit.any():
            known = sorted({f"{c} {n}".strip() for c, n in zip(codes, tambons["province_th"])})
            raise ValueError(f"no tambon in province {p!r}; provinces in the data: {', '.join(known) or 'none'}")
        keep |= hit
    return tambons[keep]


def _sort_key(row: dict) -> tuple:
    return (row["province_code"] or "~", row["province_th"], row["amphoe_code"] or "~", row["amphoe_th"],
            row["tambon_th"], row["tambon_id"])


def _texts(ds: Dataset) -> dict[tuple[str, str, str, str], str]:
    out: dict[tuple[str, str, str, str], list[str]] = {}
    for tid, table, row_code, fld, text in ds.texts[["tambon_id", "table", "row_code", "field", "text"]].itertuples(
        index=False
    ):
        if text:
            out.setdefault((tid, table, row_code, fld), []).append(text)
    return {k: "\n".join(v) for k, v in out.items()}


def _team_labels(ds: Dataset) -> dict[tuple[str, str, str], str]:
    return {
        (tid, table, code): label
        for tid, table, code, label in ds.rows[["tambon_id", "table", "row_code", "label"]].itertuples(index=False)
    }


def _scores(ds: Dataset) -> dict[tuple[str, str], dict[str, float]]:
    """(tambon_id, pillar) → outcome_coverage, tick_rate, network_median, as the report's scorecard."""
    cb = ds.codebook
    scores = tambon_scores(ds)
    ts = table_scores(ds)
    out: dict[tuple[str, str], dict[str, float]] = {}
    measures = ["ticks", "tick_cells", "outcome_coverage", "tick_rate"]
    by_table = {t: ts[ts["table"] == t].set_index("tambon_id")[measures].to_dict("index") for t in SCORED_TABLES}
    medians: dict[str, dict[str, float]] = {}
    for column in [f"{t}_outcome_coverage" for t in SCORED_TABLES] + ["overall_outcome_coverage"]:
        medians[column] = positions(scores, column).set_index("tambon_id")["network_median"].to_dict()
    overall_cov = scores.set_index("tambon_id")["overall_outcome_coverage"].to_dict()
    overall = cb.table("summary").pillar
    for tid in scores["tambon_id"]:
        ticks = cells = 0
        for t in SCORED_TABLES:
            m = by_table[t][tid]
            ticks += int(m["ticks"])
            cells += int(m["tick_cells"])
            out[(tid, cb.table(t).pillar)] = {
                "outcome_coverage": float(m["outcome_coverage"]),
                "tick_rate": float(m["tick_rate"]),
                "network_median": float(medians[f"{t}_outcome_coverage"][tid]),
            }
        # as the report's scorecard: all ticks ÷ all tick cells of the three tables
        out[(tid, overall)] = {
            "outcome_coverage": float(overall_cov[tid]),
            "tick_rate": ticks / cells if cells else 0.0,
            "network_median": float(medians["overall_outcome_coverage"][tid]),
        }
    return out


def _report_path(reports_base: str, tambon_id: str) -> str:
    base = str(reports_base).replace("\\", "/").strip().rstrip("/")
    if base in ("", "."):
        return f"tambon/{tambon_id}.html"
    return f"{base}/tambon/{tambon_id}.html"


# --- the workbook ----------------------------------------------------------------------------


def _font(bold: bool = False, size: int = FONT_SIZE, **kw: Any) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, **kw)


def _style(cell, key: str, styles: dict[str, StyleArray]) -> None:
    """Styles a body cell of column ``key``: built once per column, then copied (openpyxl
    hashes every style object it is given, which would dominate the time of a big sheet)."""
    if key in styles:
        cell._style = copy(styles[key])
        return
    cell.font = _font(color="0563C1", underline="single") if key == "report" else _font()
    cell.alignment = _WRAP_TOP
    cell.border = _BORDER
    if key in REVIEWER_COLUMNS:
        cell.fill = _INPUT_FILL
        cell.protection = _UNLOCKED
    else:
        cell.protection = _LOCKED
        if key in CONTEXT_COLUMNS:
            cell.fill = _CONTEXT_FILL
    if key == "tambon_id":
        cell.number_format = "@"
    elif key in SCORE_COLUMNS:
        cell.number_format = _PERCENT
    elif key == "reviewed_on":
        cell.number_format = "yyyy-mm-dd"
    styles[key] = copy(cell._style)


def _headers(codebook: Codebook, lang: Lang) -> dict[str, str]:
    cols = codebook.review.columns
    return {key: (cols[key].text(lang) if key in cols else context_header(key, lang)) for key in SHEET_COLUMNS}


def _instructions(wb: Workbook, codebook: Codebook, headers: dict[str, str], lang: Lang) -> None:
    w = words(lang)
    ws = wb.active
    ws.title = w["instructions_sheet"]
    ws.column_dimensions["A"].width = 110
    title = ws.cell(row=1, column=1, value=w["title"])
    title.font = _font(bold=True, size=18)
    title.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 48
    fields = {
        **headers,
        "sheet": w["review_sheet"],
        "pillars": ", ".join(p.label.text(lang) for p in codebook.review.pillars),
        "priorities": ", ".join(p.label.text(lang) for p in codebook.review.priorities),
    }
    for i, line in enumerate(w["instructions"].splitlines()):
        cell = ws.cell(row=3 + i, column=1, value=str(line).format(**fields))
        cell.font = _font()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[3 + i].height = 44


def _marker(wb: Workbook, codebook: Codebook, lang: Lang) -> None:
    ws = wb.create_sheet(MARKER_SHEET)
    ws.append(["format", MARKER])
    ws.append(["version", str(FORMAT_VERSION)])
    ws.append(["codebook_version", str(codebook.version)])
    ws.append(["lang", lang])
    ws.sheet_state = "hidden"


def _overall_text(lines: list[tuple[str, str]], more: str) -> str:
    return "\n".join(f"{label}: {_short(text, PLAN_CHARS, more)}" for label, text in lines if text)


def _context(ds: Dataset, tid: str, pillar: str, texts: dict, labels: dict, lang: Lang) -> dict[str, str]:
    """The Table 4 texts and the plans of one tambon × pillar, shortened for a cell."""
    cb = ds.codebook
    more = words(lang)["more"]
    summary = cb.table("summary")
    # Table 4's rows S1, S2, S3 are the pillars of tables 1, 2, 3.
    pillar_row = {}
    for row in summary.rows:
        table = cb.table_by_number(row.number)
        if table is not None and table.code != summary.code:
            pillar_row[table.pillar] = row.code
    pillar_label = {p.code: p.label.text(lang) for p in cb.review.pillars}
    if pillar == summary.pillar:
        ach = [(pillar_label.get(p, p), texts.get((tid, summary.code, code, "achievements"), ""))
               for p, code in pillar_row.items()]
        plan = [(pillar_label.get(p, p), texts.get((tid, summary.code, code, "plan"), ""))
                for p, code in pillar_row.items()]
        return {"summary_achievements": _short(_overall_text(ach, more), CELL_CHARS, more),
                "summary_plan": _short(_overall_text(plan, more), CELL_CHARS, more),
                "team_plans": ""}
    code = pillar_row.get(pillar, "")
    table = next((t for t in cb.tables if t.pillar == pillar), None)
    plans = []
    if table is not None:
        for row in table.rows:
            text = texts.get((tid, table.code, row.code, "plan"), "")
            if not text:
                continue
            team_label = labels.get((tid, table.code, row.code), "")
            label = team_label if row.other and team_label else row.label.text(lang)
            plans.append(f"{row.code} {label}: {_short(text, PLAN_CHARS, more)}")
    return {
        "summary_achievements": _short(texts.get((tid, summary.code, code, "achievements"), ""), CELL_CHARS, more),
        "summary_plan": _short(texts.get((tid, summary.code, code, "plan"), ""), CELL_CHARS, more),
        "team_plans": _short("\n".join(plans), CELL_CHARS, more),
    }


def build_review_workbook(ds: Dataset, *, provinces: Iterable[str] | None = None, reports_base: str = "reports",
                          lang: Lang = "th") -> Workbook:
    """The review workbook (not saved) for the tambons of ``ds``; see the module docstring."""
    if lang not in ("th", "en"):
        raise ValueError(f"lang must be 'th' or 'en', not {lang!r}")
    cb = ds.codebook
    if not cb.review.pillars or not cb.review.columns:
        raise ValueError("the codebook has no review section (review.pillars, review.columns)")
    headers = _headers(cb, lang)
    wb = Workbook()
    _instructions(wb, cb, headers, lang)
    ws = wb.create_sheet(str(words(lang)["review_sheet"]))

    col = {key: i for i, key in enumerate(SHEET_COLUMNS, start=1)}
    for key, c in col.items():
        cell = ws.cell(row=1, column=c, value=headers[key])
        cell.font = _font(bold=True)
        cell.alignment = _HEADER_ALIGN
        cell.border = _BORDER
        cell.fill = _INPUT_FILL if key in REVIEWER_COLUMNS else _HEADER_FILL
        cell.protection = _LOCKED
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(key, 16)
    ws.row_dimensions[1].height = 54

    tambons = ds.tambons.drop_duplicates("tambon_id")
    tambons = _select_provinces(tambons, provinces)
    records = sorted(tambons.to_dict("records"), key=_sort_key)
    scores = _scores(ds) if records else {}
    texts = _texts(ds)
    labels = _team_labels(ds)
    name_col = "en" if lang == "en" else "th"

    styles: dict[str, StyleArray] = {}
    r = 1
    for t in records:
        tid = str(t["tambon_id"])
        for pillar in cb.review.pillars:
            r += 1
            values: dict[str, Any] = {
                "tambon_id": tid,
                "tambon": t[f"tambon_{name_col}"] or t["tambon_th"],
                "amphoe": t[f"amphoe_{name_col}"] or t["amphoe_th"],
                "province": t[f"province_{name_col}"] or t["province_th"],
                "pillar": pillar.label.text(lang),
                **_context(ds, tid, pillar.code, texts, labels, lang),
            }
            for key in SHEET_COLUMNS:
                c = col[key]
                if key in SCORE_COLUMNS:
                    value = scores.get((tid, pillar.code), {}).get(key)
                    cell = ws.cell(row=r, column=c, value=None if value is None or math.isnan(value) else value)
                elif key == "report":
                    cell = ws.cell(row=r, column=c)
                    if is_tambon_id(tid):
                        path = _report_path(reports_base, tid)
                        cell.value = path
                        cell.hyperlink = path
                elif key in REVIEWER_COLUMNS:
                    cell = ws.cell(row=r, column=c)
                else:
                    cell = _text_cell(ws, r, c, values[key])
                    if key == "tambon_id":
                        cell.data_type = "s"
                _style(cell, key, styles)
            ws.row_dimensions[r].height = DATA_ROW_HEIGHT
    last_row = r
    last_col = get_column_letter(len(SHEET_COLUMNS))

    if last_row > 1:
        priorities = ",".join(p.label.text(lang) for p in cb.review.priorities)
        dv = DataValidation(type="list", formula1=f'"{priorities}"', allow_blank=True, showErrorMessage=True,
                            errorStyle="warning", errorTitle=headers["priority"], error=priorities,
                            showInputMessage=True, promptTitle=headers["priority"], prompt=priorities)
        p_col = get_column_letter(col["priority"])
        dv.add(f"{p_col}2:{p_col}{last_row}")
        ws.add_data_validation(dv)
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    ws.freeze_panes = ws.cell(row=2, column=len(IDENTITY_COLUMNS) + 1).coordinate
    # No password: protection guards against accidents, not against the reviewer.
    ws.protection.sheet = True
    ws.protection.sort = False
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertColumns = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"

    _marker(wb, cb, lang)
    wb.active = 0
    return wb


def write_review_sheet(processed_dir: str | Path, out_path: str | Path, *, provinces: Iterable[str] | None = None,
                       reports_base: str = "reports", lang: Lang = "th") -> Path:
    """Writes the experts' review workbook (.xlsx) for the processed data and returns its path.

    Args:
        processed_dir: the folder ``siianalysis normalise`` wrote (tambons, rows, ticks, texts).
        out_path: the .xlsx to write (its folder is created). Meant to sit beside the
            ``reports/`` folder, or beside the folder the report bundle unpacks into.
        provinces: only these provinces (Thai or English name, "จังหวัด…"/"จ.…" too, or
            2-digit code); None for all. ``ValueError`` for a province with no tambon.
        reports_base: the reports folder relative to the workbook; links point at
            ``<reports_base>/tambon/<tambon_id>.html`` ("." when the workbook sits in it).
        lang: "th" (default) or "en" for the instructions, headers and pillar labels.
    """
    ds = load(processed_dir)
    wb = build_review_workbook(ds, provinces=provinces, reports_base=reports_base, lang=lang)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_workbook(wb, out)
