"""What a file's bytes are checked for before a reader opens them.

The readers (calamine, python-docx, lxml) trust a file's own account of itself:
a 1.6 KB xlsx with one cell at A1 and one at XFD1048576 makes calamine allocate
a dense grid of 17 billion cells and abort the process; a few MB of deflated XML
can stand for gigabytes. So the bytes of a zip-based document (.xlsx .xlsm .ods
.docx .odt) are checked first, and a file over a limit is refused with
``file-too-demanding`` naming the limit, before any reader sees it:

- the package: at most ``archive.MAX_ENTRIES`` parts; each part within the
  archive limits on what it declares (``archive.size_problem``: its declared
  size at most ``MAX_FILE_BYTES``, at most ``MAX_RATIO`` times its compressed
  size once past ``RATIO_FLOOR``), and all parts together at most
  ``MAX_DOCUMENT_BYTES``;
- what each part really holds: its raw bytes are inflated here, a chunk at a
  time, and counted, so a part that declares a small size and inflates to more
  (or to other bytes than its checksum says) is caught, whatever the reader's
  own zip library would have trusted; a part that breaks the zip format or is
  encrypted is ``corrupt-file``;
- each worksheet (an xlsx sheet part, an .ods ``content.xml`` table): the
  rectangle spanned by its cells that hold something (a value, a formula, a
  text; an ods cell counted as often as it is repeated) is at most
  ``MAX_SHEET_CELLS`` cells — the grid calamine allocates. A declared
  ``<dimension>`` is not trusted either way: formatting alone makes it large in
  ordinary files, and it costs calamine nothing; the cells are what count.

Binary .xls (BIFF) is not checked here: the worker process's memory and time
limits (``readers.isolation``) are its guard, as for anything these checks miss.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from siianalysis.readers.archive import (
    MAX_ENTRIES,
    declared_entries,
    method_problem,
    size_problem,
)
from siianalysis.readers.base import MAX_FILE_BYTES, UnreadableFile, brief
from siianalysis.readers.formulas import sheet_parts
from siianalysis.readers.officexml import odf

ZIP_DOCUMENT_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods", ".docx", ".odt"})
# A worksheet is about 100 rows by 20 columns; a large workbook sheet 1,000 by 50.
# Two million cells is 40 times that, and about 100 MB in calamine and Python.
MAX_SHEET_CELLS = 2_000_000
MAX_DOCUMENT_BYTES = 4 * MAX_FILE_BYTES

# A password-protected .xlsx/.docx is not a zip: Office encrypts the package into an OLE
# compound file whose "EncryptedPackage" stream holds it. Said as such, with what to do,
# rather than as a file that is not a zip (or an old .doc renamed).
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
PASSWORD_PROTECTED = ("the file is password-protected (encrypted), so it cannot be read: open it, remove the "
                      "password (File > Info > Protect > Encrypt with Password: clear it), save it and send it again")

_CHUNK = 1 << 20
_LOCAL_HEADER = 30
_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")


def too_demanding(message: str) -> UnreadableFile:
    return UnreadableFile("file-too-demanding", message)


def check_document_bytes(data: bytes, suffix: str) -> None:
    """Raises ``UnreadableFile`` when a zip-based document is over a limit (module docstring).

    A password-protected Office document (an encrypted package) is ``corrupt-file`` saying
    so. Other formats, and bytes that are not a zip at all, pass: the reader says what is
    wrong with them.
    """
    if suffix in ZIP_DOCUMENT_SUFFIXES and data[:8] == _OLE and _ENCRYPTED_PACKAGE in data:
        raise UnreadableFile("corrupt-file", PASSWORD_PROTECTED)
    if suffix not in ZIP_DOCUMENT_SUFFIXES or data[:2] != b"PK":
        return
    try:
        entries = declared_entries(io.BytesIO(data))
        if entries is None:
            return  # not a zip after all: the reader reports it
        if entries > MAX_ENTRIES:
            raise too_demanding(f"the document is a package of {entries:,} parts, more than the limit of "
                                f"{MAX_ENTRIES:,}")
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = [i for i in package.infolist() if not i.is_dir()]
            _check_declared(infos)
            checks = _sheet_checks(package, suffix)
            for info in infos:
                check = checks.get(info.filename)
                if check is not None:
                    check(inflated_part(data, info))
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError, KeyError) as exc:
        raise UnreadableFile("corrupt-file", f"cannot open as a {suffix} document ({brief(exc)})") from exc


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    for info in infos:
        problem = method_problem(info)
        if problem is not None:
            raise UnreadableFile("corrupt-file", f"the part {info.filename!r}: {problem}")
        problem = size_problem(info, info.filename)
        if problem is not None:
            raise too_demanding(f"the document's part {problem}")
        total += info.file_size
    if total > MAX_DOCUMENT_BYTES:
        raise too_demanding(f"the document's parts add up to {total:,} bytes uncompressed, more than the "
                            f"limit of {MAX_DOCUMENT_BYTES:,}")


def _sheet_checks(package: zipfile.ZipFile, suffix: str) -> dict[str, Callable[[bytes], None]]:
    """The parts that hold worksheets (xlsx sheets, an ods ``content.xml``) → their cell check."""
    if suffix == ".ods":
        return {"content.xml": _check_ods} if "content.xml" in package.namelist() else {}
    if suffix not in (".xlsx", ".xlsm"):
        return {}
    names = {i.filename for i in package.infolist()}
    labels = {n: f"the sheet part {n!r}" for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    try:
        labels.update({part: f"the sheet {name!r}" for part, name in sheet_parts(package).items() if part in names})
    except (KeyError, etree.XMLSyntaxError, ValueError):
        pass  # no workbook part: calamine says so; the sheets found by folder are checked
    return {part: (lambda xml, label=label: _check_xlsx_sheet(xml, label)) for part, label in labels.items()}


def inflated_part(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """One part's bytes, inflated from its raw bytes a chunk at a time and never past the size it
    declares (already held to the limits); raises when it holds other bytes than it says."""
    if data[info.header_offset:info.header_offset + 4] != b"PK\x03\x04":
        raise UnreadableFile("corrupt-file", f"the part {info.filename!r} is not where the package says")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise UnreadableFile("corrupt-file", f"the part {info.filename!r} is cut short")
    out = bytearray()
    for chunk in _inflated(raw, info.compress_type):
        out += chunk
        if len(out) > info.file_size:
            raise too_demanding(f"the document's part {info.filename!r} inflates to more than the "
                                f"{info.file_size:,} bytes it declares (made to hide its real size?)")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise UnreadableFile("corrupt-file", f"the part {info.filename!r} does not hold the bytes its "
                                             "checksum and size say (damaged)")
    return bytes(out)


def _inflated(raw: memoryview, method: int) -> Iterator[bytes]:
    """A part's bytes, ``_CHUNK`` at most at a time (stored or deflate: ``method_problem`` refused the rest)."""
    if method == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _CHUNK):
            yield raw[i:i + _CHUNK].tobytes()
        return
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes | memoryview = raw
    while not inflate.eof:
        out = inflate.decompress(pending, _CHUNK) if pending else inflate.flush()
        pending = inflate.unconsumed_tail
        if not out and not pending:
            return
        yield out


