"""Records (structured sources: the tidy CSV, form exports next) read into the same worksheets as grids."""

from __future__ import annotations

from pathlib import Path

from siianalysis.normalise import normalise
from siianalysis.parse import parse_worksheets
from siianalysis.readers import RawDocument, Record, read_file
from siianalysis.readers.tidy_csv import write_tidy_csv
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_per_sheet

PEOPLE, MECH, DATA, SUMMARY = (CB.table(c) for c in ("people", "mechanism", "data", "summary"))
PLACE = {"tambon": "แม่แรม", "amphoe": "แม่ริม", "province": "เชียงใหม่", "worksheet_date": "2020-10-27"}


def rec(table, row_code, field, value, label="", **place):
    return {**PLACE, **place, "table": table, "row_code": row_code, "label": label, "field": field, "value": value}


def parse_csv(tmp_path: Path, records: list[dict], name: str = "t.csv"):
    """The one worksheet a tidy CSV holds, and the document's own problems."""
    (doc,) = read_file(write_tidy_csv(tmp_path / name, records))
    parsed = parse_worksheets(doc, CB)
    return (parsed.worksheets[0] if parsed.worksheets else None), parsed.problems


def rows_of(ws) -> dict[str, tuple[str, str, list[str], dict[str, str]]]:
    """row code → (label, source, outcomes ticked, texts)."""
    return {r.row_code: (r.label, r.source, [c for c, t in r.ticks.items() if t], r.texts) for r in ws.rows}


def problems_of(ws, *codes: str) -> list[tuple[str, str, str]]:
    return [(p.location, p.code, p.message) for p in ws.problems if not codes or p.code in codes]


# --------------------------------------------------------------------------- rows by code


def test_a_row_code_names_its_row_whatever_the_label_says(tmp_path):
    ws, _ = parse_csv(tmp_path, [
        rec("people", "P1", "method", "ก", label="คนต้นแบบ (ปราชญ์ชาวบ้าน)"),  # line 2: the label with an addition
        rec("people", "P2", "method", "ข", label="คนต้นแบบ"),                  # line 3: P1's label on P2
        rec("people", "P3", "method", "ค"),                                    # line 4: no label
        rec("people", "P4", "method", "ง", label="แกนนำผู้นำเยาวชน"),           # line 5: the codebook's, typed loosely
        rec("people", "P5", "plan", "จ", label="5. ผู้นำการเปลี่ยนแปลง"),         # line 6: numbered, P2's label
    ])
    assert rows_of(ws) == {
        "P1": ("คนต้นแบบ", "t.csv: line 2", [], {"method": "ก", "written_label": "คนต้นแบบ (ปราชญ์ชาวบ้าน)"}),
        "P2": (PEOPLE.row("P2").label.th, "t.csv: line 3", [], {"method": "ข", "written_label": "คนต้นแบบ"}),
        "P3": (PEOPLE.row("P3").label.th, "t.csv: line 4", [], {"method": "ค"}),
        "P4": (PEOPLE.row("P4").label.th, "t.csv: line 5", [], {"method": "ง"}),
        "P5": (PEOPLE.row("P5").label.th, "t.csv: line 6", [], {"plan": "จ", "written_label": "ผู้นำการเปลี่ยนแปลง"}),
    }
    assert problems_of(ws, "duplicate-row", "extra-row") == []


def test_other_rows_by_code_keep_the_teams_label(tmp_path):
    ws, _ = parse_csv(tmp_path, [
        rec("people", "P6", "method", "มีเนื้อหา"),                              # line 2: content, no label
        rec("people", "P7", "PC1", "✓", label="อื่น ๆ (ระบุ) ชมรมผู้สูงอายุ"),   # line 3: the handout's words cut off
        rec("mechanism", "M8", "plan", "แผน", label="กองทุนหมู่บ้าน"),            # line 4: M8 stays M8 (M7 unused)
        rec("data", "D6", "", "", label="ทีมอาสา"),                              # line 5: only names the row
        rec("data", "D7", "", "", label="อื่น ๆ (ระบุ)"),                         # line 6: the empty slot
    ])
    assert rows_of(ws) == {
        "P6": (PEOPLE.row("P6").label.th, "t.csv: line 2", [], {"method": "มีเนื้อหา"}),
        "P7": ("ชมรมผู้สูงอายุ", "t.csv: line 3", ["PC1"], {}),
        "M8": ("กองทุนหมู่บ้าน", "t.csv: line 4", [], {"plan": "แผน"}),
        "D6": ("ทีมอาสา", "t.csv: line 5", [], {}),
    }
    assert problems_of(ws, "other-row-unlabelled") == [
        ("line 2", "other-row-unlabelled", "people row P6: an 'other' row with content but no label of its own")]


