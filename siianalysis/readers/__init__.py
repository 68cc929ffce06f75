"""Readers: every file a team sends becomes ``RawDocument`` s of text grids.

``read_file`` is the one entry point. It picks a reader by suffix and turns
every way a file can be bad into ``UnreadableFile`` with a short code, so a run
over thousands of files can report a bad one and go on. Readers know nothing
about worksheets; ``siianalysis.parse`` interprets the grids.
"""

from __future__ import annotations

from pathlib import Path

from siianalysis.readers.grid import Grid, RawDocument, column_letter

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Grid",
    "RawDocument",
    "UnreadableFile",
    "column_letter",
    "read_file",
]

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | {".docx", ".csv"}
MAX_FILE_BYTES = 50 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that cannot be read as a worksheet; .code is a short kebab-case code, str(e) the human message.

    Codes: ``unsupported-format``, ``file-too-large``, ``empty-file``,
    ``corrupt-file``, ``not-a-worksheet``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def brief(exc: BaseException) -> str:
    """The underlying error in one short line, for ``corrupt-file`` messages."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def read_file(path: Path, display_name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> list[RawDocument]:
    """Reads one file into documents (one, except a tidy CSV carrying several tambons).

    ``display_name`` (default ``path.name``) is what grids and documents name as
    their source; callers pass the path relative to the raw folder.
    """
    path = Path(path)
    name = display_name if display_name is not None else path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableFile("unsupported-format", f"'{path.suffix or '(no suffix)'}' files are not read (only {kinds})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile("corrupt-file", f"cannot open the file ({brief(exc)})") from exc
    if size > max_bytes:
        raise UnreadableFile("file-too-large", f"{size:,} bytes, more than the limit of {max_bytes:,}")
    if size == 0:
        raise UnreadableFile("empty-file", "the file is empty (0 bytes)")

    # Imported here so reading workbooks never loads python-docx, and back.
    if suffix in SPREADSHEET_SUFFIXES:
        from siianalysis.readers.spreadsheet import read_spreadsheet as reader
    elif suffix == ".docx":
        from siianalysis.readers.word import read_docx as reader
    else:
        from siianalysis.readers.tidy_csv import read_tidy_csv as reader
    docs = reader(path, name)
    if not any(g.cells for d in docs for g in d.grids):
        raise UnreadableFile("empty-file", "no cell or paragraph has any text")
    return docs
