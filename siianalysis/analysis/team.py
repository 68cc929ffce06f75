"""What one team wrote in its worksheet, as the tambon report quotes it.

A team *sent* a table when the reader found it in the worksheet (``tambons.tables``)
or when the team reported a row of it; it *reported* a row when it wrote or ticked
something on it (``rows``). Texts come from ``texts`` (one line per row × field),
ticks from ``scores.ticked_cells`` (the one definition of a counted tick). Rows are
in codebook order; an "other (specify)" row is called by the label the team wrote.
"""

from __future__ import annotations

import pandas as pd

from siianalysis.codebook import Table

from .dataset import Dataset
from .scores import SCORED_TABLES, ticked_cells

SUMMARY_TABLE = "summary"


def present_tables(ds: Dataset, tambon_id: str) -> set[str]:
    """Codes of the tables the team sent (found in its worksheet, or with a row reported)."""
    row = ds.tambon(str(tambon_id))
    listed = {x for x in str(row.get("tables") or "").split(",") if x}
    reported = set(ds.lines_of("rows", row["tambon_id"])["table"])
    return listed | reported


def reported_rows(ds: Dataset, tambon_id: str, table: str) -> pd.DataFrame:
    """The ``rows`` lines the team reported in ``table``, one per codebook row, in codebook order."""
    tb = ds.codebook.table(table)
    order = {r.code: r.number for r in tb.rows}
    rows = ds.lines_of("rows", tambon_id)
    rows = rows[rows["table"] == table]
    rows = rows[rows["row_code"].isin(order)].drop_duplicates("row_code")
    return rows.sort_values("row_code", key=lambda s: s.map(order), kind="stable")


def texts_by_row(ds: Dataset, tambon_id: str, table: str) -> dict[str, dict[str, list[str]]]:
    """row_code -> field -> the non-empty texts the team wrote there, for one table."""
    texts = ds.lines_of("texts", tambon_id)
    texts = texts[texts["table"] == table]
    out: dict[str, dict[str, list[str]]] = {}
    for r, f, x in zip(texts["row_code"], texts["field"], texts["text"], strict=True):
        if x:
            out.setdefault(r, {}).setdefault(f, []).append(x)
    return out


def text_fields(table: Table) -> list[str]:
    """The free-text columns of a worksheet table (its columns but the label and the outcomes)."""
    return [f for f in table.columns if f not in ("label", "outcomes")]


def row_label(ds: Dataset, table: str, row_code: str, team_label: str, lang: str = "th") -> str:
    """The codebook's label of a canonical row; what the team wrote for an "other" row."""
    row = ds.codebook.table(table).row(row_code)
    if row.other and team_label:
        return team_label
    return row.label.text(lang)


def team_words_frames(ds: Dataset, tambon_id: str, lang: str = "th") -> dict[str, pd.DataFrame]:
    """Per scored table the team reported a row in: one line per reported row, ``row_code,
    label`` ("P1 …" in ``lang``; the label a team wrote over a canonical row follows in
    brackets), one column per text field (``text_fields``, texts joined by newlines),
    ``ticked`` (outcome codes ticked on the row, codebook order, comma-joined) and
    ``remarks`` (a remark written in a tick cell as "PC2: …", then notes)."""
    tid = str(tambon_id)
    ticks = ticked_cells(ds.for_tambon(tid))
    out: dict[str, pd.DataFrame] = {}
    for table_code in SCORED_TABLES:
        tb = ds.codebook.table(table_code)
        rows = reported_rows(ds, tid, table_code)
        if rows.empty:
            continue
        texts = texts_by_row(ds, tid, table_code)
        fields = text_fields(tb)
        mine = ticks[ticks["table"] == table_code]
        records = []
        for r in rows.itertuples():
            got = texts.get(r.row_code, {})
            label = f"{r.row_code} {row_label(ds, table_code, r.row_code, r.label, lang)}"
            written = got.get("written_label", [])
            if written and not tb.row(r.row_code).other:
                label += "\n(" + "; ".join(written) + ")"
            ticked = [o.code for o in tb.outcomes if ((mine["row_code"] == r.row_code)
                                                     & (mine["criterion_code"] == o.code)).any()]
            remarks = [f"{f.removeprefix('remark.')}: {x}" for f, xs in got.items() if f.startswith("remark.")
                       for x in xs] + [x for x in got.get("note", [])]
            values = ["\n".join(got.get(f, [])) for f in fields]
            records.append({"row_code": r.row_code, "label": label, **dict(zip(fields, values, strict=True)),
                            "ticked": ",".join(ticked), "remarks": "\n".join(remarks)})
        out[table_code] = pd.DataFrame(records)
    return out


def summary_frame(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """Table 4 (S1–S3) of the team: one line per codebook row, ``row_code`` and one column
    per text field (what exists / has been done, how to raise it), "" where nothing is
    written. Empty (no column at all) when the team neither sent the table nor wrote in it."""
    tid = str(tambon_id)
    tb = ds.codebook.table(SUMMARY_TABLE)
    if reported_rows(ds, tid, SUMMARY_TABLE).empty and SUMMARY_TABLE not in present_tables(ds, tid):
        return pd.DataFrame()
    texts = texts_by_row(ds, tid, SUMMARY_TABLE)
    fields = [f for f in tb.columns if f != "label"]
    records = [{"row_code": r.code, **{f: "\n".join(texts.get(r.code, {}).get(f, [])) for f in fields}}
               for r in tb.rows]
    return pd.DataFrame(records)


def tick_matrix(ds: Dataset, tambon_id: str, table: str, lang: str = "th") -> pd.DataFrame:
    """The team's reported rows of ``table`` × the table's outcomes: True where it ticked.

    One line per reported row in codebook order (``reported_rows``), columns ``row_code``,
    ``label`` (the codebook's label in ``lang``; an "other (specify)" row's label as the team
    wrote it) and one boolean column per outcome code, in codebook order. The tambon
    report's grid and ``plots.heatmap_rows_outcomes`` both draw it.
    """
    tid = str(tambon_id)
    tb = ds.codebook.table(table)
    rows = reported_rows(ds, tid, table)
    labels = []
    for code, written in zip(rows["row_code"], rows["label"], strict=True):
        row = tb.row(code)
        labels.append(written if row.other and written else row.label.text(lang))
    out = pd.DataFrame({"row_code": list(rows["row_code"]), "label": labels})
    ticks = ticked_cells(ds.for_tambon(tid))
    ticks = ticks[ticks["table"] == table]
    ticked = set(zip(ticks["row_code"], ticks["criterion_code"], strict=True))
    for outcome in tb.outcomes:
        out[outcome.code] = [(code, outcome.code) in ticked for code in out["row_code"]]
    return out
