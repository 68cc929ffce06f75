"""The experts' review workbook: written from real processed data, filled the way a
reviewer fills it, and read back cell for cell."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from siianalysis.analysis import load, positions, tambon_scores
from siianalysis.normalise import normalise
from siianalysis.parse import parse_document
from siianalysis.readers import read_file
from siianalysis.workshop.review import (
    FEEDBACK_COLUMNS, MARKER_SHEET, SHEET_COLUMNS, context_header, feedback_frame, read_review, words,
    write_review_sheet,
)
from siianalysis.workshop.review.read import tambon_id_of
from siianalysis.sections import tambon as tambon_sections
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_one_sheet, write_xlsx_per_sheet

PEOPLE, MECH, DATA, SUMMARY = (CB.table(c) for c in ("people", "mechanism", "data", "summary"))
REVIEW = CB.review
PILLARS = [p.code for p in REVIEW.pillars]
LABEL = {p.code: p.label.th for p in REVIEW.pillars}
PRIORITY = {p.code: p.label.th for p in REVIEW.priorities}
COL = {key: i for i, key in enumerate(SHEET_COLUMNS, start=1)}  # 1-based sheet columns
LETTER = {key: openpyxl.utils.get_column_letter(c) for key, c in COL.items()}
LONG_PLAN = "จัดอบรมแกนนำรุ่นใหม่ทุกหมู่บ้าน " * 20

MAE_RAEM = Filled(
    "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่",
    "๒๗ ตุลาคม ๒๕๖๓",
    {
        "people": [
            Line(numbered(PEOPLE, "P1"), {"method": "ถอดบทเรียนคนต้นแบบ", "plan": "ยกย่องเชิดชูเกียรติ"}, {"PC1": "✓"}),
            Line(numbered(PEOPLE, "P2"), {"method": "อบรมพัฒนาศักยภาพแกนนำ", "plan": LONG_PLAN}, {"PC2": "✓"}),
            Line("6. อื่น ๆ (ระบุ) สภาเด็กและเยาวชนตำบล", {"method": "ค่ายเยาวชน", "plan": "ตั้งสภาเด็กทุกหมู่บ้าน"},
                 {"PC1": "✓", "PC3": "✓"}),
        ],
        "mechanism": [
            Line(numbered(MECH, "M1"), {"assets": "คณะทำงานขับเคลื่อนตำบล", "plan": "=SUM(1,2) ประชุมทุกเดือน"},
                 {"MC1": "✓"}),
        ],
        "data": [
            Line(numbered(DATA, "D1"), {"method": "สำรวจด้วย TCNAP", "plan": "คืนข้อมูลผ่านเวทีประชาคม"},
                 {"DC1": "✓", "DC2": "✓"}),
        ],
        "summary": [
            Line(numbered(SUMMARY, "S1"), {"achievements": "มีคนต้นแบบ 5 คน", "plan": "ขยายเครือข่ายผู้นำ"}),
            Line(numbered(SUMMARY, "S2"), {"achievements": "=มีคณะทำงานขับเคลื่อนตำบล", "plan": "ทำธรรมนูญสุขภาพตำบล"}),
            Line(numbered(SUMMARY, "S3"), {"achievements": "มีข้อมูล TCNAP", "plan": "คืนข้อมูลทุกปี"}),
        ],
    },
)
CHAI_SATHAN = Filled(
    "ต.ไชยสถาน อ.เมือง จ.น่าน",
    "27 ต.ค. 63",
    {
        "people": [Line(numbered(PEOPLE, "P4"), {"method": "ค่ายเยาวชน", "plan": "@ทุกหมู่บ้าน"},
                        {"PC1": "✓", "PC2": "✓"})],
        "mechanism": [Line(numbered(MECH, "M2"), {"assets": "เวทีประชาคมหมู่บ้าน"}, {"MC2": "✓"})],
        "data": [Line(numbered(DATA, "D3"), {"method": "ข้อมูล จปฐ."}, {"DC1": "✓"})],
    },
)
UNKNOWN = Filled(
    "ตำบลบ้านสุขใจ อำเภอเมือง จังหวัดน่าน",
    "1 พ.ย. 2563",
    {"people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC1": "✓"})]},
)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Three worksheets through the real pipeline, and the review workbook written from them."""
    tmp = tmp_path_factory.mktemp("review")
    raw = tmp / "raw"
    raw.mkdir()
    write_xlsx_per_sheet(raw / "แม่แรม.xlsx", MAE_RAEM)
    write_docx(raw / "ไชยสถาน.docx", CHAI_SATHAN)
    write_xlsx_one_sheet(raw / "สุขใจ.xlsx", UNKNOWN)
    processed = tmp / "processed"
    normalise(raw, processed, jobs=1, progress=False)
    ds = load(processed)
    out = write_review_sheet(processed, tmp / "bundle" / "review.xlsx")
    return {"tmp": tmp, "raw": raw, "processed": processed, "ds": ds, "path": out}


