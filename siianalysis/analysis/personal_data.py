"""Personal data in worksheet text: found and masked before anything is shared.

Teams write people's names, phone numbers, e-mail addresses and Thai citizen ID
numbers (เลขประจำตัวประชาชน) into their worksheets; reports, figures and the
compilation quote them. This module finds four kinds and masks them; the HTML
of a report site is masked by ``siianalysis.workshop.privacy`` with it, every
figure of a report by ``siianalysis.analysis.plots.mask_figure``. It sits with
the analysis so that figures, which cannot be masked once they are pixels, can
be masked where they are drawn. The number rules lean towards masking a real
number rather than leaving it, but never mask the numbers a report is made of
(dates, times, budgets, counts, DOPA and postal codes, years); the tests hold
both lists.

Digits may be Arabic (0-9), Thai (๐-๙) or full-width (０-９), mixed; separators
may be full-width too (``－``, ``（）``, the ideographic space). A number may be
broken over two lines inside a value: one line break, with or without spaces
around it, counts as a separator wherever a space does ("081-234-\\n5678").
A masked digit becomes ``x``; separators, brackets and the digits kept stay as
written, so the text still reads like the number it was.

``citizen_id``
    13 digits, plain ("1101700203450") or split at the official groups
    1-4-5-2-1 ("1-1017-00203-45-0", "1 1017 00203 45 0"; a dash, dot or space,
    optionally with spaces around, at any subset of those boundaries). Masked
    only when the check digit verifies (``sum(d[i] * (13 - i) for i < 12)``,
    ``check = (11 - sum % 11) % 10``): a 13-digit figure that fails it is a
    budget or a reference number and stays. Not part of a longer number (a digit
    right before or after, or one joined by ``- . , / :``). Masked form keeps
    only the last digit, the check digit, which is computed from the other twelve
    and so tells nothing about the person: ``x-xxxx-xxxxx-xx-0``.

``phone``
    Thai mobile numbers (``06``/``08``/``09`` + 8 digits) and landlines (``0`` +
    area digit 2/3/4/5/7 + 7 digits), or the same after ``+66`` (``+66 8 1234
    5678``, ``+668-1234-5678``, ``+66 (0) 81 234 5678``), with any grouping of
    at most four groups joined by a space, dash or dot (optionally spaced), and
    brackets round the area code ("(02) 123 4567"). After the first group every
    group has at least two digits, so lists of times or dates ("08.10.63 09.00")
    never read as a phone. Not part of a longer number (a digit right before or
    after, or one joined by ``.`` or ``:``; a trailing ``-8`` as in "02-123-4567-8",
    the Thai way of writing two lines, is allowed and stays, and so is a list
    "081-234-5678/089-876-5432" or "…,089-876-5432"). Masked form keeps
    the trunk ``0`` (or ``+66``), which is no information, and the last two
    digits: ``0xx-xxx-xx78``, ``+66 x xxxx xx78``.

``email``
    ``local@domain.tld`` with an ASCII (or full-width) local part and domain
    (Thai text may touch it on either side). The local part is masked except its
    first character, to a fixed ``***`` (its length is not kept); the domain
    stays: ``s***@gmail.com``.

``name``
    A person's name after a title or role word (นาย, นางสาว, คุณ, กำนัน, อสม., Mr …),
    or a given and a family name both in PyThaiNLP's name lists; places and
    organisations are left alone. The rules are ``analysis.person_names``'s, the
    words ``data/personal_data.yaml``. Masked form keeps each word's first letter:
    ``นายส*** ใ***``.

Where matches overlap, an e-mail address wins over a citizen ID, a citizen ID
over a phone number, and a number over a name (``0812345678@gmail.com`` is one
e-mail address). Masking is idempotent: a masked text has nothing left to find.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .person_names import find_names, mask_name, might_name

__all__ = [
    "KINDS",
    "NUMBER_KINDS",
    "Match",
    "citizen_id_valid",
    "find_personal_data",
    "mask_personal_data",
    "mask_text",
    "might_hold_personal_data",
]

Kind = Literal["phone", "email", "citizen_id", "name"]
NUMBER_KINDS: tuple[str, ...] = ("citizen_id", "phone", "email")
KINDS: tuple[str, ...] = (*NUMBER_KINDS, "name")
MASK = "x"
EMAIL_MASK = "***"

_THAI_DIGITS = "".join(chr(0x0E50 + i) for i in range(10))  # ๐-๙
_WIDE_DIGITS = "".join(chr(0xFF10 + i) for i in range(10))  # ０-９
_TO_ARABIC = str.maketrans(_THAI_DIGITS + _WIDE_DIGITS, "0123456789" * 2)
# The text the patterns read: one character for one, so spans are the original's.
# Full-width forms read as their ASCII ones (digits, letters, ＋ － （ ） ＠ ． ＿,
# the ideographic space), a carriage return or tab as a space.
_SEARCH_FORM = str.maketrans(
    {**{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}, "\u3000": " ", "\r": " ", "\t": " "})
_D = "[0-9\u0e50-\u0e59]"
# One space, or one line break with a space on either side at most.
_SP = "(?:[ \u00a0\u202f]?\n[ \u00a0\u202f]?|[ \u00a0\u202f])"
_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212.]"
# One separator between digits: optional ")" then optional space, dash/dot, space.
_SEP = rf"(?:\)?{_SP}?{_DASH}?{_SP}?)"
_ID_SEP = rf"(?:{_SP}?{_DASH}{_SP}?|{_SP})?"

_CITIZEN_ID = re.compile(
    rf"(?<![0-9\u0e50-\u0e59])(?<![0-9\u0e50-\u0e59][-.,/:])"
    rf"{_D}{_ID_SEP}{_D}{{4}}{_ID_SEP}{_D}{{5}}{_ID_SEP}{_D}{{2}}{_ID_SEP}{_D}"
    rf"(?![-.,/:]?[0-9\u0e50-\u0e59])"
)

_MOBILE = rf"[689\u0e56\u0e58\u0e59](?:{_SEP}{_D}){{8}}"
_LANDLINE = rf"[2-57\u0e52-\u0e55\u0e57](?:{_SEP}{_D}){{7}}"
_PHONE = re.compile(
    rf"(?<![0-9\u0e50-\u0e59+])(?<![0-9\u0e50-\u0e59][.:])"
    rf"(?:(?P<intl>\(?\+{_SP}?(?:66|\u0e56\u0e56)\)?{_SP}?{_DASH}?{_SP}?"
    rf"(?:\({_SP}?[0\u0e50]{_SP}?\){_SP}?{_DASH}?{_SP}?)?)(?P<inat>{_MOBILE}|{_LANDLINE})"
    rf"|(?P<nat>[0\u0e50]{_SEP}(?:{_MOBILE}|{_LANDLINE})))"
    rf"(?![.:]?[0-9\u0e50-\u0e59])"
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<local>[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,63}))"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])"
)

_DIGIT_OR_AT = re.compile("[0-9\u0e50-\u0e59\uff10-\uff19@\uff20]")
_NON_DIGITS = re.compile(r"[^0-9\u0e50-\u0e59]+")
_IS_DIGIT = re.compile("[0-9\u0e50-\u0e59\uff10-\uff19]")


@dataclass(frozen=True)
class Match:
    """One piece of personal data found in a text: its kind, span and text, and its masked form."""

    kind: Kind
    span: tuple[int, int]
    original: str
    masked: str

    @property
    def start(self) -> int:
        return self.span[0]

    @property
    def end(self) -> int:
        return self.span[1]


def citizen_id_valid(digits: str) -> bool:
    """True when ``digits`` (13 Arabic, Thai or full-width digits, separators ignored) has a valid check digit."""
    d = [int(c) for c in digits.translate(_TO_ARABIC) if "0" <= c <= "9"]
    if len(d) != 13:
        return False
    total = sum(v * (13 - i) for i, v in enumerate(d[:12]))
    return (11 - total % 11) % 10 == d[12]


def _mask_digits(text: str, keep_last: int) -> str:
    """Every digit of ``text`` but the last ``keep_last`` becomes ``x``; other characters stay."""
    positions = [m.start() for m in _IS_DIGIT.finditer(text)]
    to_mask = set(positions[: max(len(positions) - keep_last, 0)])
    return "".join(MASK if i in to_mask else c for i, c in enumerate(text))


def _groups_ok(national: str) -> bool:
    groups = [g for g in _NON_DIGITS.split(national) if g]
    if len(groups) > 4 or any(len(g) < 2 for g in groups[1:]):
        return False
    return national.count(")") <= 1 and (")" not in national or national.index(")") <= len(groups[0]) + 1)


def _phone(m: re.Match[str], text: str) -> str | None:
    """The masked form of a phone candidate (read in the search form, masked as written in
    ``text``), or None when its grouping is not a phone's."""
    if m.group("nat") is not None:
        if not _groups_ok(m.group("nat")):
            return None
        national = text[m.start("nat"):m.end("nat")]
        # Keep the trunk 0 and the last two digits.
        return national[0] + _mask_digits(national[1:], 2)
    if not _groups_ok(m.group("inat")):
        return None
    return text[m.start("intl"):m.end("intl")] + _mask_digits(text[m.start("inat"):m.end("inat")], 2)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``taken`` (sorted, non-overlapping spans)."""
    i = bisect.bisect_left(taken, span)
    return (i < len(taken) and taken[i][0] < span[1]) or (i > 0 and taken[i - 1][1] > span[0])


def might_hold_personal_data(text: str, kinds: Iterable[str] = KINDS) -> bool:
    """A quick test: False when ``text`` cannot hold any of ``kinds`` (no digit, no "@", no letters a name needs)."""
    kinds = set(kinds)
    if kinds & set(NUMBER_KINDS) and _DIGIT_OR_AT.search(text):
        return True
    return "name" in kinds and might_name(text)


def find_personal_data(text: str, kinds: Iterable[str] = KINDS) -> list[Match]:
    """Every piece of personal data of ``kinds`` (default: all four) in ``text``, in order of position."""
    kinds = set(kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of personal data: {', '.join(sorted(unknown))}")
    if not text or not might_hold_personal_data(text, kinds):
        return []
    found: list[Match] = []
    taken: list[tuple[int, int]] = []
    search = text.translate(_SEARCH_FORM)

    def add(kind: Kind, span: tuple[int, int], masked: str) -> None:
        found.append(Match(kind, span, text[span[0]:span[1]], masked))
        bisect.insort(taken, span)

    if _DIGIT_OR_AT.search(search):
        if "email" in kinds and "@" in search:
            for m in _EMAIL.finditer(search):
                local, domain = text[m.start("local"):m.end("local")], text[m.start("domain"):m.end("domain")]
                add("email", m.span(), local[0] + EMAIL_MASK + text[m.end("local")] + domain)
        if "citizen_id" in kinds:
            for m in _CITIZEN_ID.finditer(search):
                if citizen_id_valid(m.group()) and not _overlaps(m.span(), taken):
                    add("citizen_id", m.span(), _mask_digits(text[m.start():m.end()], 1))
        if "phone" in kinds:
            for m in _PHONE.finditer(search):
                masked = _phone(m, text)
                if masked is not None and not _overlaps(m.span(), taken):
                    add("phone", m.span(), masked)
    if "name" in kinds:
        for start, end, _ in find_names(search):
            if not _overlaps((start, end), taken):
                add("name", (start, end), mask_name(text[start:end]))
    found.sort(key=lambda x: x.start)
    return found


def mask_text(text: str, kinds: Iterable[str] = KINDS) -> tuple[str, Counter]:
    """``text`` with personal data of ``kinds`` masked, and how many of each kind were masked."""
    matches = find_personal_data(text, kinds)
    counts: Counter = Counter(m.kind for m in matches)
    if not matches:
        return text, counts
    parts, pos = [], 0
    for m in matches:
        parts.append(text[pos:m.start])
        parts.append(m.masked)
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts), counts


def mask_personal_data(text: str, kinds: Iterable[str] = KINDS) -> str:
    """``text`` with names, phone numbers, e-mail addresses and citizen IDs masked (see the module doc)."""
    return mask_text(text, kinds)[0]
