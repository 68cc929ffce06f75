"""Text a team wrote outside the tables is kept, located and shown (``parse.outside``).

Each worksheet is written twice by the same builder, with and without the team's
notes around its tables, so what the notes change (and what they must not) shows.
The files are written here with python-docx and openpyxl, and the same files as
LibreOffice saved them are committed under ``tests/fixtures/outside_text`` (made by
its ``make.py``): Word paragraphs before, between and after the tables, a comment
line under a Word table; a spreadsheet note beside a table's row, one beside its
title, one under each table.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from siianalysis.analysis.dataset import load
from siianalysis.analysis.gaps import strengths_and_gaps
from siianalysis.analysis.network import plan_theme_counts, table_terms
from siianalysis.analysis.team import team_words_frames
from siianalysis.normalise import normalise
from siianalysis.parse import parse_document, parse_worksheets
from siianalysis.parse.outside import is_handout_text
from siianalysis.readers import read_file
from siianalysis.sections import notes as notes_section
from siianalysis.words import texts as words
from siianalysis.workshop.compile import compile_html, compile_workbook
from siianalysis.workshop.xlsx import sheet_name
from tests.worksheets import (
    CB,
    Filled,
    Line,
    _put,
    body_row,
    header_rows,
    numbered,
    table_block,
)

FIXTURES = Path(__file__).parent / "fixtures" / "outside_text"
TAMBON_ID = "500707"  # แม่แรม, แม่ริม, เชียงใหม่
PEOPLE, SUMMARY = CB.table("people"), CB.table("summary")

FILLED = Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27 ตุลาคม 2563", {
    "people": [
        Line(numbered(PEOPLE, "P1"), {"method": "ยกย่องคนต้นแบบในงานประจำปี", "plan": "ถอดบทเรียนคนต้นแบบ"},
             {"PC1": "✓", "PC3": "✓"}),
        Line(numbered(PEOPLE, "P2"), {"method": "อบรมแกนนำ", "plan": "ค่ายพัฒนาแกนนำเยาวชน"}, {"PC2": "✓"}),
    ],
    "summary": [
        Line(numbered(SUMMARY, "S1"), {"achievements": "มีคนต้นแบบ 5 คน", "plan": "ขยายเครือข่ายผู้นำ"}),
        Line(numbered(SUMMARY, "S3"), {"achievements": "สำรวจข้อมูลด้วย TCNAP", "plan": "คืนข้อมูลผ่านเวทีประชาคม"}),
    ],
})

# What the team wrote around its tables (each is a note) ...
BEFORE = "ทีมเขียนร่วมกัน 12 คน ติดต่อ นายสมชาย ใจดี โทร 081-234-5678"
BETWEEN = "หมายเหตุ: แถวคนต้นแบบนับเฉพาะที่สภาองค์กรชุมชนคัดเลือก <b>ไม่รวม</b> ปีก่อน"
UNDER_WORD_TABLE = "หมายเหตุ: ข้อ 5 ยังไม่ได้ทำ"
AFTER = "ข้อมูลเพิ่มเติมอยู่ในแผนพัฒนาตำบล ปี 2564"
BESIDE_TITLE = "ผู้กรอก: นางสาวสมใจ รักดี โทร 089-111-2222"
BESIDE_ROW = "ทำร่วมกับ รพ.สต. & อบต. <ทุกหมู่บ้าน>"
UNDER_TABLE = "หมายเหตุ: ยังไม่ได้นับจำนวนจิตอาสา"
UNDER_LAST = "อ้างอิง: แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570)"
# ... and the handout's own words around them (none is)
TEMPLATE_TH = words("template", "th")
WORKSHOP, SUBTITLE, HEADING = TEMPLATE_TH["workshop"], TEMPLATE_TH["subtitle"], TEMPLATE_TH["instructions_heading"]
INSTRUCTION = TEMPLATE_TH["instructions"].splitlines()[1].format(tick="✓", other="")


def _title(table) -> str:
    return f"{CB.table_title_cue} {table.number} {table.title.seed_th}"


def _word_table(document, table, lines: list[Line], comment: str = "") -> None:
    heads = header_rows(table, two_level=False)
    cells = heads + [body_row(table, line) for line in lines] + ([[comment]] if comment else [])
    width = len(heads[0])
    word = document.add_table(rows=len(cells), cols=width)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            if value:
                word.cell(r, c).text = value


def write_docx(path: Path, with_notes: bool = True) -> Path:
    """Heading, place and date, a note, table 1 with a comment line under it, a note and the
    handout's instructions between the tables, table 4, a note and a page number after."""
    document = docx.Document()
    document.add_heading(SUBTITLE, level=1)
    document.add_paragraph(FILLED.place_line)
    document.add_paragraph(f"{CB.identity['worksheet_date'].th} {FILLED.date_text}")
    if with_notes:
        document.add_paragraph(BEFORE)
    document.add_paragraph(_title(PEOPLE))
    _word_table(document, PEOPLE, FILLED.tables["people"], UNDER_WORD_TABLE if with_notes else "")
    if with_notes:
        document.add_paragraph(BETWEEN)
    document.add_paragraph(HEADING)
    document.add_paragraph(INSTRUCTION)
    document.add_paragraph(_title(SUMMARY))
    _word_table(document, SUMMARY, FILLED.tables["summary"])
    if with_notes:
        document.add_paragraph(AFTER)
    document.add_paragraph("1")  # a page number
    document.save(path)
    return path


