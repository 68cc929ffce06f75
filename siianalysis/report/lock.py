"""One writer per folder: a lock file beside it, naming the run that holds it.

Two runs writing the same reports folder at once would interleave their documents,
manifests and indexes. ``FolderLock(folder)`` is the file ``.<name>.lock`` beside the
folder (inside it when the parent cannot be written), created exclusively and holding
the holder's pid, host, command, the time it took the lock and its process start time.

- A second run finds the file, sees its holder still running, and stops with
  ``FolderBusyError``: one line naming the holder and the lock file.
- A lock whose holder is gone (its pid no longer runs on this host, or now belongs to a
  process started later: the pid was reused) is stale: it is taken over, and
  ``acquire`` returns a sentence saying so. Two runs taking over one stale lock race on a
  rename: one wins, the other finds the winner's lock.
- A lock taken on another host cannot be checked from here: it counts as held, and the
  message says which file to delete if that run is gone.
- The same process taking a lock it holds already (``build`` around ``report``) nests.

The lock lives beside the folder so that a folder swapped in whole (the processed set)
keeps one lock across swaps. fsspec URLs are not locked (object stores have no
exclusive create that every protocol honours).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from siianalysis.report.errors import WRITE_ERRNOS, FolderBusyError, OutputWriteError

HOST = socket.gethostname()
_READ_TRIES = 5  # a lock file just created may not hold its JSON yet


def process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None if unknown."""
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - no psutil, no such process, no access: unknown
        return None


def pid_running(pid: int) -> bool:
    """Whether ``pid`` is a running process on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: it exists
    return True


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as written in its file."""

    pid: int
    host: str
    command: str
    since: str  # when the lock was taken, ISO 8601
    process_start: float | None = None

    def running(self) -> bool:
        """Still running on this host (same pid, same process start); other hosts: assumed."""
        if self.host != HOST:
            return True
        if not pid_running(self.pid):
            return False
        started = process_started(self.pid)
        return self.process_start is None or started is None or abs(started - self.process_start) < 2

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}, since {self.since})"


class FolderLock:
    """The lock of ``folder`` (see the module doc); a context manager.

    Args:
        folder: the folder this run will write.
        command: what the holder is, for the other run's message (``"siianalysis report"``).
    """

    _held: dict[str, int] = {}  # lock files this process holds -> nesting depth

    def __init__(self, folder: Path | str, command: str | None = None):
        self.folder = Path(folder).resolve()
        self.command = command or " ".join(["siianalysis", *sys.argv[1:2]]) or "siianalysis"
        self.path: Path | None = None
        self.note: str | None = None  # set by acquire when a stale lock was taken over

    def candidates(self) -> list[Path]:
        """Where the lock file may be: beside the folder, else inside it."""
        return [self.folder.parent / f".{self.folder.name}.lock", self.folder / ".lock"]

    def holder(self) -> Holder | None:
        """The live holder of this folder's lock if another process holds it, else None."""
        for path in self.candidates():
            held = _read(path)
            if held is not None and held.pid != os.getpid() and held.running():
                return held
        return None

    def check_free(self, what: str = "folder") -> None:
        """Raise ``FolderBusyError`` if another running process holds the lock (reading only)."""
        held = self.holder()
        if held is not None:
            raise FolderBusyError(f"the {what} {self.folder} is being written by {held.describe()}; "
                                  "wait until it has finished, then run this again")

    def acquire(self) -> str | None:
        """Take the lock; returns a sentence if a stale lock was taken over, else None.

        Raises:
            FolderBusyError: another running process holds it.
            OutputWriteError: neither beside nor inside the folder can be written.
        """
        refusal: OSError | None = None
        for path in self.candidates():
            if str(path) in self._held:  # this process holds it already: nest
                self._held[str(path)] += 1
                self.path = path
                return None
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.note = self._take(path)
            except OSError as exc:
                if exc.errno in WRITE_ERRNOS:
                    refusal = refusal or exc
                    continue
                raise
            self.path = path
            self._held[str(path)] = 1
            return self.note
        raise OutputWriteError(refusal.errno, str(self.folder)) from refusal  # type: ignore[union-attr]

    def _take(self, path: Path) -> str | None:
        note = None
        for _ in range(3):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                held = _read(path, tries=_READ_TRIES)
                if held is not None and held.running():
                    raise FolderBusyError(
                        f"the folder {self.folder} is being written by {held.describe()}; wait until it has "
                        f"finished and run this again (if no such run is going on, delete {path})") from None
                # stale: the holder is gone (or its file is unreadable). One taker wins the rename.
                aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
                try:
                    os.rename(path, aside)
                except FileNotFoundError:
                    continue  # another run took it over first: look again
                aside.unlink(missing_ok=True)
                note = (f"took over the lock {path} of {held.describe()}, which is no longer running"
                        if held is not None else f"took over the unreadable lock file {path}")
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_me(self.command), fh)
            return note
        raise FolderBusyError(f"the folder {self.folder} is being locked by other runs right now; "
                              "run this again in a moment")

    def release(self) -> None:
        """Give the lock back (the file goes when the outermost holder in this process releases)."""
        if self.path is None:
            return
        key = str(self.path)
        depth = self._held.get(key, 0) - 1
        if depth > 0:
            self._held[key] = depth
        else:
            self._held.pop(key, None)
            held = _read(self.path)
            if held is None or held.pid == os.getpid():
                self.path.unlink(missing_ok=True)
        self.path = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _me(command: str) -> dict[str, Any]:
    return {"pid": os.getpid(), "host": HOST, "command": command,
            "since": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
            "process_start": process_started(os.getpid())}


def _read(path: Path, tries: int = 1) -> Holder | None:
    """The holder written in ``path``; None when there is no such file or it cannot be read."""
    for attempt in range(tries):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Holder(pid=int(data["pid"]), host=str(data["host"]), command=str(data.get("command", "?")),
                          since=str(data.get("since", "?")),
                          process_start=float(data["process_start"]) if data.get("process_start") else None)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            if attempt + 1 < tries:
                time.sleep(0.1)
    return None
