"""The tambon-id rule, in one place.

A tambon is keyed by its 6-digit DOPA subdistrict code once resolved, or by
"u-" and 10 hex digits when it could not be (``parse.resolve.unresolved_id``):
never six digits, so the two can never collide. Ids become file names and
links, so anything else is refused wherever an id comes from outside.
"""

from __future__ import annotations

import re

ID_PATTERN = r"\d{6}|u-[0-9a-f]{10}"  # unanchored, for patterns built on it (schemas)
TAMBON_ID = re.compile(rf"^(?:{ID_PATTERN})$")
UNRESOLVED_PREFIX = "u-"


def is_tambon_id(value: object) -> bool:
    """A DOPA code or an unresolved ``u-`` id, exactly (safe as a file name and a link)."""
    return isinstance(value, str) and bool(TAMBON_ID.match(value))
