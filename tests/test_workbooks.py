"""Several worksheets in one workbook, and hidden sheets, as LibreOffice saved them.

The fixtures (``tests/fixtures/workbooks``, made by its ``make.py``) hold three
tambons whose worksheets differ in every tick and text, so a row read under the
wrong tambon, or two tambons merged, shows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from siianalysis.normalise import normalise
from siianalysis.parse import parse_document, parse_worksheets
from siianalysis.readers import read_file
from tests.worksheets import CB, Filled, Line, numbered, write_docx

FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"
TAMBONS = [("แม่แรม", "แม่ริม", "เชียงใหม่"), ("ริมใต้", "แม่ริม", "เชียงใหม่"), ("สันผีเสื้อ", "เมืองเชียงใหม่", "เชียงใหม่")]
CODES = ["500707", "500701", "500116"]
DATES = ["2 พฤศจิกายน 2563", "3 พฤศจิกายน 2563", "4 พฤศจิกายน 2563"]
ISO_DATES = ["2020-11-02", "2020-11-03", "2020-11-04"]
HIDDEN_OLD = "ปีที่แล้ว"


def filled_for(i: int) -> Filled:
    """Tambon i's worksheet: outcome i+1 ticked in every table, texts naming the tambon."""
    tambon, amphoe, province = TAMBONS[i]
    tables: dict[str, list[Line]] = {}
    for code in ("people", "mechanism", "data"):
        table = CB.table(code)
        row = table.rows[i]
        tables[code] = [Line(numbered(table, row.code), {table.fields[0].code: f"งานของตำบล{tambon} ({code})"},
                             {table.outcomes[i].code: "✓"})]
    summary = CB.table("summary")
    tables["summary"] = [Line(numbered(summary, "S1"), {"achievements": f"สิ่งที่ตำบล{tambon}ทำแล้ว"})]
    return Filled(f"ตำบล{tambon} อำเภอ{amphoe} จังหวัด{province}", DATES[i], tables)


def old_version() -> Filled:
    """Tambon 0's worksheet of the year before: other rows, other ticks, an older date."""
    filled = filled_for(0)
    people = CB.table("people")
    filled.tables["people"] = [Line(numbered(people, "P5"), {"method": "ข้อความเก่า"}, {"PC5": "✓"})]
    return Filled(filled.place_line, "1 ตุลาคม 2562", filled.tables)


def _expected(i: int) -> tuple[set, dict]:
    ticks, texts = set(), {}
    for code, lines in filled_for(i).tables.items():
        table = CB.table(code)
        for line in lines:
            row_code = table.rows[i].code if code != "summary" else "S1"
            ticks |= {(row_code, o) for o, v in line.ticks.items() if v}
            texts |= {(row_code, f): v for f, v in line.texts.items()}
    return ticks, texts


def _normalised(path: Path):
    raw = path.parent
    tables = normalise(raw, None, jobs=1, progress=False, cache=False).tables
    return tables


def _only(tmp_path: Path, name: str) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    target = raw / name
    target.write_bytes((FIXTURES / name).read_bytes())
    return target


def _check_tambon(tables, i: int, source: str) -> None:
    tid = CODES[i]
    row = tables["tambons"].set_index("tambon_id").loc[tid]
    assert row["source_file"] == source
    assert row["worksheet_date"] == ISO_DATES[i]
    assert row["tables"] == "people,mechanism,data,summary"
    ticks = tables["ticks"]
    mine = ticks[(ticks.tambon_id == tid) & ticks.ticked]
    expected_ticks, expected_texts = _expected(i)
    assert set(zip(mine.row_code, mine.criterion_code)) == expected_ticks
    texts = tables["texts"][tables["texts"].tambon_id == tid]
    assert dict(zip(zip(texts.row_code, texts.field), texts.text)) == expected_texts


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
@pytest.mark.parametrize("name, sheets", [
    ("coordinator-place-lines", [f"ต.{t[0]}" for t in TAMBONS]),
    ("coordinator-place-blocks", [f"แผ่นที่{i + 1}" for i in range(3)]),
    ("one-sheet-three-tambons", ["รวม!1:27", "รวม!28:54", "รวม!55:78"]),
])
def test_a_workbook_with_a_worksheet_per_tambon_gives_each_tambon_its_own_cells(tmp_path, name, sheets, suffix):
    path = _only(tmp_path, f"{name}.{suffix}")
    tables = _normalised(path)
    assert sorted(tables["tambons"].tambon_id) == sorted(CODES)
    for i, sheet in enumerate(sheets):
        _check_tambon(tables, i, f"{path.name}#{sheet}")
    codes = set(tables["problems"].code)
    assert not codes & {"table-repeated", "table-missing", "superseded", "duplicate-row"}, tables["problems"]


def test_each_row_names_the_sheet_it_came_from(tmp_path):
    path = _only(tmp_path, "coordinator-place-lines.xlsx")
    rows = _normalised(path)["rows"]
    for i, tid in enumerate(CODES):
        sources = rows[rows.tambon_id == tid].source
        assert all(s.startswith(f"{path.name}: ต.{TAMBONS[i][0]}!") for s in sources), sources.tolist()


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
def test_a_hidden_old_sheet_is_left_out_and_said(tmp_path, suffix):
    path = _only(tmp_path, f"hidden-old-sheet.{suffix}")
    tables = _normalised(path)
    assert tables["tambons"].tambon_id.tolist() == [CODES[0]]
    _check_tambon(tables, 0, path.name)  # the current sheet's ticks, texts and date only
    problems = tables["problems"]
    hidden = problems[problems.code == "hidden-sheet-skipped"]
    assert len(hidden) == 1 and hidden.iloc[0].location == HIDDEN_OLD
    assert hidden.iloc[0].severity == "warning" and hidden.iloc[0].tambon_id == CODES[0]
    message = hidden.iloc[0].message
    assert "table 1 (people), 2 (mechanism), 3 (data), 4 (summary)" in message
    assert "cells with text" in message
    assert "table-repeated" not in set(problems.code)


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
def test_tables_before_every_place_are_reported_not_merged(tmp_path, suffix):
    path = _only(tmp_path, f"unplaced-first-sheet.{suffix}")
    tables = _normalised(path)
    assert sorted(tables["tambons"].tambon_id) == sorted(CODES[:2])
    for i in range(2):
        _check_tambon(tables, i, f"{path.name}#ต.{TAMBONS[i][0]}")
    problems = tables["problems"]
    unplaced = problems[problems.code == "table-unplaced"]
    assert sorted(unplaced.location) == ["ตัวอย่าง!A15", "ตัวอย่าง!A21", "ตัวอย่าง!A3", "ตัวอย่าง!A9"]
    assert "สันผีเสื้อ" not in " ".join(tables["texts"].text)
    assert any("งานของตำบลสันผีเสื้อ" in m or CB.table("people").rows[2].label.seed_th in m
               for m in unplaced.message)


def test_a_cover_sheet_and_a_sheet_per_table_stay_one_worksheet(tmp_path):
    from tests.worksheets import write_xlsx_per_sheet
    path = write_xlsx_per_sheet(tmp_path / "one.xlsx", filled_for(1))
    parsed = parse_worksheets(read_file(path)[0], CB)
    assert len(parsed.worksheets) == 1 and parsed.worksheets[0].part == ""
    assert list(parsed.worksheets[0].tables_found) == ["people", "mechanism", "data", "summary"]


def test_a_word_file_with_two_tambons_splits_at_the_second_place_line(tmp_path):
    import docx
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    write_docx(first, filled_for(0))
    write_docx(second, filled_for(1))
    combined = docx.Document(first)
    for element in docx.Document(second).element.body:
        if not element.tag.endswith("sectPr"):
            combined.element.body.append(element)
    raw = tmp_path / "raw"
    raw.mkdir()
    combined.save(raw / "two.docx")
    tables = normalise(raw, None, jobs=1, progress=False, cache=False).tables
    assert sorted(tables["tambons"].tambon_id) == sorted(CODES[:2])
    _check_tambon(tables, 0, "two.docx#text 1 – table 4")
    _check_tambon(tables, 1, "two.docx#text 5 – table 8")


def test_parse_document_refuses_a_file_of_several_worksheets():
    (doc,) = read_file(FIXTURES / "coordinator-place-lines.xlsx")
    with pytest.raises(ValueError, match="holds 3 worksheets"):
        parse_document(doc, CB)


def test_a_place_named_with_no_table_is_reported(tmp_path):
    import openpyxl
    from tests.worksheets import _put, table_block
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.cell(1, 1, filled_for(0).place_line)
    row = 3
    for code, lines in filled_for(0).tables.items():
        block = table_block(CB.table(code), lines)
        _put(sheet, block, (row, 0))
        row += len(block) + 2
    sheet.cell(row + 2, 1, filled_for(1).place_line)  # a second place, nothing under it
    raw = tmp_path / "raw"
    raw.mkdir()
    wb.save(raw / "x.xlsx")
    tables = normalise(raw, None, jobs=1, progress=False, cache=False).tables
    assert tables["tambons"].tambon_id.tolist() == [CODES[0]]
    p = tables["problems"]
    assert p[p.code == "place-without-tables"].message.str.contains("ริมใต้").tolist() == [True]
    assert isinstance(tables["ticks"], pd.DataFrame)
