"""The processed folder as one consistent set: swapped in whole, checked when read.

``normalise`` never writes a table in place. ``SetWriter`` writes every table
(Parquet and CSV) into a new folder beside the processed one,
``<name>.tmp-<host>-<pid>-<random>``, flushes it to disk, then writes the marker
``_SET.json`` (the set's id, each table's row count, each file's size and
SHA-256) and swaps: the old folder is renamed aside (``<name>.old-…``), the new
one renamed in, the old one removed. A kill, a full disk or a power cut at any
moment leaves either the old set or the new one whole, never a mix; what an
interrupted run left beside the folder is cleaned up (or, if it interrupted the
two renames, put back) by the next run.

``check_processed_set`` is what readers call (``analysis.dataset.load``, and
through it ``report``'s notebooks, ``review-sheet`` and ``compile``). It refuses,
with ``ProcessedSetError``, a set whose Parquet tables (what readers read) are
not whole: a required table the marker names is missing, one cannot be read, or it is a
table of another set (each Parquet file carries its set's id in its metadata, so
files of two runs mixed by a copy or a sync tool are told apart). A table
replaced by a file of no set (changed by hand with pandas, as researchers and
tests do) is taken as it is; so are the CSV twins, which are for people (Excel
rewrites them on save) and which no reader reads. A folder written before the
marker existed is accepted when every table is there and readable.

The marker holds no time and no random id: the set's id is a digest of the
tables' content, so the same raw files give the same bytes, marker included.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from pathlib import Path
from typing import Any

from siianalysis.export import write_table
from siianalysis.schemas import PROCESSED_TABLES, REQUIRED

MARKER = "_SET.json"
FORMAT = "siianalysis-processed-set/1"
SET_TAG = "siianalysis.set"  # a Parquet metadata key: the id of the set the file was written for
_TABLE_SUFFIXES = (".parquet", ".csv")
_HOST = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname())[:40] or "host"


class ProcessedSetError(ValueError):
    """A processed folder that is not one whole set (torn, half-written, or not ours to replace)."""


def _rerun(folder: Path) -> str:
    return f"run `siianalysis normalise RAW --out {folder}` again to write a whole set"


# --- writing ---------------------------------------------------------------------------------


class SetWriter:
    """A new set being written beside ``out_dir``: ``commit(frames)`` swaps it in whole,
    ``discard()`` leaves ``out_dir`` as it was. ``folder`` is where the new set is written
    (normalise's file cache writes its entries there too)."""

    def __init__(self, out_dir: Path) -> None:
        # a link to the folder (a shared drive's) stays a link: the set is swapped where it points
        self.out_dir = Path(out_dir).resolve() if Path(out_dir).is_symlink() else Path(out_dir)
        check_replaceable(self.out_dir)
        recover(self.out_dir)
        token = f"{_HOST}-{os.getpid()}-{secrets.token_hex(3)}"
        self.folder = self.out_dir.parent / f"{self.out_dir.name}.tmp-{token}"
        self._aside = self.out_dir.parent / f"{self.out_dir.name}.old-{token}"
        self.folder.mkdir(parents=True)

    def commit(self, frames: dict[str, Any]) -> dict:
        """Writes every table and the marker, flushes them to disk, swaps the set in; returns the marker."""
        files: dict[str, dict] = {}
        ident = content_id(frames)
        for name in PROCESSED_TABLES:
            write_table(frames[name], self.folder, name, metadata={SET_TAG: ident})
            files[name] = {"rows": len(frames[name]),
                           "files": {f"{name}{s}": _file_facts(self.folder / f"{name}{s}") for s in _TABLE_SUFFIXES}}
        for entry in sorted(self.out_dir.glob(".*")) if self.out_dir.is_dir() else []:
            if entry.is_file() and not entry.is_symlink():  # .gitkeep and the like stay
                shutil.copy2(entry, self.folder / entry.name)
        for path in self.folder.iterdir():
            if path.is_file():  # on disk before the marker says they are (not .cache: only a cache)
                _fsync_file(path)
        marker = {"format": FORMAT, "set_id": ident, "tables": files}
        _write_synced(self.folder / MARKER, json.dumps(marker, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        _fsync_dir(self.folder)
        self._swap()
        return marker

    def _swap(self) -> None:
        if self.out_dir.exists():
            os.rename(self.out_dir, self._aside)
        os.rename(self.folder, self.out_dir)
        _fsync_dir(self.out_dir.parent)
        shutil.rmtree(self._aside, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _file_facts(path: Path) -> dict:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


def content_id(frames: dict[str, Any]) -> str:
    """A digest of the tables' names, columns and values: the same tables, the same id."""
    import pandas as pd

    h = hashlib.sha256()
    for name in sorted(frames):
        df = frames[name]
        h.update(f"{name}\0{len(df)}\0{chr(31).join(map(str, df.columns))}\0".encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(_as_text(df), index=False).to_numpy(dtype="uint64").tobytes())
    return h.hexdigest()


def _as_text(df: Any) -> Any:
    """Every value as its text, "" for a missing one. A text column with no missing value is
    hashed as it is (its hashes are those of the same texts as objects: the same id, at a
    third of the cost of converting the processed tables)."""
    import pandas as pd

    if not df.columns.is_unique:
        return df.astype(object).where(df.notna(), "").astype(str)
    columns = {}
    for name in df.columns:
        col = df[name]
        if col.dtype != object and pd.api.types.is_string_dtype(col.dtype) and not col.isna().any():
            columns[name] = col
        else:
            columns[name] = col.astype(object).where(col.notna(), "").astype(str)
    return pd.DataFrame(columns, index=df.index)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # a platform that cannot open a folder (Windows): its rename is as durable as it gets
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_replaceable(out_dir: Path) -> None:
    """Refuses to replace a folder that holds anything but a processed set: the swap would
    remove it. Tables (``*.parquet``, ``*.csv``), the marker and dot-entries (``.cache``,
    ``.gitkeep``) are a set's; a missing or empty folder is fine."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ProcessedSetError(f"{out_dir} is a file, not a folder for the processed tables")
    if not out_dir.is_dir():
        return
    foreign = sorted(p.name for p in out_dir.iterdir()
                     if not (p.name.startswith(".") or p.name == MARKER
                             or (p.is_file() and p.suffix.lower() in _TABLE_SUFFIXES)))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ProcessedSetError(f"{out_dir} holds files that are not processed tables ({shown}): it is not "
                                "replaced; give --out a folder of its own (empty, or processed data)")


def _siblings(out_dir: Path, kind: str) -> list[Path]:
    prefix = f"{out_dir.name}.{kind}-"
    parent = out_dir.parent
    return sorted(p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir()) if parent.is_dir() else []


def _running_here(folder: Path) -> bool:
    """Whether the run that named ``folder`` (``…-<host>-<pid>-<random>``) may still be writing it."""
    host, _, pid = folder.name.rpartition("-")[0].rpartition("-")
    if not host.endswith((f".tmp-{_HOST}", f".old-{_HOST}")) or not pid.isdigit():
        return True  # another machine's, or not ours to judge: left alone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def recover(out_dir: Path) -> None:
    """Cleans up what interrupted runs left beside ``out_dir``; puts a set back if a run was
    stopped between its two renames (``out_dir`` gone, the new set whole beside it)."""
    if not out_dir.exists():
        whole = [p for p in _siblings(out_dir, "tmp") + _siblings(out_dir, "old")
                 if not _running_here(p) and _marker_matches(p)]
        if whole:
            os.rename(whole[0], out_dir)  # a .tmp set is whole only once its marker is written: newest first
    for folder in _siblings(out_dir, "tmp") + _siblings(out_dir, "old"):
        if not _running_here(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _marker_matches(folder: Path) -> bool:
    try:
        check_processed_set(folder)
    except (ProcessedSetError, FileNotFoundError, OSError):
        return False
    return (folder / MARKER).is_file()


# --- reading ---------------------------------------------------------------------------------


def check_processed_set(folder: Path | str) -> dict | None:
    """Checks that ``folder`` is one whole processed set; returns its marker (None for a set
    written before markers, checked as the module docstring says).

    Raises:
        FileNotFoundError: no such folder.
        ProcessedSetError: a torn, half-written or damaged set, with what is wrong and what to do.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"processed data folder {str(folder)!r} does not exist; "
                                "run `siianalysis normalise` first to write it")
    path = folder / MARKER
    if not path.is_file():
        _check_unmarked(folder)
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
        tables = marker["tables"]
        ok = marker["format"] == FORMAT and isinstance(tables, dict)
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ProcessedSetError(f"{folder}: its marker {MARKER} cannot be read, so the set cannot be trusted; "
                                + _rerun(folder))
    set_ident = marker.get("set_id")
    missing = [name for name in REQUIRED if name not in tables]
    if missing:
        raise ProcessedSetError(f"{folder}: its marker lists no {', '.join(missing)}; " + _rerun(folder))
    for name, entry in sorted(tables.items()):
        file = f"{name}.parquet"
        facts = entry.get("files", {}).get(file) if isinstance(entry, dict) else None
        if name not in REQUIRED and not (folder / file).exists():
            continue  # problems and feedback may be left out (as loaders allow), never half there
        problem = _parquet_problem(folder / file, facts, set_ident)
        if problem:
            raise ProcessedSetError(
                f"{folder} is not one whole set: {file} {problem} (a normalise stopped while writing, or a copy "
                f"or sync of the folder is not finished); " + _rerun(folder))
    return marker


def _parquet_problem(path: Path, facts: Any, set_ident: Any) -> str:
    """What makes a table not this set's whole table ("" if nothing): see the module docstring."""
    if not path.is_file():
        return "is missing"
    if isinstance(facts, dict) and path.stat().st_size == facts.get("bytes") \
            and _file_facts(path)["sha256"] == facts.get("sha256"):
        return ""
    try:
        tag = _parquet_tag(path)
    except Exception as exc:  # noqa: BLE001  pyarrow raises many kinds for a damaged file
        return f"cannot be read ({' '.join(str(exc).split())[:120]})"
    if tag is not None and tag != set_ident:
        return "belongs to another set (written by another normalise run)"
    return ""  # changed by hand, or written again for this very set: taken as it is


def _parquet_tag(path: Path) -> str | None:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    tag = metadata.get(SET_TAG.encode())
    return tag.decode("ascii", "replace") if tag is not None else None


def _check_unmarked(folder: Path) -> None:
    """A set written before markers: every required table there, every table readable."""
    for name in PROCESSED_TABLES:
        parquet = folder / f"{name}.parquet"
        if not parquet.is_file():
            if name in REQUIRED:
                raise FileNotFoundError(f"processed data folder {str(folder)!r} lacks {parquet.name}; "
                                        "run `siianalysis normalise` to (re)write it")
            continue
        try:
            _parquet_tag(parquet)
        except Exception as exc:
            raise ProcessedSetError(f"{folder} is not one whole set: {parquet.name} cannot be read "
                                    f"({' '.join(str(exc).split())[:120]}); " + _rerun(folder)) from exc


def set_id(folder: Path | str) -> str | None:
    """The id its marker gives the set in ``folder`` (None: no marker, or unreadable); cheap,
    for a reader to see whether the set changed while it read."""
    try:
        return json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))["set_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
