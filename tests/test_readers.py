"""Readers over real files written the way teams write them (openpyxl, python-docx, ODS, CSV)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from siianalysis.codebook import load_codebook
from siianalysis.parse import parse_worksheets
from siianalysis.readers import SUPPORTED_SUFFIXES, Grid, UnreadableFile, read_file
from siianalysis.readers.spreadsheet import cell_text
from siianalysis.readers.tidy_csv import TIDY_COLUMNS, write_tidy_csv
from tests.odsfile import write_ods

CB = load_codebook()
PEOPLE = CB.table("people")
TAMBON = "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่"
DATE_LINE = "วันที่ ๒๗ ตุลาคม ๒๕๖๓"


def only_doc(path: Path, **kw):
    docs = read_file(path, **kw)
    assert len(docs) == 1
    return docs[0]


def grid_named(doc, part: str) -> Grid:
    return next(g for g in doc.grids if g.part == part)


# --------------------------------------------------------------------------- spreadsheets


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """Table 1 at D5 with a two-level merged header, as a team lays it out."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ตาราง1"
    ws["D5"] = PEOPLE.label_column.th
    ws.merge_cells("D5:D6")
    ws["E5"] = CB.outcomes_header.th
    ws.merge_cells("E5:F5")
    ws["E6"] = 1
    ws["F6"] = 2
    ws["D7"] = "1. คนต้นแบบ\nพ่อหลวงบุญมา"
    ws["E7"] = "✓"
    ws["F7"] = 1
    ws["D8"] = dt.date(2020, 10, 27)
    ws["E8"] = 2.5
    ws["F8"] = True
    ws["G8"] = dt.datetime(2020, 10, 27, 13, 5)
    ws["H8"] = dt.time(8, 30)
    wb.create_sheet("ว่าง")  # empty: skipped
    hidden = wb.create_sheet("ซ่อน")
    hidden["A1"] = TAMBON
    hidden.sheet_state = "hidden"
    path = tmp_path / "แม่แรม.xlsx"
    wb.save(path)
    return path


def test_xlsx_cells_origin_and_refs(workbook: Path):
    doc = only_doc(workbook, display_name="north/แม่แรม.xlsx")
    assert doc.source_file == "north/แม่แรม.xlsx"
    assert [g.part for g in doc.grids] == ["ตาราง1", "ซ่อน"]
    g = doc.grids[0]
    assert (g.kind, g.source_file, g.origin) == ("sheet", "north/แม่แรม.xlsx", (4, 3))
    assert g.cells == [
        [PEOPLE.label_column.th, CB.outcomes_header.th, "", "", ""],
        ["", "1", "2", "", ""],
        ["1. คนต้นแบบ\nพ่อหลวงบุญมา", "✓", "1", "", ""],
        ["2020-10-27", "2.5", "TRUE", "2020-10-27T13:05:00", "08:30:00"],
    ]
    assert g.ref(0, 0) == "ตาราง1!D5"
    assert g.ref(1, 2) == "ตาราง1!F6"
    assert g.ref(3, 4) == "ตาราง1!H8"
    assert g.ref(2) == "ตาราง1!row 7"


def test_hidden_sheet_kept(workbook: Path):
    g = grid_named(only_doc(workbook), "ซ่อน")
    assert g.cells == [[TAMBON]]
    assert g.ref(0, 0) == "ซ่อน!A1"


@pytest.mark.parametrize("suffix", [".xlsm", ".XLSX"])
def test_other_excel_suffixes(workbook: Path, suffix: str):
    other = workbook.with_suffix(suffix)
    other.write_bytes(workbook.read_bytes())
    doc = only_doc(other)
    assert doc.source_file == other.name
    assert doc.grids[0].value(2, 0) == "1. คนต้นแบบ\nพ่อหลวงบุญมา"


