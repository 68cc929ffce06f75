"""Files made the way real senders make them, read back cell for cell.

Each case is a file the team had not seen before it was tried (``tests/fixtures/unseen``,
made by ``make.py`` there with LibreOffice): what happened before the fix is in the
test's docstring. The files are committed; CI needs no LibreOffice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from siianalysis.normalise import normalise
from siianalysis.parse.dates import parse_date
from tests.worksheets import CB, Line, numbered

FIXTURES = Path(__file__).parent / "fixtures" / "unseen"

BLANK_PLACE = "ตำบลป่าพลู อำเภอบ้านโฮ่ง จังหวัดลำพูน"
# (sheet, place line, date line, filled?) of the coordinator's workbook.
SHEETS = [
    ("ต.บ้านโฮ่ง", "ตำบลบ้านโฮ่ง อำเภอบ้านโฮ่ง จังหวัดลำพูน", "วันที่ 12 เดือนมกราคม พ.ศ. ๒๕๖๗", True),
    ("ต.ศรีเตี้ย", "ตำบลศรีเตี้ย อำเภอบ้านโฮ่ง จังหวัดลำพูน", "วันที่ 2024/01/15", True),
    ("ต.ป่าพลู", "ตำบลป่าพลู อำเภอบ้านโฮ่ง จังหวัดลำพูน", "วันที่ 16-Jan-2024", True),
    ("ต.เหล่ายาว", "ตำบลเหล่ายาว อำเภอบ้านโฮ่ง จังหวัดลำพูน", "วันที่ ....................", False),
]
CSV_PLACE = "ตำบลศรีเตี้ย อำเภอบ้านโฮ่ง จังหวัดลำพูน"  # 510304
CODES = {"ต.บ้านโฮ่ง": "510301", "ต.ศรีเตี้ย": "510304", "ต.ป่าพลู": "510302"}
DATES = {"ต.บ้านโฮ่ง": "2024-01-12", "ต.ศรีเตี้ย": "2024-01-15", "ต.ป่าพลู": "2024-01-16"}


def blank_lines() -> dict[str, list[Line]]:
    """The handout's rows with their printed labels and nothing written."""
    return {t.code: [Line(numbered(t, r.code)) for r in t.rows] for t in CB.tables}


def filled_for(sheet: str) -> dict[str, list[Line]]:
    """Sheet i: its first row of each ticked table has outcomes 1 and i+2 ticked and a text
    naming the sheet; table 4's first row an achievement naming it."""
    i = [s[0] for s in SHEETS].index(sheet)
    tables: dict[str, list[Line]] = {}
    for t in CB.tables:
        lines = [Line(numbered(t, r.code)) for r in t.rows]
        first = t.rows[0]
        field = t.fields[0].code
        ticks = {t.outcomes[0].code: "✓", t.outcomes[i + 1].code: "✓"} if t.outcomes else {}
        lines[0] = Line(numbered(t, first.code), {field: f"งานของ{sheet} ({t.code})"}, ticks)
        tables[t.code] = lines
    return tables


def phone_lines() -> dict[str, list[Line]]:
    """Ticks typed on a phone's keyboard: emoji with their variation selector, Thai digits."""
    tables = blank_lines()
    tables["people"][0] = Line(numbered(CB.table("people"), "P1"), {"method": "ค่ายเยาวชน"},
                               {"PC1": "✔\ufe0f", "PC2": "☑\ufe0f", "PC3": "๑", "PC4": "๐", "PC5": "N/A"})
    tables["mechanism"][0] = Line(numbered(CB.table("mechanism"), "M1"), {"assets": "สภาองค์กรชุมชน"},
                                  {"MC1": "✔\ufe0f มีบางหมู่บ้าน"})
    tables["data"][0] = Line(numbered(CB.table("data"), "D1"), {"method": "ทีม TCNAP"}, {"DC1": "✔\ufe0f"})
    return tables


def merged_lines() -> dict[str, list[Line]]:
    """Marks written once in cells merged by ``make.py`` (P1: PC1–PC5; M1–M2: MC4; D1: DC1–DC3)."""
    tables = blank_lines()
    tables["people"][0] = Line(numbered(CB.table("people"), "P1"), {"method": "อบรมแกนนำ"}, {"PC1": "✓ ทุกข้อ"})
    tables["mechanism"][0] = Line(numbered(CB.table("mechanism"), "M1"), {"assets": "คณะทำงานตำบล"},
                                  {"MC1": "✓", "MC4": "✓"})
    tables["mechanism"][1] = Line(numbered(CB.table("mechanism"), "M2"), {"assets": "เวทีประชาคม"}, {"MC2": "✓"})
    tables["data"][0] = Line(numbered(CB.table("data"), "D1"), {"method": "ทีมข้อมูล"}, {"DC1": "กำลังทำ"})
    return tables


