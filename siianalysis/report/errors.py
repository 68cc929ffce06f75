"""The errors a user of the reports can cause and fix, as exception types.

Each message is one line that says what is wrong and what to do; a command line
prints it and exits non-zero, never with a traceback:

- ``ReportUserError``: inputs or a state of the reports folder that the user must
  change before anything can run (exit 2). The batch's ``ReportInputError`` (missing
  or empty processed data, missing notebooks, unknown tambon ids) is one; so are
  ``ManifestError`` (a damaged ``.manifest.json``), ``FolderBusyError`` (another
  run holds the folder's lock, ``report.lock``) and ``SchedulerUnreachable`` (no Dask
  scheduler at the ``--scheduler`` address).
- ``OutputWriteError``: the machine would not let the reports be written (a full disk,
  a read-only or forbidden folder). It is an ``OSError`` with the ``errno``,
  ``strerror`` and ``filename`` of the write that failed (exit 1); ``result`` is the
  batch's account at that moment when it stopped a batch.
"""

from __future__ import annotations

import errno
import os
from typing import Any

# The OSError numbers of a write the machine refused, not a bug: no space or quota left, a
# file too big for the disk, no permission, a read-only disk, a failing device. One of them
# on one report's document means every next report would fail the same way: the batch stops.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS,
                          errno.EIO})


# What to do about each, said after the error.
_ADVICE = {
    errno.ENOSPC: "free some space on that disk, or give --out another disk",
    errno.EDQUOT: "your disk quota is used up: free some space, or give --out another disk",
    errno.EFBIG: "the file is too large for that disk: give --out another disk",
    errno.EACCES: "give --out a folder you may write to",
    errno.EPERM: "give --out a folder you may write to",
    errno.EROFS: "that disk is read-only: give --out another folder",
    errno.EIO: "the disk failed: check that it is still connected",
}


class ReportUserError(Exception):
    """Something the user must change before the reports can be made; the message says what."""


class ManifestError(ReportUserError, ValueError):
    """``.manifest.json`` cannot be read or holds entries of the wrong shape."""


class FolderBusyError(ReportUserError):
    """Another run holds the lock of a folder this run would write."""


class SchedulerUnreachable(ReportUserError):
    """No Dask scheduler answered at the address given (``--scheduler tcp://…``)."""

    def __init__(self, address: str, reason: BaseException):
        super().__init__(f"no Dask scheduler answered at {address} ({type(reason).__name__}: {reason}); "
                         "start the scheduler and its workers, check the address, or leave out --scheduler "
                         "to render on this machine")
        self.address = address


class OutputWriteError(OSError):
    """A write to the reports folder refused by the machine (``errno`` in ``WRITE_ERRNOS``).

    Args:
        number: the ``errno``.
        filename: what was being written.
        result: the batch's account so far (a ``batch.BatchResult``), when it stopped a batch.
    """

    def __init__(self, number: int, filename: str | None = None, result: Any = None):
        super().__init__(number, os.strerror(number), filename)
        self.result = result

    @classmethod
    def of(cls, exc: OSError, result: Any = None) -> OutputWriteError:
        """The same failure as ``exc`` (an OSError whose errno is in ``WRITE_ERRNOS``)."""
        if isinstance(exc, cls):
            if result is not None:
                exc.result = result
            return exc
        return cls(exc.errno, exc.filename, result)

    def __str__(self) -> str:
        where = f" {self.filename}" if self.filename else ""
        advice = _ADVICE.get(self.errno, "")
        return (f"cannot write{where}: {self.strerror.lower()}; {advice + ', then ' if advice else ''}"
                "run the same command again (finished reports are kept and skipped)")


def is_write_refusal(exc: BaseException) -> bool:
    """An OSError of the machine refusing a write (``WRITE_ERRNOS``)."""
    return isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS
