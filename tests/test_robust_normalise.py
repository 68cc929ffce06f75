"""One bad file never stops the network; the processed set is never torn or wiped; the cache runs no code.

Hostile files are built byte by byte here (they are small on disk by design);
ordinary files formatted far away were saved by LibreOffice
(``tests/fixtures/robust/make.py``). Tests that would abort the Python process on
code without worker isolation run ``normalise`` in a subprocess, so that such code
fails them instead of taking the test run down.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import siianalysis.normalise as normalise_module
import siianalysis.processed as processed_module
from siianalysis.analysis.dataset import load
from siianalysis.cli import main
from siianalysis.export import guard_cell, looks_like_formula
from siianalysis.filecache import FileCache
from siianalysis.jsondata import from_plain, to_plain
from siianalysis.normalise import FileResult, normalise, process_file
from siianalysis.problems import Problem, ProblemLog
from siianalysis.processed import MARKER, ProcessedSetError, check_processed_set
from siianalysis.readers import Grid, UnreadableFile
from siianalysis.readers.isolation import Failure, WorkerLimits, run_isolated
from siianalysis.readers.precheck import MAX_SHEET_CELLS, check_document_bytes
from siianalysis.text import drop_control_characters
from tests.worksheets import (
    CB,
    Filled,
    Line,
    numbered,
    write_docx,
    write_xlsx_one_sheet,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "robust"
PEOPLE, MECH = CB.table("people"), CB.table("mechanism")

FAR = Filled(
    "ตำบลสะลวง อำเภอแม่ริม จังหวัดเชียงใหม่",
    "27 ต.ค. 2563",
    {
        "people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรมผู้นำ"}, {"PC1": "✓", "PC3": "✓"})],
        "mechanism": [Line(numbered(MECH, "M1"), {"assets": "สภาองค์กรชุมชน"}, {"MC2": "✓"})],
    },
)
MAE_RAEM = Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27 ต.ค. 2563",
                  {"people": [Line(numbered(PEOPLE, "P1"), {"method": "ถอดบทเรียน"}, {"PC1": "✓"})]})
CHAI_SATHAN = Filled("ต.ไชยสถาน อ.เมือง จ.น่าน", "27 ต.ค. 63",
                     {"people": [Line(numbered(PEOPLE, "P4"), {"method": "ค่ายเยาวชน"}, {"PC2": "✓"})]})
SALUANG_ID, MAE_RAEM_ID, CHAI_SATHAN_ID = "500705", "500707", "550104"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def good_raw(folder: Path) -> Path:
    """Two ordinary worksheets: an xlsx and a docx."""
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx_one_sheet(folder / "แม่แรม.xlsx", MAE_RAEM)
    write_docx(folder / "ไชยสถาน.docx", CHAI_SATHAN)
    return folder


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name and p.name.startswith(out.name))


# --- hostile workbooks, made byte by byte --------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
       'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
         'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.'
       'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       'relationships"><sheets><sheet name="แผ่นงาน1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>')


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(sheet_data: str | bytes, dimension: str = "", padding: int = 0) -> bytes:
    """A minimal workbook whose one sheet holds ``sheet_data`` (``padding`` spaces before it)."""
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main">' + (f'<dimension ref="{dimension}"/>' if dimension else ""))
    body = sheet_data.encode() if isinstance(sheet_data, str) else sheet_data
    sheet = head.encode() + b" " * padding + b"<sheetData>" + body + b"</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, data)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


DENSE = xlsx('<row r="1">' + cell("A1", "a") + '</row><row r="1048576">' + cell("XFD1048576", "b") + "</row>")


def declaring(data: bytes, part: str, size: int) -> bytes:
    """``data`` with ``part``'s uncompressed size declared as ``size`` (local header and directory)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46:pos + 46 + n] == part.encode():
            struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


_ODS_CONTENT = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
                'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
                '<office:spreadsheet><table:table table:name="Sheet1">{}</table:table></office:spreadsheet>'
                '</office:body></office:document-content>')