def _run(tmp_path: Path, *names: str):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in names:
        (raw / name).write_bytes((FIXTURES / name).read_bytes())
    return normalise(raw, None, jobs=1, progress=False, cache=False)


def _problems(result, code: str):
    p = result.tables["problems"]
    return p[p["code"] == code]


@pytest.mark.parametrize("name", ["blank_form.xlsx", "blank_form.docx"])
def test_blank_form_sent_back_is_no_tambon_and_says_so(tmp_path, name):
    """Before: the blank handout became a tambon (u-… '........', or บ้านโฮ่ง with its place
    line filled) with every score 0, with only an unknown-tambon warning or none at all."""
    result = _run(tmp_path, name)
    assert result.tables["tambons"].empty
    assert result.tables["ticks"].empty and result.tables["texts"].empty
    unfilled = _problems(result, "worksheet-unfilled")
    assert list(unfilled["severity"]) == ["error"]
    assert list(unfilled["source_file"]) == [name]
    assert "people, mechanism, data, summary" in unfilled["message"].iloc[0]
    # the parser said why: no second, contradicting "no worksheet table" row
    assert _problems(result, "not-a-worksheet").empty
    assert _problems(result, "unknown-tambon").empty


def test_coordinator_workbook_dates_and_a_blank_sheet(tmp_path):
    """Before: the three dates were lost ('no-date', the line kept as a note) and the blank
    sheet became ต.เหล่ายาว with every score 0, with no problem at all."""
    name = "coordinator_dates_blank.xlsx"
    result = _run(tmp_path, name)
    tambons = result.tables["tambons"].set_index("tambon_id")
    assert sorted(tambons.index) == sorted(CODES.values())
    for sheet, code in CODES.items():
        assert tambons.loc[code, "worksheet_date"] == DATES[sheet]
        assert tambons.loc[code, "source_file"] == f"{name}#{sheet}"
    ticks = result.tables["ticks"]
    on = ticks[ticks["ticked"]]
    for i, (sheet, code) in enumerate(CODES.items()):
        mine = on[on["tambon_id"] == code]
        expected = {(t.rows[0].code, o) for t in CB.tables if t.outcomes
                    for o in (t.outcomes[0].code, t.outcomes[i + 1].code)}
        assert set(zip(mine["row_code"], mine["criterion_code"])) == expected
        assert len(ticks[ticks["tambon_id"] == code]) == sum(
            len(t.outcomes) for t in CB.tables if t.outcomes)  # only the rows written in
    texts = result.tables["texts"]
    for sheet, code in CODES.items():
        mine = texts[texts["tambon_id"] == code]
        assert set(mine["text"]) == {f"งานของ{sheet} ({t.code})" for t in CB.tables}
        assert set(mine["table"]) == {t.code for t in CB.tables}  # no date line kept as a note
    unfilled = _problems(result, "worksheet-unfilled")
    assert len(unfilled) == 1
    assert "'เหล่ายาว / บ้านโฮ่ง / ลำพูน'" in unfilled["message"].iloc[0]
    assert unfilled["location"].iloc[0].startswith("ต.เหล่ายาว!")
    assert _problems(result, "no-date").empty and _problems(result, "bad-date").empty
    assert _problems(result, "not-a-worksheet").empty


@pytest.mark.parametrize("text, iso", [
    ("วันที่ 12 เดือนมกราคม พ.ศ. ๒๕๖๗", "2024-01-12"),
    ("วันพุธที่ 12 เดือน มกราคม 2567", "2024-01-12"),
    ("2024/01/15", "2024-01-15"),
    ("2567/1/15", "2024-01-15"),
    ("16-Jan-2024", "2024-01-16"),
    ("27 ต.ค. 63", "2020-10-27"),
    ("2020-10-27", "2020-10-27"),
])
def test_dates_as_senders_write_them(text, iso):
    assert parse_date(text).isoformat() == iso


