"""Where the reports go: a local folder, or any fsspec URL (``file://``, ``s3://``, …).

A plain path is the fast path: files are written in place (atomically, temp file
+ ``os.replace``: ``write_atomic``). A URL goes through fsspec: a render worker
writes the document and the executed notebook into a local temporary folder and
then uploads both (``upload_report``); the client reads and writes the manifest
and the batch's own pages through fsspec too. ``s3://`` needs ``s3fs`` installed
on the client and on every worker (other protocols: their fsspec package).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(location: str | Path) -> bool:
    """True for ``proto://…`` (fsspec), False for a plain path (also ``C:\\…``)."""
    return isinstance(location, str) and bool(URL.match(location))


def suffix_of(location: str | Path) -> str:
    """The file suffix of a path or URL (``".html"``; ``""`` when it has none)."""
    return Path(str(location).rsplit("/", 1)[-1]).suffix


def beside(location: str, suffix: str) -> str:
    """The path or URL of the file beside ``location`` with ``suffix`` instead of its own."""
    own = suffix_of(location)
    return (location[: -len(own)] if own else location) + suffix


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` via a temp file + ``os.replace``: a reader never sees half a file.

    The temp name carries the pid and thread (one writer per file per thread); ``open``
    keeps the umask's permissions, unlike ``mkstemp``'s 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Storage:
    """A reports folder: ``local`` (a ``Path``) or ``url`` (fsspec), with the few operations
    the batch needs. Relative names use ``/``.

    Args:
        location: a folder path, or a URL such as ``file:///srv/reports`` or ``s3://bucket/reports``.
    """

    def __init__(self, location: str | Path):
        self.location = str(location)
        if is_url(self.location):
            from fsspec.core import url_to_fs

            self.fs, path = url_to_fs(self.location)
            self.root_path = path.rstrip("/")
            self.root = self.location.rstrip("/")
            self.local: Path | None = None
        else:
            self.fs = None
            self.local = Path(location).resolve()
            self.root = str(self.local)
        self._listing: set[str] | None = None

    @property
    def is_local(self) -> bool:
        return self.local is not None

    def __str__(self) -> str:
        return self.root

    def url(self, rel: str) -> str:
        """The full location of ``rel``: a local path string, or a URL."""
        if self.local is not None:
            return str(self.local / rel)
        return f"{self.root}/{rel}"

    def _path(self, rel: str) -> str:
        return f"{self.root_path}/{rel}"

    def rel(self, location: str | None) -> str | None:
        """``location`` relative to the root (``None`` if it is elsewhere)."""
        if not location:
            return None
        if self.local is not None:
            if is_url(location):
                return None
            try:
                return Path(location).resolve().relative_to(self.local).as_posix()
            except ValueError:
                return None
        prefix = self.root + "/"
        return location[len(prefix):] if location.startswith(prefix) else None

    def makedirs(self, rel: str = "") -> None:
        if self.local is not None:
            (self.local / rel).mkdir(parents=True, exist_ok=True)
        else:
            self.fs.makedirs(self._path(rel) if rel else self.root_path, exist_ok=True)

    def exists(self, rel: str) -> bool:
        if self.local is not None:
            return (self.local / rel).is_file()
        if self._listing is not None:
            return rel in self._listing
        return bool(self.fs.exists(self._path(rel)))

    def refresh_listing(self) -> None:
        """List the folder once (remote only), so ``exists`` costs no request per report."""
        if self.local is not None:
            return
        prefix = self.root_path + "/"
        try:
            found = self.fs.find(self.root_path)
        except FileNotFoundError:
            found = []
        self._listing = {p[len(prefix):] for p in (str(f).rstrip("/") for f in found) if p.startswith(prefix)}

    def forget_listing(self) -> None:
        self._listing = None

    def read_text(self, rel: str) -> str:
        if self.local is not None:
            return (self.local / rel).read_text(encoding="utf-8")
        with self.fs.open(self._path(rel), "rb") as f:
            return f.read().decode("utf-8")

    def write_text(self, rel: str, text: str) -> None:
        """Write ``text`` (locally atomic; remote: one upload, which object stores make atomic)."""
        if self.local is not None:
            write_atomic(self.local / rel, text)
            return
        self.fs.pipe_file(self._path(rel), text.encode("utf-8"))
        if self._listing is not None:
            self._listing.add(rel)

    def move(self, rel: str, new_rel: str) -> None:
        """Move the file ``rel`` to ``new_rel`` (its folders made; an existing ``new_rel`` replaced)."""
        if self.local is not None:
            target = self.local / new_rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.local / rel, target)
            return
        self.fs.mv(self._path(rel), self._path(new_rel))
        if self._listing is not None:
            self._listing.discard(rel)
            self._listing.add(new_rel)

    def files(self, under: str) -> list[str]:
        """Every file under the folder ``under`` (relative names, sorted; none if it is missing)."""
        if self.local is not None:
            base = self.local / under
            return sorted(p.relative_to(self.local).as_posix() for p in base.rglob("*") if p.is_file()) \
                if base.is_dir() else []
        prefix = under.rstrip("/") + "/"
        if self._listing is not None:
            return sorted(r for r in self._listing if r.startswith(prefix))
        try:
            found = self.fs.find(self._path(under))
        except FileNotFoundError:
            return []
        root = self.root_path + "/"
        return sorted(str(f)[len(root):] for f in found if str(f).startswith(root))

    def remove(self, rel: str) -> None:
        if self.local is not None:
            (self.local / rel).unlink(missing_ok=True)
            return
        try:
            self.fs.rm_file(self._path(rel))
        except FileNotFoundError:
            pass
        if self._listing is not None:
            self._listing.discard(rel)


def upload_report(local_out: Path, local_nb: Path, out_url: str, out_ok: bool) -> dict[str, Any]:
    """Copy a report rendered into a temp folder to its URL (its document, and the ``.ipynb``
    beside it).

    Returns the locations to put in the result (``output`` None when no document was written;
    a stale remote document is then removed, as a local run would do).
    """
    from fsspec.core import url_to_fs

    fs, out_path = url_to_fs(out_url)
    nb_path, nb_url = beside(out_path, ".ipynb"), beside(out_url, ".ipynb")
    parent = out_path.rsplit("/", 1)[0]
    if parent:
        fs.makedirs(parent, exist_ok=True)
    where: dict[str, Any] = {"output": None, "notebook_out": None}
    if local_nb.exists():
        fs.put_file(str(local_nb), nb_path)
        where["notebook_out"] = nb_url
    else:
        _rm(fs, nb_path)
    if out_ok and local_out.exists():
        fs.put_file(str(local_out), out_path)
        where["output"] = out_url
    else:
        _rm(fs, out_path)
    return where


def _rm(fs: Any, path: str) -> None:
    try:
        fs.rm_file(path)
    except (FileNotFoundError, OSError):
        pass