def test_unknown_row_codes_follow_the_rules_for_labels(tmp_path):
    ws, _ = parse_csv(tmp_path, [
        rec("people", "X1", "method", "ก", label="กลุ่มแม่บ้าน"),    # line 2: next free "other" slot (P6)
        rec("people", "P7", "method", "ข", label="ชมรม"),           # line 3: P7 by code
        rec("people", "X2", "method", "ค", label="กลุ่มออมทรัพย์"),  # line 4: no slot left
        rec("people", "X3", "method", "ง", label="คนต้นแบบ"),        # line 5: names P1, which is there
        rec("people", "P1", "method", "หนึ่ง"),                      # line 6
        rec("people", "", "plan", "ต่อ"),                            # line 7: no code, no label: continues P1
        rec("people", "X4", "PC2", "✓"),                             # line 8: no label: its code is its label
    ])
    assert rows_of(ws) == {
        "P1": ("คนต้นแบบ", "t.csv: line 6", [], {"method": "หนึ่ง\nง", "plan": "ต่อ"}),
        "P6": ("กลุ่มแม่บ้าน", "t.csv: line 2", [], {"method": "ก"}),
        "P7": ("ชมรม", "t.csv: line 3", [], {"method": "ข"}),
    }
    assert [(loc, code) for loc, code, _ in problems_of(ws, "extra-row", "duplicate-row")] == [
        ("line 4", "extra-row"), ("line 5", "duplicate-row"), ("line 8", "extra-row")]
    assert "label 'X4'; ticked PC2" in problems_of(ws, "extra-row")[1][2]


def test_values_twice_joined_and_unknown_fields_as_notes(tmp_path):
    ws, _ = parse_csv(tmp_path, [
        rec("people", "P1", "method", "ส่วนแรก"),
        rec("people", "P1", "budget", "5000"),        # unknown to every table
        rec("people", "P1", "method", "ส่วนหลัง"),
        rec("people", "P1", "MC1", "✓"),              # an outcome of another table
        rec("people", "P2", "MC1", "x"),
        rec("people", "P2", "budget", "100"),
        rec("summary", "S1", "PC1", "✓"),             # the summary has no outcomes
        rec("people", "P2", "Method", "อบรม"),         # codes in any case
        rec("PEOPLE", "p2", "pc3", "มี"),
    ])
    assert rows_of(ws) == {
        "P1": ("คนต้นแบบ", "t.csv: line 2", [], {"method": "ส่วนแรก\nส่วนหลัง", "note": "budget: 5000\nMC1: ✓"}),
        "P2": (PEOPLE.row("P2").label.th, "t.csv: line 6", ["PC3"], {"method": "อบรม", "note": "budget: 100\nMC1: x"}),
        "S1": (SUMMARY.row("S1").label.th, "t.csv: line 8", [], {"note": "PC1: ✓"}),
    }


# --------------------------------------------------------------------------- ticks