def _review_sheet(wb):
    return wb[words("th")["review_sheet"]]


def _rows(ws) -> list[dict]:
    return [{key: ws.cell(r, c).value for key, c in COL.items()} | {"_row": r} for r in range(2, ws.max_row + 1)]


def _unknown_id(ds) -> str:
    return next(t for t in ds.tambons["tambon_id"] if t.startswith("u-"))


# --- the workbook written ---------------------------------------------------------------------


def test_one_row_per_tambon_and_pillar(env):
    wb = openpyxl.load_workbook(env["path"])
    assert wb.sheetnames[0] == words("th")["instructions_sheet"]
    ws = _review_sheet(wb)
    headers = [ws.cell(1, c).value for c in range(1, len(SHEET_COLUMNS) + 1)]
    expected = [REVIEW.columns[k].th if k in REVIEW.columns else context_header(k) for k in SHEET_COLUMNS]
    assert headers == expected
    rows = _rows(ws)
    ids = sorted(env["ds"].tambons["tambon_id"])
    assert len(ids) == 3 and "500707" in ids and "550104" in ids
    assert sorted((r["tambon_id"], r["pillar"]) for r in rows) == sorted(
        (t, LABEL[p]) for t in ids for p in PILLARS)
    # each tambon's four pillars are together, in codebook order
    assert [r["pillar"] for r in rows[:4]] == [LABEL[p] for p in PILLARS]
    mae = [r for r in rows if r["tambon_id"] == "500707"]
    assert {(r["tambon"], r["amphoe"], r["province"]) for r in mae} == {("แม่แรม", "แม่ริม", "เชียงใหม่")}
    # the reviewer's columns are empty
    assert all(r[k] is None for r in rows for k in ("reviewer", "suggestion", "priority", "reviewed_on"))


def test_tambon_id_cells_are_text(env):
    ws = _review_sheet(openpyxl.load_workbook(env["path"]))
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, COL["tambon_id"])
        assert isinstance(cell.value, str) and cell.data_type == "s" and cell.number_format == "@"
    with zipfile.ZipFile(env["path"]) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = b"".join(z.read(n) for n in names)
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere, team text included


