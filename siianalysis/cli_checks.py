"""What the ``siianalysis`` command checks before any work, and which failures are the user's.

Arguments are checked by argparse as they are read (``count``, ``folder_to_read``,
``folder_to_write``, ``file_to_write``, ``report_format``, ``province``, ``tambon_id``),
so an unusable one stops the command before it reads or writes anything: one line on
stderr naming the command typed and the argument, exit 2 (``Parser``).

A failure while working is the user's when it comes from their machine or their input,
not from a bug (``user_error``): one line naming the command, exit 1 for the machine (a
full disk, a read-only folder) and 2 for an input the project refuses (a torn processed
set, missing report notebooks). Everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
from pathlib import Path

# OSError numbers a user or their machine causes, never the code: a full disk or quota, a
# file too big for the disk's format (a FAT32 stick), no permission, a read-only disk, a
# path that is missing or not what it should be (a file for a folder), a name too long,
# a device gone or failing (a USB stick pulled out mid-write).
USER_ERRNOS = frozenset({
    errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT,
    errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EIO, errno.ENODEV, errno.ENXIO,
})
# what to do about each, said after the error
_ADVICE = {
    errno.ENOSPC: "free some space on that disk, or write somewhere else, and run the command again",
    errno.EDQUOT: "your disk quota is used up; free some space or write somewhere else",
    errno.EFBIG: "the file is too large for that disk; write to another disk",
    errno.EACCES: "write to a folder you may write to, or ask for the permission",
    errno.EPERM: "write to a folder you may write to, or ask for the permission",
    errno.EROFS: "that disk is read-only; write to another folder",
    errno.EIO: "the disk failed; check that it is still connected",
}
# The project's exceptions that say "this input cannot be used" (module -> class names).
# Looked up only among modules already imported: an exception of a module never loaded
# cannot have been raised, and the command line stays light.
INPUT_ERRORS: dict[str, tuple[str, ...]] = {
    "siianalysis.report.batch.plan": ("ReportInputError",),
    "siianalysis.report.exporters": ("UnknownFormatError",),
    "siianalysis.report.errors": ("ReportUserError",),  # a damaged manifest, a folder another run writes
    "siianalysis.processed": ("ProcessedSetError",),  # a torn or foreign processed folder
}


PROCESSED_HINT = "the processed tables are written by `siianalysis normalise RAW --out PROCESSED`"


_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?[^\s/:]+:\d{1,5}/?$|^[a-z][a-z0-9+.-]*://\S+$")

# --- one-line errors ---------------------------------------------------------------------------


def one_line(text: object) -> str:
    """``text`` on one line (a message quoting a multi-line value stays one line on stderr)."""
    return " ".join(str(text).split())


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line naming the command typed, exit 2."""

    commands: dict[str, argparse.ArgumentParser]  # the top parser's: name or alias -> its parser

    def error(self, message: str):  # argparse's hook
        self.exit(2, f"{self.prog}: {one_line(message)} (see `{self.prog} --help`)\n")


def _input_error_types() -> tuple[type[BaseException], ...]:
    found = []
    for module, names in INPUT_ERRORS.items():
        if loaded := sys.modules.get(module):
            found += [t for n in names if isinstance(t := getattr(loaded, n, None), type)]
    return tuple(found)


def user_error(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, one-line message) when ``exc`` is the user's to fix, else None (a bug)."""
    if isinstance(exc, _input_error_types()):
        return 2, one_line(exc)
    if isinstance(exc, OSError) and (exc.errno in USER_ERRNOS or (exc.errno is None and isinstance(
            exc, (FileNotFoundError, PermissionError, NotADirectoryError, IsADirectoryError)))):
        if exc.errno is None or not exc.strerror or type(exc).__module__.startswith("siianalysis."):
            return 1, one_line(exc)  # raised by the project with its own message
        where = f": {exc.filename}" if exc.filename else ""
        advice = f" ({_ADVICE[exc.errno]})" if exc.errno in _ADVICE else ""
        return 1, one_line(f"{exc.strerror.lower()}{where}{advice}")
    return None


# --- argument types (argparse calls them with the text given) ------------------------------------


