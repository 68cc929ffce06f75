"""Worksheets collected online: the XLSForm, and its exports read back exactly as submitted.

The exports are written by ``tests/formsim.py`` the way KoboToolbox, ODK Central and
Google Forms write them; normalising them must give back, cell for cell, the ticks,
texts, "other" labels, places and dates that were submitted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geothai
import pytest
from openpyxl import load_workbook

from siianalysis.cli import main
from siianalysis.codebook import load_codebook
from siianalysis.forms import names
from siianalysis.forms.columns import read_header
from siianalysis.forms.xlsform import write_xlsform
from siianalysis.normalise import normalise
from siianalysis.readers import read_file
from tests.formsim import (Submission, google_table, kobo_table, odk_table, write_csv, write_xlsx)

pyxform = pytest.importorskip("pyxform")
from pyxform.xls2xform import convert  # noqa: E402

CB = load_codebook()
NORTH = ["50", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "67"]
T = dt.datetime

SUBMISSIONS = [
    Submission("500707", T(2020, 10, 27, 2, 41, 19), by="somchai",
               texts={("P1", "method"): "อบรมพัฒนาศักยภาพแกนนำ, ศึกษาดูงานพื้นที่ต้นแบบ",
                      ("P1", "plan"): "ถอดบทเรียนคนต้นแบบ\nยกย่องเชิดชูเกียรติ",
                      ("P6", "method"): "ค่ายพัฒนาแกนนำเยาวชน", ("M2", "assets"): "เวทีประชาคมหมู่บ้าน",
                      ("M8", "plan"): "กลุ่มไลน์ของตำบล", ("D1", "plan"): "สำรวจข้อมูลด้วยโปรแกรม TCNAP",
                      ("S1", "achievements"): "มีคนต้นแบบ 5 คน", ("S3", "plan"): "คืนข้อมูลผ่านเวทีประชาคม"},
               labels={"P6": "สภาเด็กและเยาวชนตำบล", "M8": "ศูนย์เรียนรู้"},
               ticks={"P1": ["PC1", "PC3"], "P6": ["PC2"], "M2": ["MC1", "MC7"], "M8": ["MC4"],
                      "D5": ["DC5"], "D1": ["DC1", "DC2", "DC3", "DC4", "DC5"]}),
    Submission("550104", T(2020, 10, 27, 3, 0, 0), by="anan", date="",
               texts={("P2", "plan"): "ระบบพี่เลี้ยง", ("D7", "method"): "แผนที่เดินดิน"},
               labels={"D7": "ผังเครือญาติ"}, ticks={"P2": ["PC5"], "D7": ["DC2"]}),
    Submission("501904", T(2020, 10, 28, 16, 30, 0), by="mali", date="2020-10-28",
               ticks={"M1": ["MC1", "MC2", "MC3", "MC4", "MC5", "MC6", "MC7"]},
               texts={("S2", "achievements"): "ธรรมนูญสุขภาพตำบล"}),
]

LAYOUTS = {
    "kobo-xlsx-slash-both": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s)),
    "kobo-xlsx-single-column": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, selects="summary")),
    "kobo-xlsx-choice-columns": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, selects="details")),
    "kobo-xlsx-no-groups": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, groups=False)),
    "kobo-xlsx-dot-groups": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, sep=".")),
    "kobo-csv-semicolon": lambda d, s: write_csv(d / "kobo.csv", kobo_table(s), delimiter=";", quote_all=True),
    "kobo-labels-th": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, labels="th")),
    "kobo-labels-en-no-groups": lambda d, s: write_xlsx(d / "kobo.xlsx", kobo_table(s, labels="en", groups=False)),
    "kobo-labels-th-single-column": lambda d, s: write_csv(d / "kobo.csv", kobo_table(s, labels="th",
                                                                                      selects="summary"),
                                                           delimiter=";", quote_all=True),
    "odk-central-csv": lambda d, s: write_csv(d / "odk.csv", odk_table(s)),
    "odk-central-csv-unsplit": lambda d, s: write_csv(d / "odk.csv", odk_table(s, split=False), bom=True),
    "google-csv-us": lambda d, s: write_csv(d / "google.csv", google_table(s)),
    "google-xlsx-thai": lambda d, s: write_xlsx(d / "google.xlsx", google_table(s, thai=True), "การตอบแบบฟอร์ม 1"),
    "google-csv-thai": lambda d, s: write_csv(d / "google.csv", google_table(s, thai=True)),
    "google-xlsx-native-times": lambda d, s: write_xlsx(d / "google.xlsx", google_table(s, native=True),
                                                        "Form Responses 1"),
}


def run(raw: Path):
    return normalise(raw, None, jobs=1, progress=False).tables


def submitted(subs: list[Submission]):
    """What was submitted, in the processed tables' terms."""
    ticks = {(s.tambon, row, code) for s in subs for row, codes in s.ticks.items() for code in codes}
    texts = {(s.tambon, row, f): text for s in subs for (row, f), text in s.texts.items()}
    labels = {(s.tambon, row): label for s in subs for row, label in s.labels.items()}
    dates = {s.tambon: s.date or (s.submitted + dt.timedelta(hours=7)).date().isoformat() for s in subs}
    return ticks, texts, labels, dates


