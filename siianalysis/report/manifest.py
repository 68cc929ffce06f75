"""What a report was rendered from, so a rerun can skip the unchanged ones.

``out_dir/.manifest.json`` holds, per report key (``"network"``,
``"tambon/<tambon_id>"``), the digest of everything that report was rendered
from and when. A report is skipped when its new digest equals the recorded one
and its HTML still exists. The digest covers (see ``report_digest``):

- the notebook file's bytes;
- ``siianalysis.__version__`` and a digest of the package code the report runs
  (``code_digest``: the report machinery, the modules its notebook imports and
  theirs, the data files they read). An edit elsewhere in the package, such as a
  worksheet reader, does not make reports due: it reaches them only through the
  processed tables, digested below;
- the report's parameters and rendering options (code shown, language, kernel);
- its data: for the network report, every processed table; for a tambon
  report, only that tambon's own rows (its ``tambons`` row and its rows of
  ``rows``/``ticks``/``texts``/``problems``).

Only successful renders count as done; a failed report is kept apart (under
``failed``, with its error, for the index) and is retried by the next run. The file is rewritten atomically (temp file + ``os.replace``)
after every finished report, so an interrupted batch keeps its finished work.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from siianalysis import __version__
from siianalysis.report.code_digest import code_digest

MANIFEST_NAME = ".manifest.json"
FORMAT = 1
# The processed tables a report can read; tambon_id links all but problems' blanks.
TABLES = ("tambons", "rows", "ticks", "texts", "problems", "feedback")


def read_tables(processed_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The processed Parquet tables; a missing one (``problems`` on a clean run) is empty."""
    processed_dir = Path(processed_dir)
    out = {}
    for name in TABLES:
        path = processed_dir / f"{name}.parquet"
        out[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    return out


def _row_hashes(df: pd.DataFrame) -> pd.Series:
    # Everything as text first: hash_pandas_object rejects unhashable cells (lists),
    # and "True"/"500707" hash the same whatever dtype a writer chose.
    as_text = df.astype(object).where(df.notna(), "").astype(str)
    return pd.util.hash_pandas_object(as_text, index=False)


def _frame_digest(columns: Iterable[str], hashes: pd.Series) -> str:
    h = hashlib.sha256("\x1f".join(map(str, columns)).encode() + b"\0")
    h.update(hashes.to_numpy(dtype="uint64").tobytes())
    return h.hexdigest()


def data_digests(tables: dict[str, pd.DataFrame]) -> tuple[str, dict[str, str]]:
    """``(network_digest, {tambon_id: digest})`` of the processed tables.

    The network digest covers every row of every table. A tambon's digest covers
    only rows whose ``tambon_id`` is that tambon's, table by table, in file order.
    """
    network = hashlib.sha256()
    per_table: dict[str, dict[str, str]] = {}
    for name in TABLES:
        df = tables.get(name, pd.DataFrame())
        hashes = _row_hashes(df) if len(df.columns) else pd.Series([], dtype="uint64")
        network.update(name.encode() + b"\0" + _frame_digest(df.columns, hashes).encode())
        if "tambon_id" in df.columns and len(df):
            ids = df["tambon_id"].astype(object).where(df["tambon_id"].notna(), "").astype(str)
            per_table[name] = {
                str(tid): _frame_digest(df.columns, group)
                for tid, group in hashes.groupby(ids.to_numpy(), sort=False)
            }
        else:
            per_table[name] = {}
    tambons = tables.get("tambons", pd.DataFrame())
    ids = [str(t) for t in tambons["tambon_id"]] if "tambon_id" in tambons.columns else []
    per_tambon = {}
    for tid in ids:
        h = hashlib.sha256()
        for name in TABLES:
            h.update(name.encode() + b"\0" + per_table[name].get(tid, "-").encode())
        per_tambon[tid] = h.hexdigest()
    return network.hexdigest(), per_tambon


def report_digest(*, notebook: Path | str, parameters: dict[str, Any], data: str,
                  options: dict[str, Any], code: str | None = None) -> str:
    """The digest a report is skipped on.

    Args:
        notebook: the notebook file (its bytes are hashed).
        parameters: the parameters papermill injects.
        data: the data digest (``data_digests``) this report reads.
        options: rendering options that change the HTML (with_code, lang, kernel_name).
        code: ``code_digest(notebook)``, when the caller has it already (once per batch
            and notebook, not once per report); computed here otherwise.
    """
    payload = {
        "format": FORMAT,
        "notebook": hashlib.sha256(Path(notebook).read_bytes()).hexdigest(),
        "version": __version__,
        "code": code_digest(notebook) if code is None else code,
        "parameters": parameters,
        "options": options,
        "data": data,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class Manifest:
    """``out_dir/.manifest.json``.

    ``reports``: report key → {digest, html, rendered_at, seconds} for successful
    renders; ``failed``: report key → the last failure's details (never "done").

    Args:
        path: the manifest file; missing or unreadable means "nothing rendered yet".
        storage: instead of ``path``, a ``storage.Storage`` (reports folder or URL) holding it.
    """

    def __init__(self, path: Path | str | None = None, *, storage: Any = None):
        if storage is None and path is None:
            raise TypeError("Manifest needs a path or a storage")
        self.storage = storage
        self.path = Path(path) if path is not None else None
        self.reports: dict[str, dict[str, Any]] = {}
        self.failed: dict[str, dict[str, Any]] = {}
        try:
            text = storage.read_text(MANIFEST_NAME) if storage is not None else self.path.read_text(encoding="utf-8")
            data = json.loads(text)
            if data.get("format") == FORMAT and isinstance(data.get("reports"), dict):
                self.reports = data["reports"]
                self.failed = data.get("failed") if isinstance(data.get("failed"), dict) else {}
        except (OSError, ValueError, AttributeError):
            pass  # a corrupt or missing manifest only costs a full re-render

    def is_current(self, key: str, digest: str, html: Path | str | bool) -> bool:
        """True when ``key`` was rendered from ``digest`` and its HTML is still there
        (``html``: the HTML's path, or whether it exists)."""
        entry = self.reports.get(key)
        exists = html if isinstance(html, bool) else Path(html).is_file()
        return bool(entry) and entry.get("digest") == digest and exists

    def mark_done(self, key: str, digest: str, html: str, seconds: float | None = None) -> None:
        """Record a successful render and save at once."""
        self.failed.pop(key, None)
        self.reports[key] = {
            "digest": digest,
            "html": html,
            "rendered_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": None if seconds is None else round(seconds, 2),
        }
        self.save()

    def mark_failed(self, key: str, details: dict[str, Any]) -> None:
        """Record a failure (so it is retried next run, and the index can show it) and save."""
        self.reports.pop(key, None)
        self.failed[key] = {**details, "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.save()

    def drop(self, keys: set[str]) -> None:
        """Forget ``keys`` entirely (reports that no longer exist) and save."""
        for key in keys:
            self.reports.pop(key, None)
            self.failed.pop(key, None)
        self.save()

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous manifest intact."""
        from siianalysis.report.render import write_atomic

        text = json.dumps({"format": FORMAT, "reports": self.reports, "failed": self.failed}, ensure_ascii=False,
                          indent=1, sort_keys=True)
        if self.storage is not None:
            self.storage.write_text(MANIFEST_NAME, text)
        else:
            write_atomic(self.path, text)