def test_ticks_by_the_codebook_each_table_read_together(tmp_path):
    ws, _ = parse_csv(tmp_path, [
        rec("people", "P1", "PC1", "✓"),                     # line 2
        rec("people", "P1", "PC2", "✗"),                     # line 3: beside ✓, a cross is "no"
        rec("people", "P2", "PC1", "✓ บางหมู่บ้าน"),          # line 4: a tick with a remark
        rec("people", "P2", "PC3", "บางส่วน"),               # line 5: ambiguous
        rec("people", "P3", "PC5", "ไม่มี เพราะยังไม่ได้ทำ"),   # line 6
        rec("mechanism", "M1", "MC1", "✗"),                  # line 7: the only mark of its table: "reached"
        rec("mechanism", "M2", "MC2", "❌"),                  # line 8
        rec("mechanism", "M2", "MC3", "-"),                  # line 9
    ])
    rows = rows_of(ws)
    assert rows["P1"][2:] == (["PC1"], {})
    assert rows["P2"][2:] == (["PC1"], {"remark.PC1": "บางหมู่บ้าน", "remark.PC3": "บางส่วน"})
    assert rows["P3"][2:] == ([], {"remark.PC5": "เพราะยังไม่ได้ทำ"})
    assert rows["M1"][2] == ["MC1"] and rows["M2"][2] == ["MC2"]
    assert problems_of(ws, "ambiguous-tick", "cross-as-tick", "cross-as-not-reached") == [
        ("line 2", "cross-as-not-reached",
         ("table 1 (people) is marked with ✓ and with ✗: a cross beside other tick marks means 'no', "
          "so its 1 cell is read as not reached (line 3)")),
        ("line 5", "ambiguous-tick",
         "people outcome PC3: 'บางส่วน' is not a tick the codebook knows; counted as not reached, kept as a remark"),
        ("line 7", "cross-as-tick",
         ("table 2 (mechanism) is marked only with ✗ ❌: read as the Thai cross that marks a choice, "
          "so its 2 cells are read as reached (line 7, line 8)")),
    ]


# --------------------------------------------------------------------------- tables and place


def test_unknown_tables_are_reported_with_their_lines(tmp_path):
    ws, outside = parse_csv(tmp_path, [
        rec("people", "P1", "method", "อบรม"),
        rec("budget", "B1", "amount", "5000", label="งบ"),
        rec("budget", "B2", "amount", "700"),
        rec("", "", "method", "ไม่มีตาราง"),
        rec("", "", "", ""),  # names only its place: nothing to report
    ])
    assert list(ws.tables_found) == ["people"]
    assert [(p.source_file, p.location, p.code, p.message) for p in outside] == [
        ("t.csv", "line 3", "text-outside-table",
         ("table 'budget' is none of the worksheet's tables (people, mechanism, data, summary), "
          "so its 2 record(s) are not read: B1 amount: '5000'; B2 amount: '700'")),
        ("t.csv", "line 5", "text-outside-table",
         ("table '' is none of the worksheet's tables (people, mechanism, data, summary), "
          "so its 1 record(s) are not read: (no row) method: 'ไม่มีตาราง'")),
    ]
    assert [p.message for p in ws.problems if p.code == "table-missing"] == [
        f"table {t.number} ({t.code}, {t.title.th}) was not found in this worksheet" for t in (MECH, DATA, SUMMARY)]


def test_place_from_the_records_else_the_file_name(tmp_path):
    ws, _ = parse_csv(tmp_path, [rec("people", "P1", "method", "ก", province="  จ.เชียงใหม่ ")])
    assert ws.identity.values == PLACE | {"province": "จ.เชียงใหม่"}
    assert set(ws.identity.locations.values()) == {"line 2"}
    blank = dict.fromkeys(PLACE, "")
    ws, _ = parse_csv(tmp_path, [rec("people", "P1", "method", "ก", **blank)], name="ต.แม่แรม อ.แม่ริม.csv")
    assert ws.identity.values == {"tambon": "แม่แรม", "amphoe": "แม่ริม"}
    assert ws.identity.locations == {"tambon": "file name", "amphoe": "file name"}


def test_problems_in_the_processed_tables_name_file_and_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_tidy_csv(raw / "export.csv", [
        rec("people", "P1", "PC1", "บางที"),                     # line 2
        rec("budget", "B1", "amount", "5000"),                   # line 3
        rec("people", "P1", "method", "ก", tambon="ไม่มีที่นี่"),   # line 4: another tambon, unknown
    ])
    write_tidy_csv(raw / "only-budget.csv", [rec("budget", "B1", "amount", "5000")])
    problems = normalise(raw, None, jobs=1, progress=False).tables["problems"]
    got = problems[problems.code != "table-missing"][["source_file", "location", "code", "tambon_id"]]
    assert sorted(got.itertuples(index=False, name=None)) == [
        ("export.csv", "line 2", "ambiguous-tick", "500707"),
        ("export.csv", "line 3", "text-outside-table", "500707"),
        ("export.csv", "line 4", "unknown-tambon", got.tambon_id[got.code == "unknown-tambon"].iloc[0]),
        ("only-budget.csv", "line 2", "text-outside-table", ""),
        ("only-budget.csv", "whole file", "not-a-worksheet", ""),
    ]
    assert got.tambon_id[got.code == "unknown-tambon"].iloc[0].startswith("u-")


