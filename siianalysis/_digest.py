"""Content digests that decide what a rerun may skip (normalise cache, report manifest)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path | str) -> str:
    """SHA-256 of a file's bytes."""
    return sha256_bytes(Path(path).read_bytes())


@lru_cache(maxsize=1)
def package_digest() -> str:
    """Digest of the installed ``siianalysis`` package: every .py/.yaml/.txt/.j2/.json/.css file,
    so that a change of code or codebook invalidates what was derived with the old one.

    Cached per process: the source does not change during a run.
    """
    import siianalysis

    root = Path(siianalysis.__file__).parent
    h = hashlib.sha256(siianalysis.__version__.encode())
    files = sorted(
        p for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
        and p.suffix in {".py", ".yaml", ".yml", ".txt", ".j2", ".json", ".css"}
    )
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()
