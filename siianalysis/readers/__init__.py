"""Readers: every file a team sends becomes ``RawDocument`` s of text grids (or records).

``read_file`` is the one entry point. It picks a reader by suffix (a workbook or
CSV whose header is an online form's export becomes that form's submissions, as
records: ``siianalysis.forms``) and turns
every way a file can be bad into ``UnreadableFile`` with a short code, so a run
over thousands of files can report a bad one and go on. Readers know nothing
about worksheets; ``siianalysis.parse`` interprets the grids and records.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from siianalysis.readers.archive import MAX_ARCHIVE_BYTES
from siianalysis.readers.base import (
    ARCHIVE_SUFFIXES,
    MAX_FILE_BYTES,
    SPREADSHEET_SUFFIXES,
    SUPPORTED_SUFFIXES,
    UnreadableFile,
    brief,
    is_lock_file,
    lock_file_message,
    unsupported_format,
)
from siianalysis.readers.grid import Grid, RawDocument, column_letter
from siianalysis.readers.precheck import check_document_bytes
from siianalysis.readers.records import Record
from siianalysis.readers.scrub import scrub_document

__all__ = [
    "ARCHIVE_SUFFIXES",
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Grid",
    "RawDocument",
    "Record",
    "UnreadableFile",
    "column_letter",
    "brief",
    "is_lock_file",
    "lock_file_message",
    "read_at_most",
    "read_file",
    "refusal_before_reading",
    "unsupported_format",
]


def refusal_before_reading(name: str, size: int) -> UnreadableFile | None:
    """Why a file of this name and size is not read at all, decided before a byte of it is:
    a format not read, or more bytes than the limit (``MAX_ARCHIVE_BYTES`` for a zip)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES | ARCHIVE_SUFFIXES:
        return unsupported_format(PurePosixPath(name).suffix)
    limit = MAX_ARCHIVE_BYTES if suffix in ARCHIVE_SUFFIXES else MAX_FILE_BYTES
    if size > limit:
        return UnreadableFile("file-too-large", f"{size:,} bytes, more than the limit of {limit:,}")
    return None


def read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes, read once, refused as ``file-too-large`` if it holds more than ``limit``
    (it may have grown since its size was looked at)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot open the file ({brief(exc)})") from exc
    if len(data) > limit:
        raise UnreadableFile("file-too-large", f"more than the limit of {limit:,} bytes")
    return data


def _form_export(grids: list[Grid]) -> list[RawDocument] | None:
    """The submissions of an online form's export (``siianalysis.forms``: its first visible
    sheet's header says so), or None for any other file."""
    from siianalysis.forms.exports import read_form_export

    visible = [g for g in grids if not g.hidden]
    return read_form_export(visible[0]) if visible else None


def _read_csv(path: Path, name: str) -> list[RawDocument]:
    """A CSV: an online form's export when its header says so, the project's tidy CSV when its
    first line names a tidy column (a missing one is then said), else the grid of a sheet saved
    as CSV."""
    from siianalysis.readers.delimited import read_delimited
    from siianalysis.readers.tidy_csv import names_tidy_columns, read_tidy_csv

    grid = read_delimited(path, name)
    if grid is not None and (exported := _form_export([grid])):
        return exported
    if grid is not None and not names_tidy_columns(grid.cells[0]):
        # A worksheet's sheet saved as CSV (Excel's "Save as ▸ CSV", "Unicode Text"): read as the
        # sheet it was; the parser says so if it holds no worksheet table either.
        return [RawDocument(source_file=name, grids=[grid])]
    return read_tidy_csv(path, name)


def read_file(path: Path, display_name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> list[RawDocument]:
    """Reads one file into documents (one, except a tidy CSV carrying several tambons and a
    form export, one per submission).

    ``display_name`` (default ``path.name``) is what grids and documents name as
    their source; callers pass the path relative to the raw folder.
    """
    path = Path(path)
    name = display_name if display_name is not None else path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise unsupported_format(path.suffix)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot open the file ({brief(exc)})") from exc
    if size > max_bytes:
        raise UnreadableFile("file-too-large", f"{size:,} bytes, more than the limit of {max_bytes:,}")
    if size == 0:
        raise UnreadableFile("empty-file", "the file is empty (0 bytes)")
    check_document_bytes(read_at_most(path, max_bytes), suffix)

    # Imported here so reading workbooks never loads python-docx, and back.
    if suffix in SPREADSHEET_SUFFIXES:
        from siianalysis.readers.spreadsheet import read_spreadsheet as reader
    elif suffix == ".docx":
        from siianalysis.readers.word import read_docx as reader
    elif suffix == ".odt":
        from siianalysis.readers.odt import read_odt as reader
    else:
        reader = _read_csv
    docs = reader(path, name)
    if suffix in SPREADSHEET_SUFFIXES and (exported := _form_export([g for d in docs for g in d.grids])):
        docs = exported
    docs = [scrub_document(d) for d in docs]
    if not any(g.cells for d in docs for g in d.grids) and not any(d.records for d in docs):
        raise UnreadableFile("empty-file", "no cell or paragraph has any text")
    return docs
