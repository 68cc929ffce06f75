"""OpenDocument text (.odt, LibreOffice Writer) as grids, in the Word reader's form.

A team that fills the handout in LibreOffice Writer sends the same thing as a
Word user: a line naming the tambon, then the tables. The document becomes
exactly what ``siianalysis.readers.word`` makes of a .docx, so the one parser
reads both: each run of non-empty paragraphs between tables a one-column
``docx-text`` grid ("text N"), each table a ``docx-table`` grid ("table N", N
counting every table of the body, an empty one too); the master pages' headers
("header") only when the body has no text.

Merged cells keep their text at the top-left position and '' elsewhere:
OpenDocument writes a ``covered-table-cell`` for every position a span
(``number-columns-spanned`` / ``number-rows-spanned``) covers, and it reads as
''. Nested tables are flattened into their cell's text, one line per row, the
row's non-empty cells joined by a tab. Text follows OpenDocument's white-space
rule (runs of spaces, tabs and newlines in the XML are one space; ``text:s``,
``text:tab`` and ``text:line-break`` are literal). Not read, as in Word: tracked
deletions, comments, footnotes, list numbers, the text of form-control labels.

Check boxes read as ☑ (checked) or ☐ (not) whatever glyph is shown: Writer's
check-box content controls (``loext:content-control``), Word's legacy check-box
fields as LibreOffice keeps them (``field:fieldmark`` FORMCHECKBOX) and form
controls (``draw:control`` → ``form:checkbox``). Ticks typed in a symbol font
(Wingdings) read as Word's do, through the same table.

content.xml is parsed by lxml as python-docx parses a .docx (no entity is
expanded, nothing is fetched from the network); a document type declaration,
which OpenDocument never has, is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from siianalysis.readers.base import MAX_FILE_BYTES, UnreadableFile, brief
from siianalysis.readers.archive import read_part
from siianalysis.readers.flow import TextFlow
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.readers.symbols import CHECKED, UNCHECKED, is_symbol_font, symbol_char
from siianalysis.readers.officexml import odf, parse_xml

_q = odf


T_P, T_H, TABLE = _q("text:p"), _q("text:h"), _q("table:table")
T_S, T_TAB, T_BREAK, T_SPAN = _q("text:s"), _q("text:tab"), _q("text:line-break"), _q("text:span")
ROW, CELL, COVERED = _q("table:table-row"), _q("table:table-cell"), _q("table:covered-table-cell")
# Row containers of a table: header rows, row groups, plain rows.
_ROW_GROUPS = {_q("table:table-header-rows"), _q("table:table-rows"), _q("table:table-row-group")}
DRAW_CONTROL, FIELDMARK, CONTENT_CONTROL = _q("draw:control"), _q("field:fieldmark"), _q("loext:content-control")
TEXT_STYLE, STYLE_NAME = _q("text:style-name"), _q("style:name")
# Never shown as body text: declarations, tracked deletions, forms (read apart),
# comments, footnotes, list numbers, ruby annotations, alt text, embedded bytes.
_SKIP = {_q(n) for n in (
    "text:tracked-changes", "text:sequence-decls", "text:variable-decls", "text:user-field-decls",
    "text:dde-connection-decls", "office:forms", "office:annotation", "office:annotation-end", "text:note",
    "text:number", "text:ruby-text", "svg:title", "svg:desc", "office:binary-data", "office:event-listeners",
    "text:table-of-content-source", "text:alphabetical-index-source", "text:illustration-index-source",
    "text:table-index-source", "text:object-index-source", "text:user-index-source",
    "text:bibliography-source", "table:table-columns", "table:table-column", "table:table-header-columns",
    "table:table-column-group", "loext:table-protection",
)}
_ON = ("true", "1", "checked", "on")
# Repeat counts multiply what the XML holds: a document with more cells than
# this (after repeats) is not a worksheet but a crafted file; a run of spaces
# (``text:s``) counts at most _MAX_SPACES.
MAX_CELLS = 200_000
_MAX_SPACES = 64


class _Document:
    """One .odt's content: its check boxes and fonts by style, and how to read text from it."""

    def __init__(self, root, font_faces: dict[str, str]) -> None:
        self.boxes = _form_checkboxes(root)
        self.fonts = _style_fonts(root, font_faces)
        self.cells = 0

    # ------------------------------------------------------------------ text

    def paragraph_text(self, p) -> str:
        out: list[str] = []
        self._inline(p, out, self._font(p, None), [True])
        return "".join(out)

    def _font(self, el, inherited: str | None) -> str | None:
        return self.fonts.get(el.get(TEXT_STYLE), inherited)

    def _inline(self, el, out: list[str], font: str | None, space: list[bool]) -> None:
        """Appends ``el``'s text; ``space[0]`` is True when the last character written was
        collapsible white space (or the paragraph has just begun): XML white space then adds nothing."""
        self._chars(el.text, out, font, space)
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                pass
            elif tag == T_S:
                out.append(" " * min(_count(child.get(_q("text:c")), 1), _MAX_SPACES))
                space[0] = False
            elif tag == T_TAB:
                out.append("\t")
                space[0] = False
            elif tag == T_BREAK:
                out.append("\n")
                space[0] = True
            elif tag in (T_P, T_H):  # a paragraph of a text box inside this paragraph
                if out and not out[-1].endswith("\n"):
                    out.append("\n")
                space[0] = True
                self._inline(child, out, self._font(child, None), space)
            elif tag == TABLE:  # a table in a text box: its rows as lines
                if out and not out[-1].endswith("\n"):
                    out.append("\n")
                out.append("\n".join("\t".join(c for c in row if c.strip()) for row in self.table_rows(child)))
                space[0] = True
            elif (box := _checkbox(child, self.boxes)) is not None:
                out.append(box)
                space[0] = False
            else:
                self._inline(child, out, self._font(child, font) if tag == T_SPAN else font, space)
            self._chars(child.tail, out, font, space)

    @staticmethod
    def _chars(text: str | None, out: list[str], font: str | None, space: list[bool]) -> None:
        if not text:
            return
        collapsed = " ".join(text.split())
        if text[0] in " \t\n\r" and not space[0]:
            collapsed = " " + collapsed
        if text[-1] in " \t\n\r" and collapsed.strip():
            collapsed += " "
        if not collapsed:
            return
        if font and is_symbol_font(font):
            collapsed = "".join(symbol_char(font, ord(ch)) for ch in collapsed)
        out.append(collapsed)
        space[0] = collapsed.endswith(" ")

    # ---------------------------------------------------------------- tables

    def cell_text(self, cell) -> str:
        """A cell's paragraphs joined by newlines; a nested table one line per row."""
        lines: list[str] = []
        for block in _blocks(cell):
            if block.tag == TABLE:
                lines.extend("\t".join(c for c in row if c.strip()) for row in self.table_rows(block))
            else:
                lines.append(self.paragraph_text(block))
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        return "\n".join(lines)

    def table_rows(self, tbl, merged: list[tuple[int, int, int, int]] | None = None) -> list[list[str]]:
        """A table as a rectangle of texts, merged ranges at their top-left ('' where covered);
        the ranges themselves are added to ``merged`` when it is given (``Grid.merged``)."""
        rows: list[list[str]] = []
        for tr in _table_rows(tbl):
            row: list[str] = []
            for cell in tr:
                if cell.tag not in (CELL, COVERED):
                    continue
                text = "" if cell.tag == COVERED else self.cell_text(cell)
                if merged is not None and cell.tag == CELL:
                    across = _count(cell.get(_q("table:number-columns-spanned")), 1)
                    down = _count(cell.get(_q("table:number-rows-spanned")), 1)
                    if across > 1 or down > 1:
                        merged.append((len(rows), len(row), len(rows) + down - 1, len(row) + across - 1))
                row.extend([text] * _count(cell.get(_q("table:number-columns-repeated")), 1))
            repeat = _count(tr.get(_q("table:number-rows-repeated")), 1)
            self.cells += len(row) * repeat
            if self.cells > MAX_CELLS:
                raise UnreadableFile("corrupt-file", f"the tables hold more than {MAX_CELLS:,} cells (repeated "
                                                     "rows or columns): not a worksheet")
            rows.extend(list(row) for _ in range(repeat))
        width = max((len(r) for r in rows), default=0)
        return [r + [""] * (width - len(r)) for r in rows]


