"""Worksheets typed in English, and place names as people write them.

The English worksheets are real office-suite files (``tests/fixtures/places_english``,
written with openpyxl / python-docx and saved again by LibreOffice; ``make.py`` there
says how). Their contents are below (``ENGLISH``), and every row, tick and text must
come back from the files as typed. The place-name variants are checked on the
resolver and through the whole normalise run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import geothai
import openpyxl
import pytest
import yaml

from siianalysis.codebook import parse_codebook
from siianalysis.normalise import normalise
from siianalysis.parse import parse_document
from siianalysis.parse.locate import title_number
from siianalysis.parse.place_line import english_place
from siianalysis.parse.place_spelling import places_path, skeleton
from siianalysis.parse.resolve import resolve_place
from siianalysis.readers import read_file
from tests.odsfile import write_ods
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_one_sheet

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "places_english"


@dataclass(frozen=True)
class Row:
    """One body row as typed, and what it must be read as."""

    cells: tuple[str, ...]
    code: str
    label: str = ""  # the team's own label of an "other" row; "" for a codebook row
    written_label: str = ""  # kept when the team wrote more than the codebook label


@dataclass(frozen=True)
class EnglishTable:
    code: str
    title: str
    heads: tuple[tuple[str, ...], ...]  # header rows as typed ("" for a merged-over cell)
    columns: tuple[str, ...]  # what each column holds: "label", a field code or an outcome code
    rows: tuple[Row, ...]


def _outcomes(code: str) -> tuple[str, ...]:
    return tuple(o.code for o in CB.table(code).outcomes)


PEOPLE = EnglishTable(
    "people", "Table 1: Developing people",
    (("Type / form", "How? (steps or methods)", "Outcomes (tick ✓)", "", "", "", "", "What will you do?"),
     ("", "", "1. The 4 core organisations take part", "2. Data is used to find and develop leaders",
      "3. Space and support for leaders to act", "4. The community trusts and accepts its leaders",
      "5. Continuous development, leader networks", "")),
    ("label", "method", *_outcomes("people"), "plan"),
    (Row(("1. Role models", "Study visits to model villages\nLesson learning", "✓", "", "✓", "", "",
          "Honour role models every year"), "P1"),
     Row(("2. Change leaders", "Leadership training", "✓", "✓", "", "", "", "Mentoring system"), "P2"),
     Row(("3. New generation leaders", "Youth camp", "", "", "✔", "", "✓ (two villages)", "Tambon youth council"),
         "P3"),
     Row(("4. Youth leaders", "Youth volunteer club", "", "", "", "", "", ""), "P4"),
     Row(("5. Volunteers", "Village health volunteers", "x", "", "", "✓", "", "Care volunteers for the elderly"),
         "P5"),
     Row(("6. Other (specify): Elderly club", "Monthly meeting", "", "", "", "", "✓", ""), "P6", "Elderly club"),
     Row(("7. Other (specify)", "", "", "", "", "", "", ""), "P7")),
)
MECHANISM = EnglishTable(
    "mechanism", "TABLE 2 – Driving mechanisms",
    (("Mechanism", "Assets / resources (what do you have?)", "Outcomes (tick ✓)", "", "", "", "", "", "",
      "Development approach"),
     ("", "", "1.", "2.", "3.", "4.", "5.", "6.", "7.", "")),
    ("label", "assets", *_outcomes("mechanism"), "plan"),
    (Row(("1. Groups / organisations / coalitions", "Tambon working group", "✓", "", "", "✓", "", "", "",
          "Meet every month"), "M1"),
     Row(("2. Forums and spaces for dialogue", "Village forum, citizens' assembly", "", "✓", "", "", "", "", "",
          ""), "M2"),
     Row(("3. Shared direction (master plan)", "Tambon master plan", "", "", "✓", "", "", "", "",
          "Update the plan with the villages"), "M3", written_label="Shared direction (master plan)"),
     Row(("4. Shared rules", "Health charter", "", "", "", "✓", "", "", "✓", ""), "M4"),
     Row(("5. Ceremonies", "MOU with the hospital", "", "", "", "", "✓", "", "", ""), "M5"),
     Row(("6. Community communication", "Community radio", "", "", "", "", "", "✓", "", "Facebook page"), "M6"),
     Row(("7. Other: Elderly welfare fund", "Fund of 300 members", "✓", "", "", "", "✓", "", "", ""), "M7",
         "Elderly welfare fund")),
)
DATA = EnglishTable(
    "data", "Table 3 Community data system",
    (("Process", "Steps / methods", "Outcomes (tick ✓)", "", "", "", "", "What will you do?"),
     ("", "", "1", "2", "3", "4", "5", "")),
    ("label", "method", *_outcomes("data"), "plan"),
    (Row(("1. Build the data team", "Team of 12 volunteers", "✓", "", "", "", "", "Train the team"), "D1"),
     Row(("2. Define the data sets needed", "TCNAP", "", "✓", "", "", "", ""), "D2"),
     Row(("3. Collect and verify data", "Household survey", "", "", "✓", "", "", "Check the data with villages"),
         "D3"),
     Row(("4. Analyse and give the data back", "Village forum", "", "", "", "✓", "", ""), "D4"),
     Row(("5. Use the data", "Tambon plan", "", "", "", "", "✓", "Local development plan"), "D5"),
     Row(("6. Other: RECAP research", "Community research", "✓", "", "", "", "", ""), "D6", "RECAP research")),
)
SUMMARY = EnglishTable(
    "summary", "Table 4 Summary of the area management system",
    (("Area management system", "Achievements / what has been done", "How to develop and raise it"),),
    ("label", "achievements", "plan"),
    (Row(("1. People", "Role models in every village", "Youth council"), "S1"),
     Row(("2. Mechanism", "Tambon working group", "Health charter"), "S2"),
     Row(("3. Data", "TCNAP survey", "Use data in the plan"), "S3")),
)
ENGLISH = (PEOPLE, MECHANISM, DATA, SUMMARY)


@dataclass(frozen=True)
class EnglishFile:
    name: str
    lines: tuple[str, ...]  # text above the tables (or the cover sheet's fields, "label|value")
    tambon_id: str
    date: str
    warning: str = ""  # the resolution warning's code, if any
    quoted: tuple[str, ...] = ()  # what that warning must quote


FILES = (
    # All four tables on one sheet under a place line.
    EnglishFile("english_one_sheet.xlsx",
                ("S-I-I Area Management Worksheet, Northern Region Network",
                 "Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province", "Date: 27 October 2020"),
                "502305", "2020-10-27"),
    # A cover sheet with English fields, one sheet per table with a one-level header.
    EnglishFile("english_cover.xlsx",
                ("Area management worksheet (S-I-I)", "Subdistrict / Tambon:|Chai Sathan", "District:|Mueang Nan",
                 "Province:|Nan", "Date:|2 Nov 2020"),
                "550104", "2020-11-02"),
    # A Word file: "T. … A. … Ch. …" with the old "Muang".
    EnglishFile("english.docx",
                ("S-I-I worksheet of the tambon team", "T. Pha Sing   A. Muang Nan   Ch. Nan", "Date 27/10/2020"),
                "550103", "2020-10-27", "tambon-spelling-corrected", ("'Muang Nan'", "'Mueang Nan'", "550103 ผาสิงห์")),
)


def _expected(table: EnglishTable) -> list[tuple[str, str, dict[str, bool], dict[str, str]]]:
    out = []
    codebook_table = CB.table(table.code)
    for row in table.rows:
        cells = dict(zip(table.columns, row.cells))
        ticks = {o.code: cells[o.code].startswith(("✓", "✔", "x")) for o in codebook_table.outcomes}
        texts = {f.code: cells[f.code] for f in codebook_table.fields if cells[f.code]}
        for o in codebook_table.outcomes:
            if "(" in cells[o.code]:  # "✓ (two villages)": a tick with a remark
                texts[f"remark.{o.code}"] = cells[o.code].split("(", 1)[1].rstrip(")")
        if row.written_label:
            texts["written_label"] = row.written_label
        if any(ticks.values()) or texts:  # the empty "Other (specify)" slot is no reported row
            out.append((row.code, row.label or codebook_table.row(row.code).label.th, ticks, texts))
    return out


def _read(name: str):
    (doc,) = read_file(FIXTURES / name, name)
    return parse_document(doc, CB)


@pytest.mark.parametrize("english", FILES, ids=lambda f: f.name)
def test_english_worksheets_read_cell_for_cell(english):
    ws = _read(english.name)
    assert list(ws.tables_found) == ["people", "mechanism", "data", "summary"]
    got = [(r.row_code, r.label, r.ticks, r.texts) for r in ws.rows]
    assert got == [e for table in ENGLISH for e in _expected(table)]
    assert ws.problems == [], ws.problems


@pytest.mark.parametrize("english", FILES, ids=lambda f: f.name)
def test_english_worksheets_resolve_to_their_dopa_code(tmp_path, english):
    shutil.copy(FIXTURES / english.name, tmp_path / english.name)
    tables = normalise(tmp_path, None, jobs=1, progress=False).tables
    tambons = tables["tambons"]
    assert tambons.tambon_id.tolist() == [english.tambon_id]
    assert tambons.tables.tolist() == ["people,mechanism,data,summary"]
    assert tambons.worksheet_date.tolist() == [english.date]
    problems = tables["problems"]
    assert sorted(problems.code) == ([english.warning] if english.warning else [])
    for quote in english.quoted:
        assert quote in problems.message.iloc[0]
    assert len(tables["ticks"][tables["ticks"].ticked]) == sum(
        sum(ticks.values()) for table in ENGLISH for _, _, ticks, _ in _expected(table))


def test_a_lone_latin_letter_is_no_field_label(tmp_path):
    # "A." and "T." are address short forms, but a cell holding "A" is a grade or a list mark.
    people = CB.table("people")
    filled = Filled("Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province", "27/10/2563",
                    {"people": [Line(numbered(people, "P1"), {"method": "training"}, {"PC1": "✓"})]})
    path = write_xlsx_one_sheet(tmp_path / "x.xlsx", filled, offset=(5, 0))
    wb = openpyxl.load_workbook(path)
    wb.active["D1"], wb.active["E1"] = "A", "Grade of the team"
    wb.save(path)
    (doc,) = read_file(path)
    identity = parse_document(doc, CB).identity
    assert identity.values["amphoe"] == "Mae On" and identity.locations["amphoe"].endswith("!A1")


def test_other_english_wordings(tmp_path):
    """Headers and labels worded otherwise than in ``ENGLISH``, in capitals, US spelling,
    examples after a label, one line naming the place with colons."""
    cells = [
        ["Subdistrict: Pa Bong   District: Saraphi   Province: Chiang Mai"], [],
        ["TABLE 1. PEOPLE DEVELOPMENT"],
        ["Type", "Method (how?)", "Outcome", "", "", "", "", "Plan (what will you do?)"],
        ["", "", "1", "2", "3", "4", "5", ""],
        ["Role model", "Study visits", "✓", "", "", "", "", "Honour them"],
        ["Other (please specify): Elderly club", "Meeting", "", "", "", "", "✓", ""], [],
        ["Table 2: Mechanisms"],
        ["Mechanisms of the area", "Capital / potential / resources", "Outcomes", "", "", "", "", "", "",
         "Way forward"],
        ["", "", "1", "2", "3", "4", "5", "6", "7", ""],
        ["Groups, organizations, coalitions (e.g. working group)", "Working group", "✓", "", "", "", "", "", "",
         "Meet"], [],
        ["Table 3: Data"],
        ["Data process", "How did you do it?", "Outcomes achieved", "", "", "", "", "Development plan"],
        ["", "", "1", "2", "3", "4", "5", ""],
        ["Data collection", "Survey", "", "", "✓", "", "", "Check"], [],
        ["Table 4 Summary"],
        ["Pillar", "What has been done so far", "Plan to raise it"],
        ["Mechanisms", "Group", "Charter"],
    ]
    write_ods(tmp_path / "en.ods", {"Sheet1": cells})
    (doc,) = read_file(tmp_path / "en.ods")
    ws = parse_document(doc, CB)
    assert ws.identity.values == {"tambon": "Pa Bong", "amphoe": "Saraphi", "province": "Chiang Mai"}
    assert [(r.row_code, r.label, [k for k, v in r.ticks.items() if v], r.texts) for r in ws.rows] == [
        ("P1", CB.row("P1").label.th, ["PC1"], {"method": "Study visits", "plan": "Honour them"}),
        ("P6", "Elderly club", ["PC5"], {"method": "Meeting"}),
        ("M1", CB.row("M1").label.th, ["MC1"], {"assets": "Working group", "plan": "Meet",
                                               "written_label": "Groups, organizations, coalitions (e.g. working group)"}),
        ("D3", CB.row("D3").label.th, ["DC3"], {"method": "Survey", "plan": "Check"}),
        ("S2", CB.row("S2").label.th, [], {"achievements": "Group", "plan": "Charter"}),
    ]
    assert ws.problems == []


def test_english_cover_fields_and_dates_are_read():
    ws = _read("english_cover.xlsx")
    assert ws.identity.values == {"tambon": "Chai Sathan", "amphoe": "Mueang Nan", "province": "Nan",
                                  "worksheet_date": "2 Nov 2020"}
    assert ws.identity.locations["tambon"] == "Cover!B3"


@pytest.mark.parametrize("line, names", [
    ("Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province",
     {"tambon": "Mae Tha", "amphoe": "Mae On", "province": "Chiang Mai"}),
    ("Subdistrict: Mae Tha District: Mae On Province: Chiang Mai",
     {"tambon": "Mae Tha", "amphoe": "Mae On", "province": "Chiang Mai"}),
    ("T. Mae Tha A. Mae On Ch. Chiang Mai", {"tambon": "Mae Tha", "amphoe": "Mae On", "province": "Chiang Mai"}),
    ("T.Mae Tha A.Muang Ch.Chiang Mai", {"tambon": "Mae Tha", "amphoe": "Muang", "province": "Chiang Mai"}),
    ("Mae Tha Sub-district, Mae On District, Chiang Mai Province",
     {"tambon": "Mae Tha", "amphoe": "Mae On", "province": "Chiang Mai"}),
    ("Tambon/Subdistrict: Mae Tha; District/Amphoe: Mae On", {"tambon": "Mae Tha", "amphoe": "Mae On"}),
    ("TAMBON PA BONG AMPHOE SARAPHI", {"tambon": "PA BONG", "amphoe": "SARAPHI"}),
    ("District: Mae On", {"amphoe": "Mae On"}),  # a line of its own, with a colon
    # English words in titles and sentences are no place line.
    ("District health office, Chiang Mai Province", {}),
    ("Tambon Network Workshop", {}),
    ("Art. 5 of the district", {}),
    ("Partial results of the subdistricts", {}),
    ("ตำบลแม่ทา อำเภอแม่ออน จังหวัดเชียงใหม่", {}),
])
def test_english_place_lines(line, names):
    assert english_place(line, CB) == names


@pytest.mark.parametrize("title, number", [
    ("Table 1: Developing people", 1), ("TABLE 2 – Driving mechanisms", 2), ("Table no. 3", 3),
    ("ตารางที่ ๔ สรุป", 4), ("ตาราง 2 กลไก", 2), ("Tablet 3", None), ("Table tennis club", None),
])
def test_table_title_cues(title, number):
    assert title_number(title, CB) == number


def test_title_cue_may_be_one_word_or_a_list():
    data = yaml.safe_load(Path(CB.source).read_text(encoding="utf-8"))
    old = parse_codebook({k: v for k, v in data.items() if k != "table_title_cues"})
    assert (old.table_title_cue, old.table_title_cues) == ("ตารางที่", ("ตารางที่",))
    listed = parse_codebook({**data, "table_title_cue": ["Table", "ตารางที่"], "table_title_cues": ["Table"]})
    assert (listed.table_title_cue, listed.table_title_cues) == ("Table", ("Table", "ตารางที่"))
    assert title_number("Table 2", listed) == 2 and title_number("Table 2", old) is None


# --- place names as people write them ---------------------------------------------------

@pytest.mark.parametrize("tambon, amphoe, province, code, written, official", [
    # a missing tone mark
    ("ต.บ้านแปน", "อ.เมือง", "จ.ลำพูน", "510108", "'บ้านแปน'", "'บ้านแป้น'"),
    # ชัย for ไชย, within the district given (its exact spelling is a tambon of another district)
    ("ชัยสถาน", "สารภี", "เชียงใหม่", "501904", "'ชัยสถาน'", "'ไชยสถาน'"),
    ("ศรีดอนชัย", "เทิง", "เชียงราย", "570412", "'ศรีดอนชัย'", "'ศรีดอนไชย'"),
    # one slipped letter, in a tambon and in a district
    ("แม่แรน", "แม่ริม", "เชียงใหม่", "500707", "'แม่แรน'", "'แม่แรม'"),
    ("แม่แรม", "แม่รืม", "เชียงใหม่", "500707", "'แม่รืม'", "'แม่ริม'"),
    ("แม่แรม", "แม่ริม", "เชียงใหม", "500707", "'เชียงใหม'", "'เชียงใหม่'"),
    # the official province abbreviation
    ("แม่ทา", "แม่ออน", "จ.ชม.", "502305", "'ชม.'", "เชียงใหม่"),
    ("บ้านแป้น", "เมือง", "ลพ", "510108", "'ลพ'", "ลำพูน"),
    # English: "Muang" for "Mueang", a slip
    ("Chai Sathan", "Muang Nan", "Nan", "550104", "'Muang Nan'", "'Mueang Nan'"),
    ("Pha Sing", "A. Muang", "Nan Province", "550103", "'Muang'", "'Mueang Nan'"),
    ("Mae Ta", "Mae On", "Chiang Mai", "502305", "'Mae Ta'", "'Mae Tha'"),
    # no district: the province's tambons
    ("บ้านแปน", "", "ลำพูน", "510108", "'บ้านแปน'", "'บ้านแป้น'"),
])
def test_place_names_as_people_write_them(tambon, amphoe, province, code, written, official):
    place = resolve_place(tambon, amphoe, province)
    assert place.resolved and place.tambon_id == code
    assert place.problem_code == "tambon-spelling-corrected"
    a = geothai.address(code)
    assert written in place.problem and official in place.problem
    assert f"{code} {a.subdistrict.name_th} / {a.district.name_th} / {a.province.name_th}" in place.problem


@pytest.mark.parametrize("tambon, amphoe, province, candidates", [
    # บ้านโตก and บ้านโคก (เมืองเพชรบูรณ์) are each one letter from บ้านโดก
    ("บ้านโดก", "เมือง", "เพชรบูรณ์", ("670103", "670109")),
    ("Ban Kok", "Mueang Phetchabun", "Phetchabun", ("670103", "670109")),
    # หนองฉาง and หนองยาง (หนองฉาง, อุทัยธานี)
    ("หนองซาง", "หนองฉาง", "อุทัยธานี", ("610401", "610402")),
])
def test_equally_close_names_stay_unresolved(tambon, amphoe, province, candidates):
    place = resolve_place(tambon, amphoe, province)
    assert not place.resolved and place.tambon_id.startswith("u-")
    assert place.problem_code == "ambiguous-tambon"
    assert all(code in place.problem for code in candidates)


@pytest.mark.parametrize("tambon, amphoe, province, code", [
    ("ต.บ้านแป้น", "อ.เมือง", "จ.ลำพูน", "510108"),
    ("ไชยสถาน", "เมืองน่าน", "น่าน", "550104"),
    ("Mae Tha", "Mae On", "Chiang Mai", "502305"),
    ("Tambon Mae Tha", "Amphoe Mae On", "Chiang Mai Province", "502305"),
    ("Chai Sathan", "Mueang", "Nan", "550104"),
    ("chai-sathan", "MUEANG NAN", "nan", "550104"),
])
def test_exact_names_give_no_spelling_warning(tambon, amphoe, province, code):
    place = resolve_place(tambon, amphoe, province)
    assert place.resolved and place.tambon_id == code and place.problem_code == "" and place.problem == ""


@pytest.mark.parametrize("language", ["th", "en"])
def test_every_official_name_resolves_as_geothai_says_without_a_warning(language):
    # The spelling rules are asked only when the names as written do not resolve.
    for s in _all_subdistricts():
        a = geothai.address(s.code)
        names = [getattr(x, f"name_{language}") for x in (a.subdistrict, a.district, a.province)]
        place = resolve_place(*names)
        exact = geothai.match(names[0], district=names[1], province=names[2])
        if len(exact) == 1:
            assert (place.tambon_id, place.problem_code) == (s.code, ""), names
        else:  # romanisations two tambons share (Bang Sai in Bang Sai): as before
            assert place.problem_code == "ambiguous-tambon", names


def _all_subdistricts():
    return [s for p in geothai.provinces() for d in geothai.districts(p.code) for s in geothai.subdistricts(d.code)]


def test_no_two_tambons_of_a_district_are_the_same_name_under_the_spelling_rules():
    # What makes a reading by the rules (not by a slip) safe: it can only be one tambon.
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            names = [skeleton(s.name_th) for s in geothai.subdistricts(d.code)]
            assert len(names) == len(set(names)), d


def test_a_name_far_from_every_tambon_stays_unknown():
    place = resolve_place("บ้านสุขใจ", "เมือง", "น่าน")
    assert not place.resolved and place.problem_code == "unknown-tambon"


def test_province_abbreviations_name_every_province_once():
    data = yaml.safe_load(Path(places_path()).read_text(encoding="utf-8"))
    abbreviations = data["province_abbreviations"]
    names = list(abbreviations.values())
    assert sorted(names) == sorted(p.name_th for p in geothai.provinces())
    assert len(abbreviations) == 77 and all(len(a) in (2, 3) for a in abbreviations)


def test_spelling_warning_reaches_the_problems_table(tmp_path):
    people = CB.table("people")
    filled = Filled("ต.บ้านแปน อ.เมือง จ.ลพ.", "27/10/2563",
                    {"people": [Line(numbered(people, "P1"), {"method": "อบรมแกนนำ"}, {"PC1": "✓"})]})
    write_xlsx_one_sheet(tmp_path / "ใบงาน.xlsx", filled)
    tables = normalise(tmp_path, None, jobs=1, progress=False).tables
    assert tables["tambons"].tambon_id.tolist() == ["510108"]
    (problem,) = tables["problems"][tables["problems"].code == "tambon-spelling-corrected"].itertuples()
    assert problem.severity == "warning" and problem.location == "แบบฟอร์ม!A1"
    assert "'บ้านแปน'" in problem.message and "'ลพ.'" in problem.message and "510108 บ้านแป้น" in problem.message


def test_the_new_problem_code_is_explained():
    root = Path(__file__).resolve().parents[1]
    words = yaml.safe_load((root / "siianalysis" / "data" / "report_text.yaml").read_text(encoding="utf-8"))
    entry = words["problem_codes"]["tambon-spelling-corrected"]
    assert entry["th"] and entry["en"]
    assert "`tambon-spelling-corrected`" in (root / "README.md").read_text(encoding="utf-8")