def test_table4_text_and_plans(env):
    ws = _review_sheet(openpyxl.load_workbook(env["path"]))
    rows = {(r["tambon_id"], r["pillar"]): r for r in _rows(ws)}
    people = rows[("500707", LABEL["people"])]
    assert people["summary_achievements"] == "มีคนต้นแบบ 5 คน"
    assert people["summary_plan"] == "ขยายเครือข่ายผู้นำ"
    plans = people["team_plans"].split("\n")
    assert plans[0] == f"P1 {PEOPLE.row('P1').label.th}: ยกย่องเชิดชูเกียรติ"
    assert plans[1].startswith(f"P2 {PEOPLE.row('P2').label.th}: จัดอบรมแกนนำ")
    assert plans[1].endswith(words("th")["more"]) and len(plans[1]) < len(LONG_PLAN)  # the full text is in the report
    assert plans[2] == "P6 สภาเด็กและเยาวชนตำบล: ตั้งสภาเด็กทุกหมู่บ้าน"  # an "other" row keeps the team's label
    mech = rows[("500707", LABEL["mechanism"])]
    cell = ws.cell(mech["_row"], COL["summary_achievements"])
    assert cell.value == "=มีคณะทำงานขับเคลื่อนตำบล" and cell.data_type == "s"  # team text, not a formula
    assert mech["team_plans"] == f"M1 {MECH.row('M1').label.th}: =SUM(1,2) ประชุมทุกเดือน"
    data = rows[("500707", LABEL["data"])]
    assert (data["summary_achievements"], data["summary_plan"]) == ("มีข้อมูล TCNAP", "คืนข้อมูลทุกปี")
    overall = rows[("500707", LABEL["overall"])]
    assert overall["summary_achievements"] == "\n".join([
        f"{LABEL['people']}: มีคนต้นแบบ 5 คน", f"{LABEL['mechanism']}: =มีคณะทำงานขับเคลื่อนตำบล",
        f"{LABEL['data']}: มีข้อมูล TCNAP"])
    assert overall["summary_plan"].split("\n")[1] == f"{LABEL['mechanism']}: ทำธรรมนูญสุขภาพตำบล"
    assert overall["team_plans"] is None
    chai = rows[("550104", LABEL["people"])]
    assert chai["summary_achievements"] is None
    assert chai["team_plans"] == f"P4 {PEOPLE.row('P4').label.th}: @ทุกหมู่บ้าน"


def test_scores_equal_the_reports(env):
    ds = env["ds"]
    ws = _review_sheet(openpyxl.load_workbook(env["path"]))
    scores = tambon_scores(ds)
    checked = 0
    for row in _rows(ws):
        code = next(p for p in PILLARS if LABEL[p] == row["pillar"])
        card = tambon_sections.scorecard_frame(ds, row["tambon_id"]).set_index("pillar").loc[code]
        column = "overall_outcome_coverage" if code == "overall" else f"{code}_outcome_coverage"
        pos = positions(scores, column).set_index("tambon_id").loc[row["tambon_id"]]
        for key, want in (("outcome_coverage", card["outcome_coverage"]), ("tick_rate", card["tick_rate"]),
                          ("network_median", card["network_median"])):
            if pd.isna(want):  # a table not sent has no score: a blank cell, never a 0
                assert row[key] is None, (row["tambon_id"], code, key)
            else:
                assert row[key] == pytest.approx(float(want), abs=1e-12), (row["tambon_id"], code, key)
        if pd.isna(pos["value"]):
            assert row["outcome_coverage"] is None
        else:
            assert row["outcome_coverage"] == pytest.approx(float(pos["value"]), abs=1e-12)
        assert row["network_median"] == pytest.approx(float(pos["network_median"]), abs=1e-12)
        assert ws.cell(row["_row"], COL["tick_rate"]).number_format == "0.0%"
        checked += 1
    assert checked == 12
    # Mae Raem's people: PC1, PC2, PC3 reached of 5; 4 ticks on 3 reported rows × 5 outcomes
    mae = next(r for r in _rows(ws) if r["tambon_id"] == "500707" and r["pillar"] == LABEL["people"])
    assert mae["outcome_coverage"] == pytest.approx(3 / 5) and mae["tick_rate"] == pytest.approx(4 / 15)


def test_report_links_are_relative(env, tmp_path):
    ws = _review_sheet(openpyxl.load_workbook(env["path"]))
    for row in _rows(ws):
        cell = ws.cell(row["_row"], COL["report"])
        assert cell.value == f"reports/tambon/{row['tambon_id']}.html"
        assert cell.hyperlink.target == cell.value
    inside = write_review_sheet(env["processed"], tmp_path / "review.xlsx", reports_base=".")
    ws = _review_sheet(openpyxl.load_workbook(inside))
    assert ws.cell(2, COL["report"]).hyperlink.target == f"tambon/{ws.cell(2, 1).value}.html"