def read_back(tables):
    t = tables["ticks"]
    ticks = {(a, b, c) for a, b, c, v in t[["tambon_id", "row_code", "criterion_code", "ticked"]].values if v}
    texts = {(a, b, c): d for a, b, c, d in tables["texts"][["tambon_id", "row_code", "field", "text"]].values}
    rows = tables["rows"]
    other = {r.code for tb in CB.tables for r in tb.other_rows}
    labels = {(a, b): c for a, b, c in rows[["tambon_id", "row_code", "label"]].values if b in other}
    dates = dict(tables["tambons"][["tambon_id", "worksheet_date"]].values)
    return ticks, texts, labels, dates


# --------------------------------------------------------------------------- the XLSForm


@pytest.mark.parametrize("lang", ["th", "en"])
def test_pyxform_converts_the_generated_form(tmp_path, lang):
    path = write_xlsform(tmp_path / "form.xlsx", provinces=NORTH, lang=lang)
    warnings: list[str] = []
    xform = convert(str(path), warnings=warnings).xform
    assert warnings == []
    assert 'lang="Thai (th)"' in xform and 'lang="English (en)"' in xform
    assert "/data/place/tambon" in xform and "/data/people_P6/P6_label" in xform
    wb = load_workbook(path, read_only=True)
    choices = list(wb["choices"].values)
    tambons = [r for r in choices if r[0] == "tambon"]
    assert len(tambons) == sum(len(geothai.subdistricts(d.code)) for p in NORTH for d in geothai.districts(p))
    assert {r[1] for r in tambons} >= {"500707", "550104"} and all(len(r[1]) == 6 for r in tambons)
    assert [r[1] for r in choices if r[0] == "outcomes_people"] == ["PC1", "PC2", "PC3", "PC4", "PC5"]
    survey = list(wb["survey"].values)
    filters = {r[1]: r[-1] for r in survey}
    assert filters["amphoe"] == "province=${province}" and filters["tambon"] == "amphoe=${amphoe}"
    settings = list(wb["settings"].values)
    assert settings[1][3] == {"th": "Thai (th)", "en": "English (en)"}[lang]


def test_the_form_s_names_are_those_the_reader_knows(tmp_path):
    """Every question the writer puts in the form is a column the reader recognises, by name
    and by label, in the form's own spelling."""
    path = write_xlsform(tmp_path / "form.xlsx", provinces=["55"])
    survey = list(load_workbook(path, read_only=True)["survey"].values)
    header = survey[0]
    questions = [dict(zip(header, r)) for r in survey[1:]
                 if r[0].split()[0] in ("text", "date", "select_one", "select_multiple")]
    assert len(questions) == len(names.questions(CB))
    for column in (read_header([q["name"] for q in questions], CB),
                   read_header([q["label::Thai (th)"] for q in questions], CB),
                   read_header([q["label::English (en)"] for q in questions], CB)):
        assert all(c is not None and c.kind != "service" for c in column)


def test_the_same_form_twice_is_the_same_bytes(tmp_path):
    a = write_xlsform(tmp_path / "a.xlsx", provinces=["55"]).read_bytes()
    assert a == write_xlsform(tmp_path / "b.xlsx", provinces=["55"]).read_bytes()


def test_xlsform_command_limits_the_places(tmp_path, capsys):
    out = tmp_path / "form.xlsx"
    assert main(["xlsform", str(out), "--province", "น่าน", "--province", "Chiang Mai", "--lang", "en"]) == 0
    choices = list(load_workbook(out, read_only=True)["choices"].values)
    assert {r[1] for r in choices if r[0] == "province"} == {"55", "50"}
    assert main(["xlsform", str(tmp_path / "north.xlsx"), "--region", "north"]) == 0
    north = list(load_workbook(tmp_path / "north.xlsx", read_only=True)["choices"].values)
    assert sorted(r[1] for r in north if r[0] == "province") == NORTH
    assert main(["xlsform", str(tmp_path / "x.xlsx"), "--province", "Atlantis"]) == 2
    assert "unknown province 'Atlantis'" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------- exports read back


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_an_export_normalises_to_exactly_what_was_submitted(tmp_path, layout):
    raw = tmp_path / "raw"
    raw.mkdir()
    path = LAYOUTS[layout](raw, SUBMISSIONS)
    tables = run(raw)
    assert read_back(tables) == submitted(SUBMISSIONS)
    assert set(tables["tambons"].source_file) == {path.name}
    assert set(tables["tambons"].tables) == {"people,mechanism,data,summary"}
    problems = tables["problems"]
    assert set(problems.code) == {"form-submission"}, problems.to_string()
    assert len(problems) == len(SUBMISSIONS) and set(problems.severity) == {"info"}
    # every row names the file and the cell it was read from
    rows = tables["rows"]
    assert all(s.startswith(f"{path.name}: ") for s in rows.source)
    if layout.startswith("kobo") and "labels" not in layout:
        assert any("somchai" in m for m in problems.message)


