"""Zip archives (.zip): every file inside read as if it had been sent on its own.

Coordinators forward the worksheets of their tambons as a zip (a chat app's or
an e-mail's "download all"). ``members`` walks an archive in its own order and
gives each file to read under the name ``<archive>!/<member path>`` — for
``sent.zip`` in the raw folder, ``sent.zip!/ต.บ้านโฮ่ง.xlsx`` — so every problem
and every ``source_file`` says which file of which archive it came from.

Member names are decoded the way the tools that write them mean them: UTF-8
when the archive says so; otherwise ASCII, else UTF-8 when the bytes are valid
UTF-8 of a plausible script (macOS, chat apps and 7-Zip write UTF-8 without the
flag), else cp874 (Thai Windows), else cp437 (the zip standard). Backslashes
(Windows tools) separate folders like slashes.

An archive is data from outside: a member is checked against these limits on
what the archive declares *before* a byte of it is decompressed, and again on
the bytes while they are decompressed (declared sizes can lie). A member that
fails is refused with an error and the other members are still read.

- ``file-too-large``: a member larger than ``MAX_FILE_BYTES`` (the limit for
  any file), or an archive file larger than ``MAX_ARCHIVE_BYTES``.
- ``archive-refused``: an archive inside the archive (reported, not opened); a
  member that expands more than ``MAX_RATIO`` times its compressed size once
  larger than ``RATIO_FLOOR`` (a zip bomb: worksheets expand 1–20 times); more
  than ``MAX_TOTAL_BYTES`` in all; a member whose bytes do not match what the
  archive declares; a path that leaves the archive's folder (``../``, ``/…``,
  ``C:…``); a symbolic link; an encrypted member; a compression other than
  stored or deflate (bzip2 and LZMA cannot be bounded while they decompress);
  more than ``MAX_ENTRIES`` entries (the whole archive: its index alone would
  be large).
- ``unsupported-format``: a member the readers do not read, with the advice
  of ``data/formats.yaml`` (as for any file), and an Office document renamed
  ``.zip``.

Folders, ``__MACOSX/`` (macOS resource forks) and dot-files are left out
without a word; office lock files are reported by the caller, as outside.
"""

from __future__ import annotations

import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from siianalysis.readers.base import (
    ARCHIVE_SUFFIXES,
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    UnreadableFile,
    brief,
    is_lock_file,
    unsupported_format,
)

MAX_ARCHIVE_BYTES = 10 * MAX_FILE_BYTES
MAX_TOTAL_BYTES = 10 * MAX_FILE_BYTES
MAX_ENTRIES = 1000
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
_CHUNK = 64 * 1024
_BOUNDED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_UTF8_FLAG, _ENCRYPTED_FLAG = 0x800, 0x1
# Office and OpenDocument files are zips too: one renamed .zip is recognised by
# the part that makes it what it is (checked in this order).
_OFFICE_PARTS = (("word/document.xml", ".docx"), ("xl/workbook.xml", ".xlsx"), ("xl/workbook.bin", ".xlsb"))
_OPENDOCUMENT = {"application/vnd.oasis.opendocument.text": ".odt",
                 "application/vnd.oasis.opendocument.spreadsheet": ".ods"}


@dataclass(frozen=True, slots=True)
class Member:
    """One file of an archive: to read at ``path``, refused, or an office lock file.

    ``path`` is a temporary copy that exists until the iteration moves on;
    it is None when the member is refused (``refused`` says why) or is a lock file.
    """

    name: str
    path: Path | None = None
    refused: UnreadableFile | None = None

    @property
    def lock_file(self) -> bool:
        return self.path is None and self.refused is None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as its author wrote it (see the module docstring), NFC, '/'-separated."""
    if info.flag_bits & _UTF8_FLAG:
        name = info.filename
    else:
        raw = info.orig_filename.encode("cp437")  # zipfile decoded the bytes as cp437
        name = _decode_name(raw)
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _decode_name(raw: bytes) -> str:
    if raw.isascii():
        return raw.decode("ascii")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if all(_plausible(ch) for ch in text):
            return text
    try:
        return raw.decode("cp874")
    except UnicodeDecodeError:
        return raw.decode("cp437")


def _plausible(ch: str) -> bool:
    """A character a file name in this network holds: cp874 bytes that happen to be
    valid UTF-8 decode to other scripts (U+0080–U+07FF, U+0800–U+1FFF but Thai)."""
    code = ord(ch)
    return code < 0x80 or 0xC0 <= code <= 0x24F or 0x0E00 <= code <= 0x0E7F or code >= 0x2000


_DRIVE = re.compile(r"^[A-Za-z]:")


def _leaves_folder(name: str) -> bool:
    return name.startswith("/") or bool(_DRIVE.match(name)) or ".." in name.split("/")


def _silently_skipped(name: str) -> bool:
    """Folders' and tools' own files: ``__MACOSX/…`` and dot-files (LibreOffice lock files aside)."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or "__MACOSX" in parts:
        return True
    *folders, base = parts
    return any(p.startswith(".") for p in folders) or (base.startswith(".") and not is_lock_file(base))


