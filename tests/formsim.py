"""Simulated submissions of the worksheet's online form, written as the services write them.

The chosen answers (``Submission``) are written into a file the way each service
exports them, by what their documentation and their own test suites show:

- KoboToolbox (formpack): headers are the XML names with the group before them,
  joined by ``/`` by default; or the labels of the form's default language
  ("labels" export). A ``select_multiple`` is a column of the chosen names
  separated by spaces and/or one column per choice named ``question/choice``
  holding 1 or 0 ("both" is the default). Service columns after the questions:
  ``_id``, ``_uuid``, ``_submission_time`` (UTC, no zone), ``_validation_status``,
  ``_notes``, ``_status``, ``_submitted_by``, ``_tags``, ``_index``. The CSV is
  separated by ``;`` with every field quoted and CRLF line ends.
- ODK Central: ``SubmissionDate`` (``2018-01-01T00:00:00.000Z``) and
  ``meta-instanceID`` first, groups joined by ``-``, split choices as
  ``group-question/choice`` 0/1 after the summary column, then ``KEY``,
  ``SubmitterID``, ``SubmitterName``, … ; newest submission first.
- Google Forms: ``Timestamp`` (a US-English sheet: ``10/27/2020 9:41:19``) or
  ``ประทับเวลา`` (a Thai sheet, day first), the questions named as the worksheet's
  columns with the row in brackets (``Question [row label]``), a checkbox grid's
  chosen columns joined by ``, ``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from siianalysis.codebook import load_codebook
from siianalysis.forms import names

CB = load_codebook()


@dataclass
class Submission:
    tambon: str                     # DOPA code
    submitted: dt.datetime          # UTC
    by: str = "team"
    date: str = "2020-10-27"        # the form's date question ("" = left blank)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)   # (row, field) -> text
    labels: dict[str, str] = field(default_factory=dict)              # other row -> its label
    ticks: dict[str, list[str]] = field(default_factory=dict)         # row -> outcome codes


def _place_codes(code: str) -> dict[str, str]:
    return {"province": code[:2], "amphoe": code[:4], "tambon": code}


def _answers(s: Submission) -> dict[str, str]:
    """XML name -> value, as the form's XML holds them."""
    out = {**_place_codes(s.tambon), names.DATE_QUESTION: s.date}
    for q in names.questions(CB):
        if q.kind == "text":
            out[q.name] = s.texts.get((q.row, q.key), "")
        elif q.kind == "label":
            out[q.name] = s.labels.get(q.row, "")
        elif q.kind == "outcomes":
            out[q.name] = " ".join(s.ticks.get(q.row, []))
    return out


def _choice_label(q, code: str, lang: str = "th") -> str:
    return names.outcome_label(CB.table(q.table), code).text(lang)


def kobo_table(subs: list[Submission], *, sep: str = "/", selects: str = "both", labels: str = "",
               groups: bool = True) -> list[list[str]]:
    """Header and rows of a KoboToolbox export. ``labels``: "" for XML names, else the
    language of the labels; ``selects``: "summary", "details" or "both"."""
    header: list[str] = ["start", "end"]
    getters = [lambda s: (s.submitted - dt.timedelta(minutes=30)).isoformat() + ".000+07:00",
               lambda s: (s.submitted - dt.timedelta(minutes=1)).isoformat() + ".000+07:00"]
    for q in names.questions(CB):
        if labels:
            base = q.label.text(labels)
            if groups:
                base = f"{q.group_label.text(labels)}{sep}{base}"
        else:
            base = f"{q.group}{sep}{q.name}" if groups else q.name
        if q.kind != "outcomes" or selects in ("summary", "both"):
            header.append(base)
            if q.kind == "outcomes" and labels:
                getters.append(lambda s, q=q: " ".join(_choice_label(q, c, labels) for c in _answers(s)[q.name].split()))
            elif q.kind == "place" and labels:
                getters.append(lambda s, q=q: _place_label(_answers(s)[q.name], q.key))
            else:
                getters.append(lambda s, q=q: _answers(s)[q.name])
        if q.kind == "outcomes" and selects in ("details", "both"):
            for outcome in CB.table(q.table).outcomes:
                choice = _choice_label(q, outcome.code, labels) if labels else outcome.code
                header.append(f"{base}/{choice}")
                getters.append(lambda s, q=q, c=outcome.code: "1" if c in _answers(s)[q.name].split() else "0")
    service = {"_id": lambda s: str(1000 + int(s.submitted.timestamp()) % 1000), "_uuid": lambda s: "uuid",
               "_submission_time": lambda s: s.submitted.isoformat(), "_validation_status": lambda s: "",
               "_notes": lambda s: "", "_status": lambda s: "submitted_via_web", "_submitted_by": lambda s: s.by,
               "_tags": lambda s: ""}
    header += list(service)
    getters += list(service.values())
    header.append("_index")
    rows = [header]
    for i, s in enumerate(subs, start=1):
        rows.append([g(s) for g in getters] + [str(i)])
    return rows