def _count(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError:
        return default


def _blocks(el):
    """Paragraphs, headings and tables in ``el``'s flow, looking through sections, lists and frames."""
    for child in el:
        tag = child.tag
        if tag in (T_P, T_H, TABLE):
            yield child
        elif isinstance(tag, str) and tag not in _SKIP:
            yield from _blocks(child)


def _table_rows(tbl):
    for child in tbl:
        if child.tag == ROW:
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from _table_rows(child)


def _checkbox(el, boxes: dict[str, bool]) -> str | None:
    """☑/☐ for a check-box content control, check-box field or form control; None for anything else."""
    tag = el.tag
    if tag == CONTENT_CONTROL:
        if el.get(_q("loext:checkbox")) not in _ON:
            return None
        return CHECKED if el.get(_q("loext:checked")) in _ON else UNCHECKED
    if tag == FIELDMARK:
        if not (el.get(_q("field:type")) or "").endswith("FORMCHECKBOX"):
            return None
        on = any(p.get(_q("field:name")) == "Checkbox_Checked" and p.get(_q("field:value")) in _ON
                 for p in el.iter(_q("field:param")))
        return CHECKED if on else UNCHECKED
    if tag == DRAW_CONTROL:
        state = boxes.get(el.get(_q("draw:control")) or "")
        return None if state is None else (CHECKED if state else UNCHECKED)
    return None


def _form_checkboxes(root) -> dict[str, bool]:
    """Form check boxes by control id: checked now (``current-state``), else by default (``state``)."""
    boxes: dict[str, bool] = {}
    for box in root.iter(_q("form:checkbox")):
        state = box.get(_q("form:current-state"), box.get(_q("form:state"), "unchecked"))
        for key in (_q("xml:id"), _q("form:id")):
            if box.get(key):
                boxes[box.get(key)] = state == "checked"
    return boxes


def _font_faces(root) -> dict[str, str]:
    """Declared font names → the family they stand for, lower case (``Wingdings1`` → ``wingdings``)."""
    faces = {}
    for face in root.iter(_q("style:font-face")):
        family = (face.get(_q("svg:font-family")) or face.get(STYLE_NAME) or "").strip().strip("'\"")
        faces[face.get(STYLE_NAME)] = family.lower()
    return faces


def _style_fonts(root, faces: dict[str, str]) -> dict[str, str]:
    """Automatic text and paragraph styles → the Latin font their text is shown in, where one is set."""
    styles = {}
    for style in root.iter(_q("style:style")):
        props = style.find(_q("style:text-properties"))
        parent = style.get(_q("style:parent-style-name"))
        font = None
        if props is not None:
            name = props.get(_q("style:font-name"))
            font = faces.get(name, (name or "").lower()) if name else (props.get(_q("fo:font-family")) or "").lower()
        styles[style.get(STYLE_NAME)] = (font.strip("'\"") if font else None, parent)
    fonts: dict[str, str] = {}
    for name in styles:
        seen, current = set(), name
        while current in styles and current not in seen:  # the parent's font, when the style sets none
            seen.add(current)
            font, current = styles[current]
            if font:
                fonts[name] = font
                break
    return fonts


def _parse(data: bytes, part: str):
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile("corrupt-file", f"{part} is not well-formed XML ({brief(exc)})") from exc
    if root.getroottree().docinfo.doctype:
        raise UnreadableFile("corrupt-file", f"{part} declares a document type, which OpenDocument files never do")
    return root


def _header_lines(doc: _Document, styles_root) -> list[str]:
    lines: list[str] = []
    for kind in ("style:header", "style:header-first", "loext:header-first", "style:header-left"):
        for header in styles_root.iter(_q(kind)):
            if header.get(_q("style:display")) == "false":
                continue
            for block in _blocks(header):
                if block.tag == TABLE:
                    lines.extend(c for row in doc.table_rows(block) for c in row)
                else:
                    lines.append(doc.paragraph_text(block))
    seen: set[str] = set()
    return [x for x in lines if x.strip() and not (x in seen or seen.add(x))]


def _frame_cell(tbl):
    """The cell of a one-cell table that holds tables (a frame drawn around the worksheet),
    else None: its content is read as the body's."""
    rows = list(_table_rows(tbl))
    if len(rows) != 1:
        return None
    cells = [c for c in rows[0] if c.tag in (CELL, COVERED)]
    if len(cells) != 1 or not any(b.tag == TABLE for b in _blocks(cells[0])):
        return None
    return cells[0]


def _walk(doc: _Document, el, flow: TextFlow) -> None:
    for block in _blocks(el):
        if block.tag != TABLE:
            flow.paragraph(doc.paragraph_text(block))
        elif (frame := _frame_cell(block)) is not None:
            _walk(doc, frame, flow)
        else:
            merged: list[tuple[int, int, int, int]] = []
            flow.table(doc.table_rows(block, merged), merged)


def _grids(package: zipfile.ZipFile, source: str) -> list[Grid]:
    root = _parse(read_part(package, "content.xml", MAX_FILE_BYTES), "content.xml")
    body = root.find(f"{_q('office:body')}/{_q('office:text')}")
    if body is None:
        kind = next((child.tag.split("}")[-1] for child in root.iterfind(_q("office:body") + "/*")), "nothing")
        hint = " (an .ods renamed .odt? rename it back)" if kind == "spreadsheet" else ""
        raise UnreadableFile("corrupt-file", f"not an OpenDocument text: its body holds {kind}{hint}")
    doc = _Document(root, _font_faces(root))
    flow = TextFlow(source)
    _walk(doc, body, flow)

    def header_lines() -> list[str]:
        if "styles.xml" not in package.namelist():
            return []
        styles_root = _parse(read_part(package, "styles.xml", MAX_FILE_BYTES), "styles.xml")
        return _header_lines(_Document(styles_root, _font_faces(styles_root)), styles_root)

    return flow.grids(header_lines)


def read_odt(path: Path, display_name: str) -> list[RawDocument]:
    """An OpenDocument text's paragraphs and tables, in body order, as one document."""
    try:
        with zipfile.ZipFile(path) as package:
            if "content.xml" not in package.namelist():
                hint = " (a Word .docx renamed .odt?)" if "word/document.xml" in package.namelist() else ""
                raise UnreadableFile("corrupt-file", f"cannot open as an OpenDocument text: no content.xml{hint}")
            grids = _grids(package, display_name)
    except UnreadableFile:
        raise
    except Exception as exc:  # zip and XML errors
        raise UnreadableFile("corrupt-file", f"cannot open as an OpenDocument text ({brief(exc)})") from exc
    return [RawDocument(source_file=display_name, grids=grids)]
