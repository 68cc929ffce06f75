"""A cache of per-file results, so that re-normalising skips files that did not change.

The key is the file's bytes (the very bytes that were read: the caller reads a
file once and both hashes and parses them), its name (it is written into the
outputs) and the package's own digest (code and codebook), so any change there
reads afresh.

An entry is data, never code: JSON (``siianalysis.jsondata``), rebuilt only
into the classes the result type names. Anyone who can write the processed
folder can write the cache (the README's shared-folder setup), so every entry
is checked on the way in, and anything that does not check out is a miss (the
file is read again), never an error and never run: a file too large, a first
line that is not this format's header or names another key, a payload whose
SHA-256 differs from the header's (a flipped byte), JSON that does not parse,
or a value that does not match the result type field by field.

Each run writes the entries it used into the new processed set's own cache
(``processed.SetWriter``): new ones as it reads, known ones linked from the
previous set's cache. So the cache holds exactly the files of the latest run
and goes with the set it was made with.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Generic, TypeVar

from siianalysis._digest import package_digest
from siianalysis.jsondata import DecodeError, Skip, from_plain, to_plain

FORMAT = "siianalysis-filecache/1"
SUFFIX = ".json"
MAX_ENTRY_BYTES = 256 * 1024 * 1024
T = TypeVar("T")


class FileCache(Generic[T]):
    """Results of type ``kind`` in ``folder``, one JSON file per key; ``earlier`` is a previous
    run's cache folder, read (and linked from) but never written."""

    def __init__(self, folder: Path, kind: type[T], *, earlier: Path | None = None, skip: Skip = frozenset(),
                 list_types: dict[type, type] | None = None) -> None:
        self.folder, self.kind, self.earlier = Path(folder), kind, earlier
        self.skip, self.list_types = skip, list_types or {}

    @staticmethod
    def key(data: bytes, name: str) -> str:
        """The key of a file's bytes under its name, for this package's code and codebook."""
        h = hashlib.sha256(package_digest().encode())
        h.update(b"\0" + name.encode("utf-8") + b"\0")
        h.update(data)
        return h.hexdigest()

    def get(self, key: str) -> T | None:
        """The result stored under ``key``, or None (missing, or anything that does not check out)."""
        path = self.folder / f"{key}{SUFFIX}"
        value = self._read(path, key)
        if value is None and self.earlier is not None:
            old = self.earlier / f"{key}{SUFFIX}"
            value = self._read(old, key)
            if value is not None:
                self._keep(old, path)
        return value

    def put(self, key: str, value: T) -> bool:
        """Stores ``value``; False (and nothing stored) when it holds something JSON cannot say."""
        try:
            payload = json.dumps(to_plain(value, self.skip, self.list_types), ensure_ascii=False,
                                 separators=(",", ":"), allow_nan=False).encode("utf-8")
        except (TypeError, ValueError):
            return False
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest(),
                             "bytes": len(payload)}).encode()
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + b"\n" + payload)
            os.replace(tmp, self.folder / f"{key}{SUFFIX}")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def _read(self, path: Path, key: str) -> T | None:
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            with open(path, "rb") as fh:
                header = json.loads(fh.readline(4096))
                payload = fh.read()
            if (not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key
                    or header.get("bytes") != len(payload)
                    or header.get("sha256") != hashlib.sha256(payload).hexdigest()):
                return None
            return from_plain(json.loads(payload), self.kind, self.skip, self.list_types)
        except (OSError, ValueError, TypeError, DecodeError, RecursionError, MemoryError):
            return None  # missing, damaged, tampered with, or of another shape: read the file afresh

    def _keep(self, old: Path, new: Path) -> None:
        """An entry of the previous run that this run used, into this run's cache (best effort)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old, new)
            except OSError:
                shutil.copyfile(old, new)
        except OSError:
            pass
