"""The blank template, filled the way a team fills it in Excel, reads back exactly."""

from __future__ import annotations

import openpyxl
import pytest

from siianalysis.cli import main
from siianalysis.normalise import normalise
from siianalysis.text import fold, leading_number
from tests.worksheets import CB


def _fill(path, lang="th"):
    """Types into the template as a user would: finds each row by its number in column
    A-B, writes text, ✓ from the drop-down, and an "other" label; returns what was written."""
    wb = openpyxl.load_workbook(path)
    cover = wb.worksheets[0]
    values = {"tambon": "แม่แรม", "amphoe": "แม่ริม", "province": "เชียงใหม่", "worksheet_date": "๒๗ ต.ค. ๖๓"}
    labels = {CB.identity[k].text(lang): k for k in values}
    for row in cover.iter_rows():
        for cell in row:
            if cell.value in labels:
                cover.cell(cell.row, cell.column + 1, values[labels[cell.value]])
    expected_texts, expected_ticks, expected_labels = {}, {}, {}
    for table, sheet in zip(CB.tables, wb.worksheets[1:]):
        header = None
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == table.label_column.text(lang):
                    header = (cell.row, cell.column)
        assert header, table.code
        cols = {}
        for row in sheet.iter_rows(min_row=header[0], max_row=header[0] + 1):
            for cell in row:
                for f in table.fields:
                    if fold(cell.value) == fold(f.label.seed_th if lang == "th" else f.label.en):
                        cols[f.code] = cell.column
                for o in table.outcomes:
                    if isinstance(cell.value, str) and leading_number(cell.value) == o.number and cell.row == header[0] + 1:
                        cols[o.code] = cell.column
        for row in sheet.iter_rows(min_row=header[0] + 1, max_col=header[1]):
            label = row[-1].value
            number = leading_number(label) if isinstance(label, str) else None
            if number is None or number % 2 == 0 and number != 6:  # leave rows 2, 4 (and 8) empty
                continue
            code = next(r.code for r in table.rows if r.number == number)
            r = row[-1].row
            if table.row(code).other:
                sheet.cell(r, header[1], f"{label} สภาเด็กและเยาวชนตำบล")
                expected_labels[code] = "สภาเด็กและเยาวชนตำบล"
            for f in table.fields:
                text = f"{f.label.th[:12]} ของแถว {code}\nบรรทัดที่สอง"
                sheet.cell(r, cols[f.code], text)
                expected_texts[(code, f.code)] = text
            for o in table.outcomes:
                ticked = (number + o.number) % 2 == 0
                sheet.cell(r, cols[o.code], "✓" if ticked else None)
                expected_ticks[(code, o.code)] = ticked
    wb.save(path)
    return expected_texts, expected_ticks, expected_labels


@pytest.mark.parametrize("lang", ["th", "en"])
def test_template_round_trip(tmp_path, lang):
    raw = tmp_path / "raw"
    raw.mkdir()
    assert main(["template", str(raw / "blank.xlsx"), "--lang", lang]) == 0
    texts, ticks, labels = _fill(raw / "blank.xlsx", lang)
    tables = normalise(raw, None, jobs=1, progress=False).tables
    assert tables["tambons"][["tambon_id", "worksheet_date", "tables"]].values.tolist() == [
        ["500707", "2020-10-27", "people,mechanism,data,summary"]]
    got_texts = {(r.row_code, r.field): r.text for r in tables["texts"].itertuples()}
    assert got_texts == texts
    got_ticks = {(r.row_code, r.criterion_code): r.ticked for r in tables["ticks"].itertuples()}
    assert got_ticks == ticks
    rows = dict(zip(tables["rows"].row_code, tables["rows"].label))
    assert {code: rows[code] for code in labels} == labels
    assert sorted(rows) == sorted({code for code, _ in texts})
    assert tables["problems"].empty, tables["problems"].to_dict("records")


def test_blank_template_reads_as_a_worksheet_with_no_rows(tmp_path):
    """The blank template is recognised as the worksheet (not ``not-a-worksheet``) and, sent
    back unfilled, is no tambon: one ``worksheet-unfilled`` error (issue 8's unseen files: a
    blank form must not become a tambon whose zeros pull the network down)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    main(["template", str(raw / "blank.xlsx")])
    tables = normalise(raw, None, jobs=1, progress=False).tables
    assert tables["rows"].empty and tables["ticks"].empty and tables["tambons"].empty
    assert list(tables["problems"].code) == ["worksheet-unfilled"]
