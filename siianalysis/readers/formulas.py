"""Formulas written without their values, as their text.

An office suite stores each formula with the value it last computed, and that
value is what calamine gives and what a person saw. A file written by a library
(openpyxl, Apache POI, …) may store the formula alone: calamine then gives an
empty cell, and whatever the formula was meant to show would vanish. Those
cells keep the formula as written ("=B3&C3", "=IF(…)"): never an empty cell.
A formula whose stored value is an empty string (``t="str"`` with an empty
``<v>``, as LibreOffice and Excel write "") showed nothing, and stays empty.

The check inflates each worksheet part of an xlsx/xlsm once more, a chunk at a
time, and looks for a formula element; only a sheet that has one is parsed
(lxml, no entities, no network). The text of a shared formula's other cells is translated from its
first cell with openpyxl's ``Translator``, as Excel shows it.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib

from lxml import etree

from siianalysis.readers.officexml import parse_xml

Cell = tuple[int, int]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# A formula element: <f>, <f t="shared" …/>. A literal start keeps the search
# fast; parts whose elements carry a namespace prefix (<x:f>) get the slower one.
_FORMULA_TAG = re.compile(rb"<f[\s>/]")
_PREFIXED_FORMULA_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:f[\s>/]")
_PREFIXED_ROOT = re.compile(rb"<[A-Za-z_][\w.-]*:worksheet[\s>]")
_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
# Types whose empty <v> is a stored value (an empty string), not a missing one.
_TEXT_TYPES = frozenset({"str", "s", "inlineStr"})


def _cell(ref: str) -> Cell | None:
    m = _REF.match(ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# What a damaged package or part raises; it is then left as calamine read it.
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error, etree.XMLSyntaxError,
           RuntimeError, NotImplementedError, struct.error)
_CHUNK = 1 << 22  # inflated a chunk at a time: a part that inflates absurdly costs no memory
_LOCAL_HEADER = 30


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """An xlsx package's worksheet part paths ("xl/worksheets/sheet1.xml") → sheet names."""
    workbook = parse_xml(package.read("xl/workbook.xml"))
    rels_root = parse_xml(package.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels_root.iter(f"{{{_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
    names = {}
    for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
        path = targets.get(sheet.get(f"{{{_REL}}}id"))
        if path:
            names[path] = sheet.get("name", "")
    return names


def _unvalued(sheet_xml: bytes) -> dict[Cell, str]:
    """Formula cells of one worksheet part that store no value → "=formula"."""
    from openpyxl.formula.translate import Translator

    root = parse_xml(sheet_xml)
    shared: dict[str, tuple[str, str]] = {}  # si → (formula, its cell)
    found: dict[Cell, str] = {}
    for c in root.iter(f"{{{_MAIN}}}c"):
        f = c.find(f"{{{_MAIN}}}f")
        if f is None:
            continue
        ref = c.get("r", "")
        text = f.text or ""
        if f.get("t") == "shared":
            si = f.get("si", "")
            if text:
                shared[si] = (text, ref)
            elif si in shared:
                master, origin = shared[si]
                try:
                    text = Translator("=" + master, origin=origin).translate_formula(ref)[1:]
                except (ValueError, KeyError, IndexError):  # a reference openpyxl cannot move
                    text = master
        v = c.find(f"{{{_MAIN}}}v")
        has_value = v is not None and (bool(v.text) or c.get("t") in _TEXT_TYPES)
        cell = _cell(ref)
        if not has_value and text and cell is not None:
            found[cell] = "=" + text
    return found


def _has_formula(data: bytes, info: zipfile.ZipInfo, package: zipfile.ZipFile) -> bool:
    """Whether a worksheet part holds a formula element, inflating its raw bytes in chunks.

    Straight from the member's bytes: the common case (no formula) is the whole
    cost of this module, and zipfile's reader adds a third to it.
    """
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:  # stored or encrypted: the slow way
        xml = package.read(info)
        return bool(_tag_for(xml).search(xml))
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = memoryview(data)[start:start + info.compress_size]
    tag = tail = None
    while True:
        chunk = inflate.decompress(pending, _CHUNK) if pending else inflate.flush()
        tag = tag or _tag_for(chunk)
        if tag.search(chunk) or (tail and tag.search(tail + chunk[:64])):
            return True
        if not pending or not chunk:
            return False
        tail = chunk[-64:]
        pending = inflate.unconsumed_tail


def _tag_for(head: bytes) -> re.Pattern[bytes]:
    """The formula search for a part, by how its root element is written."""
    return _PREFIXED_FORMULA_TAG if _PREFIXED_ROOT.search(head[:2048]) else _FORMULA_TAG


def formulas_without_values(data: bytes) -> dict[str, dict[Cell, str]]:
    """Sheet name → {(row, column), 0-based: "=formula"} for formulas stored without a value.

    {} for a workbook with none (the common case), or that is not an xlsx/xlsm
    package; a part that cannot be parsed is left as calamine read it.
    """
    if data[:2] != b"PK":
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = [info for info in package.infolist()
                     if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")]
            flagged = {info.filename: package.read(info) for info in parts if _has_formula(data, info, package)}
            if not flagged:
                return {}
            names = sheet_parts(package)
    except _BROKEN:  # not a package calamine reads as xlsx either: it reports that
        return {}
    out: dict[str, dict[Cell, str]] = {}
    for part, xml in flagged.items():
        try:
            cells = _unvalued(xml)
        except _BROKEN:
            cells = {}
        if cells and part in names:
            out[names[part]] = cells
    return out