def test_ods_offset_numbers_and_newlines(tmp_path: Path):
    path = write_ods(
        tmp_path / "t.ods",
        {
            "ตาราง2": [[], ["", ""], ["", "", "กลไกของพื้นที่", 1, 2.5], ["", "", "คณะทำงาน\nพัฒนาตำบล", "", "✓"]],
            "เปล่า": [],
            "ปก": [[TAMBON]],
        },
    )
    doc = only_doc(path)
    assert [g.part for g in doc.grids] == ["ตาราง2", "ปก"]
    g = doc.grids[0]
    assert g.cells == [["กลไกของพื้นที่", "1", "2.5"], ["คณะทำงาน\nพัฒนาตำบล", "", "✓"]]
    assert g.ref(0, 0) == "ตาราง2!C3"
    assert g.ref(1, 2) == "ตาราง2!E4"


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        ("", ""),
        (1.0, "1"),
        (-3.0, "-3"),
        (7, "7"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (False, "FALSE"),
        (dt.datetime(2020, 10, 27), "2020-10-27"),
        (dt.date(2563, 10, 27), "2563-10-27"),
        (dt.time(18, 0), "18:00:00"),
        (dt.timedelta(hours=26, minutes=5), "26:05:00"),
        (float("nan"), "nan"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


# --------------------------------------------------------------------------- Word


def _sym(paragraph, font: str, char: str) -> None:
    """Appends a Word "Insert ▸ Symbol" character (w:sym) to a paragraph."""
    run = paragraph.add_run()
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), font)
    sym.set(qn("w:char"), char)
    run._r.append(sym)


