"""A cache of per-file results, so that re-normalising skips files that did not change.

The key is the file's bytes, its name (it is written into the outputs) and the
package's own digest (code and codebook), so any change there reads afresh.
Entries not used by the latest run are removed: the cache never outgrows the
raw folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from siianalysis._digest import package_digest


class FileCache:
    """Pickled results in ``folder``, one file per (content, name, package) key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, path: Path, name: str) -> str:
        h = hashlib.sha256(package_digest().encode())
        h.update(name.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        return h.hexdigest()

    def get(self, key: str) -> Any | None:
        try:
            with open(self.folder / f"{key}.pickle", "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # missing or from an incompatible version: read afresh

    def put(self, key: str, value: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / f"{key}.pickle")

    def keep_only(self, keys: set[str]) -> None:
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.suffix in (".pickle", ".tmp") and entry.stem not in keys:
                entry.unlink(missing_ok=True)
