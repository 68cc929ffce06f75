"""The blank template workbook and the deterministic sample network."""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from pathlib import Path

import docx
import geothai
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import siianalysis.sample as sample
from siianalysis._odswriter import OdsSheet, write_ods
from siianalysis._zipfreeze import freeze_zip
from siianalysis.codebook import load_codebook
from siianalysis.sample import content, generate_network, generate_sample, plan_sample
from siianalysis.sample.layouts import TIDY_COLUMNS
from siianalysis.sample.places import ANCHORS, NORTHERN_PROVINCES, UNKNOWN
from siianalysis.workshop.template import TICK, build_template, sheet_name, write_template

CB = load_codebook()
SPREADSHEETS = {".xlsx", ".xlsm", ".ods"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def texts(path: Path) -> list[str]:
    """Every non-empty cell or paragraph text of a spreadsheet or Word file."""
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        out = [p.text for p in document.paragraphs]
        out += [c.text for t in document.tables for row in t.rows for c in row.cells]
        return [t for t in out if t]
    wb = CalamineWorkbook.from_path(str(path))
    return [
        str(v)
        for name in wb.sheet_names
        for row in wb.get_sheet_by_name(name).to_python()
        for v in row
        if v not in ("", None)
    ]


# ---------------------------------------------------------------- template


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


def test_template_cover_has_identity_fields(template_path):
    wb = openpyxl.load_workbook(template_path)
    cover = wb.worksheets[0]
    _, layout = build_template()
    for key in ("tambon", "amphoe", "province", "worksheet_date"):
        cell = cover[layout.identity[key]]
        assert cell.value is None, key
        label = cover.cell(row=cell.row, column=cell.column - 1).value
        assert label == CB.identity[key].th
    text = " ".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert TICK in text and CB.table("people").other_rows[0].label.seed_th in text


def test_template_sheet_per_table_with_codebook_headers(template_path):
    wb = openpyxl.load_workbook(template_path)
    assert wb.sheetnames[1:] == [sheet_name(t) for t in CB.tables]
    for table in CB.tables:
        ws = wb[sheet_name(table)]
        assert ws["A1"].value.startswith(f"ตารางที่ {table.number} ")
        top = [ws.cell(row=2, column=c).value for c in range(1, ws.max_column + 1)]
        assert top[0] == table.label_column.seed_th
        for f in table.fields:
            assert f.label.seed_th in top
        merged = {str(r) for r in ws.merged_cells.ranges}
        if table.outcomes:
            assert top[2] == CB.outcomes_header.seed_th
            sub = [ws.cell(row=3, column=3 + i).value for i in range(len(table.outcomes))]
            assert sub == [f"{o.number}. {o.label.seed_th}" for o in table.outcomes]
            last = openpyxl.utils.get_column_letter(2 + len(table.outcomes))
            assert f"C2:{last}2" in merged  # outcomes header over the outcome columns
            assert "A2:A3" in merged and "B2:B3" in merged  # label and field span both header rows
            first_body = 4
        else:
            assert len(top) == len(table.fields) + 1  # summary: no tick columns
            first_body = 3
        labels = [ws.cell(row=first_body + i, column=1).value for i in range(len(table.rows))]
        assert labels == [f"{r.number}. {r.label.seed_th}" for r in table.rows]
        assert ws.freeze_panes == f"B{first_body}"


def test_template_tick_cells_accept_only_the_tick(template_path):
    wb = openpyxl.load_workbook(template_path)
    _, layout = build_template()
    for table in CB.tables:
        ws = wb[sheet_name(table)]
        validations = ws.data_validations.dataValidation
        if not table.outcomes:
            assert validations == []
            continue
        (dv,) = validations
        assert dv.type == "list" and dv.formula1 == f'"{TICK}"' and dv.allow_blank
        sheet = layout.tables[table.code]
        for row in sheet.rows.values():
            for o in table.outcomes:
                coordinate = ws.cell(row=row, column=sheet.columns[o.code]).coordinate
                assert coordinate in dv.sqref
                assert ws[coordinate].alignment.horizontal == "center"
        assert ws.cell(row=min(sheet.rows.values()), column=sheet.columns["label"]).coordinate not in dv.sqref


def test_template_is_byte_identical_and_has_english(tmp_path, template_path):
    again = write_template(tmp_path / "again.xlsx")
    assert sha256(again) == sha256(template_path)
    en = write_template(tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(en)
    people = CB.table("people")
    ws = wb[sheet_name(people, "en")]
    assert ws["A2"].value == people.label_column.en
    assert ws["A4"].value == f"1. {people.rows[0].label.en}"
    assert ws["C3"].value == f"1. {people.outcomes[0].label.en}"
    assert wb.worksheets[0]["A4"].value == CB.identity["tambon"].en
    assert CalamineWorkbook.from_path(str(en)).sheet_names == wb.sheetnames


def test_freeze_zip_fixes_dates_and_keeps_order(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("b.txt", "b", compress_type=zipfile.ZIP_STORED)
        z.writestr("a.txt", "a" * 100, compress_type=zipfile.ZIP_DEFLATED)
    freeze_zip(path)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["b.txt", "a.txt"]
    assert {i.date_time for i in infos} == {(2020, 10, 27, 0, 0, 0)}
    assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]


def test_ods_writer_merges_and_mimetype(tmp_path):
    path = write_ods(tmp_path / "t.ods", [OdsSheet("S", [["a", None, None], ["", "x  y", 3]], merges=[(0, 0, 1, 3)])])
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert 'table:number-columns-spanned="3"' in z.read("content.xml").decode()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "a" and rows[1][1] == "x  y" and rows[1][2] == 3


# ---------------------------------------------------------------- sample


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def specs():
    return plan_sample(48, 2563, CB)


def worksheet_specs(specs):
    return [s for s in specs if s.kind == "worksheet"]


def test_sample_is_deterministic(sample_dir, tmp_path):
    paths = generate_sample(tmp_path / "again")
    assert paths == sorted(paths)
    assert digest(tmp_path / "again") == digest(sample_dir)


def test_sample_size_and_readme(sample_dir):
    files = [p for p in sample_dir.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 2 * 1024 * 1024
    readme = (sample_dir / "README.md").read_text(encoding="utf-8")
    assert "python -m siianalysis.sample data/raw" in readme
    for p in files:
        if p.name != "README.md":
            assert f"`{p.relative_to(sample_dir).as_posix()}`" in readme


def test_sample_covers_all_northern_provinces(specs):
    names = {geothai.province(code).name_th for code in NORTHERN_PROVINCES}
    tambons = {s.worksheet.place for s in worksheet_specs(specs) if s.worksheet.place.code}
    assert len(tambons) == 48
    assert {p.province for p in tambons} == names
    for place in tambons:
        (address,) = geothai.match(place.tambon, district=place.amphoe, province=place.province)
        assert address.subdistrict.code == place.code


def test_sample_has_every_format_and_layout(sample_dir, specs):
    suffixes = {p.suffix for p in sample_dir.rglob("*") if p.is_file()}
    assert {".xlsx", ".xlsm", ".ods", ".docx", ".csv", ".txt", ".md"} <= suffixes
    styles = [s.style for s in worksheet_specs(specs)]
    assert {s.layout for s in styles} == {"template", "onesheet", "handmade", "ods", "docx", "csv"}
    assert any(s.macro for s in styles)
    assert {s.one_sheet for s in styles if s.layout == "ods"} == {True, False}
    assert {s.header for s in styles if s.layout == "onesheet"} == {"one", "two"}
    assert any(s.spacer_col for s in styles) and any(s.writing.thai_numbering for s in styles)
    assert any("/" in s.relpath for s in specs), "some files sit in province folders"
    for s in specs:
        assert "\\" not in s.relpath and ".." not in s.relpath and s.relpath.count("/") <= 1


def test_every_file_opens_except_the_corrupt_one(sample_dir):
    for path in sorted(sample_dir.rglob("*")):
        if path.suffix in SPREADSHEETS:
            if "แก้ไข" in path.name:
                with pytest.raises(Exception):
                    CalamineWorkbook.from_path(str(path))
                assert not zipfile.is_zipfile(path)
            else:
                assert CalamineWorkbook.from_path(str(path)).sheet_names, path
        elif path.suffix == ".docx":
            assert docx.Document(str(path)).tables, path
        elif path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            assert tuple(rows[0]) == TIDY_COLUMNS and len(rows) > 50


def test_xlsm_declares_macro_enabled(sample_dir):
    (path, *_) = sorted(sample_dir.rglob("*.xlsm"))
    with zipfile.ZipFile(path) as z:
        assert b"macroEnabled.main+xml" in z.read("[Content_Types].xml")


def test_sample_text_is_thai_and_varied(specs):
    methods = {e.fields.get("method") for s in worksheet_specs(specs) for e in s.worksheet.tables.get("people", ())}
    assert len(methods) > 100
    assert all(re.search("[\u0e00-\u0e7f]", m) for m in methods if m)
    maturities = [s.worksheet.maturity for s in worksheet_specs(specs)]
    assert min(maturities) < 0.35 and max(maturities) > 0.8


def test_later_data_steps_are_ticked_less(specs):
    def rate(code):
        cells = [
            v for s in worksheet_specs(specs) for e in s.worksheet.tables.get("data", ()) if e.code == code
            for v in e.ticks.values()
        ]
        return sum(v.split(" ")[0].casefold() in CB.ticked for v in cells) / len(cells)

    early = sum(rate(c) for c in ("D1", "D2", "D3")) / 3
    assert rate("D4") < early and rate("D5") < early


def test_tick_spellings_are_varied_and_known(specs):
    assert {t for t, _ in content.TICK_STYLES} >= {"✓", "✔", "☑", "/", "x", "X", "1", "มี", "ใช่", "TRUE"}
    for ticked, blank in content.TICK_STYLES:
        assert ticked.casefold() in CB.ticked and blank.casefold() in CB.not_ticked
    used = {s.worksheet.tick_style for s in worksheet_specs(specs)}
    assert used >= set(content.TICK_STYLES)
    values = {v for s in worksheet_specs(specs) for rows in s.worksheet.tables.values() for e in rows for v in e.ticks.values()}
    assert any(re.fullmatch(r"\S+ \(.+\)", v) for v in values), "a tick followed by a remark"
    assert set(content.AMBIGUOUS_TICKS) <= values


def test_other_rows_carry_team_labels(specs):
    rows = [e for s in worksheet_specs(specs) for rows in s.worksheet.tables.values() for e in rows if e.code[-1] in "678"]
    assert any(e.other_label for e in rows) and any(not e.other_label for e in rows)
    no_ticks = [e for e in rows if e.other_label and e.ticks and not any(e.ticks.values())]
    assert no_ticks, "an 'other' row with a label but no ticks"


def test_flaw_same_tambon_twice(specs):
    by_code: dict[str, list] = {}
    for s in worksheet_specs(specs):
        by_code.setdefault(s.worksheet.place.code, []).append(s)
    twice = [v for k, v in by_code.items() if k and len(v) == 2]
    assert len(twice) == 2
    dates = sorted(len({s.worksheet.date for s in pair}) for pair in twice)
    assert dates == [1, 2], "one pair with different dates, one tie"
    for a, b in twice:
        assert a.worksheet.tables != b.worksheet.tables
    later = next(s for pair in twice for s in pair if "which wins" in " ".join(s.notes))
    pair = next(p for p in twice if later in p)
    assert later.worksheet.date == max(s.worksheet.date for s in pair)


def test_flaw_missing_table(sample_dir, specs):
    (spec,) = [s for s in worksheet_specs(specs) if len(s.worksheet.tables) < len(CB.tables)]
    assert set(spec.worksheet.tables) == {"people", "mechanism", "summary"}
    assert len(docx.Document(str(sample_dir / spec.relpath)).tables) == 3


def test_flaw_unknown_tambon_and_non_worksheets(sample_dir, specs):
    assert geothai.match(UNKNOWN.tambon) == []
    (unknown,) = [s for s in worksheet_specs(specs) if not s.worksheet.place.code]
    assert any(UNKNOWN.tambon in t for t in texts(sample_dir / unknown.relpath))
    attendees = texts(sample_dir / "รายชื่อผู้เข้าร่วม.xlsx")
    assert not any(t.startswith("ตารางที่") for t in attendees) and len(attendees) > 100
    assert (sample_dir / "notes.txt").read_text(encoding="utf-8").strip()
    (corrupt,) = [s for s in specs if s.kind == "corrupt"]
    assert corrupt.worksheet.place.code not in {s.worksheet.place.code for s in worksheet_specs(specs)}


def test_flaw_continued_row_and_untrusted_text(sample_dir, specs):
    (cont,) = [s for s in worksheet_specs(specs) if any(e.continuation for r in s.worksheet.tables.values() for e in r)]
    assert cont.relpath.endswith(".xlsx")
    wb = CalamineWorkbook.from_path(str(sample_dir / cont.relpath))
    rows = [r for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python()]
    line = next(r for r in rows if content.CONTINUATIONS[0] in r)
    assert line[: line.index(content.CONTINUATIONS[0])].count("") >= 1 and not any(
        str(v).startswith(("1.", "๑.")) for v in line
    )
    everything = [t for s in worksheet_specs(specs) if s.relpath.endswith(".xlsx") for t in texts(sample_dir / s.relpath)]
    assert any("<script>alert(1)</script>" in t for t in everything)
    assert any(t.startswith("=HYPERLINK(") for t in everything)


def test_identity_cases(sample_dir, specs):
    for code in ANCHORS[1:]:
        assert len(geothai.match(geothai.subdistrict(code).name_th)) > 1
    paragraphs = texts(sample_dir / "แบบฟอร์ม-ต.ไชยสถาน.docx")
    assert "ต.ไชยสถาน อ.เมือง จ.น่าน" in paragraphs
    assert "วันที่ ๒๗ ตุลาคม ๒๕๖๓" in paragraphs
    wb = CalamineWorkbook.from_path(str(sample_dir / "ตำบลแม่แรม_แม่ริม_เชียงใหม่.xlsx"))
    cover = wb.get_sheet_by_index(0).to_python()
    assert any(type(v).__name__ in ("date", "datetime") for row in cover for v in row), "an Excel date cell"
    forms = {s.style.writing.date_form for s in worksheet_specs(specs)}
    assert {"th_long_thai", "th_abbr", "slash_be", "excel"} <= forms
    identities = {s.style.writing.identity for s in worksheet_specs(specs)}
    assert {"full", "short", "bare"} <= identities
    dates = {s.worksheet.date for s in worksheet_specs(specs)}
    assert min(dates).isoformat() >= "2020-10-27" and max(dates).isoformat() <= "2020-11-30"
    assert {d.month for d in dates} == {10, 11}


def test_docstring_names_the_flaw_files(sample_dir):
    names = set(re.findall(r"``([^`]+\.(?:xlsx|xlsm|ods|docx|csv|txt))``", sample.__doc__))
    assert len(names) >= 15
    present = {p.relative_to(sample_dir).as_posix() for p in sample_dir.rglob("*")}
    for name in names:
        if "<" not in name:
            assert name in present, name


def test_sample_needs_enough_tambons(tmp_path):
    with pytest.raises(ValueError):
        generate_sample(tmp_path, n_tambons=5)


def test_network_is_deterministic_and_readable(tmp_path):
    formats = ("xlsx", "xlsm", "ods", "docx", "csv")
    a = generate_network(tmp_path / "a", n_tambons=10, seed=7, formats=formats)
    b = generate_network(tmp_path / "b", n_tambons=10, seed=7, formats=formats)
    assert [p.name for p in a] == [p.name for p in b] and [sha256(p) for p in a] == [sha256(p) for p in b]
    assert {p.suffix for p in a} == {".xlsx", ".xlsm", ".ods", ".docx", ".csv"}
    for p in a:
        assert re.fullmatch(r"worksheet_\d{6}\.\w+", p.name)
        if p.suffix in SPREADSHEETS:
            assert CalamineWorkbook.from_path(str(p)).sheet_names
    with pytest.raises(ValueError):
        generate_network(tmp_path / "c", n_tambons=2, formats=("pdf",))


def test_command_line(tmp_path, capsys):
    assert sample.main([str(tmp_path / "net"), "--network", "--n", "3", "--formats", "docx"]) == 0
    assert len(list((tmp_path / "net").glob("*.docx"))) == 3
    assert "wrote 3 files" in capsys.readouterr().out


def test_checked_in_raw_folder_is_the_generated_sample(sample_dir):
    # Names, not bytes: the bytes follow the installed geothai/pythainlp versions,
    # which CI may have newer than the ones the sample was generated with.
    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    if not (raw / "README.md").exists():
        pytest.skip("data/raw has not been generated")
    assert set(digest(sample_dir)) <= set(digest(raw)), "data/raw is stale: run make sample"
