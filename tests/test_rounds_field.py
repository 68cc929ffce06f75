"""The "field" round rule on real files: a round or year written on the cover sheet or on a
line above the tables (codebook ``identity.round``), read without disturbing the place, the
date or the notes; the handout's own lines and date lines name no round."""

from __future__ import annotations

import openpyxl
import pytest

from siianalysis.normalise import normalise
from siianalysis.parse import parse_document
from siianalysis.parse.identity import round_in_line
from siianalysis.readers import read_file
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_one_sheet, write_xlsx_per_sheet

PEOPLE = CB.table("people")
MAE_RAEM = "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่"


def filled(place: str = MAE_RAEM, date: str = "27 ตุลาคม 2563") -> Filled:
    return Filled(place, date, {"people": [Line(numbered(PEOPLE, "P1"), {"plan": "ขยายผล"}, {"PC1": "✓"})]})


def parsed(path):
    (doc,) = read_file(path)
    return parse_document(doc, CB)


@pytest.mark.parametrize("label, value, written, expected", [
    ("ปีงบประมาณ", "2567", "ปีงบประมาณ 2567", "2567"),
    ("รอบที่", "2", "รอบที่ 2", "r2"),
    ("Fiscal year", "2024", "Fiscal year 2024", "2567"),
])
def test_a_cover_field_names_the_round_and_leaves_place_and_date_alone(tmp_path, label, value, written, expected):
    raw = tmp_path / "raw"
    raw.mkdir()
    path = write_xlsx_per_sheet(raw / "แม่แรม.xlsx", filled(), round_field=(label, value))
    ws = parsed(path)
    assert ws.identity.get("round") == written
    assert ws.identity.locations["round"] == "ปก!C6"
    assert (ws.identity.get("tambon"), ws.identity.get("amphoe")) == ("ตำบลแม่แรม", "อำเภอแม่ริม")
    assert ws.identity.get("worksheet_date") == "27 ตุลาคม 2563"
    assert ws.notes == [] or all(label not in n.text and value != n.text for n in ws.notes)
    result = normalise(raw, tmp_path / "processed", jobs=1, progress=False)
    tambons = result.tables["tambons"]
    # auto: no round folder, so the field wins over the date's year (2563)
    assert list(tambons["round"]) == [expected] and list(tambons["worksheet_date"]) == ["2020-10-27"]
    assert list(tambons["tambon_id"]) == ["500707"]
    assert "text-outside-table" not in set(result.tables["problems"]["code"])
    assert list(normalise(raw, None, jobs=1, progress=False, rounds="date").tables["tambons"]["round"]) == ["2563"]


def test_a_line_beside_the_place_names_the_round(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx_one_sheet(raw / "a.xlsx", filled(f"{MAE_RAEM} ปี 2567"))
    ws = parsed(raw / "a.xlsx")
    assert ws.identity.get("round") == "ปี 2567" and ws.identity.get("tambon") == "แม่แรม"
    assert ws.identity.get("province") == "เชียงใหม่"
    result = normalise(raw, None, jobs=1, progress=False, rounds="field")
    assert list(result.tables["tambons"]["round"]) == ["2567"]
    assert list(result.tables["tambons"]["tambon_id"]) == ["500707"]
    assert result.tables["texts"].query("field == 'note'").empty  # the place-and-year line is no note


def test_a_round_line_of_its_own_and_a_note_that_mentions_a_year(tmp_path):
    path = write_xlsx_one_sheet(tmp_path / "a.xlsx", filled())
    wb = openpyxl.load_workbook(path)
    wb.active["D1"] = "รอบที่ 2"
    wb.active["H1"] = "ปี 2566 เราจัดอบรมแกนนำ 3 รุ่น"
    wb.save(path)
    ws = parsed(path)
    assert ws.identity.get("round") == "รอบที่ 2"
    assert [n.text for n in ws.notes] == ["ปี 2566 เราจัดอบรมแกนนำ 3 รุ่น"]  # a note stays a note


@pytest.mark.parametrize("line", CB.outside_tables.handout_lines)
def test_the_handouts_own_lines_name_no_round(line):
    assert round_in_line(line, CB) == ""


@pytest.mark.parametrize("line, expected", [
    ("วันที่ 27 ตุลาคม พ.ศ. 2563", ""), ("วันที่ ๒๗ ตุลาคม ๒๕๖๓", ""), ("คณะทำงานรอบที่ 2", ""),
    ("ปีงบประมาณ ๒๕๖๗", "ปีงบประมาณ ๒๕๖๗"), ("Round 2", "Round 2"), ("ปีนี้เราทำ", ""),
    ("ข้อมูลเพิ่มเติมอยู่ในแผนพัฒนาตำบล ปี 2564", ""), ("ต.แม่แรม อ.แม่ริม รอบที่ 2", "รอบที่ 2"),
])
def test_round_lines(line, expected):
    assert round_in_line(line, CB) == expected