def test_protection_filter_validation_and_panes(env):
    ws = _review_sheet(openpyxl.load_workbook(env["path"]))
    p = ws.protection
    assert p.sheet and not p.password
    assert (p.sort, p.autoFilter, p.formatColumns, p.formatRows) == (False, False, False, False)
    last = ws.max_row
    assert ws.auto_filter.ref == f"A1:{LETTER['reviewed_on']}{last}"
    assert ws.freeze_panes == f"{LETTER['summary_achievements']}2"
    for r in range(1, last + 1):
        for key, c in COL.items():
            locked = ws.cell(r, c).protection.locked
            if r > 1 and key in ("reviewer", "suggestion", "priority", "reviewed_on"):
                assert not locked, (r, key)
            else:
                assert locked, (r, key)
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(PRIORITY[p] for p in PRIORITY) + '"'
    assert str(dv.sqref) == f"{LETTER['priority']}2:{LETTER['priority']}{last}"
    assert ws.cell(2, COL["suggestion"]).alignment.wrap_text
    assert ws.column_dimensions[LETTER["suggestion"]].width >= 50


def test_instructions_marker_and_english(env, tmp_path):
    wb = openpyxl.load_workbook(env["path"])
    text = "\n".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    for key in ("reviewer", "suggestion", "priority", "reviewed_on"):
        assert REVIEW.columns[key].th in text
    assert all(label in text for label in PRIORITY.values())
    assert wb[MARKER_SHEET].sheet_state == "hidden" and wb[MARKER_SHEET]["B2"].value == "1"
    en = write_review_sheet(env["processed"], tmp_path / "review-en.xlsx", lang="en")
    wb = openpyxl.load_workbook(en)
    assert wb.sheetnames[0] == words("en")["instructions_sheet"]
    assert "Alt+Enter" in "\n".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    ws = wb[words("en")["review_sheet"]]
    assert [ws.cell(1, COL[k]).value for k in ("tambon_id", "pillar", "suggestion")] == [
        REVIEW.columns[k].en for k in ("tambon_id", "pillar", "suggestion")]
    assert {ws.cell(r, COL["pillar"]).value for r in range(2, ws.max_row + 1)} == {p.label.en for p in REVIEW.pillars}


def test_deterministic(env, tmp_path):
    again = write_review_sheet(env["processed"], tmp_path / "again.xlsx")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(env["path"].read_bytes()).digest()


def test_province_filter(env, tmp_path):
    def ids(path):
        return {r["tambon_id"] for r in _rows(_review_sheet(openpyxl.load_workbook(path)))}

    nan = {"550104", _unknown_id(env["ds"])}
    assert ids(write_review_sheet(env["processed"], tmp_path / "a.xlsx", provinces=["น่าน"])) == nan
    assert ids(write_review_sheet(env["processed"], tmp_path / "b.xlsx", provinces=["50"])) == {"500707"}
    assert ids(write_review_sheet(env["processed"], tmp_path / "c.xlsx", provinces=["จ.เชียงใหม่", "55"])) == {
        "500707", *nan}
    with pytest.raises(ValueError, match="ลำปาง"):
        write_review_sheet(env["processed"], tmp_path / "d.xlsx", provinces=["ลำปาง"])


def test_review_workbook_is_no_worksheet_and_worksheets_are_no_review(env):
    (doc,) = read_file(env["path"])
    assert not parse_document(doc, CB).is_worksheet  # normalise must not take it for a worksheet
    for path in sorted(env["raw"].iterdir()):
        for doc in read_file(path):
            assert read_review(doc, CB) is None, path.name


def test_blank_review_sheet_reads_as_nothing(env):
    (doc,) = read_file(env["path"], "review.xlsx")
    got = read_review(doc, CB, known_tambons=set(env["ds"].tambons["tambon_id"]))
    assert got is not None and got.feedback == [] and got.problems == []


