"""The experts' suggestions (workshop step 3) in the analysis, the reports, and the
per-tambon compilation (step 4).

A small network through the real pipeline (three worksheets → ``normalise``), then a
``feedback.parquet`` written beside the processed tables as the review reader would:

- แม่แรม 500707 (Chiang Mai): reviewed on all four pillars by both experts; its
  Table 4 data plan starts with "=" (a team text that must stay text in a workbook);
- สะลวง 500705 (Chiang Mai): reviewed on people and data;
- ไชยสถาน 550104 (Nan): no review.

One suggestion carries ``<script>alert(1)</script>`` and a line break. The numbers
asserted below are counted by hand from ``FEEDBACK``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import papermill as pm
import pytest

from siianalysis import words as w
import siianalysis.analysis.feedback as fbk
from siianalysis.workshop import compile as comp
from siianalysis.analysis import Dataset, load
from siianalysis.sections import html as h
from siianalysis.sections import network as net
from siianalysis.sections import tambon as tam
from tests.test_analysis_data import T1, T2, T3, T4, example_frames
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_per_sheet

P, M, D, S = (CB.table(c) for c in ("people", "mechanism", "data", "summary"))
MAE_RAEM, SALUANG, CHAI_SATHAN = "500707", "500705", "550104"
XSS = "<script>alert(1)</script>"
PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_PLAN = "=ทำแผนที่เดินดินทุกหมู่บ้าน"
R1, R2 = "ศ.ดร.สมชาย ใจดี", "ผศ.สมหญิง รักถิ่น"
LANGS = ("th", "en")
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

WORKSHEETS = {
    "แม่แรม.xlsx": Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "๒๗ ตุลาคม ๒๕๖๓", {
        "people": [
            Line(numbered(P, "P1"), {"method": "ถอดบทเรียน", "plan": "ยกย่องเชิดชูเกียรติ"}, {"PC1": "✓"}),
            Line(numbered(P, "P2"), {"method": "อบรมแกนนำ", "plan": "อบรมต่อเนื่อง\nทุกไตรมาส"}, {"PC3": "✓"}),
        ],
        "mechanism": [Line(numbered(M, "M1"), {"assets": "คณะทำงาน", "plan": "ประชุมทุกเดือน"}, {"MC1": "✓"})],
        "data": [Line(numbered(D, "D1"), {"method": "ทีมข้อมูล", "plan": "สำรวจด้วย TCNAP"}, {"DC1": "✓"})],
        "summary": [
            Line(numbered(S, "S1"), {"achievements": "มีคนต้นแบบ 5 คน\nมีสภาเด็ก", "plan": "ขยายเครือข่ายผู้นำ"}),
            Line(numbered(S, "S2"), {"achievements": "ธรรมนูญสุขภาพตำบล", "plan": "ทบทวนธรรมนูญ"}),
            Line(numbered(S, "S3"), {"achievements": "ข้อมูล จปฐ.", "plan": FORMULA_PLAN}),
        ],
    }),
    "สะลวง.xlsx": Filled("ตำบลสะลวง อำเภอแม่ริม จังหวัดเชียงใหม่", "28 ต.ค. 2563", {
        "people": [Line(numbered(P, "P1"), {"method": "ค้นหาคนต้นแบบ", "plan": "พัฒนาคนต้นแบบเป็นวิทยากร"},
                        {"PC2": "✓"})],
        "data": [Line(numbered(D, "D5"), {"method": "ใช้ข้อมูลทำแผน", "plan": "คืนข้อมูลผ่านเวทีประชาคม"},
                      {"DC3": "✓"})],
        "summary": [Line(numbered(S, "S1"), {"achievements": "มีแกนนำ 20 คน", "plan": "สร้างแกนนำรุ่นใหม่"})],
    }),
    "ไชยสถาน.docx": Filled("ต.ไชยสถาน อ.เมือง จ.น่าน", "27 ต.ค. 63", {
        "people": [Line(numbered(P, "P4"), {"method": "สภาเด็กและเยาวชน", "plan": "ค่ายเยาวชน"}, {"PC1": "✓"})],
        "summary": [Line(numbered(S, "S1"), {"achievements": "มีสภาเด็ก", "plan": "ค่ายผู้นำเยาวชน"})],
    }),
}

SUGGESTION_XSS = f"ควรถอดบทเรียนคนต้นแบบ {XSS}\nแล้วขยายผลสู่เยาวชน"
FEEDBACK = [  # tambon_id, pillar, reviewer, suggestion, priority, reviewed_on
    (MAE_RAEM, "people", R1, SUGGESTION_XSS, "high", "2020-11-10"),
    (MAE_RAEM, "mechanism", R2, "บรรจุแผนในแผนพัฒนาท้องถิ่น", "medium", "2020-11-12"),
    (MAE_RAEM, "data", R1, "ใช้ข้อมูล TCNAP ทำแผน", "high", ""),
    (MAE_RAEM, "overall", R2, "เชื่อมเครือข่ายตำบลแม่ข่าย", "", "2020-11-12"),
    (SALUANG, "people", R2, "พัฒนาพี่เลี้ยงให้แกนนำรุ่นใหม่", "high", "2020-11-12"),
    (SALUANG, "data", R2, "คืนข้อมูลให้ชุมชนทุกปี", "low", "2020-11-12"),
    (SALUANG, "data", R1, "ตั้งทีมข้อมูลตำบล", "medium", "2020-11-10"),
]
COLS = ["tambon_id", "pillar", "reviewer", "suggestion", "priority", "reviewed_on", "source_file"]
# the processed table's columns: the round (of the tambon's worksheet) after the tambon
TABLE_COLS = ["tambon_id", "round", *COLS[1:]]


def feedback_frame(lines=FEEDBACK) -> pd.DataFrame:
    return pd.DataFrame([(*line, "ทบทวน.xlsx") for line in lines], columns=COLS).assign(round="")[TABLE_COLS]


def build(root: Path, with_feedback: bool = True) -> Path:
    from siianalysis.normalise import normalise

    raw = root / "raw"
    raw.mkdir(parents=True)
    for name, filled in WORKSHEETS.items():
        (write_docx if name.endswith(".docx") else write_xlsx_per_sheet)(raw / name, filled)
    normalise(raw, root / "processed", jobs=1, progress=False)
    if with_feedback:
        feedback_frame().to_parquet(root / "processed" / "feedback.parquet", index=False)
    return root / "processed"


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return build(tmp_path_factory.mktemp("feedback"))


@pytest.fixture(scope="module")
def bare(processed, tmp_path_factory):
    """The same processed data without feedback.parquet (no review yet)."""
    out = tmp_path_factory.mktemp("bare") / "processed"
    shutil.copytree(processed, out)
    (out / "feedback.parquet").unlink()
    return out


@pytest.fixture(scope="module")
def ds(processed):
    return load(processed)


@pytest.fixture(scope="module")
def empty_ds(bare):
    return load(bare)


def section_table(html: str, heading_text: str) -> str:
    """The side-by-side table that follows the ``<h3>`` or ``<h2>`` ``heading_text``."""
    m = re.search(rf"<h[23][^>]*>{re.escape(str(h.esc(heading_text)))}</h[23]>\s*(<table.*?</table>)", html, re.S)
    assert m, heading_text
    return m.group(1)


def pillar_heading(pillar: str, lang: str) -> str:
    return w.t("feedback.pillar_heading", lang, pillar=CB.review.pillars[[p.code for p in CB.review.pillars]
                                                                       .index(pillar)].label.text(lang))


# --- load -------------------------------------------------------------------------------------


def test_the_pipeline_read_the_worksheets(ds):
    assert set(ds.tambon_ids) == {MAE_RAEM, SALUANG, CHAI_SATHAN}
    plan = ds.texts[(ds.texts["tambon_id"] == MAE_RAEM) & (ds.texts["row_code"] == "S3")
                    & (ds.texts["field"] == "plan")]
    assert list(plan["text"]) == [FORMULA_PLAN]


def test_load_reads_feedback_or_gives_an_empty_frame(ds, empty_ds, tmp_path, processed):
    assert len(ds.feedback) == len(FEEDBACK) and tuple(ds.feedback.columns) == tuple(TABLE_COLS)
    assert "7 suggestions" in repr(ds)
    assert empty_ds.feedback.empty and tuple(empty_ds.feedback.columns) == tuple(TABLE_COLS)
    for col in COLS:
        assert pd.api.types.is_string_dtype(empty_ds.feedback[col]), col
    # typed like the other tables: a code that went through a spreadsheet is text again
    folder = tmp_path / "typed"
    shutil.copytree(processed, folder)
    numeric = feedback_frame().assign(tambon_id=lambda f: f["tambon_id"].astype(int).astype(float))
    numeric.loc[0, "reviewer"] = None
    numeric.to_parquet(folder / "feedback.parquet", index=False)
    typed = load(folder)
    assert list(typed.feedback["tambon_id"]) == [line[0] for line in FEEDBACK]
    assert typed.feedback.loc[0, "reviewer"] == ""
    assert all(pd.api.types.is_string_dtype(typed.feedback[c]) for c in COLS)
    # for_tambon cuts the feedback too
    one = ds.for_tambon(SALUANG)
    assert len(one.feedback) == 3 and set(one.feedback["tambon_id"]) == {SALUANG}
    assert ds.for_tambon(CHAI_SATHAN).feedback.empty
    # a Dataset built from the first five frames has an empty feedback table
    assert Dataset.from_frames(**example_frames()).feedback.columns.tolist() == TABLE_COLS


# --- the library, on hand-made frames -----------------------------------------------------------


def hand_made(lines) -> Dataset:
    return Dataset.from_frames(**example_frames(), feedback=pd.DataFrame(lines, columns=COLS))


def test_clean_feedback_rules():
    ds = hand_made([
        (T1, "data", "b", "second", "medium", "2020-11-02", "f"),
        (T1, "คน", "a", "words for codes", "เร่งด่วน", "2020-11-05 00:00:00", "f"),
        (T1, "no such pillar", "", "kept under overall", "whatever", "", "f"),
        (T1, "people", "a", "   ", "high", "", "f"),  # blank: no suggestion
        (T1, "people", "c", "undated high", "high", "", "f"),
        (T1, "people", "a", "low", "low", "2020-11-01", "f"),
        ("999999", "people", "a", "orphan", "high", "", "f"),
    ])
    fb = fbk.clean_feedback(ds)
    assert list(fb["suggestion"]) == ["words for codes", "orphan", "undated high", "low", "second",
                                      "kept under overall"]
    assert list(fb["pillar"]) == ["people", "people", "people", "people", "data", "overall"]
    assert list(fb["priority"]) == ["high", "high", "high", "low", "medium", ""]
    assert fb.loc[0, "reviewed_on"] == "2020-11-05"
    assert list(fbk.orphan_feedback(ds)["suggestion"]) == ["orphan"]
    assert "orphan" not in set(fbk.current_feedback(ds)["suggestion"])
    assert list(fbk.feedback_for(ds, T1)["suggestion"]) == ["words for codes", "undated high", "low", "second",
                                                           "kept under overall"]
    assert fbk.feedback_for(ds, T2).empty
    with pytest.raises(KeyError):
        fbk.feedback_for(ds, "123456")


def test_urgent_tambons_ties_by_medium_then_id():
    lines = [(T1, "people", "a", "x", "high", "", "f"),
             (T1, "data", "a", "x", "low", "", "f"),
             (T3, "people", "a", "x", "high", "", "f"),
             (T3, "data", "a", "x", "medium", "", "f"),
             (T3, "overall", "a", "x", "medium", "", "f"),
             (T2, "data", "b", "x", "high", "", "f"),
             (T2, "mechanism", "b", "x", "medium", "", "f"),
             (T2, "people", "b", "x", "medium", "", "f"),
             (T4, "people", "b", "x", "medium", "", "f"),  # no high: not urgent
             (T4, "data", "b", "x", "medium", "", "f"),
             (T4, "data", "b", "x", "medium", "", "f")]
    ds = hand_made([(*line[:6], "f") for line in lines])
    urgent = fbk.urgent_tambons(ds)
    assert list(urgent["tambon_id"]) == [T2, T3, T1]  # 1 high each; 2, 2, 0 medium; T2 < T3
    assert list(urgent["rank"]) == [1, 2, 3]
    assert urgent.set_index("tambon_id").loc[T1, ["high", "medium", "low", "suggestions"]].tolist() == [1, 0, 1, 2]
    assert urgent.set_index("tambon_id").loc[T2, "high_pillars"] == "data"
    assert list(fbk.urgent_tambons(ds, n=2)["tambon_id"]) == [T2, T3]
    assert fbk.urgent_tambons(hand_made([])).empty


def test_everything_works_without_feedback():
    ds = Dataset.from_frames(**example_frames())
    by = fbk.suggestions_by_pillar(ds)
    assert list(by["pillar"]) == ["people", "mechanism", "data", "overall"] and by["suggestions"].sum() == 0
    assert fbk.suggestion_themes(ds).empty and fbk.suggestion_theme_counts(ds)["tambons"].sum() == 0
    assert fbk.urgent_tambons(ds).empty
    cov = fbk.review_coverage(ds)
    assert cov.unreviewed == [T1, T2, T3, T4] and cov.reviewed_share == 0 and cov.complete == []
    assert not fbk.team_plans(ds, T3).empty  # T3 wrote a mechanism plan
    assert w.t("feedback.none", "th") in str(tam.experts(ds, T1, "th"))
    out = str(net.expert_review(ds, "en"))
    assert str(h.esc(w.t("feedback.none", "en"))) in out and out.count('href="tambon/') == 4


# --- the library, on the pipeline's data ----------------------------------------------------------


def test_suggestions_by_pillar(ds):
    by = fbk.suggestions_by_pillar(ds).set_index("pillar")
    assert list(by.index) == ["people", "mechanism", "data", "overall"]
    cols = ["suggestions", "tambons", "reviewers", "high", "medium", "low", "unset"]
    assert by.loc["people", cols].tolist() == [2, 2, 2, 2, 0, 0, 0]
    assert by.loc["mechanism", cols].tolist() == [1, 1, 1, 0, 1, 0, 0]
    assert by.loc["data", cols].tolist() == [3, 2, 2, 1, 1, 1, 0]
    assert by.loc["overall", cols].tolist() == [1, 1, 1, 0, 0, 0, 1]


def test_suggestion_themes(ds):
    tagged = fbk.suggestion_themes(ds)
    pairs = {(r["suggestion"].split()[0], r["theme"]) for r in tagged.to_dict("records")}
    assert ("ควรถอดบทเรียนคนต้นแบบ", "leaders_training") in pairs and ("ควรถอดบทเรียนคนต้นแบบ", "youth") in pairs
    assert ("ใช้ข้อมูล", "data_tools") in pairs and ("ใช้ข้อมูล", "data_return") in pairs
    counts = fbk.suggestion_theme_counts(ds).set_index("theme")
    got = {k: (int(v["tambons"]), int(v["suggestions"])) for k, v in counts.iterrows() if v["suggestions"]}
    assert got == {"leaders_training": (2, 2), "youth": (1, 1), "local_plan_budget": (1, 1),
                   "data_tools": (1, 1), "data_return": (2, 2)}
    assert counts.loc["data_return", "tambon_share"] == pytest.approx(1.0)  # both reviewed tambons
    assert counts.loc["youth", "tambon_share"] == pytest.approx(0.5)


def test_urgent_tambons(ds):
    urgent = fbk.urgent_tambons(ds)
    assert list(urgent["tambon_id"]) == [MAE_RAEM, SALUANG]
    first = urgent.iloc[0]
    assert (first["high"], first["medium"], first["low"], first["unset"], first["suggestions"]) == (2, 1, 0, 1, 4)
    assert first["high_pillars"] == "people,data"
    assert urgent.iloc[1][["high", "medium", "low"]].tolist() == [1, 1, 1]


def test_review_coverage(ds):
    cov = fbk.review_coverage(ds)
    assert cov.unreviewed == [CHAI_SATHAN] and cov.n_reviewed == 2
    assert cov.reviewed_share == pytest.approx(2 / 3) and cov.complete == [MAE_RAEM]
    per = cov.tambons.set_index("tambon_id")
    assert per.loc[MAE_RAEM, "pillars_reviewed"] == "people,mechanism,data,overall"
    assert per.loc[SALUANG, "pillars_reviewed"] == "people,data"
    assert per.loc[SALUANG, "missing_pillars"] == "mechanism,overall"
    assert per.loc[CHAI_SATHAN, "missing_pillars"] == "people,mechanism,data,overall"
    assert per.loc[MAE_RAEM, "reviewers"] == f"{R2}; {R1}" and per.loc[SALUANG, "n_reviewers"] == 2
    assert per.loc[CHAI_SATHAN, ["suggestions", "n_reviewers"]].tolist() == [0, 0]


def test_team_plans(ds):
    plans = fbk.team_plans(ds, MAE_RAEM, "th")
    people = plans[plans["pillar"] == "people"]
    assert list(zip(people["row_code"], people["field"], people["text"], strict=True)) == [
        ("S1", "achievements", "มีคนต้นแบบ 5 คน\nมีสภาเด็ก"), ("S1", "plan", "ขยายเครือข่ายผู้นำ"),
        ("P1", "plan", "ยกย่องเชิดชูเกียรติ"), ("P2", "plan", "อบรมต่อเนื่อง\nทุกไตรมาส")]
    assert people.iloc[2]["label"] == f"P1 {P.row('P1').label.th}"
    assert set(plans["pillar"]) == {"people", "mechanism", "data"}  # overall: no plan of its own
    assert fbk.team_plans(ds, MAE_RAEM, "en").iloc[2]["label"] == f"P1 {P.row('P1').label.en}"
    data = plans[plans["pillar"] == "data"]
    assert FORMULA_PLAN in set(data["text"]) and "สำรวจด้วย TCNAP" in set(data["text"])


# --- the tambon report -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_experts_section_sets_suggestions_beside_the_plans(ds, lang):
    section = tam.experts(ds, MAE_RAEM, lang)
    out = str(section)
    assert "<script" not in out.lower()
    assert str(h.esc(w.t("tambon.experts.title", lang))) in out
    people = section_table(out, pillar_heading("people", lang))
    # the team's plans (Table 4 and rows) and the expert's suggestion, in one table
    assert "ขยายเครือข่ายผู้นำ" in people and "ยกย่องเชิดชูเกียรติ" in people
    assert "อบรมต่อเนื่อง<br>\nทุกไตรมาส" in people
    assert f"ควรถอดบทเรียนคนต้นแบบ {PAYLOAD}<br>\nแล้วขยายผลสู่เยาวชน" in people
    assert CB.review.priorities[0].label.text(lang) in people and R1 in people
    assert w.display_date("2020-11-10", lang) in people
    assert "มีคนต้นแบบ" not in people  # achievements are not plans
    mechanism = section_table(out, pillar_heading("mechanism", lang))
    assert "ประชุมทุกเดือน" in mechanism and "บรรจุแผนในแผนพัฒนาท้องถิ่น" in mechanism and R2 in mechanism
    assert "ใช้ข้อมูล TCNAP ทำแผน" in section_table(out, pillar_heading("data", lang))
    overall = section_table(out, pillar_heading("overall", lang))
    assert "เชื่อมเครือข่ายตำบลแม่ข่าย" in overall and w.t("feedback.priority_unset", lang) in overall
    assert str(h.esc(w.t("feedback.overall_plan", lang))) in overall
    assert str(h.esc(w.t("tambon.experts.summary", lang, n=4, reviewers=2, pillars=4, total=4))) in out
    assert len(section.data["feedback"]) == 4


@pytest.mark.parametrize("lang", LANGS)
def test_experts_section_for_partial_and_missing_reviews(ds, lang):
    partial = str(tam.experts(ds, SALUANG, lang))
    mechanism = section_table(partial, pillar_heading("mechanism", lang))
    assert str(h.esc(w.t("feedback.no_suggestion", lang))) in mechanism
    assert str(h.esc(w.t("feedback.no_plan", lang))) in mechanism
    assert str(h.esc(w.t("tambon.experts.missing", lang, pillars=", ".join(
        p.label.text(lang) for p in CB.review.pillars if p.code in ("mechanism", "overall"))))) in partial
    # data: low before medium? no: medium (R1) first, then low (R2)
    data = section_table(partial, pillar_heading("data", lang))
    assert data.index("ตั้งทีมข้อมูลตำบล") < data.index("คืนข้อมูลให้ชุมชนทุกปี")
    none = str(tam.experts(ds, CHAI_SATHAN, lang))
    assert str(h.esc(w.t("feedback.none", lang))) in none and "<table" not in none


# --- the network report ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_expert_review_section(ds, lang):
    section = net.expert_review(ds, lang)
    out = str(section)
    assert "<script" not in out.lower() and PAYLOAD in out
    k = "network.expert_review"
    assert str(h.esc(w.t(f"{k}.summary", lang, n=7, reviewers=2, reviewed=2, tambons=3, share="66.7%"))) in out
    # the urgent list: แม่แรม then สะลวง, linked
    urgent = re.search(rf"{re.escape(str(h.esc(w.t(f'{k}.urgent', lang))))}</h3>.*?(<table.*?</table>)",
                       out, re.S).group(1)
    hrefs = re.findall(r'href="([^"]+)"', urgent)
    assert hrefs == [f"tambon/{MAE_RAEM}.html", f"tambon/{SALUANG}.html"]
    assert list(section.data["urgent"]["tambon_id"]) == [MAE_RAEM, SALUANG]
    # coverage per province: Chiang Mai 2/2, Nan 0/1 with ไชยสถาน still lacking
    cov = section.data["coverage_by_province"].set_index("province")
    nan = "น่าน" if lang == "th" else "Nan"
    chiang_mai = "เชียงใหม่" if lang == "th" else "Chiang Mai"
    assert cov.loc[nan, ["tambons", "reviewed"]].tolist() == [1, 0] and cov.loc[nan, "lacking"] == [CHAI_SATHAN]
    assert cov.loc[chiang_mai, ["tambons", "reviewed", "complete"]].tolist() == [2, 2, 1]
    assert cov.iloc[-1]["share"] == pytest.approx(2 / 3)
    coverage = re.search(rf"{re.escape(str(h.esc(w.t(f'{k}.coverage', lang))))}</h3>\s*(<table.*?</table>)",
                         out, re.S).group(1)
    assert f'href="tambon/{CHAI_SATHAN}.html"' in coverage and f"tambon/{MAE_RAEM}.html" not in coverage
    assert ">66.7%<" in coverage and ">0.0%<" in coverage and ">100.0%<" in coverage
    # every suggestion, grouped under its pillar
    for line in FEEDBACK:
        assert str(h.esc(line[3])) in out
    assert out.count("<details>") == 4
    # links only from valid ids, with another base
    other = str(net.expert_review(ds, lang, link_base="../t/"))
    assert f'href="../t/{MAE_RAEM}.html"' in other


def test_expert_review_reports_orphan_suggestions(ds):
    extra = pd.concat([ds.feedback, feedback_frame([("123456", "people", R1, "x", "high", "")])],
                      ignore_index=True)
    out = str(net.expert_review(dataclasses.replace(ds, feedback=extra), "th"))
    assert w.t("network.expert_review.orphans", "th", n=1, ids="123456") in out
    assert w.t("network.expert_review.summary", "th", n=7, reviewers=2, reviewed=2, tambons=3,
               share="66.7%") in out


# --- the compilation -------------------------------------------------------------------------


def rows_by(ws) -> dict[tuple[str, str], dict[str, object]]:
    """(tambon_id, pillar label) -> {header: cell} of the summary sheet."""
    head = [c.value for c in ws[1]]
    out = {}
    for cells in ws.iter_rows(min_row=2):
        line = dict(zip(head, cells, strict=True))
        out[(line[head[0]].value, line[head[4]].value)] = line
    return out


def test_compile_workbook(ds, processed, tmp_path):
    path = comp.compile_workbook(processed, tmp_path / "out" / "compiled.xlsx")
    again = comp.compile_workbook(processed, tmp_path / "again.xlsx")
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(again.read_bytes()).digest()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [w.t("compile.index_sheet", "th"), "สรุปรายตำบล"]
    ws = wb["สรุปรายตำบล"]
    head = [c.value for c in ws[1]]
    summary = CB.table("summary")
    assert head == ["รหัสตำบล", "ตำบล", "อำเภอ", "จังหวัด", "ด้าน",
                    f"ตารางที่ 4: {summary.field('achievements').label.th}",
                    f"ตารางที่ 4: {summary.field('plan').label.th}",
                    w.t("feedback.row_plans", "th"), w.t("feedback.suggestions", "th")]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:I13"
    assert ws.column_dimensions["I"].width > ws.column_dimensions["A"].width
    # grouped by province (เชียงใหม่ before น่าน), tambons by name, pillars in order
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert ids == [MAE_RAEM] * 4 + [SALUANG] * 4 + [CHAI_SATHAN] * 4
    assert [ws.cell(r, 5).value for r in range(2, 6)] == ["คน", "กลไก", "ข้อมูล", "ภาพรวม"]
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, 1)
        assert cell.data_type == "s" and cell.number_format == "@" and isinstance(cell.value, str)
        assert ws.cell(r, 9).alignment.wrap_text
    rows = rows_by(ws)
    people = rows[(MAE_RAEM, "คน")]
    assert people[head[5]].value == "มีคนต้นแบบ 5 คน\nมีสภาเด็ก"
    assert people[head[6]].value == "ขยายเครือข่ายผู้นำ"
    assert f"P1 {P.row('P1').label.th}: ยกย่องเชิดชูเกียรติ" in people[head[7]].value
    assert "อบรมต่อเนื่อง\nทุกไตรมาส" in people[head[7]].value
    suggestion = people[head[8]].value
    assert SUGGESTION_XSS in suggestion and R1 in suggestion and "เร่งด่วน" in suggestion
    assert "10 พฤศจิกายน 2563" in suggestion
    data = rows[(MAE_RAEM, "ข้อมูล")]
    assert data[head[6]].value == FORMULA_PLAN and data[head[6]].data_type == "s"  # text, not a formula
    assert "ใช้ข้อมูล TCNAP ทำแผน" in data[head[8]].value and "สำรวจด้วย TCNAP" in data[head[7]].value
    assert "ประชุมทุกเดือน" in rows[(MAE_RAEM, "กลไก")][head[7]].value
    assert "เชื่อมเครือข่ายตำบลแม่ข่าย" in rows[(MAE_RAEM, "ภาพรวม")][head[8]].value
    saluang = rows[(SALUANG, "ข้อมูล")][head[8]].value
    assert saluang.index("ตั้งทีมข้อมูลตำบล") < saluang.index("คืนข้อมูลให้ชุมชนทุกปี")
    assert rows[(SALUANG, "กลไก")][head[8]].value is None
    chai = rows[(CHAI_SATHAN, "คน")]
    assert chai[head[6]].value == "ค่ายผู้นำเยาวชน" and "ค่ายเยาวชน" in chai[head[7]].value
    assert all(rows[(CHAI_SATHAN, p)][head[8]].value is None for p in ("คน", "กลไก", "ข้อมูล", "ภาพรวม"))
    # the index links each tambon to its first line
    index = wb[wb.sheetnames[0]]
    links = {}
    for r in range(6, index.max_row + 1):
        cell = index.cell(r, 3)
        links[index.cell(r, 4).value] = cell.hyperlink.location
        assert index.cell(r, 4).data_type == "s"
    assert links == {MAE_RAEM: "'สรุปรายตำบล'!A2", SALUANG: "'สรุปรายตำบล'!A6", CHAI_SATHAN: "'สรุปรายตำบล'!A10"}
    assert [index.cell(r, 5).value for r in range(6, 9)] == [4, 3, 0]


def test_compile_workbook_in_english_and_without_feedback(bare, tmp_path):
    path = comp.compile_workbook(bare, tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb[w.t("compile.sheet", "en")]
    assert ws.cell(1, 1).value == CB.review.columns["tambon_id"].en and ws.cell(2, 5).value == "People"
    assert ws.max_row == 13 and all(ws.cell(r, 9).value is None for r in range(2, 14))
    assert ws.cell(2, 4).value == "Chiang Mai"


def test_a_cell_never_becomes_a_formula_nor_breaks_the_file(ds, tmp_path):
    evil = feedback_frame([(CHAI_SATHAN, "people", "=HYPERLINK(\"x\")", "=1+1\x07", "high", "")])
    path = comp.compile_workbook(dataclasses.replace(ds, feedback=evil), tmp_path / "evil.xlsx")
    ws = openpyxl.load_workbook(path)["สรุปรายตำบล"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "=" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any("=1+1" in c.value and "\x07" not in c.value for c in cells)


def test_compile_html(ds, processed, tmp_path):
    pages = comp.compile_html(processed, tmp_path / "reports")
    folder = tmp_path / "reports" / "compiled"
    assert pages[0] == folder / "index.html"
    assert {p.name for p in pages} == {"index.html", f"{MAE_RAEM}.html", f"{SALUANG}.html", f"{CHAI_SATHAN}.html"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', index)
    assert hrefs == [f"{MAE_RAEM}.html", f"{SALUANG}.html", f"{CHAI_SATHAN}.html"]
    assert all((folder / href).is_file() for href in hrefs)
    assert index.index("เชียงใหม่") < index.index("น่าน")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text.lower()
        assert "<style>" in text and "Content-Security-Policy" in text
    mae_raem = (folder / f"{MAE_RAEM}.html").read_text(encoding="utf-8")
    assert f"ควรถอดบทเรียนคนต้นแบบ {PAYLOAD}<br>\nแล้วขยายผลสู่เยาวชน" in mae_raem
    assert "มีคนต้นแบบ 5 คน<br>\nมีสภาเด็ก" in mae_raem  # Table 4's achievements too
    assert "ยกย่องเชิดชูเกียรติ" in mae_raem and str(h.esc(FORMULA_PLAN)) in mae_raem
    people = section_table(mae_raem, pillar_heading("people", "th"))
    assert "ขยายเครือข่ายผู้นำ" in people and PAYLOAD in people
    assert 'href="index.html"' in mae_raem
    chai = (folder / f"{CHAI_SATHAN}.html").read_text(encoding="utf-8")
    assert w.t("feedback.none", "th") in chai and "ค่ายผู้นำเยาวชน" in chai
    # the same bytes again; a page of a tambon that left the data is removed
    stale = folder / "999999.html"
    stale.write_text("old", encoding="utf-8")
    (folder / "notes.html").write_text("mine", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in pages}
    comp.compile_html(processed, tmp_path / "reports")
    assert {p.name: p.read_bytes() for p in pages} == before
    assert not stale.exists() and (folder / "notes.html").exists()
    en = comp.compile_html(processed, tmp_path / "en", lang="en")
    assert '<html lang="en">' in en[1].read_text(encoding="utf-8")


def test_compile_main(processed, tmp_path, capsys):
    out = tmp_path / "compiled.xlsx"
    assert comp.compile_main(processed, out, "th", html_dir=tmp_path / "site") == 0
    printed = capsys.readouterr().out
    assert "3 tambons" in printed and "2 reviewed" in printed and "7 suggestions" in printed
    assert out.is_file() and (tmp_path / "site" / "compiled" / "index.html").is_file()
    assert comp.compile_main(tmp_path / "nowhere", tmp_path / "x.xlsx", "th") == 2
    assert "siianalysis normalise" in capsys.readouterr().err
    assert comp.compile_main(processed, tmp_path / "x.xlsx", "fr") == 2
    assert not (tmp_path / "x.xlsx").exists()


# --- the notebooks, with reviews -----------------------------------------------------------------


def html_outputs(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {}).get("text/html")
            if data:
                parts.append("".join(data) if isinstance(data, list) else data)
    return "\n".join(parts)


@pytest.mark.slow
def test_notebooks_show_the_reviews(processed, tmp_path):
    """The notebooks without reviews run in ``test_notebooks``; here with feedback.parquet."""
    out = {}
    for name, params in (("tambon_report", {"tambon_id": MAE_RAEM}), ("network_report", {})):
        path = tmp_path / f"{name}.ipynb"
        pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(path),
                            parameters={"processed_dir": str(processed), "lang": "th", **params},
                            kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False, log_output=False,
                            execution_timeout=300)
        nb = nbformat.read(path, as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        out[name] = html_outputs(nb)
    tambon_html, network_html = out["tambon_report"], out["network_report"]
    assert w.t("tambon.experts.title", "th") in tambon_html and PAYLOAD in tambon_html
    assert "<script" not in tambon_html.lower() and "<script" not in network_html.lower()
    assert tambon_html.index(w.t("tambon.experts.title", "th")) > tambon_html.index(
        w.t("tambon.team_words.title", "th"))
    assert w.t("network.expert_review.title", "th") in network_html
    assert network_html.index(w.t("network.expert_review.title", "th")) < network_html.index(
        w.t("network.quality_summary.title", "th"))
    assert f'href="tambon/{CHAI_SATHAN}.html"' in network_html
