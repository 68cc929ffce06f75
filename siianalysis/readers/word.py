"""Word documents (.docx) as grids, through python-docx.

Teams often fill the handout in Word: a line naming the tambon, then the tables.
The body is walked in order (content controls included) into the grids of
``readers.flow`` ("text N", "table N", "header"). The XML is read directly rather than through ``_Cell`` objects
because python-docx repeats merged cells; here a merged range keeps its text at
the top-left grid position and '' elsewhere, the convention of every reader:
a ``gridSpan`` cell is followed by '' for the columns it covers, and a
``vMerge`` continuation cell is '' (its text, if any, is not shown by Word).
Nested tables are flattened into their cell's text, one line per nested row
with the row's non-empty cells joined by a tab, except in a one-cell table that holds
tables (a frame around the page): its content is read as the body's. Ticks are made readable: symbol-font ticks (Wingdings ü, Wingdings 2 P …) become
the marks they show (✓ ☑ ✗ ☒, the codebook's ``ticks.symbol_fonts``), and
check boxes (content controls, form fields) ☑ when checked, ☐ when not.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from siianalysis.readers.base import UnreadableFile, brief
from siianalysis.readers.flow import TextFlow
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.readers.symbols import CHECKED, UNCHECKED, is_symbol_font, symbol_char

W_P, W_TBL, W_TR, W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
W_R, W_T, W_TAB, W_BR, W_CR, W_SYM = qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:sym")
W_VAL = qn("w:val")
# Containers whose children belong to the parent's flow (content controls, custom XML).
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}
# Never shown as text: deleted revisions, properties, and the VML copy of a text box.
_SKIP = {qn("w:del"), qn("w:moveFrom"), qn("w:rPr"), qn("w:pPr"), qn("w:sdtPr"), qn("w:tcPr"), qn("w:trPr"),
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}

# Check boxes: Word 2010+ content controls, and legacy form fields. Both are
# read as ☑ (ticked) or ☐ (not), whatever glyph the document shows.
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W_SDT, W_FLDCHAR = qn("w:sdt"), qn("w:fldChar")


def _checkbox(el) -> str | None:
    """☑/☐ for a check-box content control (w:sdt) or form field (w:fldChar), else None."""
    if el.tag == W_SDT:
        box = el.find(f"{qn('w:sdtPr')}/{W14}checkbox")
        if box is None:
            return None
        state = box.find(f"{W14}checked")
        on = state is not None and state.get(f"{W14}val", "1") in ("1", "true", "on")
    else:
        box = el.find(f"{qn('w:ffData')}/{qn('w:checkBox')}")
        if box is None:
            return None
        state = box.find(qn("w:checked"))
        if state is None:
            state = box.find(qn("w:default"))
            on = state is not None and state.get(W_VAL, "1") in ("1", "true", "on")
        else:
            on = state.get(W_VAL, "1") in ("1", "true", "on")
    return CHECKED if on else UNCHECKED


# (property element, property) pairs looked up for every cell and run: built once.
_RUN_FONTS = (qn("w:rPr"), qn("w:rFonts"))
_W_ASCII, _W_HANSI = qn("w:ascii"), qn("w:hAnsi")
_GRID_BEFORE = (qn("w:trPr"), qn("w:gridBefore"))
_GRID_SPAN = (qn("w:tcPr"), qn("w:gridSpan"))
_V_MERGE = (qn("w:tcPr"), qn("w:vMerge"))


def _grandchild(el, path: tuple[str, str]):
    """``el.find("a/b")`` for ``path`` (a, b): the first b in an a child, or None. A loop over
    the few children, as ElementPath's ``find`` cost more than the rest of a table's walk."""
    parent_tag, tag = path
    for child in el:
        if child.tag == parent_tag:
            for grand in child:
                if grand.tag == tag:
                    return grand
    return None


def _run_font(run) -> str | None:
    fonts = _grandchild(run, _RUN_FONTS)
    return None if fonts is None else (fonts.get(_W_ASCII) or fonts.get(_W_HANSI))


def _inline_text(el, out: list[str], font: str | None = None) -> None:
    for child in el:
        tag = child.tag
        if tag == W_T:
            text = child.text or ""
            if font and is_symbol_font(font):
                text = "".join(symbol_char(font, ord(ch)) for ch in text)
            out.append(text)
        elif tag == W_R:
            _inline_text(child, out, _run_font(child))
        elif tag == W_TAB:
            out.append("\t")
        elif tag in (W_BR, W_CR):
            out.append("\n")
        elif tag == W_SYM:
            try:
                out.append(symbol_char(child.get(qn("w:font")), int(child.get(qn("w:char")) or "", 16)))
            except ValueError:
                pass
        elif tag in (W_SDT, W_FLDCHAR) and (box := _checkbox(child)) is not None:
            out.append(box)
        elif tag == W_P:  # a paragraph of a text box inside this paragraph
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            _inline_text(child, out)
        elif tag not in _SKIP and tag != W_TBL:
            _inline_text(child, out, font)


def paragraph_text(p) -> str:
    out: list[str] = []
    _inline_text(p, out)
    return "".join(out)


def _blocks(el):
    """Paragraphs and tables directly in ``el``, looking through content controls."""
    for child in el:
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _blocks(child)


def _children(el, tag):
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _int_prop(el, path: tuple[str, str], default: int) -> int:
    found = _grandchild(el, path)
    try:
        return max(int(found.get(W_VAL)), 0) if found is not None else default
    except (TypeError, ValueError):
        return default


def cell_text(tc) -> str:
    """A cell's paragraphs joined by newlines; a nested table one line per row."""
    lines: list[str] = []
    for block in _blocks(tc):
        if block.tag == W_P:
            lines.append(paragraph_text(block))
        else:
            for row in table_rows(block):
                lines.append("\t".join(c for c in row if c.strip()))
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def table_rows(tbl, merged: list[tuple[int, int, int, int]] | None = None) -> list[list[str]]:
    """A table as a rectangle of texts on its layout grid, merged ranges at their top-left;
    the ranges themselves are added to ``merged`` when it is given (``Grid.merged``)."""
    rows: list[list[str]] = []
    open_down: dict[int, int] = {}  # column → index in ``merged`` of the range a vMerge started there
    for r, tr in enumerate(_children(tbl, W_TR)):
        row = [""] * _int_prop(tr, _GRID_BEFORE, 0)
        for tc in _children(tr, W_TC):
            vmerge = _grandchild(tc, _V_MERGE)
            continued = vmerge is not None and vmerge.get(W_VAL, "continue") == "continue"
            span = _int_prop(tc, _GRID_SPAN, 1)
            if merged is not None:
                c = len(row)
                if continued and c in open_down:
                    r0, c0, _, c1 = merged[open_down[c]]
                    merged[open_down[c]] = (r0, c0, r, c1)
                elif not continued:
                    open_down.pop(c, None)
                    if vmerge is not None or span > 1:
                        if vmerge is not None:
                            open_down[c] = len(merged)
                        merged.append((r, c, r, c + max(span, 1) - 1))
            row.append("" if continued else cell_text(tc))
            row.extend([""] * (span - 1))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _header_lines(document) -> list[str]:
    lines: list[str] = []
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            if header.is_linked_to_previous:  # no header of its own (reading it would add one)
                continue
            lines.extend(_block_lines(header._element))
    return _distinct_lines(lines)