def copy_limited(src: IO[bytes], write: Callable[[bytes], object], limit: int) -> int:
    """Copies ``src`` in small chunks; returns the byte count, or -1 as soon as it passes ``limit``."""
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > limit:
            return -1
        write(chunk)
    return written


def read_part(package: zipfile.ZipFile, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """One part of a zip package (an .odt's content.xml) with the members' limits applied."""
    info = package.getinfo(name)
    problem = _declared_problem(info, info.filename)
    if problem is not None:
        raise problem
    out = bytearray()
    with package.open(info) as src:
        if copy_limited(src, out.extend, min(limit, _expansion_limit(info))) < 0:
            raise UnreadableFile("archive-refused", f"'{name}' expands past the safe limit (a zip bomb?)")
    return bytes(out)


def _expansion_limit(info: zipfile.ZipInfo) -> int:
    return min(MAX_FILE_BYTES, max(RATIO_FLOOR, MAX_RATIO * info.compress_size))


def _declared_problem(info: zipfile.ZipInfo, name: str) -> UnreadableFile | None:
    """Why a member cannot be decompressed safely, from what the archive declares; None if it can."""
    return method_problem(info) or size_problem(info, name)


def method_problem(info: zipfile.ZipInfo) -> UnreadableFile | None:
    """An encrypted member, or one compressed so that it cannot be bounded while it inflates."""
    if info.flag_bits & _ENCRYPTED_FLAG:
        return UnreadableFile("archive-refused", "the member is password-protected (encrypted): "
                                                 "send the file itself, or a zip without a password")
    if info.compress_type not in _BOUNDED_METHODS:
        return UnreadableFile("archive-refused", f"compressed with method {info.compress_type}, which is not "
                                                 "read (only stored and deflate): re-zip it with an ordinary zip tool")
    return None


def size_problem(info: zipfile.ZipInfo, name: str) -> UnreadableFile | None:
    """A member that declares more than ``MAX_FILE_BYTES``, or more than ``MAX_RATIO`` times its
    compressed size once past ``RATIO_FLOOR`` (shared with the checks of office documents,
    which are zips too: ``readers.precheck``)."""
    if info.file_size > MAX_FILE_BYTES:
        return UnreadableFile("file-too-large", f"'{name}' declares {info.file_size:,} bytes uncompressed, "
                                                f"more than the limit of {MAX_FILE_BYTES:,}")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
        return UnreadableFile("archive-refused", f"'{name}' would expand from {info.compress_size:,} to "
                                                 f"{info.file_size:,} bytes, more than {MAX_RATIO} times "
                                                 "(a zip bomb?): not opened")
    return None


def declared_entries(fh: IO[bytes]) -> int | None:
    """How many entries a zip's end record says its index holds (read before zipfile reads the
    whole index into memory); None when there is no end record (not a zip)."""
    end = zipfile._EndRecData(fh)  # noqa: SLF001 (stable since Python 2; no public equivalent)
    return None if end is None else end[zipfile._ECD_ENTRIES_TOTAL]  # noqa: SLF001


def _renamed_document(package: zipfile.ZipFile) -> str | None:
    """The right suffix when the archive is really an Office or OpenDocument file, else None."""
    names = set(package.namelist())
    for part, suffix in _OFFICE_PARTS:
        if part in names:
            return suffix
    if "mimetype" in names:
        info = package.getinfo("mimetype")
        if info.file_size < 100 and info.compress_type == zipfile.ZIP_STORED:
            return _OPENDOCUMENT.get(package.read(info).decode("ascii", "replace").strip())
    return None


def _open(path: Path) -> zipfile.ZipFile:
    """The archive, once its size and entry count are known to be sane."""
    size = path.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise UnreadableFile("file-too-large", f"{size:,} bytes, more than the limit of {MAX_ARCHIVE_BYTES:,} "
                                               "for an archive: send it in parts")
    if size == 0:
        raise UnreadableFile("empty-file", "the file is empty (0 bytes)")
    with open(path, "rb") as fh:
        entries = declared_entries(fh)
    if entries is None:
        raise UnreadableFile("corrupt-file", "cannot open as a zip archive (no zip directory found)")
    if entries > MAX_ENTRIES:
        raise UnreadableFile("archive-refused", f"the archive holds {entries:,} entries, more than the limit of "
                                                f"{MAX_ENTRIES:,}: nothing in it was read; send it in parts")
    return zipfile.ZipFile(path)


def members(path: Path, display_name: str) -> Iterator[Member]:
    """The files of the zip at ``path``, in archive order, each ready to read, refused, or a lock file.

    Raises:
        UnreadableFile: the archive as a whole cannot be opened (not a zip, too
            large, too many entries, an Office document renamed .zip).
    """
    try:
        package = _open(path)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile("corrupt-file", f"cannot open as a zip archive ({brief(exc)})") from exc
    with package, tempfile.TemporaryDirectory(prefix="siianalysis-zip-") as tmp:
        renamed = _renamed_document(package)
        if renamed:
            raise UnreadableFile("unsupported-format", f"this is a {renamed} file renamed to .zip: rename it back "
                                                       f"to {renamed} (nothing inside a document is read one by one)")
        total = 0
        for index, info in enumerate(package.infolist()):
            name = member_name(info)
            if info.is_dir() or name.endswith("/"):
                continue
            shown = f"{display_name}!/{name}"
            if _leaves_folder(name):
                yield Member(shown, refused=UnreadableFile(
                    "archive-refused", f"the member's path {name!r} points outside the archive's folder: not opened"))
                continue
            if _silently_skipped(name):
                continue
            base = name.rsplit("/", 1)[-1]
            if is_lock_file(base):
                yield Member(shown)
                continue
            suffix = PurePosixPath(base).suffix
            refusal = _refusal(info, name, suffix.lower(), total)
            if refusal is not None:
                yield Member(shown, refused=refusal)
                continue
            total += info.file_size
            target = Path(tmp) / f"member{index}{suffix}"
            refusal = _extract(package, info, name, target)
            if refusal is not None:
                target.unlink(missing_ok=True)
                yield Member(shown, refused=refusal)
                continue
            try:
                yield Member(shown, path=target)
            finally:
                target.unlink(missing_ok=True)


def _refusal(info: zipfile.ZipInfo, name: str, suffix: str, total: int) -> UnreadableFile | None:
    """Why a member is not read, decided before decompressing it; None to read it."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return UnreadableFile("archive-refused", f"the member {name!r} is a symbolic link, not a file: not opened")
    if suffix in ARCHIVE_SUFFIXES:
        return UnreadableFile("archive-refused", "an archive inside an archive is not opened: extract it "
                                                 "and send its worksheets (or one zip of them)")
    if suffix not in SUPPORTED_SUFFIXES:
        return unsupported_format(suffix)
    problem = _declared_problem(info, name)
    if problem is not None:
        return problem
    if total + info.file_size > MAX_TOTAL_BYTES:
        return UnreadableFile("archive-refused", f"the archive's files add up to more than {MAX_TOTAL_BYTES:,} "
                                                 "bytes uncompressed: this one and the rest were not opened")
    return None


def _extract(package: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, target: Path) -> UnreadableFile | None:
    """Writes the member to ``target``, stopping at the declared size and the limits; None when done."""
    limit = min(info.file_size, _expansion_limit(info))
    try:
        with package.open(info) as src, open(target, "wb") as out:
            written = copy_limited(src, out.write, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # zipfile stops at the declared size; a member that holds more (or other)
        # bytes then fails its checksum: damaged, or crafted to hide its size.
        return UnreadableFile("archive-refused", f"the member's bytes do not match the size and checksum the "
                                                 f"archive declares (damaged, or made to hide its real size): "
                                                 f"not read ({brief(exc)})")
    except (OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        return UnreadableFile("corrupt-file", f"cannot extract {name!r} from the archive ({brief(exc)})")
    if written < 0:
        return UnreadableFile("archive-refused", f"{name!r} expands past its declared {info.file_size:,} bytes "
                                                 "or the safe limit (a zip bomb?): not read")
    return None