@pytest.mark.parametrize("name", ["sheet_csv_utf8.csv", "sheet_unicode_text.csv"])
def test_sheet_saved_as_csv_is_read_as_the_sheet(tmp_path, name):
    """Before: a worksheet sheet saved as CSV was refused (not-a-worksheet: "not a tidy
    worksheet CSV, missing column(s) …"), and the UTF-16 "Unicode Text" one as corrupt."""
    result = _run(tmp_path, name)
    assert list(result.tables["tambons"]["tambon_id"]) == ["510304"]
    assert list(result.tables["tambons"]["worksheet_date"]) == ["2024-02-05"]
    ticks = result.tables["ticks"]
    on = ticks[ticks["ticked"]]
    assert set(zip(on["row_code"], on["criterion_code"])) == {
        (t.rows[0].code, o) for t in CB.tables if t.outcomes for o in (t.outcomes[0].code, t.outcomes[1].code)}
    texts = result.tables["texts"]
    assert sorted(zip(texts["row_code"], texts["field"], texts["text"])) == sorted(
        (t.rows[0].code, t.fields[0].code, f"งานของต.บ้านโฮ่ง ({t.code})") for t in CB.tables)
    assert result.tables["problems"].empty


def test_csv_from_thai_windows_excel_says_each_lost_tick(tmp_path):
    """cp874 has no ✓: Excel writes '?', which cannot be told from a team's question mark.
    The sheet is read (before: refused whole), and each '?' is an ambiguous tick, quoted,
    on its line and column, never a silent 'not reached'."""
    result = _run(tmp_path, "sheet_thai_windows.csv")
    assert list(result.tables["tambons"]["tambon_id"]) == ["510304"]
    assert not result.tables["ticks"]["ticked"].any()
    ambiguous = _problems(result, "ambiguous-tick")
    assert len(ambiguous) == 6 and all("'?'" in m for m in ambiguous["message"])
    assert set(ambiguous["location"]) >= {"line 7, column 3", "line 7, column 4"}  # P1: outcomes 1, 2
    texts = result.tables["texts"]
    assert set(texts.loc[texts["field"].str.startswith("remark."), "text"]) == {"?"}


def test_ticks_typed_on_a_phone(tmp_path):
    """Before: ✔️/☑️ (with U+FE0F) were ticks with an invisible one-character remark stored as
    the team's text; ๑ was an ambiguous tick (not reached) though 1 is a tick; N/A left '/A'."""
    result = _run(tmp_path, "phone_ticks.xlsx")
    ticks = result.tables["ticks"]
    on = ticks[ticks["ticked"]]
    assert set(zip(on["row_code"], on["criterion_code"])) == {
        ("P1", "PC1"), ("P1", "PC2"), ("P1", "PC3"), ("M1", "MC1"), ("D1", "DC1")}
    texts = result.tables["texts"]
    assert sorted(zip(texts["row_code"], texts["field"], texts["text"])) == [
        ("D1", "method", "ทีม TCNAP"), ("M1", "assets", "สภาองค์กรชุมชน"), ("M1", "remark.MC1", "มีบางหมู่บ้าน"),
        ("P1", "method", "ค่ายเยาวชน")]
    assert result.tables["problems"].empty


@pytest.mark.parametrize("name", ["password.xlsx", "password.docx"])
def test_password_protected_office_file_says_so(tmp_path, name):
    """Before: the docx was "cannot open as a Word document (an old .doc renamed to .docx?)
    (File is not a zip file)"; the xlsx "the workbook is password-protected", with nothing
    to do. A good file beside it is still read."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_bytes((FIXTURES / name).read_bytes())
    (raw / "ok.csv").write_bytes((FIXTURES / "sheet_csv_utf8.csv").read_bytes())
    result = normalise(raw, None, jobs=1, progress=False, cache=False)
    assert list(result.tables["tambons"]["tambon_id"]) == ["510304"]
    problems = result.tables["problems"]
    assert list(zip(problems["source_file"], problems["severity"], problems["code"])) == [
        (name, "error", "corrupt-file")]
    message = problems["message"].iloc[0]
    assert "password-protected" in message and "remove the password" in message and ".doc" not in message


@pytest.mark.parametrize("name", ["framed.docx", "framed.odt"])
def test_worksheet_inside_a_frame_table(tmp_path, name):
    """Before: a worksheet typed inside a one-cell table (a frame around the page) was
    not-a-worksheet: its tables were flattened into the frame cell's text."""
    result = _run(tmp_path, name)
    assert list(result.tables["tambons"]["tambon_id"]) == ["510304"]
    assert list(result.tables["tambons"]["worksheet_date"]) == ["2024-02-05"]
    assert result.tables["tambons"]["tables"].iloc[0] == "people,mechanism,data,summary"
    ticks = result.tables["ticks"]
    on = ticks[ticks["ticked"]]
    assert set(zip(on["row_code"], on["criterion_code"])) == {  # sheet 1: outcomes 1 and 3
        (t.rows[0].code, o) for t in CB.tables if t.outcomes for o in (t.outcomes[0].code, t.outcomes[2].code)}
    texts = result.tables["texts"]
    assert sorted(zip(texts["row_code"], texts["field"], texts["text"])) == sorted(
        (t.rows[0].code, t.fields[0].code, f"งานของต.ศรีเตี้ย ({t.code})") for t in CB.tables)
    assert result.tables["problems"].empty