def test_a_google_grid_reads_the_chosen_outcomes_even_with_commas_in_their_labels(tmp_path):
    sub = Submission("500707", T(2020, 10, 27, 2, 0), ticks={"P1": ["PC2", "PC5"], "P6": ["PC1"]},
                     labels={"P6": "อสม."})
    rows = google_table([sub])
    # a sheet in English: the grid's columns are the English labels, which hold commas
    header = rows[0]
    i = header.index(f"{CB.outcomes_header.th} [{CB.table('people').row('P1').label.th}]")
    rows[1][i] = ", ".join(CB.table("people").outcome(c).label.en for c in ("PC2", "PC5"))
    assert "," in CB.table("people").outcome("PC2").label.en
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "google.csv", rows)
    ticks, _, labels, _ = read_back(run(raw))
    assert ticks == {("500707", "P1", "PC2"), ("500707", "P1", "PC5"), ("500707", "P6", "PC1")}
    assert labels == {("500707", "P6"): "อสม."}


def test_a_repeated_submission_supersedes_the_earlier_one(tmp_path):
    first = Submission("500707", T(2020, 10, 27, 2, 0), ticks={"P1": ["PC1"]}, by="somchai")
    again = Submission("500707", T(2020, 10, 27, 5, 0), ticks={"P1": ["PC2"]}, by="somchai")
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "odk.csv", odk_table([first, again]))  # newest first, as ODK Central lists them
    tables = run(raw)
    assert read_back(tables)[0] == {("500707", "P1", "PC2")}
    superseded = tables["problems"][tables["problems"].code == "superseded"]
    assert len(superseded) == 1 and superseded.iloc[0].tambon_id == "500707"


def test_a_plain_worksheet_workbook_is_not_taken_for_an_export():
    fixtures = Path(__file__).parent / "fixtures"
    workbook = next(p for p in sorted(fixtures.rglob("*.xlsx")) if not p.name.startswith("~"))
    docs = read_file(workbook)
    assert all(not d.records and d.grids for d in docs)


# --------------------------------------------------------------------------- rows that cannot be read


def test_bad_rows_are_reported_with_their_cell(tmp_path):
    good = Submission("500707", T(2020, 10, 27, 2, 0), ticks={"P1": ["PC1"]})
    unknown_place = Submission("999999", T(2020, 10, 27, 3, 0), ticks={"P1": ["PC2"]})
    bad_date = Submission("550104", T(2020, 10, 27, 4, 0), date="32/13/2563", ticks={"P2": ["PC3"]})
    rows = kobo_table([good, unknown_place, bad_date], selects="summary")
    header = rows[0]
    tambon_col, date_col = header.index("place/tambon"), header.index("place/worksheet_date")
    outcomes_col = header.index("people_P1/P1_outcomes")
    rows[1][outcomes_col] = "PC1 PC9"  # a choice the form does not have
    rows[1].append("ข้อความเพิ่ม")
    header.append("remarks")  # a column the form does not have
    for r in rows[2:]:
        r.append("")
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx(raw / "kobo.xlsx", rows)
    # the unknown tambon's code, in the cell as written
    rows[2][tambon_col] = "999999"
    problems = run(raw)["problems"]

    def cell(col: int, row: int) -> str:
        from siianalysis.readers import column_letter
        return f"SII!{column_letter(col)}{row}"

    by_code = {code: problems[problems.code == code] for code in problems.code.unique()}
    choice = by_code["form-unknown-choice"]
    assert list(choice.location) == [cell(outcomes_col, 2)] and "'PC9'" in choice.iloc[0].message
    place = by_code["unknown-tambon"]
    assert list(place.location) == [cell(tambon_col, 3)] and "999999" in place.iloc[0].message
    date = by_code["bad-date"]
    assert list(date.location) == [cell(date_col, 4)] and "32/13/2563" in date.iloc[0].message
    column = by_code["form-unknown-column"]
    assert list(column.location) == [cell(len(header) - 1, 2)] and "ข้อความเพิ่ม" in column.iloc[0].message
    # the rest of the worksheet is read all the same
    tables = run(raw)
    assert ("500707", "P1", "PC1") in read_back(tables)[0]