# --- filled by reviewers and read back ----------------------------------------------------------

NOTE_HEADER = "หมายเหตุผู้ทรงฯ"
SHEET = words("th")["review_sheet"]


def _fill(path: Path, unknown_id: str) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Fills the review workbook as a reviewer would; returns the feedback expected and the
    problems expected as (code, location, text the message must quote)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws.protection.sheet = False  # a reviewer who unprotected it to sort
    rows = [[ws.cell(r, c).value for c in range(1, len(SHEET_COLUMNS) + 1)] for r in range(2, ws.max_row + 1)]
    by_key = {(row[0], row[COL["pillar"] - 1]): row for row in rows}
    # what is typed, per (tambon, pillar): reviewer, suggestion, priority, date
    typed = {
        ("500707", "people"): ("ศ.ดร.สมชาย ใจดี", "ควรเชื่อมคนต้นแบบกับสภาเด็ก\nและทำแผนพี่เลี้ยง", PRIORITY["high"],
                               dt.date(2020, 11, 2)),
        ("500707", "mechanism"): ("ศ.ดร.สมชาย ใจดี", "ธรรมนูญสุขภาพควรมีกติกาที่ชัด", "สูง", "๒ พ.ย. ๖๓"),
        ("500707", "overall"): ("ศ.ดร.สมชาย ใจดี", "=ภาพรวมดี ควรบูรณาการ 4 องค์กรหลัก", "", ""),
        ("550104", "people"): ("ผศ.สมศรี มีสุข", "", PRIORITY["low"], "เมื่อวาน"),
        ("550104", "data"): ("ผศ.สมศรี มีสุข", "ใช้ TCNAP คืนข้อมูลให้ชุมชน", "ด่วนที่สุด", "2020-11-03"),
        (unknown_id, "people"): ("ผศ.สมศรี มีสุข", "ตรวจชื่อตำบลก่อน", PRIORITY["medium"], ""),
        ("550104", "overall"): ("ผศ.สมศรี มีสุข", "", "", ""),  # a name filled down, nothing else
    }
    for (tid, pillar), (who, text, prio, when) in typed.items():
        row = by_key[(tid, LABEL[pillar])]
        row[COL["reviewer"] - 1], row[COL["suggestion"] - 1] = who, text or None
        row[COL["priority"] - 1], row[COL["reviewed_on"] - 1] = prio or None, when or None
    # a typo in the pillar, an unknown tambon, an unknown pillar
    typo = by_key[("550104", LABEL["mechanism"])]
    typo[COL["pillar"] - 1] = "กลไล"
    typo[COL["reviewer"] - 1:COL["reviewed_on"]] = ["ผศ.สมศรี มีสุข", "เวทีประชาคมควรจัดทุกเดือน", None, None]
    lost_tambon = by_key[(unknown_id, LABEL["data"])]
    lost_tambon[0] = "999999"
    lost_tambon[COL["reviewer"] - 1:COL["reviewed_on"]] = ["ผศ.สมศรี มีสุข", "ข้อเสนอแนะที่ต้องไม่หาย 1", None, None]
    lost_pillar = by_key[(unknown_id, LABEL["mechanism"])]
    lost_pillar[COL["pillar"] - 1] = "เศรษฐกิจ"
    lost_pillar[COL["reviewer"] - 1:COL["reviewed_on"]] = ["ผศ.สมศรี มีสุข", "ข้อเสนอแนะที่ต้องไม่หาย 2", None, None]
    # Excel turned a typed code into a number
    by_key[("500707", LABEL["data"])][0] = 500707
    by_key[("500707", LABEL["data"])][COL["reviewer"] - 1:COL["reviewed_on"]] = [
        "ศ.ดร.สมชาย ใจดี", "ข้อมูลดีมาก", PRIORITY["medium"], None]

    # re-sorted by pillar then tambon (descending), a title row above the header, a note column
    rows.sort(key=lambda row: (str(row[COL["pillar"] - 1]), str(row[0])), reverse=True)
    ws.insert_rows(1)
    ws.cell(1, 1, "ข้อเสนอแนะ ชุดที่ 1 (ผู้ทรงคุณวุฒิภาคเหนือ)")
    note_col = len(SHEET_COLUMNS) + 1
    ws.cell(2, note_col, NOTE_HEADER)
    where: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        r = 3 + i
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as '=… in Excel
        ws.cell(r, note_col).value = None
        where[(str(row[0]), str(row[COL["pillar"] - 1]))] = r
    r_note = where[("500707", LABEL["mechanism"])]
    ws.cell(r_note, note_col, "ดูเอกสารแนบ")
    ws.row_dimensions[where[("500707", LABEL["overall"])]].hidden = True  # filtered out, still counts
    ws.cell(where[("500707", LABEL["people"])], COL["reviewed_on"]).number_format = "d mmm yyyy"
    wb.save(path)

    me, other = "ศ.ดร.สมชาย ใจดี", "ผศ.สมศรี มีสุข"
    src = path.name
    feedback = [
        {"tambon_id": "500707", "round": "", "pillar": "people", "reviewer": me,
         "suggestion": "ควรเชื่อมคนต้นแบบกับสภาเด็ก\nและทำแผนพี่เลี้ยง", "priority": "high",
         "reviewed_on": "2020-11-02", "source_file": src},
        {"tambon_id": "500707", "round": "", "pillar": "mechanism", "reviewer": me,
         "suggestion": f"ธรรมนูญสุขภาพควรมีกติกาที่ชัด\n{NOTE_HEADER}: ดูเอกสารแนบ", "priority": "high",
         "reviewed_on": "2020-11-02", "source_file": src},
        {"tambon_id": "500707", "round": "", "pillar": "data", "reviewer": me, "suggestion": "ข้อมูลดีมาก", "priority": "medium",
         "reviewed_on": "", "source_file": src},
        {"tambon_id": "500707", "round": "", "pillar": "overall", "reviewer": me, "suggestion": "=ภาพรวมดี ควรบูรณาการ 4 องค์กรหลัก",
         "priority": "", "reviewed_on": "", "source_file": src},
        {"tambon_id": "550104", "round": "", "pillar": "people", "reviewer": other, "suggestion": "", "priority": "low",
         "reviewed_on": "", "source_file": src},
        {"tambon_id": "550104", "round": "", "pillar": "mechanism", "reviewer": other, "suggestion": "เวทีประชาคมควรจัดทุกเดือน",
         "priority": "", "reviewed_on": "", "source_file": src},
        {"tambon_id": "550104", "round": "", "pillar": "data", "reviewer": other, "suggestion": "ใช้ TCNAP คืนข้อมูลให้ชุมชน",
         "priority": "", "reviewed_on": "2020-11-03", "source_file": src},
        {"tambon_id": unknown_id, "round": "", "pillar": "people", "reviewer": other, "suggestion": "ตรวจชื่อตำบลก่อน",
         "priority": "medium", "reviewed_on": "", "source_file": src},
    ]
    ref = lambda key, tid, pillar: f"{SHEET}!{LETTER[key]}{where[(tid, pillar)]}"  # noqa: E731
    problems = [
        ("review-bad-date", ref("reviewed_on", "550104", LABEL["people"]), "เมื่อวาน"),
        ("review-bad-priority", ref("priority", "550104", LABEL["data"]), "ด่วนที่สุด"),
        ("review-pillar-corrected", ref("pillar", "550104", "กลไล"), "กลไล"),
        ("review-unknown-tambon", ref("tambon_id", "999999", LABEL["data"]), "ข้อเสนอแนะที่ต้องไม่หาย 1"),
        ("review-unknown-pillar", ref("pillar", unknown_id, "เศรษฐกิจ"), "ข้อเสนอแนะที่ต้องไม่หาย 2"),
    ]
    return feedback, problems