def ods(rows: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", _ODS_CONTENT.format(rows), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _value(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


# --- 1. checks before a reader opens a file ------------------------------------------------------------


def test_the_dense_grid_xlsx_is_small_and_refused_before_calamine_sees_it(tmp_path):
    assert len(DENSE) < 2000
    with pytest.raises(UnreadableFile) as caught:
        check_document_bytes(DENSE, ".xlsx")
    assert caught.value.code == "file-too-demanding"
    assert "'แผ่นงาน1'" in str(caught.value) and "1,048,576 rows × 16,384 columns" in str(caught.value)
    assert f"{MAX_SHEET_CELLS:,}" in str(caught.value)


def _run_python(code: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_dense_grid_xlsx_among_good_files_is_named_and_the_run_completes(tmp_path):
    raw = good_raw(tmp_path / "raw")
    (raw / "dense.xlsx").write_bytes(DENSE)
    done = _run_python(f"""
        from siianalysis.normalise import normalise
        r = normalise({str(raw)!r}, {str(tmp_path / 'out')!r}, jobs=1, progress=False)
        print(r.written, r.worksheets)
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "2"]
    ds = load(tmp_path / "out")
    assert sorted(ds.tambons.tambon_id) == [MAE_RAEM_ID, CHAI_SATHAN_ID]
    dense = ds.problems[ds.problems.source_file == "dense.xlsx"]
    assert list(zip(dense.severity, dense.code, dense.location)) == [("error", "file-too-demanding", "whole file")]
    assert "2,000,000 cells" in dense.message.iloc[0]


def test_a_file_that_slips_past_the_checks_costs_only_itself(tmp_path):
    """The checks off: calamine allocates the dense grid and aborts — in its worker process."""
    raw = good_raw(tmp_path / "raw")
    (raw / "dense.xlsx").write_bytes(DENSE)
    done = _run_python(f"""
        import siianalysis.readers as readers
        readers.check_document_bytes = lambda data, suffix: None
        from siianalysis.normalise import normalise
        r = normalise({str(raw)!r}, None, jobs=1, progress=False)
        p = r.tables["problems"]
        print(r.worksheets)
        print(p[p.source_file == "dense.xlsx"][["severity", "code", "message"]].to_json(orient="records"))
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    worksheets, rows = done.stdout.splitlines()
    assert worksheets == "2"
    (row,) = json.loads(rows)
    assert (row["severity"], row["code"]) == ("error", "file-too-demanding")
    assert "memory" in row["message"] and "1.0 GiB" in row["message"]


@pytest.mark.parametrize("name, data, words", [
    ("ratio.xlsx", xlsx(cell("A1", "x"), padding=5_000_000), "more than 100 times"),
    ("declared.xlsx", xlsx(cell("A1", "x"), padding=60_000_000), "more than the limit of 52,428,800"),
    ("liar.xlsx", declaring(xlsx(cell("A1", "x"), padding=900_000), "xl/worksheets/sheet1.xml", 1000),
     "inflates to more than the 1,000 bytes it declares"),
])
def test_xlsx_whose_sheet_xml_expands_hugely_is_refused(tmp_path, name, data, words):
    assert len(data) < 100_000  # small on disk
    raw = good_raw(tmp_path / "raw")
    (raw / name).write_bytes(data)
    result = normalise(raw, None, jobs=1, progress=False)
    p = result.tables["problems"]
    row = p[p.source_file == name]
    assert list(zip(row.severity, row.code)) == [("error", "file-too-demanding")], row.message.tolist()
    assert words in row.message.iloc[0]
    assert result.worksheets == 2


def test_ods_with_a_value_far_away_or_repeated_over_the_sheet_is_refused():
    far = ods(f"<table:table-row>{_value('a')}</table:table-row>"
              '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row>'
              f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{_value("b")}'
              "</table:table-row>")
    repeated = ods(f'<table:table-row table:number-rows-repeated="20000">{_value("x", 200)}</table:table-row>')
    for data in (far, repeated):
        with pytest.raises(UnreadableFile) as caught:
            check_document_bytes(data, ".ods")
        assert caught.value.code == "file-too-demanding" and "'Sheet1'" in str(caught.value)
    # empty cells repeated to the sheet's end, as LibreOffice writes them, cost nothing
    check_document_bytes(ods(f"<table:table-row>{_value('a')}</table:table-row>"
                             '<table:table-row table:number-rows-repeated="1048575">'
                             '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'), ".ods")


def test_cells_without_references_are_placed_as_spreadsheets_place_them():
    row = '<row r="1048576">' + cell("A1048576", "x").replace(' r="A1048576"', "") + "<c/>" * 3000 + \
          '<c t="inlineStr"><is><t>z</t></is></c></row>'
    with pytest.raises(UnreadableFile, match="3,002 columns"):
        check_document_bytes(xlsx('<row r="1">' + cell("A1", "a") + "</row>" + row), ".xlsx")
    # a declared dimension and cells holding only a style are no cells
    check_document_bytes(xlsx('<row r="1">' + cell("A1", "a") + '</row><row r="1048576"><c r="XFD1048576" s="1"/>'
                              "</row>", dimension="A1:XFD1048576"), ".xlsx")


@pytest.mark.parametrize("name", ["formatted_far.xlsx", "formatted_far_openpyxl.xlsx", "formatted_far.ods"])
def test_worksheets_formatted_far_away_by_an_office_suite_are_read(name, tmp_path):
    data = (FIXTURES / name).read_bytes()
    check_document_bytes(data, Path(name).suffix)  # a formatted cell at AZ200000 holds nothing
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_bytes(data)
    tables = normalise(raw, None, jobs=1, progress=False).tables
    assert list(tables["tambons"].tambon_id) == [SALUANG_ID]
    ticks = tables["ticks"][tables["ticks"].ticked]
    assert sorted(zip(ticks.row_code, ticks.criterion_code)) == [("M1", "MC2"), ("P1", "PC1"), ("P1", "PC3")]
    assert tables["problems"][tables["problems"].severity == "error"].empty


def test_an_oversize_file_is_never_read_into_memory(tmp_path):
    raw = good_raw(tmp_path / "raw")
    for name in ("disk-image.iso", "huge.xlsx"):
        with open(raw / name, "wb") as fh:
            fh.truncate(2 * 1024 ** 3)  # sparse: no disk used
    done = _run_python(f"""
        import resource
        from siianalysis.normalise import normalise
        r = normalise({str(raw)!r}, {str(tmp_path / 'out')!r}, jobs=1, progress=False)
        p = r.tables["problems"]
        p = p[p.severity == "error"]
        print(sorted(zip(p.source_file, p.code)))
        peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        print(peak // 1024)
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    codes, peak_mib = done.stdout.splitlines()
    assert codes == str(sorted([("disk-image.iso", "unsupported-format"), ("huge.xlsx", "file-too-large")]))
    assert int(peak_mib) < 900  # the 2 GiB files were never read


# --- 1. worker processes with limits ---------------------------------------------------------------------


def _task(kind: str, log: str) -> str:
    with open(log, "a") as fh:
        fh.write(kind + "\n")
    if kind == "abort":
        os.abort()
    if kind == "memory":
        return str(len(bytearray(3 << 30)))
    if kind == "sleep":
        time.sleep(60)
    if kind == "raise":
        raise ValueError("boom")
    return kind.upper()


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_that_abort_run_out_of_memory_or_time_cost_only_their_task(tmp_path, jobs):
    log = str(tmp_path / "log")
    kinds = ["a", "abort", "b", "memory", "c", "sleep", "raise", "d"]
    started = time.monotonic()
    out = dict(run_isolated(_task, [(k, (k, log), 1) for k in kinds], jobs=jobs,
                            limits=WorkerLimits(memory_bytes=512 << 20, seconds=3)))
    assert time.monotonic() - started < 30
    assert {k: out[k] for k in "abcd"} == {"a": "A", "b": "B", "c": "C", "d": "D"}
    assert out["abort"] == Failure("crash", "the reader process was stopped by SIGABRT: Fatal Python error: Aborted")
    assert out["memory"].limit == "memory"
    assert out["sleep"] == Failure("time", "still reading after 3 s")
    assert out["raise"] == Failure("error", "ValueError: boom")
    tries = Path(log).read_text().split()
    assert tries.count("abort") == 2 and tries.count("memory") == 1 and tries.count("sleep") == 1
    assert all(tries.count(k) == 1 for k in "abcd")  # tasks queued behind a dying one are not tries


def test_a_file_that_kills_its_reader_is_an_error_row_with_jobs_1(tmp_path, monkeypatch):
    raw = good_raw(tmp_path / "raw")
    (raw / "crashes.xlsx").write_bytes((raw / "แม่แรม.xlsx").read_bytes())
    real = normalise_module.process_file

    def crash_on_one(path, name):  # workers are forked: they run this
        if name == "crashes.xlsx":
            os.abort()
        return real(path, name)

    monkeypatch.setattr(normalise_module, "process_file", crash_on_one)
    result = normalise(raw, tmp_path / "out", jobs=1, progress=False)
    p = result.tables["problems"]
    row = p[p.source_file == "crashes.xlsx"]
    assert list(zip(row.severity, row.code)) == [("error", "corrupt-file")]
    assert "SIGABRT" in row.message.iloc[0] and "twice" in row.message.iloc[0]
    assert sorted(result.tables["tambons"].tambon_id) == [MAE_RAEM_ID, CHAI_SATHAN_ID]
    assert result.written


# --- 2. the processed folder is one consistent set -------------------------------------------------------


def _second_raw(tmp_path: Path) -> Path:
    raw = good_raw(tmp_path / "raw2")
    write_xlsx_one_sheet(raw / "สะลวง.xlsx", FAR)
    return raw


def test_a_normalise_killed_between_two_tables_leaves_the_old_set_whole(tmp_path):
    out = tmp_path / "out"
    first = normalise(good_raw(tmp_path / "raw"), out, jobs=1, progress=False)
    before = file_bytes(out)
    done = _run_python(f"""
        import os
        import siianalysis.normalise as n
        import siianalysis.export as e
        written = []
        def dying(*args, **kwargs):
            e.write_table(*args, **kwargs)
            written.append(args[2])
            if len(written) == 2:
                os.kill(os.getpid(), 9)
        n.write_table = dying  # the writer before sets, had it one
        try:
            import siianalysis.processed as p
            p.write_table = dying
        except ImportError:
            pass
        n.normalise({str(_second_raw(tmp_path))!r}, {str(out)!r}, jobs=1, progress=False)
    """)
    assert done.returncode == -9
    assert file_bytes(out) == before
    ds = load(out, cache=False)
    for name in ("tambons", "rows", "ticks", "texts"):
        assert getattr(ds, name).equals(load(out, cache=False).__getattribute__(name))
    assert sorted(ds.tambons.tambon_id) == sorted(first.tables["tambons"].tambon_id)
    assert [s for s in siblings(out) if ".tmp-" in s]  # the dead run's half-written set, beside
    normalise(_second_raw(tmp_path), out, jobs=1, progress=False)  # the next run cleans it up
    assert siblings(out) == [] and SALUANG_ID in set(load(out).tambons.tambon_id)


def test_a_full_disk_leaves_the_old_set_whole_and_the_command_says_so(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    normalise(good_raw(tmp_path / "raw"), out, jobs=1, progress=False)
    before = file_bytes(out)
    real = processed_module.write_table
    calls = []

    def full_disk(df, folder, name, metadata=None):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(df, folder, name, metadata)

    monkeypatch.setattr(processed_module, "write_table", full_disk)
    with pytest.raises(OSError):
        normalise(_second_raw(tmp_path), out, jobs=1, progress=False)
    assert file_bytes(out) == before and siblings(out) == []
    assert check_processed_set(out)["set_id"]
    calls.clear()
    code = main(["normalise", str(_second_raw(tmp_path)), "--out", str(out), "--quiet", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "left as it was" in err
    assert "Traceback" not in err and file_bytes(out) == before


def test_a_run_stopped_between_its_two_renames_is_put_right_by_the_next(tmp_path):
    out = tmp_path / "out"
    normalise(good_raw(tmp_path / "raw"), out, jobs=1, progress=False)
    done = _run_python(f"""
        import os
        import siianalysis.processed as p
        real = os.rename
        def rename(a, b):
            real(a, b)
            if ".old-" in str(b):
                os.kill(os.getpid(), 9)
        p.os.rename = rename
        from siianalysis.normalise import normalise
        normalise({str(_second_raw(tmp_path))!r}, {str(out)!r}, jobs=1, progress=False)
    """)
    assert done.returncode == -9 and not out.exists()
    with pytest.raises(FileNotFoundError):
        load(out)
    processed_module.recover(out)
    assert siblings(out) == [] and check_processed_set(out)
    assert SALUANG_ID in set(load(out, cache=False).tambons.tambon_id)  # the new set was whole: it is in


@pytest.mark.parametrize("make", ["empty", "unreadable", "reviews only"])
def test_a_run_that_reads_no_worksheet_leaves_the_set_untouched(tmp_path, make, capsys):
    out = tmp_path / "out"
    normalise(good_raw(tmp_path / "raw"), out, jobs=1, progress=False)
    before = file_bytes(out)
    other = tmp_path / "other"
    other.mkdir()
    if make == "unreadable":
        (other / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
        (other / "notes.txt").write_text("x")
    elif make == "reviews only":
        from siianalysis.workshop.review import write_review_sheet

        write_review_sheet(out, other / "review.xlsx")
    result = normalise(other, out, jobs=1, progress=False)
    assert not result.written and file_bytes(out) == before and siblings(out) == []
    if make == "unreadable":
        assert "nothing written" in result.summary() and "broken.xlsx: corrupt-file" in result.summary()
    code = main(["normalise", str(other), "--out", str(out), "--quiet", "--jobs", "1"])
    assert code != 0 and file_bytes(out) == before
    assert "Traceback" not in capsys.readouterr().err


def test_load_refuses_a_torn_set_and_takes_a_hand_edited_one(tmp_path):
    out, other = tmp_path / "out", tmp_path / "other"
    normalise(good_raw(tmp_path / "raw"), out, jobs=1, progress=False)
    normalise(_second_raw(tmp_path), other, jobs=1, progress=False)
    marker = json.loads((out / MARKER).read_text())
    assert set(marker["tables"]) == {"tambons", "rows", "ticks", "texts", "problems", "feedback"}
    assert marker["tables"]["tambons"]["rows"] == 2

    mixed = tmp_path / "mixed"  # a copy or sync caught half-way: ticks of the other run
    mixed.mkdir()
    for p in out.iterdir():
        if p.is_file():
            (mixed / p.name).write_bytes(p.read_bytes())
    (mixed / "ticks.parquet").write_bytes((other / "ticks.parquet").read_bytes())
    with pytest.raises(ProcessedSetError, match="ticks.parquet belongs to another set"):
        load(mixed)

    (mixed / "ticks.parquet").write_bytes((out / "ticks.parquet").read_bytes()[:-100])  # cut short
    with pytest.raises(ProcessedSetError, match="ticks.parquet cannot be read"):
        load(mixed)

    (mixed / "ticks.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="lacks ticks.parquet"):
        load(mixed)
    with pytest.raises(ProcessedSetError, match="ticks.parquet is missing"):
        check_processed_set(mixed)

    (mixed / "ticks.parquet").write_bytes((out / "ticks.parquet").read_bytes())
    edited = load(mixed, cache=False).texts.assign(text="แก้ไขด้วยมือ")
    edited.to_parquet(mixed / "texts.parquet", index=False)  # a researcher's own edit: taken as it is
    (mixed / "problems.csv").write_text("saved again by Excel\n", encoding="utf-8")
    assert set(load(mixed, cache=False).texts.text) == {"แก้ไขด้วยมือ"}

    legacy = tmp_path / "legacy"  # written before markers: loads when every table is whole
    legacy.mkdir()
    for p in out.glob("*.parquet"):
        (legacy / p.name).write_bytes(p.read_bytes())
    assert len(load(legacy, cache=False).tambons) == 2
    (legacy / "rows.parquet").write_bytes(b"PAR1 cut")
    with pytest.raises(ProcessedSetError, match="rows.parquet cannot be read"):
        load(legacy, cache=False)


def test_an_out_folder_holding_other_files_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    raw = good_raw(tmp_path / "raw")
    with pytest.raises(ProcessedSetError, match="thesis.docx"):
        normalise(raw, out, jobs=1, progress=False)
    assert main(["normalise", str(raw), "--out", str(out), "--quiet", "--jobs", "1"]) == 2
    assert (out / "thesis.docx").read_text() == "years of work" and sorted(p.name for p in out.iterdir()) == [
        "thesis.docx"]


def test_the_set_keeps_dot_files_and_the_marker_has_no_time(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".gitkeep").write_text("")
    raw = good_raw(tmp_path / "raw")
    normalise(raw, out, jobs=1, progress=False)
    assert (out / ".gitkeep").is_file()
    first = (out / MARKER).read_bytes()
    normalise(raw, out, jobs=2, progress=False, cache=False)
    assert (out / MARKER).read_bytes() == first  # same raw files, same set, same bytes


# --- 3. a cache that cannot run code -----------------------------------------------------------------


class _Payload:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _entry(out: Path, raw: Path, name: str) -> Path:
    return out / ".cache" / f"{FileCache.key((raw / name).read_bytes(), name)}.json"


def test_a_tampered_cache_entry_is_a_miss_and_runs_nothing(tmp_path):
    raw, out = good_raw(tmp_path / "raw"), tmp_path / "out"
    first = normalise(raw, out, jobs=1, progress=False)
    entry = _entry(out, raw, "แม่แรม.xlsx")
    assert entry.is_file() and entry.read_bytes().startswith(b'{"format": "siianalysis-filecache/1"')
    ran = tmp_path / "ran"
    entry.write_bytes(pickle.dumps(_Payload(str(ran))))  # what a pickle cache would have run
    again = normalise(raw, out, jobs=1, progress=False)
    assert not ran.exists() and again.read_afresh == ["แม่แรม.xlsx"]
    for name, df in first.tables.items():
        pd.testing.assert_frame_equal(df, again.tables[name])


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "wrong type, checksum redone", "other key"])
def test_a_damaged_cache_entry_is_a_miss_never_a_failure(tmp_path, damage):
    raw, out = good_raw(tmp_path / "raw"), tmp_path / "out"
    first = normalise(raw, out, jobs=1, progress=False)
    entry = _entry(out, raw, "แม่แรม.xlsx")
    data = bytearray(entry.read_bytes())
    header, payload = bytes(data).split(b"\n", 1)
    if damage == "flip a byte":
        data[len(header) + 1 + len(payload) // 2] ^= 0x01
    elif damage == "cut short":
        data = data[:len(data) // 2]
    elif damage == "wrong type, checksum redone":
        value = json.loads(payload)
        value["submissions"][0]["place"]["resolved"] = "yes"
        payload = json.dumps(value).encode()
        meta = {**json.loads(header), "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)}
        data = json.dumps(meta).encode() + b"\n" + payload
    else:  # a valid entry of another file under this file's name
        other = _entry(out, raw, "ไชยสถาน.docx").read_bytes()
        data = other
    entry.write_bytes(bytes(data))
    again = normalise(raw, out, jobs=1, progress=False)
    assert again.read_afresh == ["แม่แรม.xlsx"]
    for name, df in first.tables.items():
        pd.testing.assert_frame_equal(df, again.tables[name])


def test_a_file_swapped_while_it_is_read_is_parsed_as_hashed(tmp_path, monkeypatch):
    """The file is saved again between its read and its parse: one read of the bytes serves both."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    target = raw / "ตำบล.xlsx"
    write_xlsx_one_sheet(target, MAE_RAEM)
    hashed = target.read_bytes()
    write_xlsx_one_sheet(tmp_path / "v2.xlsx", FAR)
    real = normalise_module.read_at_most

    def read_then_swap(path, limit):
        data = real(path, limit)
        if path == target:
            target.write_bytes((tmp_path / "v2.xlsx").read_bytes())  # saved again meanwhile
        return data

    monkeypatch.setattr(normalise_module, "read_at_most", read_then_swap)
    result = normalise(raw, out, jobs=1, progress=False)
    assert list(result.tables["tambons"].tambon_id) == [MAE_RAEM_ID]  # what was hashed
    cached = normalise_module.result_cache(out / ".cache").get(FileCache.key(hashed, "ตำบล.xlsx"))
    assert [s.place.tambon_id for s in cached.submissions] == [MAE_RAEM_ID]
    monkeypatch.setattr(normalise_module, "read_at_most", real)
    later = normalise(raw, out, jobs=1, progress=False)  # the file as it now is: read afresh
    assert later.read_afresh == ["ตำบล.xlsx"] and list(later.tables["tambons"].tambon_id) == [SALUANG_ID]


def test_file_results_round_trip_through_json(tmp_path):
    results = [process_file(ROOT / "tests" / "fixtures" / "ticks_format" / "colour_ticks.xlsx", "c.xlsx"),
               process_file(ROOT / "tests" / "fixtures" / "formats" / "pa_phlu.odt", "p.odt")]
    skip = frozenset({(Grid, "styles")})
    for result in results:
        assert result.submissions
        plain = json.loads(json.dumps(to_plain(result, skip, {ProblemLog: Problem})))
        again = from_plain(plain, FileResult, skip, {ProblemLog: Problem})
        assert again == result
        assert isinstance(again.submissions[0].worksheet.problems, ProblemLog)


# --- 7. control characters and full-width formulas ----------------------------------------------------


def test_control_characters_are_dropped_where_text_is_read():
    assert drop_control_characters("a\x00b\x1b[31mc\x7fd\x85e\x9ff\tg\r\nh\x0bi") == "ab[31mcd\nef\tg\r\nh\ni"
    clean = "ไม่มีอะไรผิด"
    assert drop_control_characters(clean) is clean


def test_nul_and_control_characters_never_reach_the_processed_tables(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    dirty = Filled(MAE_RAEM.place_line, MAE_RAEM.date_text, {"people": [
        Line(numbered(PEOPLE, "P1"), {"method": "อบรม\x7fแกนนำ\x9f", "plan": "ขยาย\x85ผล"}, {"PC1": "✓"})]})
    write_xlsx_one_sheet(raw / "แม่แรม.xlsx", dirty)  # DEL and C1: characters openpyxl lets through
    (raw / "csv_ต.ไชยสถาน.csv").write_text(
        "tambon,amphoe,province,worksheet_date,table,row_code,label,field,value\n"
        "ไชยสถาน,เมือง,น่าน,2020-10-27,people,P4,,method,\"ค่าย\x00เยาวชน\x1b[2J\x07\"\n"
        "ไชยสถาน,เมือง,น่าน,2020-10-27,people,P4,,PC2,✓\n", encoding="utf-8")
    result = normalise(raw, out, jobs=1, progress=False)
    texts = result.tables["texts"]
    assert set(texts.text) >= {"อบรมแกนนำ", "ขยาย\nผล", "ค่ายเยาวชน[2J"}
    for path in out.glob("*.csv"):
        assert not CONTROL.search(path.read_text(encoding="utf-8-sig")), path.name
    for path in out.glob("*.parquet"):
        df = pd.read_parquet(path)
        assert not any(CONTROL.search(v) for col in df.columns if df[col].dtype != bool
                       for v in df[col].astype(str)), path.name


def test_the_formula_guard_covers_full_width_signs_in_csv_and_workbooks(tmp_path):
    for text in ("＝HYPERLINK(\"http://x\")", "＋66 81", "－1", "＠SUM(A1)", "=1+1", "+1", "-1", "@x", "\tx"):
        assert looks_like_formula(text) and guard_cell(text) == "'" + text
    assert not looks_like_formula("ตำบล＝") and guard_cell("ปกติ") == "ปกติ"
    from openpyxl import Workbook

    from siianalysis.workshop.xlsx import write_cell

    ws = Workbook().active
    assert [write_cell(ws, 1, i + 1, t).data_type for i, t in enumerate(("＝1+1", "=1+1", "＠x"))] == ["s"] * 3
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx_one_sheet(raw / "แม่แรม.xlsx", Filled(MAE_RAEM.place_line, MAE_RAEM.date_text, {"people": [
        Line(numbered(PEOPLE, "P1"), {"method": "＝HYPERLINK(\"http://x\",\"คลิก\")"}, {"PC1": "✓"})]}))
    normalise(raw, tmp_path / "out", jobs=1, progress=False)
    assert "'＝HYPERLINK" in (tmp_path / "out" / "texts.csv").read_text(encoding="utf-8-sig")
    assert "＝HYPERLINK(\"http://x\",\"คลิก\")" in set(pd.read_parquet(tmp_path / "out" / "texts.parquet").text)


def _task_logging_company(kind: str, log: str) -> str:
    """Logs when it starts and ends, so a test can see what ran beside what."""
    with open(log, "a") as fh:
        fh.write(f"start {kind}\n")
    if kind == "abort":
        os.abort()
    time.sleep(0.2)
    with open(log, "a") as fh:
        fh.write(f"end {kind}\n")
    return kind


def test_a_task_tried_again_runs_alone(tmp_path):
    log = str(tmp_path / "log")
    kinds = ["a", "abort", "b", "c", "d", "e"]
    out = dict(run_isolated(_task_logging_company, [(k, (k, log), 1) for k in kinds], jobs=2))
    assert out["abort"].limit == "crash" and all(out[k] == k for k in "abcde")
    lines = Path(log).read_text().splitlines()
    second = [i for i, line in enumerate(lines) if line == "start abort"][1]
    running = set()
    for line in lines[:second]:
        verb, kind = line.split()
        (running.add if verb == "start" else running.discard)(kind)
    assert running == {"abort"}  # the first try died; nothing else was running when the second began
    after = lines[second + 1:]
    assert not after or after[0].startswith("start")  # nothing ran beside the retry: the next line is a start


def test_time_limit_is_per_file_and_a_zip_gets_one_per_member(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    members = tmp_path / "members"
    members.mkdir()
    for name, filled in (("a.xlsx", MAE_RAEM), ("b.xlsx", CHAI_SATHAN), ("c.xlsx", FAR)):
        write_xlsx_one_sheet(members / name, filled)
    with zipfile.ZipFile(raw / "sent.zip", "w") as z:
        for p in sorted(members.iterdir()):
            z.write(p, p.name)
    write_xlsx_one_sheet(raw / "slow.xlsx", MAE_RAEM)
    real = normalise_module.process_file

    def slow(path, name):  # workers are forked: they run this
        if name.endswith(".xlsx"):
            time.sleep(2.5 if name == "slow.xlsx" else 0.8)
        return real(path, name)

    monkeypatch.setattr(normalise_module, "process_file", slow)
    result = normalise(raw, None, jobs=2, progress=False, limits=WorkerLimits(seconds=1.5))
    p = result.tables["problems"]
    slow_row = p[p.source_file == "slow.xlsx"]
    assert list(zip(slow_row.severity, slow_row.code)) == [("error", "file-too-demanding")]
    assert "limit of 1.5 seconds" in slow_row.message.iloc[0]
    # three members at 0.8 s each: 2.4 s, within the zip's 3 × 1.5 s
    assert sorted(result.tables["tambons"].tambon_id) == sorted([MAE_RAEM_ID, CHAI_SATHAN_ID, SALUANG_ID])
    assert set(result.tables["tambons"].source_file) == {"sent.zip!/a.xlsx", "sent.zip!/b.xlsx", "sent.zip!/c.xlsx"}
