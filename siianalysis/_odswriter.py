"""A small OpenDocument spreadsheet (.ods) writer, for the sample data.

Some teams save from LibreOffice. No ODS writer is a dependency of the
project, and a spreadsheet needs little: a zip whose first entry is the
uncompressed ``mimetype``, a manifest, and ``content.xml`` holding
``table:table`` rows of cells. Text cells are ``office:value-type="string"``
with one ``text:p`` per line; a merged range is a cell with
``table:number-columns-spanned`` / ``table:number-rows-spanned`` followed by
``table:covered-table-cell`` s. The output is deterministic (entries dated by
``freeze_zip``'s fixed date).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from siianalysis._zipfreeze import freeze_zip

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
Cell = str | int | float | None


@dataclass(slots=True)
class OdsSheet:
    """One sheet: rows of cells (None or "" for empty), merged ranges as
    ``(row, col, n_rows, n_cols)`` (0-based), column widths in cm (optional)."""

    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths_cm: list[float] = field(default_factory=list)


_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.2"'
)

_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)

_STYLES = f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_NS}><office:styles/></office:document-styles>'
_RUN_OF_SPACES = re.compile(r"  +")


def _paragraph(line: str) -> str:
    # ODF collapses runs of spaces; a run is written as one space + <text:s c=n>.
    def spaces(m: re.Match[str]) -> str:
        return f' <text:s text:c="{len(m.group()) - 1}"/>'

    return "<text:p>" + _RUN_OF_SPACES.sub(spaces, escape(line)) + "</text:p>"


def _cell(value: Cell, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span is not None:
        attrs += f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if value is None or value == "":
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell{attrs} office:value-type="float" office:value="{value}">'
            f"{_paragraph(str(value))}</table:table-cell>"
        )
    text = str(value)
    body = "".join(_paragraph(line) for line in text.split("\n"))
    return f'<table:table-cell{attrs} table:style-name="wrap" office:value-type="string">{body}</table:table-cell>'


def _table(sheet: OdsSheet, index: int) -> str:
    starts = {(r, c): (nr, nc) for r, c, nr, nc in sheet.merges}
    covered = {
        (r + dr, c + dc)
        for r, c, nr, nc in sheet.merges
        for dr in range(nr)
        for dc in range(nc)
        if dr or dc
    }
    n_cols = max([len(r) for r in sheet.rows] + [c + nc for _, c, _, nc in sheet.merges] + [len(sheet.widths_cm)], default=0)
    parts = [f"<table:table table:name={quoteattr(sheet.name)}>"]
    for c in range(n_cols):
        style = f"co{index}_{c}" if c < len(sheet.widths_cm) else "co_default"
        parts.append(f'<table:table-column table:style-name="{style}"/>')
    for r, row in enumerate(sheet.rows):
        parts.append("<table:table-row>")
        for c in range(n_cols):
            value = row[c] if c < len(row) else None
            if (r, c) in covered:
                parts.append("<table:covered-table-cell/>")
            else:
                parts.append(_cell(value, starts.get((r, c))))
        parts.append("</table:table-row>")
    parts.append("</table:table>")
    return "".join(parts)


def _content(sheets: Sequence[OdsSheet]) -> str:
    col_styles = ['<style:style style:name="co_default" style:family="table-column">'
                  '<style:table-column-properties style:column-width="2.5cm"/></style:style>']
    for i, sheet in enumerate(sheets):
        for c, width in enumerate(sheet.widths_cm):
            col_styles.append(
                f'<style:style style:name="co{i}_{c}" style:family="table-column">'
                f'<style:table-column-properties style:column-width="{width:.2f}cm"/></style:style>'
            )
    wrap = (
        '<style:style style:name="wrap" style:family="table-cell">'
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {_NS}>"
        f"<office:automatic-styles>{''.join(col_styles)}{wrap}</office:automatic-styles>"
        "<office:body><office:spreadsheet>"
        + "".join(_table(s, i) for i, s in enumerate(sheets))
        + "</office:spreadsheet></office:body></office:document-content>"
    )


def write_ods(path: str | Path, sheets: Sequence[OdsSheet]) -> Path:
    """Writes ``sheets`` as an .ods file at ``path`` and returns the path."""
    path = Path(path)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("styles.xml", _STYLES, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", _content(sheets), compress_type=zipfile.ZIP_DEFLATED)
    return freeze_zip(path)