# The quick reading of an xlsx sheet: every cell tag, with its reference when that is its first
# attribute, written plainly (as Excel, LibreOffice and openpyxl write them). When every cell
# has one, the span of all of them (values or not) bounds the span of those with a value.
# One search (a tag without a plain reference gives empty groups); the span from the distinct
# rows and columns, not from every cell.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?:\s+r=\"([A-Z]{1,3})([0-9]{1,7})\"|[\s/>])")


def _check_xlsx_sheet(xml: bytes, label: str) -> None:
    cells = _CELL.findall(xml)
    if not cells:
        return
    letters = {c for c, _ in cells}
    if b"" not in letters:
        rows = [int(r) for r in {r for _, r in cells}]
        cols = [_column_number(c) for c in letters]
        if (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) <= MAX_SHEET_CELLS:
            return
    # cells without a plain reference, or a span too large by the quick reading: cell by cell
    _scan(xml, _XlsxCells(label))


def _check_ods(xml: bytes) -> None:
    _scan(xml, _OdsCells())


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _scan(xml: bytes, counter: _XlsxCells | _OdsCells) -> None:
    """Feeds a part's XML to a cell counter, which raises at the first sheet over
    ``MAX_SHEET_CELLS``. Parsed like every part (no entities, no DTD, no network); a part
    that does not parse is left to the reader to report."""
    parser = etree.XMLPullParser(events=("start", "end"), tag=counter.tags, resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
    try:
        for i in range(0, len(xml), _CHUNK):
            parser.feed(xml[i:i + _CHUNK])
            for event, elem in parser.read_events():
                counter.event(event, elem)
        parser.close()
    except etree.XMLSyntaxError:
        pass
    for event, elem in parser.read_events():
        counter.event(event, elem)
    counter.finish()


@dataclass
class _Span:
    """The rectangle of the cells that hold something, 0-based, inclusive."""

    top: int = -1
    left: int = 0
    bottom: int = -1
    right: int = 0

    def add(self, top: int, left: int, bottom: int, right: int) -> None:
        if self.top < 0:
            self.top, self.left, self.bottom, self.right = top, left, bottom, right
        else:
            self.top, self.left = min(self.top, top), min(self.left, left)
            self.bottom, self.right = max(self.bottom, bottom), max(self.right, right)

    def check(self, sheet: str) -> None:
        if self.top < 0:
            return
        rows, cols = self.bottom - self.top + 1, self.right - self.left + 1
        if rows * cols > MAX_SHEET_CELLS:
            raise too_demanding(
                f"{sheet} spans {rows:,} rows × {cols:,} columns = {rows * cols:,} cells between its written "
                f"cells, more than the limit of {MAX_SHEET_CELLS:,} cells for one sheet")


def _ref(ref: str) -> tuple[int, int] | None:
    """"XFD1048576" → (1048575, 16383); None for anything else."""
    col = i = 0
    while i < len(ref) and "A" <= ref[i] <= "Z" and i < 3:
        col = col * 26 + ord(ref[i]) - 64
        i += 1
    digits = ref[i:]
    if not col or not digits.isdigit() or len(digits) > 7:
        return None
    return int(digits) - 1, col - 1


class _XlsxCells:
    """The span of an xlsx sheet's cells with a child (value, formula, inline text); rows and
    cells without a reference follow the one before, as spreadsheets read them."""

    tags = tuple(f"{{{ns}}}{t}" for ns in _MAIN_NS for t in ("row", "c"))

    def __init__(self, label: str) -> None:
        self.label = label
        self.span = _Span()
        self.row = -1
        self.col = -1

    def event(self, event: str, elem) -> None:
        if elem.tag.endswith("}row"):
            if event == "start":
                r = elem.get("r")
                self.row = int(r) - 1 if r and r.isdigit() and len(r) <= 7 else self.row + 1
                self.col = -1
            else:
                elem.clear()
                while elem.getprevious() is not None:  # keep the pull parser's tree small
                    del elem.getparent()[0]
            return
        if event != "end":
            return
        at = _ref(elem.get("r") or "")
        row, self.col = at if at is not None else (max(self.row, 0), self.col + 1)
        if len(elem) or (elem.text or "").strip():
            self.span.add(row, self.col, row, self.col)
        elem.clear()

    def finish(self) -> None:
        self.span.check(self.label)


class _OdsCells:
    """The span of each .ods table's cells that hold something, repeats counted."""

    tags = (odf("table:table"), odf("table:table-row"), odf("table:table-cell"), odf("table:covered-table-cell"))
    _TABLE, _ROW = odf("table:table"), odf("table:table-row")
    _ROWS_REPEATED, _COLS_REPEATED = odf("table:number-rows-repeated"), odf("table:number-columns-repeated")
    _VALUE_TYPE, _NAME = odf("office:value-type"), odf("table:name")

    def __init__(self) -> None:
        self.stack: list[list] = []  # per open table: [name, span, row, col, rows repeated]

    def event(self, event: str, elem) -> None:
        if elem.tag == self._TABLE:
            if event == "start":
                self.stack.append([elem.get(self._NAME, ""), _Span(), 0, 0, 1])
            elif self.stack:
                name, span, *_ = self.stack.pop()
                span.check(f"the sheet {name!r}")
                elem.clear()
            return
        if not self.stack:
            return
        table = self.stack[-1]
        if elem.tag == self._ROW:
            if event == "start":
                table[3], table[4] = 0, _count(elem.get(self._ROWS_REPEATED))
            else:
                table[2] += table[4]
                elem.clear()
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
            return
        if event != "end":
            return
        repeat = _count(elem.get(self._COLS_REPEATED))
        if elem.get(self._VALUE_TYPE) is not None or len(elem):
            row, col = table[2], table[3]
            table[1].add(row, col, row + table[4] - 1, col + repeat - 1)
        table[3] += repeat
        elem.clear()

    def finish(self) -> None:
        while self.stack:  # a table left open by a cut-off part: counted as far as it went
            name, span, *_ = self.stack.pop()
            span.check(f"the sheet {name!r}")


def _count(value: str | None) -> int:
    """A repeat count as written; an absurd or broken one counts as what it says, capped."""
    if value is None or not value.isdigit():
        return 1
    return min(int(value[:12]), 1 << 40)