def _block_lines(root) -> list[str]:
    """The text of a header's or footer's paragraphs, and of its tables' cells, in order."""
    lines: list[str] = []
    for block in _blocks(root):
        if block.tag == W_P:
            lines.append(paragraph_text(block))
        else:
            lines.extend(c for row in table_rows(block) for c in row)
    return lines


def _distinct_lines(lines: list[str]) -> list[str]:
    """Non-blank lines, each once, in their first place (sections repeat their headers)."""
    seen: set[str] = set()
    return [x for x in lines if x.strip() and not (x in seen or seen.add(x))]


_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# python-docx's own parser settings (docx.oxml.parser): entities never expanded.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
W_DOCUMENT, W_BODY = qn("w:document"), qn("w:body")


def _main_body(path: Path):
    """The ``w:body`` of the main document part, parsed by python-docx's XML layer.

    Opening the whole package (``docx.Document``) also parses styles, numbering,
    settings, theme and fonts, which the grids never use: two thirds of the time
    a worksheet took. Only the headers need the package; ``_grids`` opens it then.
    Parsed as python-docx parses (``_PARSER``) but into plain lxml elements: its element
    classes cost a third of the walk over the tables.
    """
    with zipfile.ZipFile(path) as package:
        rels = etree.fromstring(package.read("_rels/.rels"), _PARSER)
        target = next(r.get("Target") for r in rels if r.get("Type") == _OFFICE_DOCUMENT)
        data = package.read(posixpath.normpath(target.lstrip("/")))
        root = etree.fromstring(data, _PARSER)
        if root.tag != W_DOCUMENT:  # no document part: python-docx's reading (and error), as ever
            return parse_xml(data).body
        return root.find(W_BODY)


def _frame_cell(tbl):
    """The cell of a one-cell table that holds tables (a frame drawn around the worksheet, or
    a worksheet pasted into a text box's table), else None: its content is the body's."""
    rows = list(_children(tbl, W_TR))
    if len(rows) != 1:
        return None
    cells = list(_children(rows[0], W_TC))
    if len(cells) != 1 or not any(b.tag == W_TBL for b in _blocks(cells[0])):
        return None
    return cells[0]


def _walk(el, flow: TextFlow) -> None:
    for block in _blocks(el):
        if block.tag == W_P:
            flow.paragraph(paragraph_text(block))
        elif (frame := _frame_cell(block)) is not None:
            _walk(frame, flow)
        else:
            merged: list[tuple[int, int, int, int]] = []
            flow.table(table_rows(block, merged), merged)


def _grids(body, source: str, path: Path) -> list[Grid]:
    flow = TextFlow(source)
    _walk(body, flow)
    return flow.grids(lambda: _header_lines(docx.Document(str(path))))


_MARGIN_PART = re.compile(r"^word/(?:header|footer)[0-9]*\.xml$")


def _margin_lines(path: Path) -> list[str]:
    """The text lines of the page headers and footers (``RawDocument.margins``), read from
    their parts directly: opening the package with python-docx costs more than the body."""
    lines: list[str] = []
    with zipfile.ZipFile(path) as package:
        for name in sorted(n for n in package.namelist() if _MARGIN_PART.match(n)):
            lines.extend(_block_lines(etree.fromstring(package.read(name), _PARSER)))
    return _distinct_lines(lines)


def _is_ole(path: Path) -> bool:
    """True for the old binary Office format (.doc), often renamed .docx."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


def read_docx(path: Path, display_name: str) -> list[RawDocument]:
    """A Word document's text runs and tables, in body order, as one document."""
    try:
        grids = _grids(_main_body(path), display_name, path)
        margins = _margin_lines(path)
    except Exception as exc:  # zip, XML, package and content-type errors of python-docx
        hint = " (an old .doc renamed to .docx?)" if _is_ole(path) else ""
        raise UnreadableFile("corrupt-file", f"cannot open as a Word document{hint} ({brief(exc)})") from exc
    return [RawDocument(source_file=display_name, grids=grids, margins=margins)]