def _second_reviewer(path: Path) -> list[dict]:
    """A reviewer's own workbook: English headers in another order, a title row, an
    extra column, and the same rows copied to a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "my notes"
    ws.append(["Suggestions from reviewer C"])
    ws.append([])
    header = [REVIEW.columns[k].en for k in ("pillar", "suggestion", "reviewer", "tambon_id", "priority")]
    header.append("Follow-up")
    lines = [
        ["Mechanism", "Invite the district office", "Dr. C", "550104", "Medium", "call in Dec"],
        [LABEL["data"], "เชื่อม TPMAP", "Dr. C", "500707.0", None, None],
    ]
    for line in [header, *lines]:
        ws.append(line)
    copy = wb.create_sheet("copy")
    for line in [header, lines[0]]:
        copy.append(line)
    wb.save(path)
    src = path.name
    return [
        {"tambon_id": "550104", "round": "", "pillar": "mechanism", "reviewer": "Dr. C",
         "suggestion": "Invite the district office\nFollow-up: call in Dec", "priority": "medium",
         "reviewed_on": "", "source_file": src},
        {"tambon_id": "500707", "round": "", "pillar": "data", "reviewer": "Dr. C", "suggestion": "เชื่อม TPMAP",
         "priority": "", "reviewed_on": "", "source_file": src},
    ]


@pytest.fixture(scope="module")
def filled(env):
    ds = env["ds"]
    path = env["tmp"] / "returned" / "review-สมชาย.xlsx"
    path.parent.mkdir()
    path.write_bytes(env["path"].read_bytes())
    feedback, problems = _fill(path, _unknown_id(ds))
    second = env["tmp"] / "returned" / "reviewer-c.xlsx"
    feedback2 = _second_reviewer(second)
    known = set(ds.tambons["tambon_id"])
    (doc,) = read_file(path, path.name)
    (doc2,) = read_file(second, second.name)
    return {"read": read_review(doc, CB, known_tambons=known), "expected": feedback, "problems": problems,
            "read2": read_review(doc2, CB, known_tambons=known), "expected2": feedback2}


def test_filled_review_reads_back_cell_for_cell(filled):
    got = filled["read"]
    assert got is not None
    key = lambda d: (d["tambon_id"], d["pillar"])  # noqa: E731
    assert sorted(got.feedback, key=key) == sorted(filled["expected"], key=key)
    assert all(tuple(d) == FEEDBACK_COLUMNS for d in got.feedback)


def test_filled_review_problems_lose_nothing(filled):
    got = filled["read"]
    found = sorted((p.code, p.location) for p in got.problems)
    assert found == sorted((code, loc) for code, loc, _ in filled["problems"])
    for code, loc, quoted in filled["problems"]:
        (p,) = [p for p in got.problems if (p.code, p.location) == (code, loc)]
        assert p.severity == "warning" and quoted in p.message and p.source_file == "review-สมชาย.xlsx"
    lost = {p.code: p for p in got.problems}
    assert "ผศ.สมศรี มีสุข" in lost["review-unknown-tambon"].message and lost["review-unknown-tambon"].tambon_id == ""
    assert "'999999'" in lost["review-unknown-tambon"].message
    corrected = lost["review-pillar-corrected"]
    assert corrected.tambon_id == "550104" and LABEL["mechanism"] in corrected.message


def test_second_reviewer_and_feedback_frame(filled):
    got2 = filled["read2"]
    assert got2 is not None and got2.problems == []
    assert got2.feedback == filled["expected2"]  # the copied row on the second sheet counts once
    frame = feedback_frame(filled["read"].feedback + got2.feedback, CB)
    assert tuple(frame.columns) == FEEDBACK_COLUMNS and len(frame) == 10
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns)
    order = {p: i for i, p in enumerate(PILLARS)}
    keys = list(zip(frame["tambon_id"], frame["pillar"].map(order), frame["reviewer"], frame["source_file"]))
    assert keys == sorted(keys)
    mech = frame[(frame.tambon_id == "550104") & (frame.pillar == "mechanism")]
    assert list(mech["reviewer"]) == ["Dr. C", "ผศ.สมศรี มีสุข"]
    # the same records in any order give the same frame
    shuffled = feedback_frame(list(reversed(filled["read"].feedback + got2.feedback)), CB)
    pd.testing.assert_frame_equal(frame, shuffled)


def test_unknown_ids_without_known_tambons_and_id_forms():
    assert tambon_id_of("500707.0") == "500707" and tambon_id_of("๕๐๐๗๐๗") == "500707"
    assert tambon_id_of("'500707") == "500707" and tambon_id_of(" U-0123456789 ") == "u-0123456789"
    assert tambon_id_of("50070") == "50070"  # never padded: DOPA codes do not start with 0


def test_english_workbook_round_trip_and_odd_cells(env, tmp_path):
    path = write_review_sheet(env["processed"], tmp_path / "review-en.xlsx", lang="en", provinces=["Chiang Mai"])
    wb = openpyxl.load_workbook(path)
    ws = wb[words("en")["review_sheet"]]
    assert {ws.cell(r, 1).value for r in range(2, ws.max_row + 1)} == {"500707"}
    row_of = {ws.cell(r, COL["pillar"]).value: r for r in range(2, ws.max_row + 1)}
    en = {p.code: p.label.en for p in REVIEW.pillars}
    r = row_of[en["people"]]
    ws.cell(r, COL["suggestion"], "Pair role models with the youth council")
    ws.cell(r, COL["priority"], REVIEW.priorities[0].label.en)
    ws.cell(r, COL["reviewed_on"], 44137)  # a date Excel shows as its day number
    r = row_of[en["data"]]
    ws.cell(r, 1, "abc")  # an id overwritten by mistake
    ws.cell(r, COL["suggestion"], "Open the data to the village")
    wb.save(path)
    (doc,) = read_file(path, path.name)
    got = read_review(doc, CB)  # known_tambons not given: any well-formed id is accepted
    assert got.feedback == [{"tambon_id": "500707", "round": "", "pillar": "people", "reviewer": "",
                             "suggestion": "Pair role models with the youth council", "priority": "high",
                             "reviewed_on": "2020-11-02", "source_file": path.name}]
    (p,) = got.problems
    assert (p.code, p.location) == ("review-unknown-tambon", f"{words('en')['review_sheet']}!A{r}")
    assert "Open the data to the village" in p.message and "'abc'" in p.message


def test_normalise_reads_review_workbooks_into_feedback(env, filled, tmp_path):
    """Review workbooks dropped in the raw folder beside the worksheets become the
    processed ``feedback`` table; their problems join the problems log."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in env["raw"].iterdir():
        (raw / f.name).write_bytes(f.read_bytes())
    returned = env["tmp"] / "returned"
    for f in returned.iterdir():
        (raw / "reviews").mkdir(exist_ok=True)
        (raw / "reviews" / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "processed"
    result = normalise(raw, out, jobs=1, progress=False)
    feedback = result.tables["feedback"]
    expected = filled["expected"] + filled["expected2"]
    assert len(feedback) == len(expected)
    got = {(r.tambon_id, r.pillar, r.reviewer, r.suggestion) for r in feedback.itertuples()}
    assert got == {(d["tambon_id"], d["pillar"], d["reviewer"], d["suggestion"]) for d in expected}
    assert set(feedback.source_file) == {"reviews/review-สมชาย.xlsx", "reviews/reviewer-c.xlsx"}
    codes = set(result.tables["problems"].code)
    assert {"review-unknown-tambon", "review-pillar-corrected"} <= codes
    assert "not-a-worksheet" not in codes
    assert (out / "feedback.parquet").exists() and (out / "feedback.csv").exists()
    assert len(load(out).feedback) == len(expected)
