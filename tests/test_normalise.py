"""raw files → processed tables, on files written the way teams write them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from siianalysis.cli import main
from siianalysis.normalise import normalise
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_one_sheet, write_xlsx_per_sheet

PEOPLE, MECH, DATA, SUMMARY = (CB.table(c) for c in ("people", "mechanism", "data", "summary"))

MAE_RAEM = Filled(
    "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่",
    "๒๗ ตุลาคม ๒๕๖๓",
    {
        "people": [
            Line(numbered(PEOPLE, "P1"), {"method": "ถอดบทเรียนคนต้นแบบ\nจัดเวทียกย่อง", "plan": "ยกย่องเชิดชูเกียรติ"},
                 {"PC1": "✓", "PC3": "✔ (บางหมู่บ้าน)"}),
            Line("2. ผู้นำการ\nเปลี่ยน แปลง", {"method": "อบรมพัฒนาศักยภาพแกนนำ"}, {"PC2": "x", "PC5": "1"}),
            Line(numbered(PEOPLE, "P3")),
            Line("6. อื่น ๆ (ระบุ) สภาเด็กและเยาวชนตำบล", {"method": "ค่ายพัฒนาแกนนำเยาวชน"}, {"PC1": "มี"}),
            Line("7. อื่น ๆ (ระบุ)"),
        ],
        "mechanism": [
            Line(numbered(MECH, "M1"), {"assets": "คณะทำงานขับเคลื่อนตำบล", "plan": "=HYPERLINK(\"http://x\")"},
                 {"MC1": "☑", "MC4": "/"}),
            Line("4. ขอกำหนด-กรอบการยึดถือร่วมกัน", {"assets": "ธรรมนูญสุขภาพตำบล"}, {"MC1": "TRUE", "MC7": "X"}),
        ],
        "data": [
            Line("๑. การสร้าง-พัฒนาทีมพัฒนาระบบข้อมูลชุมชน", {"method": "<script>alert(1)</script>"},
                 {"DC1": "ใช่", "DC2": "-", "DC3": "0", "DC4": "ไม่มี", "DC5": "กำลังดำเนินการ"}),
            Line("", {"method": "สำรวจด้วยโปรแกรม TCNAP"}, {"DC2": "✓"}),  # continues the row above
        ],
        "summary": [
            Line(numbered(SUMMARY, "S1"), {"achievements": "มีคนต้นแบบ 5 คน", "plan": "ขยายเครือข่ายผู้นำ"}),
            Line(numbered(SUMMARY, "S3"), {"achievements": "มีข้อมูล TCNAP", "plan": "คืนข้อมูลผ่านเวทีประชาคม"}),
        ],
    },
)

CHAI_SATHAN = Filled(
    "ต.ไชยสถาน อ.เมือง จ.น่าน",
    "27 ต.ค. 63",
    {
        "people": [Line(numbered(PEOPLE, "P4"), {"method": "- สภาเด็กและเยาวชน\n- ค่ายเยาวชน", "plan": "@ทุกหมู่บ้าน"}, {"PC1": "✓", "PC2": "✓"})],
        "mechanism": [Line(numbered(MECH, "M2"), {"assets": "เวทีประชาคมหมู่บ้าน"}, {"MC2": "✓"})],
        "data": [Line(numbered(DATA, "D3"), {"method": "ข้อมูล จปฐ."}, {"DC1": "✓"})],
    },
)

UNKNOWN = Filled(
    "ตำบลบ้านสุขใจ อำเภอเมือง จังหวัดน่าน",
    "1 พ.ย. 2563",
    {"people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC1": "✓"})]},
)


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "เชียงใหม่").mkdir(parents=True)
    write_xlsx_per_sheet(raw / "เชียงใหม่" / "ตำบลแม่แรม.xlsx", MAE_RAEM)
    earlier = Filled(MAE_RAEM.place_line, "20 ต.ค. 2563", {"people": [Line(numbered(PEOPLE, "P1"), {}, {"PC4": "✓"})]})
    write_xlsx_one_sheet(raw / "แม่แรม-ฉบับแรก.xlsx", earlier, numbers_only=True, two_level=False)
    write_docx(raw / "ไชยสถาน.docx", CHAI_SATHAN)
    write_xlsx_one_sheet(raw / "สุขใจ.xlsx", UNKNOWN)
    (raw / "corrupt.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (raw / "empty.docx").write_bytes(b"")
    (raw / "notes.txt").write_text("ประชุมวันที่ 27", encoding="utf-8")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["ลำดับ", "ชื่อ-สกุล", "ตำแหน่ง"])
    wb.active.append([1, "นายสมชาย ใจดี", "กำนัน"])
    wb.save(raw / "รายชื่อผู้เข้าร่วม.xlsx")
    return raw


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("norm")
    raw = _raw(tmp)
    return normalise(raw, tmp / "processed", jobs=1, progress=False), tmp


def _ticks(tables, tambon_id, row_code):
    t = tables["ticks"]
    sel = t[(t.tambon_id == tambon_id) & (t.row_code == row_code)]
    return dict(zip(sel.criterion_code, sel.ticked))


def _texts(tables, tambon_id, row_code):
    t = tables["texts"]
    sel = t[(t.tambon_id == tambon_id) & (t.row_code == row_code)]
    return dict(zip(sel.field, sel.text))


def test_tambons_resolved_and_kept_apart(result):
    res, _ = result
    tambons = res.tables["tambons"].set_index("tambon_id")
    assert list(tambons.index) == sorted(tambons.index)
    mae_raem = tambons.loc["500707"]
    assert (mae_raem.tambon_th, mae_raem.amphoe_th, mae_raem.province_th) == ("แม่แรม", "แม่ริม", "เชียงใหม่")
    assert mae_raem.resolved and mae_raem.province_code == "50" and mae_raem.worksheet_date == "2020-10-27"
    assert mae_raem.source_file == "เชียงใหม่/ตำบลแม่แรม.xlsx"
    chai = tambons.loc["550104"]
    assert chai.amphoe_th == "เมืองน่าน" and chai.worksheet_date == "2020-10-27"
    assert chai.tables == "people,mechanism,data"
    unknown = tambons[~tambons.resolved]
    assert len(unknown) == 1 and unknown.iloc[0].tambon_th == "บ้านสุขใจ"
    assert unknown.index[0].startswith("u-") and unknown.iloc[0].province_code == "55"


def test_rows_match_codebook_and_keep_team_labels(result):
    res, _ = result
    rows = res.tables["rows"]
    mine = rows[rows.tambon_id == "500707"]
    assert list(mine.row_code) == ["P1", "P2", "P6", "M1", "M4", "D1", "S1", "S3"]
    labels = dict(zip(mine.row_code, mine.label))
    assert labels["P2"] == PEOPLE.row("P2").label.th  # label broken over lines, stray space
    assert labels["P6"] == "สภาเด็กและเยาวชนตำบล"  # the team's own "other" label
    assert labels["M4"] == MECH.row("M4").label.th  # the handout's ขอกำหนด, examples left out
    assert mine.set_index("row_code").source["P1"] == "เชียงใหม่/ตำบลแม่แรม.xlsx: ตาราง1!A4"


def test_ticks_cell_by_cell(result):
    res, _ = result
    t = res.tables
    assert _ticks(t, "500707", "P1") == {"PC1": True, "PC2": False, "PC3": True, "PC4": False, "PC5": False}
    assert _ticks(t, "500707", "P2") == {"PC1": False, "PC2": True, "PC3": False, "PC4": False, "PC5": True}
    assert _ticks(t, "500707", "P6") == {"PC1": True, "PC2": False, "PC3": False, "PC4": False, "PC5": False}
    assert _ticks(t, "500707", "M4") == {f"MC{i}": i in (1, 7) for i in range(1, 8)}
    # ใช่ ticks; "-", "0", ไม่มี do not; the continuation line adds DC2.
    assert _ticks(t, "500707", "D1") == {"DC1": True, "DC2": True, "DC3": False, "DC4": False, "DC5": False}
    assert not any(t["ticks"].row_code.str.startswith("S"))


def test_texts_cell_by_cell(result):
    res, _ = result
    t = res.tables
    assert _texts(t, "500707", "P1") == {
        "method": "ถอดบทเรียนคนต้นแบบ\nจัดเวทียกย่อง", "plan": "ยกย่องเชิดชูเกียรติ", "remark.PC3": "บางหมู่บ้าน",
    }
    assert _texts(t, "500707", "D1") == {
        "method": "<script>alert(1)</script>\nสำรวจด้วยโปรแกรม TCNAP", "remark.DC5": "กำลังดำเนินการ",
    }
    assert _texts(t, "500707", "M1")["plan"] == '=HYPERLINK("http://x")'  # exact in Parquet
    assert _texts(t, "500707", "S3") == {"achievements": "มีข้อมูล TCNAP", "plan": "คืนข้อมูลผ่านเวทีประชาคม"}
    assert _texts(t, "550104", "D3") == {"method": "ข้อมูล จปฐ."}


def test_problems_name_file_and_cell(result):
    res, _ = result
    p = res.tables["problems"]

    def one(code, source):
        sel = p[(p.code == code) & (p.source_file == source)]
        assert len(sel) >= 1, (code, source, p[["source_file", "code"]].values.tolist())
        return sel.iloc[0]

    amb = one("ambiguous-tick", "เชียงใหม่/ตำบลแม่แรม.xlsx")
    assert amb.location == "ตาราง3!G4" and amb.severity == "warning" and amb.tambon_id == "500707"
    assert "กำลังดำเนินการ" in amb.message
    assert one("superseded", "แม่แรม-ฉบับแรก.xlsx").tambon_id == "500707"
    assert one("table-missing", "ไชยสถาน.docx").message.count("summary") == 1
    assert one("unknown-tambon", "สุขใจ.xlsx").severity == "warning"
    assert one("corrupt-file", "corrupt.xlsx").severity == "error"
    assert one("empty-file", "empty.docx").severity == "error"
    assert one("unsupported-format", "notes.txt").severity == "error"
    assert one("not-a-worksheet", "รายชื่อผู้เข้าร่วม.xlsx").severity == "error"


def test_superseded_worksheet_contributes_nothing(result):
    res, _ = result
    ticks = res.tables["ticks"]
    # Only the earlier worksheet ticked PC4 for P1.
    assert not ticks[(ticks.tambon_id == "500707") & (ticks.criterion_code == "PC4")].ticked.any()


def test_files_written_and_csv_guarded(result):
    res, tmp = result
    out = tmp / "processed"
    for name in ("tambons", "rows", "ticks", "texts", "problems"):
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert len(parquet) == len(res.tables[name])
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel shows Thai
    texts_csv = (out / "texts.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in texts_csv and ',=HYPERLINK' not in texts_csv
    assert "'- สภาเด็กและเยาวชน" in texts_csv and "'@ทุกหมู่บ้าน" in texts_csv
    parquet = pd.read_parquet(out / "texts.parquet")
    assert parquet.text.str.startswith("=HYPERLINK").sum() == 1
    assert parquet.text.str.startswith("- สภาเด็ก").sum() == 1
    tambons = pd.read_csv(out / "tambons.csv", dtype=str, encoding="utf-8-sig")
    assert "500707" in set(tambons.tambon_id)


def test_deterministic_bytes(tmp_path):
    raw = _raw(tmp_path)
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        normalise(raw, out, jobs=1 if run == "a" else 2, progress=False)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()})
    assert digests[0] == digests[1]


def test_raw_files_untouched(tmp_path):
    raw = _raw(tmp_path)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw.rglob("*") if p.is_file()}
    normalise(raw, tmp_path / "out", jobs=1, progress=False)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw.rglob("*") if p.is_file()}
    assert before == after


def test_cli_normalise_summary_and_exit_codes(tmp_path, capsys):
    raw = _raw(tmp_path)
    assert main(["normalise", str(raw), "--out", str(tmp_path / "p"), "--quiet", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "files read:  8" in out and "tambons:     3" in out and "errors" in out
    assert main(["normalise", str(tmp_path / "missing"), "--out", str(tmp_path / "p")]) == 2
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.txt").write_text("x")
    assert main(["normalise", str(junk), "--out", str(tmp_path / "q"), "--quiet"]) == 1


def test_python_m_entry_point(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "siianalysis", "--help"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and "normalise" in done.stdout


def test_rerun_reads_only_changed_files(tmp_path):
    # Files are read in worker processes: which ones were read is what the run reports
    # (a monkeypatched process_file would run in the worker, out of the test's sight).
    raw = _raw(tmp_path)
    out = tmp_path / "out"
    first = normalise(raw, out, jobs=1, progress=False)
    assert len(first.read_afresh) == 7  # all but notes.txt, refused by its name before it is read
    again = normalise(raw, out, jobs=1, progress=False)
    assert again.read_afresh == []  # nothing changed: every file from the cache
    for name, df in first.tables.items():
        pd.testing.assert_frame_equal(df, again.tables[name])
    write_xlsx_one_sheet(raw / "สุขใจ.xlsx", Filled(UNKNOWN.place_line, "2 พ.ย. 2563", UNKNOWN.tables))
    third = normalise(raw, out, jobs=1, progress=False)
    assert third.read_afresh == ["สุขใจ.xlsx"]
    assert "2020-11-02" in set(third.tables["tambons"].worksheet_date)
    assert len(list((out / ".cache").glob("*.json"))) == 7  # one per file read; the stale entry is gone
