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
The file is rewritten atomically (temp file + ``os.replace``) after every finished
report, so an interrupted batch keeps its finished work.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from siianalysis import __version__
from siianalysis.report.code_digest import code_digest
from siianalysis.report.storage import write_atomic

MANIFEST_NAME = ".manifest.json"
FORMAT = 1
# The key of an entry's document (its path, relative to the reports folder): named when every
# report was HTML, kept so that existing manifests stay valid.
DOCUMENT = "html"


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

    def is_current(self, key: str, digest: str, output: Path | str | bool) -> bool:
        """True when ``key`` was rendered from ``digest`` and its document is still there
        (``output``: the document's path, or whether it exists)."""
        entry = self.reports.get(key)
        exists = output if isinstance(output, bool) else Path(output).is_file()
        return bool(entry) and entry.get("digest") == digest and exists

    def mark_done(self, key: str, digest: str, output: str, seconds: float | None = None) -> None:
        """Record a successful render (``output``: its document) and save at once."""
        self.failed.pop(key, None)
        self.reports[key] = {
            "digest": digest,
            DOCUMENT: output,
            "rendered_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": None if seconds is None else round(seconds, 2),
        }
        self.save()

    def mark_failed(self, key: str, details: dict[str, Any], output: str | None = None) -> None:
        """Record a failure (so it is retried next run, and a batch's index can show it) and save;
        ``output``: the partial document, if one was written."""
        self.reports.pop(key, None)
        self.failed[key] = {**details, DOCUMENT: output,
                            "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.save()

    def drop(self, keys: set[str]) -> None:
        """Forget ``keys`` entirely (reports that no longer exist) and save."""
        for key in keys:
            self.reports.pop(key, None)
            self.failed.pop(key, None)
        self.save()

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous manifest intact."""
        text = json.dumps({"format": FORMAT, "reports": self.reports, "failed": self.failed}, ensure_ascii=False,
                          indent=1, sort_keys=True)
        if self.storage is not None:
            self.storage.write_text(MANIFEST_NAME, text)
        else:
            write_atomic(self.path, text)
