"""Byte-identical zip files (xlsx, xlsm, docx, ods) for generated workbooks.

A zip records each entry's modification time, and the libraries that write
Office files stamp the clock into it (and into their core properties). Files
generated from the same inputs should be the same bytes, so the template and
the sample data can be checked in and compared with ``sha256sum``.
``freeze_zip`` rewrites an archive in place: same entries, same order, same
compression, every entry dated ``FIXED_DATETIME``.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

# The workshop's day: 27 October 2020 (๒๗ ตุลาคม ๒๕๖๓).
FIXED_DATETIME = dt.datetime(2020, 10, 27, 0, 0, 0)
_ZIP_DATE_TIME = FIXED_DATETIME.timetuple()[:6]

Transform = Callable[[str, bytes], bytes]


def freeze_zip(path: str | Path, transform: Transform | None = None) -> Path:
    """Rewrites the zip at ``path`` with fixed entry dates and attributes.

    Args:
        path: the archive, rewritten in place (through a temporary file beside it).
        transform: optional ``(entry_name, data) -> data`` applied to every entry
            before it is written (e.g. to patch ``[Content_Types].xml``).

    Returns:
        ``path`` as a ``Path``.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for info, data in entries:
            if transform is not None:
                data = transform(info.filename, data)
            frozen = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE_TIME)
            frozen.compress_type = info.compress_type
            frozen.create_system = 0
            frozen.external_attr = 0o600 << 16
            dst.writestr(frozen, data, compress_type=info.compress_type, compresslevel=6)
    os.replace(tmp, path)
    return path
