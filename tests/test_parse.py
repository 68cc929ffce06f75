"""The parser's rules: ticks, dates, places, labels, on single cells and real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from siianalysis.normalise import normalise
from siianalysis.parse import parse_document
from siianalysis.parse.dates import parse_date
from siianalysis.parse.resolve import resolve_place
from siianalysis.parse.ticks import read_tick
from siianalysis.readers import read_file
from siianalysis.readers.tidy_csv import write_tidy_csv
from siianalysis.text import clean, fold
from tests.odsfile import write_ods
from tests.worksheets import CB, Filled, Line, numbered, table_block, write_xlsx_one_sheet

PEOPLE = CB.table("people")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "worksheets-th.txt"


@pytest.mark.parametrize("spelling", ["✓", "✔", "☑", "☒", "✅", "/", "x", "X", "×", "1", "มี", "ใช่", "TRUE", "true",
                                      " ✓ ", "✓\n"])
def test_every_tick_spelling_ticks(spelling):
    reading = read_tick(spelling, CB)
    assert reading.ticked and not reading.ambiguous and reading.remark == ""


@pytest.mark.parametrize("spelling", ["", "-", "–", "0", "ไม่มี", "ไม่", "FALSE", "☐", "   "])
def test_every_not_ticked_spelling(spelling):
    reading = read_tick(spelling, CB)
    assert not reading.ticked and not reading.ambiguous and reading.remark == ""


@pytest.mark.parametrize("written, remark", [
    ("✓ (บางหมู่บ้าน)", "บางหมู่บ้าน"), ("✔ ทำครบ 12 หมู่", "ทำครบ 12 หมู่"), ("มี 3 หมู่บ้าน", "3 หมู่บ้าน"),
    ("x(บางส่วน)", "บางส่วน"), ("✓บางส่วน", "บางส่วน"), ("ใช่ - อบต.สนับสนุน", "อบต.สนับสนุน"),
])
def test_tick_followed_by_remark(written, remark):
    assert read_tick(written, CB) == read_tick("✓", CB).__class__(True, remark, False)


@pytest.mark.parametrize("written", ["กำลังดำเนินการ", "?", "2", "มีบางส่วน", "ใช่ค่ะ", "xyz"])
def test_ambiguous_cells_are_not_ticks_and_keep_their_text(written):
    reading = read_tick(written, CB)
    assert (reading.ticked, reading.ambiguous, reading.remark) == (False, True, clean(written))


def test_not_ticked_word_with_remark_is_not_read_as_a_tick():
    # "ไม่มี" contains "มี": the negative must win.
    assert read_tick("ไม่มี เพราะงบไม่พอ", CB) == read_tick("-", CB).__class__(False, "เพราะงบไม่พอ", False)


@pytest.mark.parametrize("written", ["๒๗ ตุลาคม ๒๕๖๓", "27 ต.ค. 63", "๒๗ ต.ค. ๖๓", "27/10/2563", "27-10-2020",
                                     "2020-10-27", "2563-10-27", "วันที่ 27 ตค. 2563", "27 Oct 2020",
                                     "วันที่ ๒๗ ตุลาคม พ.ศ. ๒๕๖๓", "2020-10-27T00:00:00", "27.10.20"])
def test_dates_as_teams_write_them(written):
    assert parse_date(written) == dt.date(2020, 10, 27)


@pytest.mark.parametrize("written", ["", "ไม่ระบุ", "31/02/2563", "ตุลาคม"])
def test_unreadable_dates(written):
    assert parse_date(written) is None


@pytest.mark.parametrize("tambon, amphoe, province, code", [
    ("ตำบลแม่แรม", "อำเภอแม่ริม", "จังหวัดเชียงใหม่", "500707"),
    ("ต.แม่แรม", "อ.แม่ริม", "จ.เชียงใหม่", "500707"),
    ("แม่แรม", "แม่ริม", "เชียงใหม่", "500707"),
    ("ต. ไชยสถาน", "อ.เมือง", "จ.น่าน", "550104"),
    ("ไชยสถาน", "เมืองน่าน", "น่าน", "550104"),
])
def test_places_resolve_to_dopa_codes(tambon, amphoe, province, code):
    place = resolve_place(tambon, amphoe, province)
    assert place.resolved and place.tambon_id == code and place.problem_code == ""


def test_repeated_tambon_names_need_their_district():
    ambiguous = resolve_place("ในเมือง")
    assert not ambiguous.resolved and ambiguous.problem_code == "ambiguous-tambon"
    assert ambiguous.tambon_id.startswith("u-") and "180101" in ambiguous.problem
    assert resolve_place("ในเมือง", "เมืองชัยนาท", "ชัยนาท").tambon_id == "180101"


def test_unresolved_ids_are_stable_and_apart():
    a = resolve_place("บ้านสุขใจ", "เมือง", "น่าน")
    assert a.tambon_id == resolve_place("ตำบลบ้านสุขใจ", "อ.เมือง", "จ.น่าน").tambon_id
    assert a.tambon_id != resolve_place("บ้านสุขใจ", "เมือง", "แพร่").tambon_id
    assert resolve_place("", "", "", "a.xlsx").tambon_id != resolve_place("", "", "", "b.xlsx").tambon_id


def test_wrong_district_resolves_within_province_with_a_warning():
    place = resolve_place("แม่แรม", "แม่แตง", "เชียงใหม่")
    assert place.tambon_id == "500707" and place.problem_code == "district-mismatch"


def test_seed_labels_fold_to_codebook_keys():
    # Every handout label, as printed, with its numbering, matches its own row.
    for table in CB.tables:
        for row in table.canonical_rows:
            assert fold(f"{row.number}. {row.label.seed_th}") in row.label.keys()


def _parse_cells(tmp_path, cells, name="x.xlsx"):
    write_ods(tmp_path / "x.ods", {"แผ่น1": cells})
    (doc,) = read_file(tmp_path / "x.ods", name)
    return parse_document(doc, CB)


def test_one_level_header_thai_digits_and_handout_typos(tmp_path):
    block = table_block(CB.table("mechanism"), [
        Line("๔. ขอกำหนด-กรอบการยึดถือร่วมกัน เช่น ระเบียบชุมชน", {"assets": "ธรรมนูญสุขภาพ"}, {"MC4": "✓"}),
        Line("๗. อื่น ๆ (ระบุ) ..........."),  # the empty handout slot: not a reported row
    ], two_level=False, numbers_only=True)
    block[1] = [c.replace("๑", "1") for c in block[1]]
    block[1] = [("๔" if c == "4" else c) for c in block[1]]  # a Thai-digit outcome header
    ws = _parse_cells(tmp_path, [["ต.แม่แรม อ.แม่ริม จ.เชียงใหม่"], [], *block])
    assert [(r.row_code, r.ticks["MC4"], r.texts) for r in ws.rows] == [("M4", True, {"assets": "ธรรมนูญสุขภาพ"})]
    assert ws.identity.get("tambon") == "แม่แรม"


def test_extra_other_rows_beyond_the_slots_go_to_the_problems_log(tmp_path):
    lines = [Line(f"{6 + i}. อื่น ๆ (ระบุ) กลุ่มที่ {i}", {"method": f"วิธี {i}"}) for i in range(3)]
    lines.append(Line("9. ชมรมผู้สูงอายุ", {"method": "เยี่ยมบ้าน"}, {"PC1": "✓"}))
    ws = _parse_cells(tmp_path, table_block(PEOPLE, lines))
    assert [(r.row_code, r.label) for r in ws.rows] == [("P6", "กลุ่มที่ 0"), ("P7", "กลุ่มที่ 1")]
    extra = [p for p in ws.problems if p.code == "extra-row"]
    assert len(extra) == 2 and "วิธี 2" in extra[0].message and "ชมรมผู้สูงอายุ" in extra[1].message
    assert "ticked PC1" in extra[1].message


def test_unknown_label_takes_an_other_slot_and_duplicates_merge(tmp_path):
    ws = _parse_cells(tmp_path, table_block(PEOPLE, [
        Line(numbered(PEOPLE, "P1"), {"method": "ก"}, {"PC1": "✓"}),
        Line("ปราชญ์ชาวบ้าน", {"method": "ถ่ายทอดภูมิปัญญา"}, {"PC5": "✓"}),
        Line("1. คนต้นแบบ", {"method": "ข"}, {"PC2": "✓"}),
    ]))
    rows = {r.row_code: r for r in ws.rows}
    assert rows["P6"].label == "ปราชญ์ชาวบ้าน" and rows["P6"].ticks["PC5"]
    assert rows["P1"].texts["method"] == "ก\nข" and rows["P1"].ticks["PC1"] and rows["P1"].ticks["PC2"]
    assert [p.code for p in ws.problems if p.code == "duplicate-row"] == ["duplicate-row"]


def test_tidy_csv_goes_through_the_same_parser(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    base = {"tambon": "แม่แรม", "amphoe": "แม่ริม", "province": "เชียงใหม่", "worksheet_date": "2020-11-02"}
    write_tidy_csv(raw / "export.csv", [
        {**base, "table": "people", "row_code": "P2", "label": "", "field": "method", "value": "อบรมแกนนำ"},
        {**base, "table": "people", "row_code": "P2", "label": "", "field": "PC3", "value": "✓"},
        {**base, "table": "people", "row_code": "P6", "label": "อสม.", "field": "PC1", "value": "มี"},
        {**base, "table": "summary", "row_code": "S2", "label": "", "field": "plan", "value": "ตั้งกองทุน"},
    ])
    tables = normalise(raw, None, jobs=1, progress=False).tables
    assert tables["tambons"].tambon_id.tolist() == ["500707"]
    assert tables["tambons"].worksheet_date.tolist() == ["2020-11-02"]
    assert tables["rows"][["row_code", "label"]].values.tolist() == [
        ["P2", PEOPLE.row("P2").label.th], ["P6", "อสม."], ["S2", CB.table("summary").row("S2").label.th]]
    ticks = tables["ticks"]
    assert ticks[ticks.ticked][["row_code", "criterion_code"]].values.tolist() == [["P2", "PC3"], ["P6", "PC1"]]


def test_ods_with_all_tables_on_one_sheet(tmp_path):
    filled = Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27/10/2563", {
        code: [Line(numbered(CB.table(code), CB.table(code).rows[0].code), {CB.table(code).fields[0].code: "ข้อความ"},
                    {o.code: "✓" for o in CB.table(code).outcomes[:2]})]
        for code in ("people", "mechanism", "data", "summary")
    })
    xlsx = write_xlsx_one_sheet(tmp_path / "a.xlsx", filled, offset=(5, 3))
    (doc,) = read_file(xlsx)
    ws = parse_document(doc, CB)
    assert list(ws.tables_found) == ["people", "mechanism", "data", "summary"]
    assert [r.row_code for r in ws.rows] == ["P1", "M1", "D1", "S1"]
    assert all(r.texts for r in ws.rows) and ws.problems == []
    assert ws.tables_found["people"] == "แบบฟอร์ม!D7"
    # The same cells as an .ods give the same rows.
    grid = doc.grids[0]
    cells = [[""] * grid.origin[1] + row for row in grid.cells]
    write_ods(tmp_path / "b.ods", {"แบบฟอร์ม": [[] for _ in range(grid.origin[0])] + cells})
    (doc2,) = read_file(tmp_path / "b.ods")
    ws2 = parse_document(doc2, CB)
    assert [(r.row_code, r.ticks, r.texts) for r in ws2.rows] == [(r.row_code, r.ticks, r.texts) for r in ws.rows]


def test_codebook_carries_the_handout_labels_exactly():
    if not SEED.exists():
        pytest.skip("the handout (../shared/seed) is not beside this clone")
    cells = {c.strip() for line in SEED.read_text(encoding="utf-8").splitlines() for c in line.split("\t")}
    for table in CB.tables:
        for row in table.rows:
            assert f"{row.number}. {row.label.seed_th}" in cells, row.code
        for o in table.outcomes:
            assert f"{o.number}. {o.label.seed_th}" in cells, o.code
        for f in table.fields:
            assert f.label.seed_th in cells, f.code
        assert table.label_column.seed_th in cells
    assert CB.outcomes_header.seed_th in cells