def count(text: str) -> int:
    """A whole number of at least 1 (``--jobs``, ``--reuse-kernel``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def folder_problem(path: Path, *, must_exist: bool) -> str:
    """What is wrong with ``path`` as a folder to read (``must_exist``) or to write; "" if nothing."""
    if path.exists():
        return "" if path.is_dir() else f"{path} is a file, not a folder"
    if must_exist:
        return f"no such folder: {path}"
    for parent in path.parents:  # the nearest one there: a file there makes the folder impossible
        if parent.exists():
            return "" if parent.is_dir() else f"{parent} is a file, not a folder"
    return ""


def overlap(raw: Path, out: Path) -> str:
    """What is wrong with writing ``out`` from ``raw``: the same folder, or one inside the
    other (the tables would be read back as worksheets, or the raw files replaced); "" if
    nothing."""
    raw, out = raw.resolve(), out.resolve()
    if raw == out or raw in out.parents:
        return f"the processed folder {out} must not be the raw folder {raw} or inside it"
    if out in raw.parents:
        return f"the raw folder {raw} must not be inside the processed folder {out}"
    return ""


def folder_to_read(text: str) -> Path:
    """A folder that exists (not a file)."""
    if problem := folder_problem(Path(text), must_exist=True):
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def processed_folder(text: str) -> Path:
    """``--processed``: a folder that exists; a missing one says where processed tables come from."""
    path = Path(text)
    if problem := folder_problem(path, must_exist=True):
        raise argparse.ArgumentTypeError(f"{problem}; {PROCESSED_HINT}" if not path.exists() else problem)
    return path


def folder_to_write(text: str) -> Path:
    """A folder that may not exist yet, but is not a file, nor inside one."""
    if problem := folder_problem(Path(text), must_exist=False):
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def reports_location(text: str) -> str | Path:
    """``report --out``: a folder to write, or an fsspec URL whose protocol fsspec can open
    here (``s3://`` needs s3fs installed); whether the place can be written is known only
    when the batch writes it."""
    from siianalysis.report.storage import is_url

    if not is_url(text):
        return folder_to_write(text)
    import fsspec

    try:
        fsspec.get_filesystem_class(text.split("://", 1)[0].lower())
    except (ValueError, ImportError) as exc:
        raise argparse.ArgumentTypeError(f"cannot write to {text}: {exc}") from None
    return text


def file_to_write(suffix: str, what: str):
    """An argument type: a file to write, ``what`` (e.g. "an Excel workbook"), whose name ends
    in ``suffix`` (any case); not a folder, and its folder not a file."""
    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() != suffix:
            example = (path.stem or "out") + suffix
            raise argparse.ArgumentTypeError(
                f"{text!r} does not end in {suffix}: this command writes {what} (e.g. {example})")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{path} is a folder, not a file")
        if problem := folder_problem(path.parent, must_exist=False):
            raise argparse.ArgumentTypeError(problem)
        return path
    return check


def report_format(text: str) -> str:
    """``--format``: the suffix of a registered exporter (``html`` → ``.html``)."""
    from siianalysis.report.exporters import UnknownFormatError, get

    suffix = "." + text.strip().lstrip(".").lower()
    try:
        get(suffix)
    except UnknownFormatError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return suffix


def province(text: str) -> str:
    """``--province``: a province's Thai or English name or its code, as written (see
    ``workshop.provinces.province_code``)."""
    from siianalysis.workshop.provinces import province_code

    try:
        province_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def scheduler(text: str) -> str:
    """``--scheduler``: ``local``, or a dask scheduler's address (``tcp://HOST:PORT``, or
    ``HOST:PORT``); whether one answers there is known only when the batch connects."""
    text = text.strip()
    if text != "local" and not _ADDRESS.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is no scheduler address: give tcp://HOST:PORT of a running dask scheduler, or local")
    return text


def tambon_id(text: str) -> str:
    """``--tambon``: a tambon id as reports are named (a 6-digit DOPA code, or ``u-`` and 10
    hexadecimal digits for a tambon left unresolved)."""
    from siianalysis.ids import is_tambon_id

    if not is_tambon_id(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is no tambon id: a 6-digit DOPA code (500707) or an unresolved tambon's "
            "u-… id, as in the processed tambons table")
    return text.strip()


def sample_size(text: str) -> int:
    """``sample --n``: at least the sample's minimum number of tambons, and fewer than the
    Northern tambons there are (one more is drawn for the corrupt file; past that the
    draw would never end)."""
    from siianalysis.sample import MIN_TAMBONS
    from siianalysis.sample.places import NORTHERN_PROVINCES, subdistricts

    value = count(text)
    most = len(subdistricts(NORTHERN_PROVINCES)) - 1
    if not MIN_TAMBONS <= value <= most:
        raise argparse.ArgumentTypeError(f"the sample has {MIN_TAMBONS} to {most} tambons, not {value}")
    return value
