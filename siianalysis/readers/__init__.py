"""Readers: every file a team sends becomes ``RawDocument`` s of text grids.

``read_file`` is the one entry point. It picks a reader by suffix and turns
every way a file can be bad into ``UnreadableFile`` with a short code, so a run
over thousands of files can report a bad one and go on. Readers know nothing
about worksheets; ``siianalysis.parse`` interprets the grids.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from siianalysis.readers.grid import Grid, RawDocument, column_letter

__all__ = [
    "ARCHIVE_SUFFIXES",
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Grid",
    "RawDocument",
    "UnreadableFile",
    "column_letter",
    "is_lock_file",
    "read_file",
]

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | {".docx", ".odt", ".csv"}
# Opened by ``siianalysis.readers.archive`` (its members go to ``read_file``).
ARCHIVE_SUFFIXES = frozenset({".zip"})
MAX_FILE_BYTES = 50 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that cannot be read as a worksheet; .code is a short kebab-case code, str(e) the human message.

    Codes: ``unsupported-format``, ``file-too-large``, ``empty-file``,
    ``corrupt-file``, ``not-a-worksheet``, and for archives ``archive-refused``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def brief(exc: BaseException) -> str:
    """The underlying error in one short line, for ``corrupt-file`` messages."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


@cache
def _formats() -> dict:
    with files("siianalysis").joinpath("data/formats.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def unsupported_format(suffix: str) -> UnreadableFile:
    """The ``unsupported-format`` error for a suffix, with what to do instead (``data/formats.yaml``)."""
    data = _formats()
    for entry in data["unsupported"].values():
        if suffix.lower() in entry["suffixes"]:
            return UnreadableFile("unsupported-format", entry["en"])
    kinds = " ".join(sorted(SUPPORTED_SUFFIXES | ARCHIVE_SUFFIXES))
    return UnreadableFile("unsupported-format", data["other"]["en"].format(suffix=suffix or "(no suffix)", kinds=kinds))


def is_lock_file(name: str) -> bool:
    """True for an office lock file: Microsoft Office's ``~$book.xlsx``, LibreOffice's ``.~lock.book.ods#``."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith("~$") or (base.startswith(".~lock.") and base.endswith("#"))


def lock_file_message() -> str:
    """The ``lock-file-skipped`` note (``data/formats.yaml``)."""
    return _formats()["lock_file"]["en"]


def read_file(path: Path, display_name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> list[RawDocument]:
    """Reads one file into documents (one, except a tidy CSV carrying several tambons).

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

    # Imported here so reading workbooks never loads python-docx, and back.
    if suffix in SPREADSHEET_SUFFIXES:
        from siianalysis.readers.spreadsheet import read_spreadsheet as reader
    elif suffix == ".docx":
        from siianalysis.readers.word import read_docx as reader
    elif suffix == ".odt":
        from siianalysis.readers.odt import read_odt as reader
    else:
        from siianalysis.readers.tidy_csv import read_tidy_csv as reader
    docs = reader(path, name)
    if not any(g.cells for d in docs for g in d.grids):
        raise UnreadableFile("empty-file", "no cell or paragraph has any text")
    return docs