SHEET = "แบบฟอร์ม"
NOTE_COL = len(header_rows(PEOPLE, two_level=True)[0]) + 2  # one blank column right of table 1 (1-based)


def write_xlsx(path: Path, with_notes: bool = True) -> Path:
    """The workshop's title, place and date lines, table 1 (a note beside its title and one
    beside its first row, a comment under it), table 4 (a comment under it)."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = SHEET
    sheet.cell(1, 1, WORKSHOP)
    sheet.cell(2, 1, FILLED.place_line)
    sheet.cell(3, 1, f"{CB.identity['worksheet_date'].th} {FILLED.date_text}")
    people = table_block(PEOPLE, FILLED.tables["people"])  # title, two header rows, the rows
    _put(sheet, people, (3, 0))  # title on row 4
    first_body = 4 + 3
    row = 4 + len(people) + 1  # one blank row under the table
    if with_notes:
        sheet.cell(4, NOTE_COL, BESIDE_TITLE)
        sheet.cell(first_body, NOTE_COL, BESIDE_ROW)
        sheet.cell(row, 1, UNDER_TABLE)
    summary = table_block(SUMMARY, FILLED.tables["summary"])
    _put(sheet, summary, (row + 1, 0))
    last = row + 2 + len(summary)
    sheet.cell(last + 1, 1, HEADING)
    if with_notes:
        sheet.cell(last + 2, 1, UNDER_LAST)
    wb.save(path)
    return path


def _letter(col: int) -> str:
    return openpyxl.utils.get_column_letter(col)


UNDER_TABLE_ROW = 4 + len(table_block(PEOPLE, FILLED.tables["people"])) + 1
UNDER_LAST_ROW = UNDER_TABLE_ROW + 2 + len(table_block(SUMMARY, FILLED.tables["summary"])) + 2

DOCX_NOTES = [
    (BEFORE, "text 1, paragraph 4 (before table 1)"),
    (UNDER_WORD_TABLE, f"table 1, row {2 + len(FILLED.tables['people'])}, cell 1"),
    (BETWEEN, "text 2, paragraph 1 (after table 1)"),
    (AFTER, "text 3, paragraph 1 (after table 2)"),
]
XLSX_NOTES = [
    (BESIDE_TITLE, f"{SHEET}!{_letter(NOTE_COL)}4"),
    (BESIDE_ROW, f"{SHEET}!{_letter(NOTE_COL)}7"),
    (UNDER_TABLE, f"{SHEET}!A{UNDER_TABLE_ROW}"),
    (UNDER_LAST, f"{SHEET}!A{UNDER_LAST_ROW}"),
]


def _files(tmp_path: Path, kind: str) -> list[tuple[str, Path, list[tuple[str, str]]]]:
    """(name, file, expected notes): written here, and as LibreOffice saved it."""
    write, expected = (write_docx, DOCX_NOTES) if kind == "docx" else (write_xlsx, XLSX_NOTES)
    return [("python", write(tmp_path / f"notes.{kind}"), expected),
            ("libreoffice", FIXTURES / f"notes.{kind}", expected)]


def _parsed(path: Path):
    (doc,) = read_file(path, path.name)
    return parse_document(doc, CB)


def _table_cells(ws) -> list[tuple]:
    return [(r.table, r.row_code, r.label, sorted(r.ticks.items()), sorted(r.texts.items())) for r in ws.rows]


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_text_outside_the_tables_is_kept_with_where_it_was_written(tmp_path: Path, kind: str):
    for name, path, expected in _files(tmp_path, kind):
        ws = _parsed(path)
        assert [(n.text, n.source) for n in ws.notes] == [(text, f"{path.name}: {where}") for text, where in expected], name
        assert ws.identity.get("tambon") == "แม่แรม" and set(ws.tables_found) == {"people", "summary"}, name


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_notes_leave_the_tables_as_they_were(tmp_path: Path, kind: str):
    write = write_docx if kind == "docx" else write_xlsx
    with_notes = _parsed(write(tmp_path / f"with.{kind}"))
    plain = _parsed(write(tmp_path / f"plain.{kind}", with_notes=False))
    assert plain.notes == []
    assert _table_cells(with_notes) == _table_cells(plain)
    assert [r.row_code for r in with_notes.rows] == ["P1", "P2", "S1", "S3"]
    # the comment lines are notes now, not problems; nothing else changed
    assert [(p.code, p.message) for p in with_notes.problems] == [(p.code, p.message) for p in plain.problems]
    fixture = _parsed(FIXTURES / f"notes.{kind}")
    assert _table_cells(fixture) == _table_cells(with_notes)


def test_the_handouts_own_words_are_no_note():
    for line in [WORKSHOP, SUBTITLE, HEADING, INSTRUCTION, _title(PEOPLE), "ตารางที่ ๔ " + SUMMARY.title.seed_th,
                 "  " + PEOPLE.label_column.seed_th + " ", CB.outcomes_header.seed_th, numbered(PEOPLE, "P3"),
                 "Table 3: " + CB.table("data").title.en, words("template", "en")["instructions_heading"],
                 "ยุทธศาสตร์ S-21", "ทบทวนและออกแบบ\nแนวทางการพัฒนาระบบ\n\nตามปฏิบัติการ"]:  # the concept pages
        assert is_handout_text(line, CB), line
    for line in [BETWEEN, AFTER, WORKSHOP + " ปีนี้จัดที่อำเภอ", "ตารางที่ 1 เพิ่มเติม: รายชื่อคนต้นแบบ",
                 "ยุทธศาสตร์ S-21\nทีมเราเน้นเยาวชน"]:
        assert not is_handout_text(line, CB), line


def _normalised(tmp_path: Path, with_notes: bool) -> Path:
    raw = tmp_path / ("raw" if with_notes else "raw-plain")
    raw.mkdir()
    write_docx(raw / "ตำบลแม่แรม.docx", with_notes)
    normalise(raw, tmp_path / ("out" if with_notes else "out-plain"), jobs=1, progress=False, cache=False)
    return tmp_path / ("out" if with_notes else "out-plain")


def test_notes_are_stored_in_texts_and_loaded_as_notes(tmp_path: Path):
    out = _normalised(tmp_path, True)
    texts = pd.read_parquet(out / "texts.parquet")
    notes = texts[texts["table"] == CB.outside_tables.table]
    assert notes[["tambon_id", "row_code", "field"]].drop_duplicates().values.tolist() == [[TAMBON_ID, "", "note"]]
    assert list(notes["text"]) == [text for text, _ in DOCX_NOTES]
    assert list(notes["source"]) == [f"ตำบลแม่แรม.docx: {where}" for _, where in DOCX_NOTES]
    table_texts = texts[texts["table"] != CB.outside_tables.table]
    assert set(table_texts["row_code"]) == {"P1", "P2", "S1", "S3"}
    assert set(table_texts["source"]) == {""}  # a table's text is located by its row (rows.source)
    ds = load(out, cache=False)
    assert ds.notes.to_dict("records") == [
        {"tambon_id": TAMBON_ID, "text": text, "source": f"ตำบลแม่แรม.docx: {where}"} for text, where in DOCX_NOTES]
    assert "'- " not in (out / "texts.csv").read_text(encoding="utf-8-sig")


def test_the_report_lists_the_notes_escaped_and_masked(tmp_path: Path):
    ds = load(_normalised(tmp_path, True), cache=False)
    between = {"th": "ข้อความช่วงที่ 2 ในเอกสาร ย่อหน้าที่ 1 (ต่อจากตารางที่ 1 ในเอกสาร)",
               "en": "text 2 of the document, paragraph 1 (after table 1 of the document)"}
    for lang in ("th", "en"):
        html = str(notes_section.outside_tables(ds, TAMBON_ID, lang))
        assert words("outside_notes", lang)["title"] in html
        assert between[lang] in html and ".docx" not in html
        assert "&lt;b&gt;ไม่รวม&lt;/b&gt;" in html and "<b>" not in html
        assert "081-234-5678" not in html and "สมชาย" not in html  # a phone and a name after นาย
        assert "ทีมเขียนร่วมกัน 12 คน" in html and AFTER in html
    plain = load(_normalised(tmp_path, False), cache=False)
    section = notes_section.outside_tables(plain, TAMBON_ID, "en")
    assert words("outside_notes", "en")["none"] in str(section) and section.data["notes"].empty


def test_analyses_of_the_tables_do_not_read_the_notes(tmp_path: Path):
    ds, plain = load(_normalised(tmp_path, True), cache=False), load(_normalised(tmp_path, False), cache=False)
    assert len(ds.notes) == len(DOCX_NOTES) and plain.notes.empty
    for a, b in zip(team_words_frames(ds, TAMBON_ID).values(), team_words_frames(plain, TAMBON_ID).values()):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(plan_theme_counts(ds), plan_theme_counts(plain))
    tables = {t.code for t in CB.tables}
    terms = table_terms(ds)
    pd.testing.assert_frame_equal(terms[terms["table"].isin(tables)].reset_index(drop=True),
                                  table_terms(plain).reset_index(drop=True))
    pd.testing.assert_frame_equal(strengths_and_gaps(ds, TAMBON_ID), strengths_and_gaps(plain, TAMBON_ID))


def test_the_compilation_hands_the_notes_back_masked(tmp_path: Path):
    out = _normalised(tmp_path, True)
    compile_workbook(out, tmp_path / "compiled.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "compiled.xlsx")[sheet_name(words("outside_notes", "th")["sheet"])]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(line[0], line[2]) for line in lines] == [
        (TAMBON_ID, notes_section.where_in_file(where)) for _, where in DOCX_NOTES]
    assert lines[2][2] == "ข้อความช่วงที่ 2 ในเอกสาร ย่อหน้าที่ 1 (ต่อจากตารางที่ 1 ในเอกสาร)"
    assert [line[3] for line in lines][1:] == [text for text, _ in DOCX_NOTES][1:]
    assert lines[0][3].startswith("ทีมเขียนร่วมกัน 12 คน") and "081-234-5678" not in lines[0][3] \
        and "สมชาย" not in lines[0][3]
    compile_html(out, tmp_path / "site")
    page = (tmp_path / "site" / "compiled" / f"{TAMBON_ID}.html").read_text(encoding="utf-8")
    assert words("outside_notes", "th")["title"] in page
    assert "ข้อความช่วงที่ 3 ในเอกสาร ย่อหน้าที่ 1 (ต่อจากตารางที่ 2 ในเอกสาร)" in page
    assert "&lt;b&gt;ไม่รวม&lt;/b&gt;" in page and "<b>" not in page and "081-234-5678" not in page
    plain = _normalised(tmp_path, False)
    compile_workbook(plain, tmp_path / "plain.xlsx")
    assert len(openpyxl.load_workbook(tmp_path / "plain.xlsx").sheetnames) == 2  # no notes, no sheet


def test_the_run_says_how_many_notes_it_kept(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx(raw / "ต.แม่แรม.xlsx")
    result = normalise(raw, None, jobs=1, progress=False, cache=False)
    assert f"outside:     {len(XLSX_NOTES)} texts written outside the tables" in result.summary()
    write_xlsx(raw / "ต.แม่แรม.xlsx", with_notes=False)
    assert "outside:" not in normalise(raw, None, jobs=1, progress=False, cache=False).summary()


def test_a_note_belongs_to_the_worksheet_whose_part_of_the_file_it_is_in(tmp_path: Path):
    """A coordinator's sheet with two tambons, one under the other: each note under a table
    goes to the tambon whose place line that table follows; a note beside the second
    table's row goes there too."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "รวม"
    row, expected = 1, {}
    for place, tambon, note in [("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "แม่แรม", "หมายเหตุ: แม่แรมส่งครบ"),
                                ("ตำบลริมใต้ อำเภอแม่ริม จังหวัดเชียงใหม่", "ริมใต้", "หมายเหตุ: ริมใต้ส่งช้า")]:
        sheet.cell(row, 1, place)
        sheet.cell(row + 1, 1, f"{CB.identity['worksheet_date'].th} {FILLED.date_text}")
        block = table_block(PEOPLE, FILLED.tables["people"])
        _put(sheet, block, (row + 1, 0))
        sheet.cell(row + 2 + len(block), 1, note)
        expected[tambon] = [(note, f"รวม!A{row + 2 + len(block)}")]
        if tambon == "ริมใต้":
            sheet.cell(row + 5, NOTE_COL, "ข้างแถวของริมใต้")
            expected[tambon].insert(0, ("ข้างแถวของริมใต้", f"รวม!{_letter(NOTE_COL)}{row + 5}"))
        row += len(block) + 4
    wb.save(tmp_path / "coordinator.xlsx")
    (doc,) = read_file(tmp_path / "coordinator.xlsx", "coordinator.xlsx")
    parsed = parse_worksheets(doc, CB)
    got = {ws.identity.get("tambon"): [(n.text, n.source.removeprefix("coordinator.xlsx: ")) for n in ws.notes]
           for ws in parsed.worksheets}
    assert got == expected