def _place_label(code: str, key: str) -> str:
    import geothai
    if key == "province":
        return geothai.province(code).name_th
    if key == "amphoe":
        return geothai.district(code).name_th
    if key == "tambon":
        return geothai.subdistrict(code).name_th
    return code


def odk_table(subs: list[Submission], *, split: bool = True) -> list[list[str]]:
    """Header and rows of an ODK Central CSV export (newest submission first)."""
    header = ["SubmissionDate", "meta-instanceID", "start", "end"]
    getters = [lambda s: s.submitted.strftime("%Y-%m-%dT%H:%M:%S.000Z"), lambda s: f"uuid:{s.tambon}",
               lambda s: s.submitted.isoformat() + ".000Z", lambda s: s.submitted.isoformat() + ".000Z"]
    for q in names.questions(CB):
        base = f"{q.group}-{q.name}"
        header.append(base)
        getters.append(lambda s, q=q: _answers(s)[q.name])
        if q.kind == "outcomes" and split:
            for outcome in CB.table(q.table).outcomes:
                header.append(f"{base}/{outcome.code}")
                getters.append(lambda s, q=q, c=outcome.code: "1" if c in _answers(s)[q.name].split() else "0")
    service = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
               "ReviewState", "DeviceID", "Edits", "FormVersion"]
    header += service
    rows = [header]
    for s in sorted(subs, key=lambda s: s.submitted, reverse=True):
        rows.append([g(s) for g in getters] + [f"uuid:{s.tambon}", "5", s.by, "0", "0", "", "", "", "0", "1"])
    return rows


def google_table(subs: list[Submission], *, thai: bool = False, native: bool = False) -> list[list]:
    """Header and rows of a Google Forms response sheet built on the worksheet. ``native``:
    times and dates as spreadsheet values (Google's own .xlsx download), not as text."""
    header = ["ประทับเวลา" if thai else "Timestamp", CB.identity["province"].th, CB.identity["amphoe"].th,
              CB.identity["tambon"].th, CB.identity["worksheet_date"].th]

    def stamp(s: Submission):
        local = s.submitted + dt.timedelta(hours=7)
        if native:
            return local
        if thai:
            return f"{local.day}/{local.month}/{local.year} {local.hour}:{local.minute:02d}:{local.second:02d}"
        return f"{local.month}/{local.day}/{local.year} {local.hour}:{local.minute:02d}:{local.second:02d}"

    def date(s: Submission):
        if not s.date:
            return ""
        d = dt.date.fromisoformat(s.date)
        if native:
            return d
        return f"{d.day}/{d.month}/{d.year}" if thai else f"{d.month}/{d.day}/{d.year}"

    getters = [stamp, lambda s: _place_label(s.tambon[:2], "province"), lambda s: _place_label(s.tambon[:4], "amphoe"),
               lambda s: _place_label(s.tambon, "tambon"), date]
    for table in CB.tables:
        def row_name(row):
            if not row.other:
                return row.label.th
            return f"{row.label.th} {table.other_rows.index(row) + 1}"
        for row in table.rows:  # the label column of the "other" rows
            if row.other:
                header.append(f"{table.label_column.th} [{row_name(row)}]")
                getters.append(lambda s, row=row: s.labels.get(row.code, ""))
        for column in table.columns:
            if column == "label":
                continue
            for row in table.rows:
                if column == "outcomes":
                    if not table.outcomes:
                        continue
                    header.append(f"{CB.outcomes_header.th} [{row_name(row)}]")
                    getters.append(lambda s, row=row, table=table: ", ".join(
                        table.outcome(c).label.th for c in s.ticks.get(row.code, [])))
                else:
                    header.append(f"{table.field(column).label.th} [{row_name(row)}]")
                    getters.append(lambda s, row=row, column=column: s.texts.get((row.code, column), ""))
    rows = [header]
    for s in sorted(subs, key=lambda s: s.submitted):
        rows.append([g(s) for g in getters])
    return rows


def write_xlsx(path: Path, rows: list[list[str]], sheet: str = "SII") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", quote_all: bool = False,
              bom: bool = False) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                        lineterminator="\r\n" if quote_all else "\n")
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return path