@pytest.fixture
def word_file(tmp_path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "หัวกระดาษ: ไม่ถูกอ่านเมื่อมีข้อความ"
    d.add_paragraph(TAMBON)
    d.add_paragraph("")
    d.add_paragraph(DATE_LINE)
    t = d.add_table(rows=3, cols=4)
    t.cell(0, 0).merge(t.cell(1, 0)).text = PEOPLE.label_column.th  # vertical merge
    t.cell(0, 1).merge(t.cell(0, 2)).text = CB.outcomes_header.th  # horizontal merge
    t.cell(0, 3).merge(t.cell(1, 3)).text = PEOPLE.field("plan").label.th
    t.cell(1, 1).text = "1"
    t.cell(1, 2).text = "2"
    t.cell(2, 0).text = "1. คนต้นแบบ"
    t.cell(2, 0).add_paragraph("พ่อหลวงบุญมา")
    _sym(t.cell(2, 1).paragraphs[0], "Wingdings", "F0FC")
    t.cell(2, 2).paragraphs[0].add_run("P").font.name = "Wingdings 2"
    inner = t.cell(2, 3).add_table(rows=2, cols=2)
    inner.cell(0, 0).text = "ค่ายเยาวชน"
    inner.cell(0, 1).text = "ปี 2564"
    inner.cell(1, 1).text = "สภาเด็ก"
    d.add_paragraph("ตารางที่ 2")
    d.add_table(rows=2, cols=2)  # left empty: skipped, but keeps its number
    t3 = d.add_table(rows=1, cols=2)
    t3.cell(0, 0).text = "S1"
    path = tmp_path / "แม่แรม.docx"
    d.save(path)
    return path


def test_docx_text_and_tables_in_order(word_file: Path):
    doc = only_doc(word_file, display_name="north/แม่แรม.docx")
    assert [(g.part, g.kind) for g in doc.grids] == [
        ("text 1", "docx-text"),
        ("table 1", "docx-table"),
        ("text 2", "docx-text"),
        ("table 3", "docx-table"),
    ]
    assert all(g.source_file == "north/แม่แรม.docx" for g in doc.grids)
    text = doc.grids[0]
    assert text.cells == [[TAMBON], [DATE_LINE]]
    assert text.ref(1, 0) == "text 1, paragraph 2"
    assert doc.grids[2].cells == [["ตารางที่ 2"]]
    assert doc.grids[3].cells == [["S1", ""]]


def test_docx_merges_nested_table_and_symbols(word_file: Path):
    g = only_doc(word_file).grids[1]
    assert g.cells == [
        [PEOPLE.label_column.th, CB.outcomes_header.th, "", PEOPLE.field("plan").label.th],
        ["", "1", "2", ""],
        ["1. คนต้นแบบ\nพ่อหลวงบุญมา", "✓", "✓", "ค่ายเยาวชน\tปี 2564\nสภาเด็ก"],
    ]
    assert g.ref(2, 3) == "table 1, row 3, cell 4"


def test_docx_header_only_when_body_has_no_text(tmp_path: Path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = TAMBON
    d.sections[0].header.add_paragraph(DATE_LINE)
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "คนต้นแบบ"
    path = tmp_path / "h.docx"
    d.save(path)
    doc = only_doc(path)
    assert [(g.part, g.kind) for g in doc.grids] == [("header", "docx-text"), ("table 1", "docx-table")]
    assert doc.grids[0].cells == [[TAMBON], [DATE_LINE]]


def test_docx_content_controls_are_read(tmp_path: Path):
    """Form-style documents wrap fields in content controls (w:sdt)."""
    d = docx.Document()
    body = d.element.body
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    p = d.add_paragraph(TAMBON)._p
    body.remove(p)
    content.append(p)
    sdt.append(content)
    body.insert(0, sdt)
    path = tmp_path / "form.docx"
    d.save(path)
    assert only_doc(path).grids[0].cells == [[TAMBON]]


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W14_NS = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def _checkbox_sdt(checked: bool) -> str:
    """A Word 2010+ check-box content control, showing ☒ or ☐ as Word does."""
    return (f'<w:sdt {W_NS} {W14_NS}><w:sdtPr><w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
            '</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>' + ("☒" if checked else "☐")
            + "</w:t></w:r></w:sdtContent></w:sdt>")


def _form_checkbox(checked: bool) -> str:
    """A legacy form-field check box (Developer ▸ Legacy tools): no text of its own."""
    state = '<w:checked/>' if checked else '<w:default w:val="0"/>'
    return (f'<w:r {W_NS}><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>{state}'
            '</w:checkBox></w:ffData></w:fldChar></w:r>')


def test_docx_check_boxes(tmp_path: Path):
    from docx.oxml import parse_xml

    d = docx.Document()
    t = d.add_table(rows=1, cols=4)
    for col, xml in enumerate([_checkbox_sdt(True), _checkbox_sdt(False), _form_checkbox(True), _form_checkbox(False)]):
        t.cell(0, col).paragraphs[0]._p.append(parse_xml(xml))
    path = tmp_path / "boxes.docx"
    d.save(path)
    assert only_doc(path).grids[0].cells == [["☑", "☐", "☑", "☐"]]


def test_docx_grid_before_and_ragged_rows(tmp_path: Path):
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).text = "a"
    t.cell(1, 1).text = "b"
    tr = t.rows[1]._tr
    tr.remove(tr.tc_lst[0])  # the row starts one grid column late
    tr.get_or_add_trPr().append(OxmlElement("w:gridBefore"))
    tr.trPr[-1].set(qn("w:val"), "1")
    tr.remove(tr.tc_lst[-1])  # ... and ends early
    path = tmp_path / "r.docx"
    d.save(path)
    assert only_doc(path).grids[0].cells == [["a", "", ""], ["", "b", ""]]


# --------------------------------------------------------------------------- tidy CSV


def rec(table, row_code, field, value, label="", tambon="แม่แรม", amphoe="แม่ริม", province="เชียงใหม่", date="2020-10-27"):
    return dict(tambon=tambon, amphoe=amphoe, province=province, worksheet_date=date,
                table=table, row_code=row_code, label=label, field=field, value=value)


def fields(records) -> list[tuple[str, str, str, str, str, str]]:
    """(table, row_code, label, field, value, ref) of each record, as the reader gave it."""
    return [(r.table, r.row_code, r.label, r.field, r.value, r.ref) for r in records]


def parsed_rows(doc) -> list[tuple[str, str, str, dict, dict]]:
    """(row code, label, source, ticks that are ticked, texts) of the one worksheet a document holds."""
    (ws,) = parse_worksheets(doc, CB).worksheets
    return [(r.row_code, r.label, r.source, [c for c, t in r.ticks.items() if t], r.texts) for r in ws.rows]


# The tidy CSV is read into records, not grids (the parser's work is no longer the
# reader's): what these tests pinned in the grid the old reader laid out like the
# handout (values, row order, line refs) is pinned in the records and, where the
# grid's ordering and matching were the parser's job, in the parsed rows.
def test_tidy_csv_two_tambons_read_as_records(tmp_path: Path):
    path = write_tidy_csv(tmp_path / "t.csv", [
        rec("people", "P2", "method", "อบรมแกนนำ"),          # line 2
        rec("people", "P1", "PC1", "✓"),                      # line 3
        rec("people", "P1", "method", "ถอดบทเรียน\nคนต้นแบบ"),  # line 4
        rec("people", "P6", "plan", "ขยายผล", label="อสม."),  # line 5
        rec("summary", "S1", "achievements", "มีคนต้นแบบ"),   # line 6
        rec("people", "P1", "PC5", "x", tambon="ริมใต้"),     # line 7
        rec("people", "P1", "plan", "เพิ่มแกนนำ"),            # line 8
    ])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    docs = read_file(path, display_name="forms/t.csv")
    assert len(docs) == 2
    doc = docs[0]
    assert doc.source_file == "forms/t.csv"
    assert doc.grids == []
    assert fields(doc.records) == [
        ("people", "P2", "", "method", "อบรมแกนนำ", "line 2"),
        ("people", "P1", "", "PC1", "✓", "line 3"),
        ("people", "P1", "", "method", "ถอดบทเรียน\nคนต้นแบบ", "line 4"),
        ("people", "P6", "อสม.", "plan", "ขยายผล", "line 5"),
        ("summary", "S1", "", "achievements", "มีคนต้นแบบ", "line 6"),
        ("people", "P1", "", "plan", "เพิ่มแกนนำ", "line 8"),
    ]
    place = {"tambon": "แม่แรม", "amphoe": "แม่ริม", "province": "เชียงใหม่", "worksheet_date": "2020-10-27"}
    assert all(r.identity == place for r in doc.records)

    # The handout's order (codebook rows, tables in turn) and each row's first line, now the parser's.
    (ws,) = parse_worksheets(doc, CB).worksheets
    assert list(ws.tables_found) == ["people", "summary"]
    assert ws.identity.values == place and ws.identity.locations["tambon"] == "line 2"
    assert parsed_rows(doc) == [
        ("P1", "คนต้นแบบ", "forms/t.csv: line 3", ["PC1"], {"method": "ถอดบทเรียน\nคนต้นแบบ", "plan": "เพิ่มแกนนำ"}),
        ("P2", PEOPLE.row("P2").label.th, "forms/t.csv: line 2", [], {"method": "อบรมแกนนำ"}),
        ("P6", "อสม.", "forms/t.csv: line 5", [], {"plan": "ขยายผล"}),
        ("S1", CB.table("summary").row("S1").label.th, "forms/t.csv: line 6", [], {"achievements": "มีคนต้นแบบ"}),
    ]

    other = docs[1]
    assert fields(other.records) == [("people", "P1", "", "PC5", "x", "line 7")]
    assert other.records[0].identity == place | {"tambon": "ริมใต้"}
    assert parsed_rows(other) == [("P1", "คนต้นแบบ", "forms/t.csv: line 7", ["PC5"], {})]


def test_tidy_csv_keeps_unknown_rows_fields_and_tables(tmp_path: Path):
    path = write_tidy_csv(tmp_path / "u.csv", [
        rec("people", "P1", "MC1", "✓"),                 # outcome of another table: the row's note
        rec("people", "P9", "method", "ไม่รู้", label="อื่นๆ"),  # unknown row: an "other" slot
        rec("budget", "B1", "amount", "5000", label="งบ"),  # unknown table: reported
    ])
    doc = only_doc(path)
    assert fields(doc.records) == [
        ("people", "P1", "", "MC1", "✓", "line 2"),
        ("people", "P9", "อื่นๆ", "method", "ไม่รู้", "line 3"),
        ("budget", "B1", "งบ", "amount", "5000", "line 4"),
    ]
    parsed = parse_worksheets(doc, CB)
    assert parsed_rows(doc) == [
        ("P1", "คนต้นแบบ", "u.csv: line 2", [], {"note": "MC1: ✓"}),
        ("P6", PEOPLE.row("P6").label.th, "u.csv: line 3", [], {"method": "ไม่รู้"}),
    ]
    (ws,) = parsed.worksheets
    assert [(p.location, p.code) for p in ws.problems if p.code != "table-missing"] == [
        ("line 3", "other-row-unlabelled")]
    (budget,) = parsed.problems
    assert (budget.source_file, budget.location, budget.code) == ("u.csv", "line 4", "text-outside-table")
    assert "'budget'" in budget.message and "B1 amount: '5000'" in budget.message


def test_tidy_csv_without_bom_columns_in_any_order_and_multiline(tmp_path: Path):
    header = ["value", "field", "row_code", "table", "label", "worksheet_date", "province", "amphoe", "tambon", "note"]
    where = "2563-10-27,เชียงใหม่,แม่ริม,แม่แรม"
    text = "\n".join([
        ",".join(header),
        f'"บรรทัด1\nบรรทัด2",method,P1,people,,{where},x',  # line 2 (one record over two text lines)
        "",                                                  # line 3, blank
        f"✓,pc2,p1,People,,{where},",                        # line 4: codes in any case
        f",,P7,people,ชมรมผู้สูงอายุ,{where},",               # line 5: only names an "other" row
    ]) + "\n"
    path = tmp_path / "plain.CSV"
    path.write_text(text, encoding="utf-8")
    doc = only_doc(path)
    assert fields(doc.records) == [  # as written: the parser matches codes ignoring case
        ("people", "P1", "", "method", "บรรทัด1\nบรรทัด2", "line 2"),
        ("People", "p1", "", "pc2", "✓", "line 4"),
        ("people", "P7", "ชมรมผู้สูงอายุ", "", "", "line 5"),
    ]
    assert doc.records[0].identity["worksheet_date"] == "2563-10-27"
    # One row P1 (no note: every code matched), and the "other" row the last line names.
    assert parsed_rows(doc) == [
        ("P1", "คนต้นแบบ", "plain.CSV: line 2", ["PC2"], {"method": "บรรทัด1\nบรรทัด2"}),
        ("P7", "ชมรมผู้สูงอายุ", "plain.CSV: line 5", [], {}),
    ]


def test_tidy_csv_thai_windows_encoding(tmp_path: Path):
    path = tmp_path / "cp874.csv"
    row = ["แม่แรม", "แม่ริม", "เชียงใหม่", "", "people", "P1", "", "method", "อบรม"]
    path.write_bytes((",".join(TIDY_COLUMNS) + "\r\n" + ",".join(row) + "\r\n").encode("cp874"))
    doc = only_doc(path)
    assert fields(doc.records) == [("people", "P1", "", "method", "อบรม", "line 2")]
    assert parsed_rows(doc) == [("P1", "คนต้นแบบ", "cp874.csv: line 2", [], {"method": "อบรม"})]


# --------------------------------------------------------------------------- unreadable files


def code_of(path: Path, **kw) -> str:
    with pytest.raises(UnreadableFile) as info:
        read_file(path, **kw)
    assert str(info.value)
    return info.value.code


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == {".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".odt", ".csv"}


@pytest.mark.parametrize("name", ["report.pdf", "notes.txt", "old.doc", "noext"])
def test_unsupported_format(tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 something")
    assert code_of(path) == "unsupported-format"


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.docx", "empty.csv", "empty.ods"])
def test_zero_bytes(tmp_path: Path, name: str):
    path = tmp_path / name
    path.touch()
    assert code_of(path) == "empty-file"


def test_workbook_without_text_is_empty(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active["B2"] = "   "
    wb.create_sheet("two")
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    assert code_of(path) == "empty-file"


def test_docx_without_text_is_empty(tmp_path: Path):
    d = docx.Document()
    d.add_paragraph("  ")
    d.add_table(rows=2, cols=2)
    path = tmp_path / "blank.docx"
    d.save(path)
    assert code_of(path) == "empty-file"


def test_csv_header_only_is_empty(tmp_path: Path):
    assert code_of(write_tidy_csv(tmp_path / "h.csv", [])) == "empty-file"


@pytest.mark.parametrize("name", ["junk.xlsx", "junk.xls", "junk.ods", "junk.xlsm", "junk.docx"])
def test_random_bytes_are_corrupt(tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_bytes(os.urandom(4096))
    with pytest.raises(UnreadableFile) as info:
        read_file(path, display_name=f"raw/{name}")
    assert info.value.code == "corrupt-file"
    assert "raw/" not in str(info.value)  # the file is named by the caller, not the message


def test_old_doc_renamed_docx_is_corrupt_with_hint(tmp_path: Path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048))
    with pytest.raises(UnreadableFile) as info:
        read_file(path)
    assert info.value.code == "corrupt-file" and ".doc" in str(info.value)


def test_workbook_named_docx_is_corrupt(workbook: Path, tmp_path: Path):
    path = tmp_path / "really-a-workbook.docx"
    path.write_bytes(workbook.read_bytes())
    assert code_of(path) == "corrupt-file"


def test_csv_with_other_columns_is_not_a_worksheet(tmp_path: Path):
    path = tmp_path / "other.csv"
    path.write_text("name,tambon,score\nก,แม่แรม,1\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        read_file(path)
    assert info.value.code == "not-a-worksheet"
    assert "amphoe" in str(info.value) and "row_code" in str(info.value) and "score" not in str(info.value)


def test_binary_csv_is_corrupt(tmp_path: Path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\xdb\xdc\xdd\xde" * 50)
    assert code_of(path) == "corrupt-file"


def test_file_too_large(workbook: Path):
    assert code_of(workbook, max_bytes=100) == "file-too-large"
    assert read_file(workbook, max_bytes=workbook.stat().st_size)  # the limit itself is allowed


def test_missing_file_is_unreadable(tmp_path: Path):
    assert code_of(tmp_path / "gone.xlsx") == "corrupt-file"
