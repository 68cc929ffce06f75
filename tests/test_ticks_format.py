"""Ticks shown by formatting (fill colours, symbol fonts), crosses read by their
table, and formula cells with and without a stored value.

The files in tests/fixtures/ticks_format/ were written by LibreOffice (see its
make.py), but for formulas_openpyxl.xlsx, which is what a library writes.
"""

from __future__ import annotations

import io
import pickle
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl.styles import Color, PatternFill

from siianalysis.normalise import FileResult, normalise, process_file
from siianalysis.parse import parse_document
from siianalysis.parse.locate import find_blocks
from siianalysis.parse.ticks import TickReading, read_tick, read_tick_cells
from siianalysis.readers import read_file
from siianalysis.readers.grid import CellLook, Grid, RawDocument
from siianalysis.readers.spreadsheet import with_formulas
from siianalysis.readers.styles import WorkbookStyles
from tests.worksheets import CB, Line, numbered, table_block

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "ticks_format"
PEOPLE, MECH, DATA = (CB.table(c) for c in ("people", "mechanism", "data"))
TICK_CODES = ("ticks-from-colour", "cross-as-tick", "cross-as-not-reached", "ambiguous-tick")


def parsed(name: str):
    return parse_document(read_file(FIXTURES / name)[0])


def ticked(worksheet) -> dict[str, list[str]]:
    """Row code → the outcomes ticked on it, for every row read."""
    return {row.row_code: sorted(c for c, on in row.ticks.items() if on) for row in worksheet.rows}


def tick_problems(worksheet) -> list[tuple[str, str]]:
    return [(p.code, p.location) for p in worksheet.problems if p.code in TICK_CODES]


# --------------------------------------------------------------------------- fill colour


@pytest.mark.parametrize("name", ["colour_ticks.xlsx", "colour_ticks.ods"])
def test_ticks_shown_by_colour_alone(name):
    ws = parsed(name)
    assert ticked(ws) == {
        # yellow ticks, and a green one in the orange-tinted PC5 column (the tint is the column's: no tick)
        "P1": ["PC1", "PC3"], "P2": ["PC2", "PC5"], "P3": [], "P4": ["PC4"],
        # green ticks on rows banded blue from label to plan (the banding is the row's: no tick)
        "M1": ["MC1", "MC4"], "M2": ["MC2"], "M3": ["MC7"], "M4": [],
        # green ticks on a tick area tinted as a whole (the table's background: no tick)
        "D1": ["DC1", "DC2"], "D2": ["DC1"], "D3": ["DC3"], "D4": [], "D5": [],
        "S1": [],
    }
    # one warning per table, at its header, naming the colours and the cells
    assert tick_problems(ws) == [("ticks-from-colour", "แบบฟอร์ม!B4"), ("ticks-from-colour", "แบบฟอร์ม!B13"),
                                 ("ticks-from-colour", "แบบฟอร์ม!B22")]
    people, mechanism, data = (p.message for p in ws.problems if p.code == "ticks-from-colour")
    assert "5 cells" in people and "#FFFF00: แบบฟอร์ม!D6, แบบฟอร์ม!F6, แบบฟอร์ม!E7, แบบฟอร์ม!G9" in people
    assert "#92D050: แบบฟอร์ม!H7" in people and "#FCE4D6" not in people and "#D9D9D9" not in people
    assert "4 cells" in mechanism and "#DDEBF7" not in mechanism
    assert "#FFF2CC on its other tick cells is taken as the table's background" in data
    # no remark was made up for an empty cell
    assert not [k for row in ws.rows for k in row.texts if k.startswith("remark.")]


def _fake_styles(fills: dict[tuple[int, int], str]):
    class Styles:
        def looks(self, sheet, cells):
            return {cell: CellLook(fills[cell]) for cell in cells if cell in fills}

    return Styles()


def _grid(lines: list[Line]) -> Grid:
    return Grid("t.xlsx", "ตาราง1", "sheet", table_block(PEOPLE, lines, two_level=True, title=False))


