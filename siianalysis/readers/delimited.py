"""A delimited text file (.csv) as one grid of text cells, whatever its separator.

The project's tidy CSV is read into records (``readers.tidy_csv``); a CSV an
online service writes (KoboToolbox with ``;``, ODK Central and Google Forms with
``,``, a tab-separated download) is first read as a grid so its header can be
recognised by content (``siianalysis.forms``). The separator is the one of
``, ; tab`` that splits a line of the first 30 into the most fields. Text is UTF-8 (with
or without BOM) or Thai Windows' cp874; rows are named by their line as Excel
numbers them (header = line 1; a quoted value spanning lines is one line).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from siianalysis.readers.base import UnreadableFile, brief
from siianalysis.readers.grid import Grid

_SEPARATORS = (",", ";", "\t")


def decode_text(raw: bytes) -> str:
    """The file's text: UTF-16 when it starts with a BOM (Excel's "Unicode Text", tab-separated),
    UTF-8 (BOM or not), else Thai Windows' cp874 (TIS-620: what Thai Windows Excel saves as
    "CSV"; accepted rather than refused)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its BOM: Excel's "Unicode Text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("corrupt-file", f"the CSV is not valid UTF-16 text ({brief(exc)})") from exc
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("corrupt-file", "the CSV is neither UTF-8 nor Thai (cp874) text")


# Lines looked at to tell the separator: a sheet saved as CSV may start with a one-cell
# title or place line, so the header line alone cannot tell.
_SNIFF_LINES = 30


def _separator(text: str) -> str:
    def fields(sep: str) -> int:
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
            return max((len(row) for _, row in zip(range(_SNIFF_LINES), reader)), default=0)
        except csv.Error:
            return 0
    return max(_SEPARATORS, key=fields)  # ties: the comma, listed first


def read_delimited(path: Path, display_name: str) -> Grid | None:
    """The file as one grid (``kind="csv"``), or None when it holds no text."""
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot read the CSV ({brief(exc)})") from exc
    if not text.strip():
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), strict=True))
    except csv.Error as exc:
        raise UnreadableFile("corrupt-file", f"malformed CSV ({brief(exc)})") from exc
    width = max((len(r) for r in rows), default=0)
    cells = [r + [""] * (width - len(r)) for r in rows]
    return Grid(display_name, "csv", "csv", cells, row_refs=[f"line {n}" for n in range(1, len(cells) + 1)])