# --------------------------------------------------------------------------- one parser, two forms


WRITTEN = {  # table → (row code, label as written, texts, ticks as spelled)
    "people": [("P1", "", {"method": "ถอดบทเรียน\nจัดเวที", "plan": "ยกย่อง"}, {"PC1": "✓", "PC3": "✔ (บางหมู่บ้าน)"}),
               ("P2", "", {"method": "อบรมแกนนำ"}, {"PC2": "x", "PC5": "1"}),
               ("P6", "สภาเด็กและเยาวชนตำบล", {"method": "ค่ายเยาวชน"}, {"PC1": "มี", "PC4": "กำลังทำ"})],
    "mechanism": [("M1", "", {"assets": "คณะทำงาน"}, {"MC1": "✗", "MC4": "✗"})],
    "data": [("D1", "", {"method": "สำรวจ"}, {"DC1": "ใช่", "DC2": "-", "DC3": "ไม่มี"})],
    "summary": [("S1", "", {"achievements": "มีคนต้นแบบ", "plan": "ขยายเครือข่าย"}, {})],
}


def test_a_worksheet_as_records_reads_as_the_same_worksheet_in_a_workbook(tmp_path):
    """The same worksheet typed in the handout's workbook and sent as a tidy CSV: the same rows,
    labels, ticks, texts and problems (but for where they were written)."""
    lines = {code: [Line(numbered(CB.table(code), row, label) if not label else
                         f"{CB.table(code).row(row).number}. {CB.table(code).row(row).label.th} {label}",
                         texts, ticks) for row, label, texts, ticks in rows]
             for code, rows in WRITTEN.items()}
    book = write_xlsx_per_sheet(tmp_path / "book.xlsx",
                                Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27 ต.ค. 2563", lines))
    (grid_doc,) = read_file(book)
    records = [rec(code, row, field, value, label=f"{CB.table(code).row(row).label.th} {label}".strip())
               for code, rows in WRITTEN.items() for row, label, texts, ticks in rows
               for field, value in [*texts.items(), *ticks.items()]]
    (record_doc,) = read_file(write_tidy_csv(tmp_path / "book.csv", records))
    (from_grid,) = parse_worksheets(grid_doc, CB).worksheets
    (from_records,) = parse_worksheets(record_doc, CB).worksheets

    def what(ws):
        return ([(r.table, r.row_code, r.label, r.ticks, r.texts) for r in ws.rows],
                sorted((p.code, p.message.split(" (")[0]) for p in ws.problems))

    assert what(from_records) == what(from_grid)
    assert [r.row_code for r in from_records.rows] == ["P1", "P2", "P6", "M1", "D1", "S1"]
    assert {p.code for p in from_records.problems} == {"ambiguous-tick", "cross-as-tick"}
    assert list(from_records.tables_found) == list(from_grid.tables_found)


# --------------------------------------------------------------------------- the next structured source


def test_records_from_any_structured_source(tmp_path):
    """What a form export's reader would hand over: records naming the export's row and
    column, the place in records of its own; the parser needs nothing else."""
    place = {"tambon": "แม่แรม", "amphoe": "แม่ริม", "province": "เชียงใหม่"}
    doc = RawDocument("kobo.xlsx", records=[
        Record("", "", "", "", "", "row 5, columns C-E", place),
        Record("", "", "", "", "", "row 5, column B", {"worksheet_date": "2020-10-27T09:12:44+07:00"}),
        Record("people", "P1", "", "method", "อบรม", "row 5, column F"),
        Record("people", "P1", "", "PC2", "1", "row 5, column G"),
        Record("people", "P6", "ชมรม", "PC1", "0", "row 5, column K"),
    ])
    (ws,) = parse_worksheets(doc, CB).worksheets
    assert ws.identity.locations == {"tambon": "row 5, columns C-E", "amphoe": "row 5, columns C-E",
                                     "province": "row 5, columns C-E", "worksheet_date": "row 5, column B"}
    assert rows_of(ws) == {
        "P1": ("คนต้นแบบ", "kobo.xlsx: row 5, column F", ["PC2"], {"method": "อบรม"}),
        "P6": ("ชมรม", "kobo.xlsx: row 5, column K", [], {}),
    }
