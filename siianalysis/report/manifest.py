"""What a report was rendered from, so a rerun can skip the unchanged ones.

``out_dir/.manifest.json`` holds, per report key (a batch's names: ``"network"``,
``"tambon/<tambon_id>"``), the digest of everything that report was rendered
from and when. A report is skipped when its new digest equals the recorded one
and its document still exists. The digest covers (see ``report_digest``):

- the notebook file's bytes;
- ``siianalysis.__version__`` and a digest of the package code the report runs
  (``code_digest``: the report machinery, the modules its notebook imports and
  theirs, the data files they read). An edit elsewhere in the package, such as a
  worksheet reader, does not make reports due: it reaches them only through the
  processed tables, digested below;
- the report's parameters and rendering options (code shown, language, kernel, format);
- its data: a digest the caller computes from what that report reads (the tambon
  batch: for the network report, every processed table; for a tambon report, only
  that tambon's own rows, ``batch.tables``).

Only successful renders count as done; a failed report is kept apart (under
``failed``, with its error, for a batch's index) and is retried by the next run.

Every finished report is recorded at once, so an interrupted (even killed) batch
keeps its finished work; but rewriting the whole file after each of 7,255 reports
would write O(N²) bytes (≈ 2 minutes of a country's batch). In a local folder each
record is therefore one line appended to ``.manifest.journal`` (JSON lines), and the
whole file is rewritten atomically (temp file + ``os.replace``, then the journal
removed) only when the journal holds as many records as the file (so the bytes
written over a batch stay linear in N) and at the end of a batch (``flush``).
Reading a manifest replays its journal; a last line cut short by a kill is ignored.
A remote reports folder (fsspec) has no append: there the file is rewritten per record.

A missing manifest means nothing was rendered yet. A manifest that cannot be read,
or whose entries are not what this module writes (a hand edit, a disk error, another
program), raises ``errors.ManifestError`` rather than being trusted or silently
dropped: a batch prunes by it. ``set_aside`` keeps such a file as
``.manifest.json.damaged``, so the next ``Manifest`` starts afresh (a batch does that
with ``force``).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from siianalysis import __version__
from siianalysis.report.code_digest import code_digest
from siianalysis.report.errors import ManifestError
from siianalysis.report.storage import write_atomic

MANIFEST_NAME = ".manifest.json"
JOURNAL_NAME = ".manifest.journal"
FORMAT = 1
# The key of an entry's document (its path, relative to the reports folder): named when every
# report was HTML, kept so that existing manifests stay valid.
DOCUMENT = "html"
DAMAGED_SUFFIX = ".damaged"


def report_digest(*, notebook: Path | str, parameters: dict[str, Any], data: str,
                  options: dict[str, Any], code: str | None = None) -> str:
    """The digest a report is skipped on.

    Args:
        notebook: the notebook file (its bytes are hashed).
        parameters: the parameters papermill injects.
        data: the digest of the data this report reads.
        options: rendering options that change the document (``RenderOptions.output_fields``).
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
    renders (``html``: the document, whatever its format); ``failed``: report key → the
    last failure's details (never "done").

    Args:
        path: the manifest file; missing means "nothing rendered yet".
        storage: instead of ``path``, a ``storage.Storage`` (reports folder or URL) holding it.

    Raises:
        ManifestError: the file cannot be read as a manifest (the message names what is
            wrong, and the way out: ``set_aside``, a batch's ``--force``).
    """

    def __init__(self, path: Path | str | None = None, *, storage: Any = None):
        if storage is None and path is None:
            raise TypeError("Manifest needs a path or a storage")
        self.storage = storage
        self.path = Path(path) if path is not None else None
        self.reports: dict[str, dict[str, Any]] = {}
        self.failed: dict[str, dict[str, Any]] = {}
        self.full_writes = 0  # whole-file rewrites by this object (the journal keeps them few)
        self._pending = 0  # records in the journal since the file was last written whole
        self._written = 0  # entries in the file when it was last written whole
        local = self.path.parent if self.path is not None else getattr(storage, "local", None)
        self.journal: Path | None = Path(local) / JOURNAL_NAME if local is not None else None
        try:
            text = storage.read_text(MANIFEST_NAME) if storage is not None else self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._replay()
            return
        except UnicodeDecodeError as exc:
            raise self._damaged(f"it is not UTF-8 text ({exc.reason})") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self._damaged(f"it is not JSON ({exc})") from exc
        problem = _shape_problem(data)
        if problem:
            raise self._damaged(problem)
        self.reports, self.failed = data.get("reports", {}), data.get("failed", {})
        self._written = len(self.reports) + len(self.failed)
        self._replay()

    def _replay(self) -> None:
        """Applies the journal's records (written after the file was last written whole)."""
        if self.journal is None or not self.journal.is_file():
            return
        lines = self.journal.read_text(encoding="utf-8", errors="replace").split("\n")
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                self._apply(record)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                if i == len(lines) - 1:  # no newline after it
                    break  # the last record, cut short by a kill mid-append: that report is rendered again
                raise self._damaged(f"its journal {self.journal} has a bad line {i + 1} ({exc})") from exc
            self._pending += 1
        problem = _shape_problem({"format": FORMAT, "reports": self.reports, "failed": self.failed})
        if problem:
            raise self._damaged(f"{problem} (from its journal {self.journal})")

    def _apply(self, record: dict[str, Any]) -> None:
        op = record["op"]
        if op == "done":
            self.failed.pop(record["key"], None)
            self.reports[record["key"]] = dict(record["entry"])
        elif op == "failed":
            self.reports.pop(record["key"], None)
            self.failed[record["key"]] = dict(record["entry"])
        elif op == "drop":
            for key in record["keys"]:
                self.reports.pop(key, None)
                self.failed.pop(key, None)
        else:
            raise ValueError(f"unknown record {op!r}")

    def _record(self, record: dict[str, Any]) -> None:
        """Applies ``record`` and keeps it: a journal line, or the whole file when the journal
        would outgrow half the file (or there is no journal): the file's size grows
        geometrically, so the bytes written over a batch stay linear in its reports."""
        self._apply(record)
        if self.journal is None or self._pending + 1 > self._written // 2:
            self.save()
            return
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        # one write of a whole line, appended: a kill leaves at most the last line cut short
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
        self._pending += 1

    def flush(self) -> None:
        """Writes the whole file (and removes the journal) if the journal holds records."""
        if self._pending or (self.journal is not None and self.journal.is_file()):
            self.save()

    @property
    def location(self) -> str:
        return self.storage.url(MANIFEST_NAME) if self.storage is not None else str(self.path)

    def _damaged(self, why: str) -> ManifestError:
        return ManifestError(f"the reports' manifest {self.location} cannot be used: {why}; run again with "
                             f"--force to render every report anew (the file is then kept as "
                             f"{MANIFEST_NAME}{DAMAGED_SUFFIX}), or delete it")

    def compared_older(self, key: str, snapshot: str) -> bool:
        """True when ``key`` was rendered and compared with another network than ``snapshot``
        (or before snapshots were recorded)."""
        entry = self.reports.get(key)
        return bool(entry) and entry.get("snapshot") != snapshot

    def is_current(self, key: str, digest: str, output: Path | str | bool) -> bool:
        """True when ``key`` was rendered from ``digest`` and its document is still there
        (``output``: the document's path, or whether it exists)."""
        entry = self.reports.get(key)
        exists = output if isinstance(output, bool) else Path(output).is_file()
        return bool(entry) and entry.get("digest") == digest and exists

    def mark_done(self, key: str, digest: str, output: str, seconds: float | None = None,
                  title: str | None = None, snapshot: str | None = None) -> None:
        """Record a successful render (``output``: its document; ``title``: its title, kept for
        when the report is set aside; ``snapshot``: the id of the processed set it compared
        with, ``analysis.snapshot``) and save at once."""
        self._record({"op": "done", "key": key, "entry": {
            "digest": digest,
            DOCUMENT: output,
            "rendered_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": None if seconds is None else round(seconds, 2),
            **({"title": title} if title else {}),
            **({"snapshot": snapshot} if snapshot is not None else {}),
        }})

    def mark_failed(self, key: str, details: dict[str, Any], output: str | None = None) -> None:
        """Record a failure (so it is retried next run, and a batch's index can show it) and save;
        ``output``: the partial document, if one was written."""
        self._record({"op": "failed", "key": key, "entry": {
            **details, DOCUMENT: output, "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}})

    def drop(self, keys: set[str]) -> None:
        """Forget ``keys`` entirely (reports that no longer exist) and save."""
        self._record({"op": "drop", "keys": sorted(keys)})

    def save(self) -> None:
        """Write the whole file atomically, then remove the journal it now holds: a crash
        mid-write leaves the previous manifest and its journal intact (replaying a journal
        over a file that holds it already changes nothing)."""
        text = json.dumps({"format": FORMAT, "reports": self.reports, "failed": self.failed}, ensure_ascii=False,
                          indent=1, sort_keys=True)
        if self.storage is not None:
            self.storage.write_text(MANIFEST_NAME, text)
        else:
            write_atomic(self.path, text)
        self.full_writes += 1
        self._written = len(self.reports) + len(self.failed)
        if self.journal is not None:
            self.journal.unlink(missing_ok=True)
        self._pending = 0


def set_aside(*, storage: Any = None, path: Path | str | None = None) -> str:
    """Keep the manifest (of ``storage``, or the file ``path``) as ``.manifest.json.damaged``,
    replacing an older one; returns where it is kept."""
    kept = MANIFEST_NAME + DAMAGED_SUFFIX
    local = Path(path).parent if path is not None else getattr(storage, "local", None)
    if local is not None and (Path(local) / JOURNAL_NAME).is_file():  # it belongs to the file set aside
        (Path(local) / JOURNAL_NAME).replace(Path(local) / (JOURNAL_NAME + DAMAGED_SUFFIX))
        if not (Path(local) / MANIFEST_NAME).is_file():
            return str(Path(local) / (JOURNAL_NAME + DAMAGED_SUFFIX))
    if storage is not None:
        storage.move(MANIFEST_NAME, kept)
        return storage.url(kept)
    target = Path(path).with_name(kept)
    Path(path).replace(target)
    return str(target)


def _shape_problem(data: Any) -> str:
    """What makes ``data`` no manifest of this module (``""``: nothing)."""
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not an object"
    if data.get("format") != FORMAT:
        return f"its format is {data.get('format')!r}, not {FORMAT} (written by another program or version)"
    for part in ("reports", "failed"):
        entries = data.get(part, {})
        if not isinstance(entries, dict):
            return f"its {part!r} is a JSON {type(entries).__name__}, not an object"
        for key, entry in entries.items():
            if not isinstance(entry, dict):
                return f"its entry {key!r} of {part!r} is a JSON {type(entry).__name__}, not an object"
            if part == "reports" and not isinstance(entry.get("digest"), str):
                return f"its entry {key!r} of {part!r} has no digest"
            if not isinstance(entry.get(DOCUMENT), (str, type(None))):
                return f"its entry {key!r} of {part!r} names its document with a {type(entry[DOCUMENT]).__name__}"
    return ""