@pytest.mark.parametrize("name", ["merged_ticks.xlsx", "merged_ticks.docx"])
def test_mark_in_merged_cells_counts_for_every_box_it_covers(tmp_path, name):
    """Before: "✓ ทุกข้อ" merged across five outcome boxes counted for the first one only,
    and a ✓ merged down two rows for the first row only, with no problem row."""
    result = _run(tmp_path, name)
    ticks = result.tables["ticks"]
    on = ticks[ticks["ticked"]]
    assert set(zip(on["row_code"], on["criterion_code"])) == {
        ("P1", "PC1"), ("P1", "PC2"), ("P1", "PC3"), ("P1", "PC4"), ("P1", "PC5"),
        ("M1", "MC1"), ("M1", "MC4"), ("M2", "MC2"), ("M2", "MC4")}
    texts = result.tables["texts"]
    remarks = texts[texts["field"].str.startswith("remark.")]
    assert sorted(zip(remarks["row_code"], remarks["field"], remarks["text"])) == [
        ("D1", "remark.DC1", "กำลังทำ"), ("P1", "remark.PC1", "ทุกข้อ")]  # once, not per box
    problems = result.tables["problems"]
    assert sorted(problems["code"]) == ["ambiguous-tick", "tick-merged", "tick-merged"]
    merged = problems[problems["code"] == "tick-merged"]["message"]
    where = "ใบงาน!C7:G7" if name.endswith(".xlsx") else "table 1, row 2, cell 3 to table 1, row 2, cell 7"
    assert any(f"'✓ ทุกข้อ' in {where} (PC1, PC2, PC3, PC4, PC5)" in m for m in merged)
    assert any("(MC4)" in m for m in merged)
    ambiguous = problems[problems["code"] == "ambiguous-tick"]
    assert len(ambiguous) == 1 and "'กำลังทำ'" in ambiguous["message"].iloc[0]


@pytest.mark.parametrize("name", ["letterhead_place.docx", "letterhead_other.docx"])
def test_place_in_the_page_footer_when_the_body_names_none(tmp_path, name):
    """Before: a tambon named only in the page footer gave an unresolved tambon (no-tambon).
    The body's own place line still wins over a header copied from another tambon's file,
    and a mention of "ตำบล…" in a letterhead is no place."""
    result = _run(tmp_path, name)
    tambons = result.tables["tambons"]
    assert list(tambons["tambon_id"]) == ["510304"]
    assert list(tambons["tambon_th"]) == ["ศรีเตี้ย"] and list(tambons["worksheet_date"]) == ["2024-02-05"]
    texts = result.tables["texts"]
    assert set(texts["text"]) == {f"งานของต.ป่าพลู ({t.code})" for t in CB.tables}
    assert result.tables["problems"].empty


def test_date_left_blank_is_no_date_not_the_next_paragraph(tmp_path):
    """Before: "วันที่ ......" took the paragraph below as its value: "cannot read the date
    'ตารางที่ 1 …'" (bad-date, pointing at a table's title)."""
    result = _run(tmp_path, "undated.docx")
    assert list(result.tables["tambons"]["tambon_id"]) == ["510304"]
    assert list(result.tables["tambons"]["worksheet_date"]) == [""]
    problems = result.tables["problems"]
    assert list(zip(problems["code"], problems["location"])) == [("no-date", "whole file")]