def test_a_fill_every_tick_cell_shares_is_no_tick():
    grid = _grid([Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}), Line(numbered(PEOPLE, "P2"), {"method": "ค่าย"})])
    block = find_blocks(grid, CB)[0]
    cells = [(r, c) for r in range(block.body_start, block.body_end) for c in block.outcome_cols]
    grid.styles = _fake_styles(dict.fromkeys(cells, "#FFF2CC"))
    result = read_tick_cells(grid, block, CB)
    assert not any(r.ticked for r in result.readings.values()) and not result.problems
    # white is no fill: white cells beside a coloured one leave the coloured one a tick
    grid.styles = _fake_styles({**dict.fromkeys(cells, "#FFFFFF"), cells[0]: "#00B050"})
    result = read_tick_cells(grid, block, CB)
    assert [cell for cell, r in result.readings.items() if r.ticked] == [cells[0]]
    assert [p.code for p in result.problems] == ["ticks-from-colour"]


def test_styles_are_read_only_for_tables_that_need_them(tmp_path: Path):
    # ticks written as text: no style is ever read
    path = tmp_path / "text.xlsx"
    wb = openpyxl.Workbook()
    for row in table_block(PEOPLE, [Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC1": "✓"})]):
        wb.active.append(row)
    wb.save(path)
    doc = read_file(path)[0]
    styles = doc.grids[0].styles
    assert isinstance(styles, WorkbookStyles)
    assert ticked(parse_document(doc)) == {"P1": ["PC1"]}
    assert styles._sheets == {} and styles._book is None
    # a table whose tick cells are all empty asks for its own sheet only
    doc = read_file(FIXTURES / "colour_ticks.xlsx")[0]
    parse_document(doc)
    assert list(doc.grids[0].styles._sheets) == ["แบบฟอร์ม"]


def test_xlsx_fills_by_theme_index_row_and_column(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "แผ่น1"
    ws["A1"] = "a"
    ws["B2"].fill = PatternFill("solid", fgColor=Color(theme=4, tint=0.4))
    ws["C2"].fill = PatternFill("solid", fgColor=Color(indexed=5))
    ws["D2"].fill = PatternFill("darkGray", fgColor="FF0000")
    ws.column_dimensions["F"].fill = PatternFill("solid", fgColor="00B050")
    ws.row_dimensions[4].fill = PatternFill("solid", fgColor="FFC000")
    wb.save(tmp_path / "s.xlsx")
    styles = read_file(tmp_path / "s.xlsx")[0].grids[0].styles
    found = {cell: look.fill for cell, look in styles.looks("แผ่น1", [(1, 1), (1, 2), (1, 3), (6, 5), (3, 0), (0, 0)]).items()}
    assert found == {(1, 1): "theme 4 +0.40", (1, 2): "#FFFF00", (1, 3): "darkGray #FF0000", (6, 5): "#00B050",
                     (3, 0): "#FFC000", (0, 0): ""}
    assert styles.looks("no such sheet", [(0, 0)]) == {}


def test_style_source_survives_pickling_without_the_file():
    doc = read_file(FIXTURES / "colour_ticks.xlsx")[0]
    grid = doc.grids[0]
    assert grid.ref(5, 3) == "แบบฟอร์ม!D6"
    assert grid.looks([(5, 3)]) == {(5, 3): CellLook("#FFFF00", "Calibri")}
    again = pickle.loads(pickle.dumps(FileResult("a.xlsx", reviews=[doc])))
    copy = again.reviews[0].grids[0]
    assert copy.cells == grid.cells and copy.looks([(5, 3)]) == {}
    assert len(pickle.dumps(grid.styles)) < 200  # the file's bytes stay behind


def test_colour_ticks_through_normalise_in_worker_processes(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("colour_ticks.xlsx", "symbol_font_ticks.ods", "crosses.xlsx"):
        shutil.copy(FIXTURES / name, raw / name)
    result = normalise(raw, tmp_path / "out", jobs=2, progress=False, cache=True)
    ticks = result.tables["ticks"]
    mae_raem = ticks[(ticks.tambon_id == "500707") & ticks.ticked]
    assert sorted(zip(mae_raem.row_code, mae_raem.criterion_code)) == [
        ("D1", "DC1"), ("D1", "DC2"), ("D2", "DC1"), ("D3", "DC3"), ("M1", "MC1"), ("M1", "MC4"), ("M2", "MC2"),
        ("M3", "MC7"), ("P1", "PC1"), ("P1", "PC3"), ("P2", "PC2"), ("P2", "PC5"), ("P4", "PC4")]
    codes = Counter(result.tables["problems"].code)
    assert (codes["ticks-from-colour"], codes["cross-as-tick"], codes["cross-as-not-reached"]) == (3, 2, 2)
    # and again from the per-file cache, which pickles the results
    again = normalise(raw, tmp_path / "out2", jobs=2, progress=False, cache=True)
    assert again.tables["ticks"].equals(result.tables["ticks"])


# --------------------------------------------------------------------------- symbol fonts


@pytest.mark.parametrize("name", ["symbol_font_ticks.xlsx", "symbol_font_ticks.ods"])
def test_ticks_typed_in_symbol_fonts(name):
    ws = parsed(name)
    assert ticked(ws) == {
        "P1": ["PC1", "PC2"],  # Wingdings ü ✓ and þ ☑; ¨ is an empty box
        "P2": ["PC4"],
        "M1": ["MC1"],  # Wingdings 2 P ✓; O is ✗ beside ticks: not reached
        "M2": ["MC3"],  # Wingdings 2 R ☑; S is ☒ beside ticks: not reached
        "D1": ["DC1"],  # ✓; "ü" in an ordinary font is no tick
    }
    assert tick_problems(ws) == [("cross-as-not-reached", "ตาราง2!A2"), ("ambiguous-tick", "ตาราง3!D4")]
    rows = {row.row_code: row for row in ws.rows}
    assert rows["D1"].texts["remark.DC2"] == "ü"
    assert "ตาราง2!D4, ตาราง2!F5" in next(p.message for p in ws.problems if p.code == "cross-as-not-reached")
    assert not [k for row in ws.rows if row.row_code != "D1" for k in row.texts if k.startswith("remark.")]


def test_word_symbols_use_the_codebook_map(tmp_path: Path):
    d = docx.Document()
    paragraph = d.add_paragraph()
    for font, char in (("Wingdings", "F0FC"), ("Wingdings", "F0FB"), ("Wingdings 2", "F052"),
                       ("Webdings", "F061"), ("Wingdings", "F0A8"), ("Symbol", "F0D6")):
        run = paragraph.add_run()
        sym = OxmlElement("w:sym")
        sym.set(qn("w:font"), font)
        sym.set(qn("w:char"), char)
        run._r.append(sym)
    paragraph.add_run("þ").font.name = "Wingdings"
    d.save(tmp_path / "s.docx")
    assert read_file(tmp_path / "s.docx")[0].grids[0].cells == [["✓✗☑✓☐√☑"]]
    assert CB.symbol_fonts["wingdings"]["ü"] == "✓" and CB.symbol_fonts["wingdings 2"]["P"] == "✓"


# --------------------------------------------------------------------------- crosses


def test_crosses_read_by_their_table():
    ws = parsed("crosses.xlsx")
    assert ticked(ws) == {
        "P1": ["PC1", "PC3"], "P2": ["PC2"],  # only ✗ in the table: the Thai mark, reached
        "M1": ["MC1"], "M2": ["MC4"],  # ✗ beside ✓ ✔: not reached
        "D1": ["DC1", "DC2"], "D2": ["DC3"],  # × beside the keyboard x: one mark, reached
    }
    rows = {row.row_code: row.texts for row in ws.rows}
    assert rows["P2"]["remark.PC2"] == "บางหมู่บ้าน"
    assert rows["M2"]["remark.MC3"] == "ยังไม่ได้ทำ"  # the text after a "no" cross is kept, the cross is not
    assert "remark.MC2" not in rows["M1"]
    assert tick_problems(ws) == [("cross-as-tick", "แบบฟอร์ม!B4"), ("cross-as-not-reached", "แบบฟอร์ม!B11"),
                                 ("cross-as-tick", "แบบฟอร์ม!B18")]
    people, mechanism, data = (p.message for p in ws.problems if p.code in TICK_CODES)
    assert "only with ✗" in people and "3 cells" in people
    assert "✓ ✔ and with ✗" in mechanism and "แบบฟอร์ม!E13, แบบฟอร์ม!F14" in mechanism
    assert "only with ×" in data and "1 cell is" in data and "แบบฟอร์ม!E20" in data


@pytest.mark.parametrize("written, remark", [("✗", ""), ("✘", ""), ("☒", ""), ("❌", ""), ("✗ ยังไม่ได้ทำ", "ยังไม่ได้ทำ"),
                                             ("×(บางส่วน)", "บางส่วน")])
def test_a_cross_alone_is_a_tick_that_its_table_may_turn(written, remark):
    assert read_tick(written, CB) == TickReading(True, remark, cross=True)


def test_x_beside_ticks_stays_a_tick():
    grid = _grid([Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC1": "✓", "PC2": "x", "PC3": "X"})])
    block = find_blocks(grid, CB)[0]
    result = read_tick_cells(grid, block, CB)
    assert sorted(block.outcome_cols[c] for (r, c), t in result.readings.items() if t.ticked) == ["PC1", "PC2", "PC3"]
    assert not result.problems


# --------------------------------------------------------------------------- formulas


def test_formulas_without_values_keep_their_text():
    ws = parsed("formulas_openpyxl.xlsx")
    rows = {row.row_code: row for row in ws.rows}
    assert rows["P1"].texts["method"] == '=CONCATENATE("อบรม","แกนนำ")'
    assert rows["P1"].texts["plan"] == '="ยกย่อง"&"เชิดชูเกียรติ"'
    # a tick cell holding a formula is no tick the codebook knows: said, and kept
    assert ticked(ws)["P1"] == ["PC3"]
    assert rows["P1"].texts["remark.PC1"] == '=IF(1=1,"✓","")'
    assert rows["P1"].texts["remark.PC2"] == '=IF(1=2,"✓","")'
    assert tick_problems(ws) == [("ambiguous-tick", "ตาราง1!C4"), ("ambiguous-tick", "ตาราง1!D4")]


def test_formulas_with_values_keep_the_value_shown():
    ws = parsed("formulas_libreoffice.xlsx")
    rows = {row.row_code: row for row in ws.rows}
    assert rows["P1"].texts == {"method": "อบรมแกนนำ", "plan": "ยกย่องเชิดชูเกียรติ"}
    assert ticked(ws) == {"P1": ["PC1", "PC3"], "M1": ["MC1"], "D1": ["DC1"]}  # "" computed: no tick
    assert tick_problems(ws) == []
    assert read_file(FIXTURES / "formulas_libreoffice.xlsx")[0].grids[1].cells[3][3] == ""  # ตาราง1!D4


def test_shared_formulas_and_formulas_beyond_the_text(tmp_path: Path):
    path = tmp_path / "shared.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "แผ่น1"
    ws["A1"], ws["A2"], ws["B1"], ws["B2"], ws["D5"] = 1, 2, "=A1*2", "=A2*2", '=IF(A1=1,"ใช่","")'
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<c r="B1"><f>A1\*2</f>', '<c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f>', sheet)
    sheet = re.sub(r'<c r="B2"><f>A2\*2</f>', '<c r="B2"><f t="shared" si="0"/>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    grid = read_file(path)[0].grids[0]
    assert grid.origin == (0, 0)
    assert grid.cells == [["1", "=A1*2", "", ""], ["2", "=A2*2", "", ""], ["", "", "", ""], ["", "", "", ""],
                          ["", "", "", '=IF(A1=1,"ใช่","")']]


def test_with_formulas_fills_only_empty_cells_and_grows_the_rectangle():
    rows, start = with_formulas([["a", ""]], (2, 1), {(2, 2): "=X", (2, 1): "=Y", (0, 4): "=Z"})
    assert start == (0, 1)
    assert rows == [["", "", "", "=Z"], ["", "", "", ""], ["a", "=X", "", ""]]
    assert with_formulas([], None, {(3, 3): "=1"}) == ([["=1"]], (3, 3))
    # a formula absurdly far away is not worth a giant grid
    assert with_formulas([["a"]], (0, 0), {(1_000_000, 16_000): "=1"}) == ([["a"]], (0, 0))


def test_word_grids_have_no_styles_and_read_as_before():
    grid = Grid("w.docx", "table 1", "docx-table", [["a"]])
    assert grid.looks([(0, 0)]) == {}
    assert RawDocument("w.docx", [grid]).grids[0].styles is None


def test_process_file_result_pickles_with_styles(tmp_path: Path):
    result = process_file(FIXTURES / "colour_ticks.ods", "colour_ticks.ods")
    assert result.submissions and pickle.loads(pickle.dumps(result)).source_file == "colour_ticks.ods"


def test_the_new_problem_codes_are_explained():
    words = yaml.safe_load((ROOT / "siianalysis" / "data" / "report_text.yaml").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("ticks-from-colour", "cross-as-tick", "cross-as-not-reached"):
        assert words["problem_codes"][code]["th"] and words["problem_codes"][code]["en"]
        assert f"`{code}`" in readme
