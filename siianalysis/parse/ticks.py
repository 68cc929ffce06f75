"""Reading a tick cell: is the outcome marked, and did the team write a remark?

The spellings are the codebook's (``ticks:``). Besides them, a tick followed by
a remark ("✓ (บางหมู่บ้าน)", "มี 3 หมู่บ้าน") is a tick whose remark is kept; a
"not ticked" word followed by a remark ("ไม่มี เพราะ…") is not a tick, remark
kept. Anything else is ambiguous: not counted as a tick, kept as a remark, and
reported as a warning so a person can look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from siianalysis.codebook import Codebook
from siianalysis.text import clean

_SEPARATOR = re.compile(r"^[\s:;,.()\[\]\-–—]+|[\s()\[\]]+$")


@dataclass(frozen=True, slots=True)
class TickReading:
    ticked: bool
    remark: str = ""
    ambiguous: bool = False


def _is_word_char(ch: str) -> bool:
    # Thai vowel and tone marks are not "alphanumeric" to Python but are part of words.
    return ch.isalnum() or "\u0e00" <= ch <= "\u0e7f"


def _split_marker(text: str, markers: frozenset[str]) -> tuple[str, str] | None:
    """(marker, remark) when text starts with a marker followed by a separator."""
    lowered = text.casefold()
    for marker in sorted(markers, key=len, reverse=True):
        if not marker or not lowered.startswith(marker):
            continue
        rest = text[len(marker):]
        # A word marker must end at a boundary: "มีบางส่วน" is not "มี" + remark.
        if rest and _is_word_char(marker[-1]) and _is_word_char(rest[0]):
            continue
        return marker, _SEPARATOR.sub("", rest).strip()
    return None


def read_tick(raw: str, codebook: Codebook) -> TickReading:
    """Interprets one outcome cell as written by a team."""
    text = clean(raw)
    key = text.casefold()
    if key in codebook.not_ticked:
        return TickReading(False)
    if key in codebook.ticked:
        return TickReading(True)
    # Test "not ticked" first: "ไม่มี …" must not read as "มี …".
    found = _split_marker(text, codebook.not_ticked - {""})
    if found:
        return TickReading(False, found[1])
    found = _split_marker(text, codebook.ticked)
    if found:
        return TickReading(True, found[1])
    return TickReading(False, text, ambiguous=True)
