"""What every reader shares: the formats read, the size limit, and how a file is refused.

Kept apart from ``readers/__init__`` (which picks a reader by suffix) so the
readers import it without importing their own dispatcher.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

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
def formats() -> dict:
    """``data/formats.yaml``: what to tell a sender of a format that is not read."""
    with files("siianalysis").joinpath("data/formats.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def unsupported_format(suffix: str) -> UnreadableFile:
    """The ``unsupported-format`` error for a suffix, with what to do instead (``data/formats.yaml``)."""
    data = formats()
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
    return formats()["lock_file"]["en"]
