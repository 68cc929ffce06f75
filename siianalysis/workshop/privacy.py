"""Masking personal data in report text and HTML before a report site is shared.

Teams write people's names, phone numbers, e-mail addresses and Thai citizen ID
numbers (เลขประจำตัวประชาชน) into their worksheets, and the reports quote the
worksheets. Names cannot be told from place and project names reliably, so they
are left alone; the three kinds below have a shape and are masked. The rules
lean towards masking a real number rather than leaving it, but never mask the
numbers a report is made of (dates, times, budgets, counts, DOPA and postal
codes, years); the tests hold both lists.

Digits may be Arabic (0-9) or Thai (๐-๙), mixed. A masked digit becomes ``x``;
separators, brackets and the digits kept stay as written, so the text still
reads like the number it was.

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
    ``local@domain.tld`` with an ASCII local part and domain (Thai text may touch
    it on either side). The local part is masked except its first character, to
    a fixed ``***`` (its length is not kept); the domain stays:
    ``s***@gmail.com``.

Where matches overlap, an e-mail address wins over a citizen ID, and a citizen
ID over a phone number (``0812345678@gmail.com`` is one e-mail address).

``mask_html`` masks an HTML document's text only: it is tokenised with
``html.parser.HTMLParser`` and every byte outside the text nodes that change is
kept, so inline base64 images, ``<style>`` and ``<script>`` (never masked) come
through unchanged. A changed text node is unescaped, masked and escaped again
(``& < >``), so entities never break and ``&lt;script&gt;`` stays text. The
attributes people read, ``title``, ``alt`` and ``aria-label``, and ``href``
values that are ``mailto:`` or ``tel:`` links, are masked the same way; every
other attribute is left as is. Comments are left as they are. A number split
by markup ("081-234-<b>5678</b>") is not seen.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

__all__ = [
    "KINDS",
    "Match",
    "find_personal_data",
    "mask_personal_data",
    "mask_text",
    "mask_html",
    "citizen_id_valid",
]

Kind = Literal["phone", "email", "citizen_id"]
KINDS: tuple[str, ...] = ("citizen_id", "phone", "email")
MASK = "x"
EMAIL_MASK = "***"

_THAI_DIGITS = str.maketrans("".join(chr(0x0E50 + i) for i in range(10)), "0123456789")  # ๐-๙
_D = "[0-9\u0e50-\u0e59]"
_SP = "[ \u00a0\u202f]"
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

_DIGIT_OR_AT = re.compile(r"[0-9\u0e50-\u0e59@]")
_NON_DIGITS = re.compile(r"[^0-9\u0e50-\u0e59]+")
_IS_DIGIT = re.compile(r"[0-9\u0e50-\u0e59]")


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
    """True when ``digits`` (13 Arabic or Thai digits, separators ignored) has a valid check digit."""
    d = [int(c) for c in digits.translate(_THAI_DIGITS) if c.isdigit()]
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


def _phone(m: re.Match[str]) -> str | None:
    """The masked form of a phone candidate, or None when its grouping is not a phone's."""
    if m.group("nat") is not None:
        national = m.group("nat")
        if not _groups_ok(national):
            return None
        # Keep the trunk 0 and the last two digits.
        return national[0] + _mask_digits(national[1:], 2)
    national = m.group("inat")
    if not _groups_ok(national):
        return None
    return m.group("intl") + _mask_digits(national, 2)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``taken`` (sorted, non-overlapping spans)."""
    i = bisect.bisect_left(taken, span)
    return (i < len(taken) and taken[i][0] < span[1]) or (i > 0 and taken[i - 1][1] > span[0])


def find_personal_data(text: str) -> list[Match]:
    """Every e-mail address, citizen ID and phone number in ``text``, in order of position."""
    if not text or not _DIGIT_OR_AT.search(text):
        return []
    found: list[Match] = []
    taken: list[tuple[int, int]] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            local = m.group("local")
            found.append(Match("email", m.span(), m.group(), local[0] + EMAIL_MASK + "@" + m.group("domain")))
            bisect.insort(taken, m.span())
    for m in _CITIZEN_ID.finditer(text):
        if citizen_id_valid(m.group()) and not _overlaps(m.span(), taken):
            found.append(Match("citizen_id", m.span(), m.group(), _mask_digits(m.group(), 1)))
            bisect.insort(taken, m.span())
    for m in _PHONE.finditer(text):
        masked = _phone(m)
        if masked is not None and not _overlaps(m.span(), taken):
            found.append(Match("phone", m.span(), m.group(), masked))
            bisect.insort(taken, m.span())
    found.sort(key=lambda x: x.start)
    return found


def mask_text(text: str) -> tuple[str, Counter]:
    """``text`` with personal data masked, and how many of each kind were masked."""
    matches = find_personal_data(text)
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


def mask_personal_data(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses and citizen IDs masked (see the module doc)."""
    return mask_text(text)[0]


# --- HTML --------------------------------------------------------------------------------

_SKIP_ELEMENTS = frozenset({"script", "style"})
_SHOWN_ATTRS = frozenset({"title", "alt", "aria-label"})
# html.parser's own attribute scanner (attrfind_tolerant), over a start tag's text.
_ATTR = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)
_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:[\s/]*)")
_LINK_SCHEME = re.compile(r"^\s*(mailto|tel):", re.I)


class _Tokens(HTMLParser):
    """Records where each parser event starts, and which events are text to mask."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[int] = []
        self.kinds: list[str] = []  # "text", "tag" (a start tag worth a look), "other"
        self._skip: str | None = None
        self._line_starts: list[int] = [0]

    def run(self, doc: str) -> None:
        pos = doc.find("\n")
        while pos != -1:
            self._line_starts.append(pos + 1)
            pos = doc.find("\n", pos + 1)
        self.feed(doc)
        self.close()

    def _mark(self, kind: str) -> None:
        line, col = self.getpos()
        self.starts.append(self._line_starts[line - 1] + col)
        self.kinds.append(kind)

    def handle_starttag(self, tag, attrs):
        self._mark("tag" if any(_shown(k, v) for k, v in attrs) else "other")
        if tag in _SKIP_ELEMENTS:
            self._skip = tag

    def handle_startendtag(self, tag, attrs):
        self._mark("tag" if any(_shown(k, v) for k, v in attrs) else "other")

    def handle_endtag(self, tag):
        self._mark("other")
        if tag == self._skip:
            self._skip = None

    def handle_data(self, data):
        self._mark("other" if self._skip or self.cdata_elem else "text")

    def handle_comment(self, data):
        self._mark("other")

    def handle_decl(self, decl):
        self._mark("other")

    def handle_pi(self, data):
        self._mark("other")

    def unknown_decl(self, data):
        self._mark("other")

    def handle_entityref(self, name):  # only without convert_charrefs; kept for safety
        self._mark("other")

    def handle_charref(self, name):
        self._mark("other")


def _mask_escaped(raw: str, counts: Counter, quote: bool) -> str:
    """Masks escaped HTML text (a text node or an attribute value): unchanged unless masked."""
    if not _DIGIT_OR_AT.search(raw) and "&" not in raw:
        return raw
    text = html.unescape(raw)
    masked, found = mask_text(text)
    if not found:
        return raw
    counts.update(found)
    return html.escape(masked, quote=quote)


def _shown(name: str, value: str | None) -> bool:
    """Whether an attribute (name lower-cased, value unescaped) is read by people."""
    return value is not None and (name in _SHOWN_ATTRS or (name == "href" and bool(_LINK_SCHEME.match(value))))


def _mask_tag(tag: str, counts: Counter) -> str:
    """A start tag with its shown attributes (title, alt, aria-label, mailto:/tel: href) masked."""
    head = _TAG_NAME.match(tag)
    if head is None:
        return tag
    out, pos = [tag[:head.end()]], head.end()
    for m in _ATTR.finditer(tag, pos):
        if m.start() != pos:
            break
        pos = m.end()
        name, value = m.group(1).lower(), m.group(3)
        if value is None:
            out.append(m.group())
            continue
        quoted = len(value) >= 2 and value[0] in ("'", '"') and value[-1] == value[0]
        inner = value[1:-1] if quoted else value
        new = _mask_escaped(inner, counts, quote=True) if _shown(name, html.unescape(inner)) else inner
        if new == inner:
            out.append(m.group())
            continue
        q = value[0] if quoted else '"'
        vstart, vend = m.span(3)
        out.append(tag[m.start():vstart] + q + new + q + tag[vend:m.end()])
    out.append(tag[pos:])
    return "".join(out)


def mask_html(doc: str, counts: Counter | None = None) -> str:
    """``doc`` with personal data masked in its text (see the module doc); everything else kept exactly.

    Args:
        doc: an HTML document (or fragment).
        counts: optional ``Counter`` updated with the number of items masked per kind.
    """
    if counts is None:
        counts = Counter()
    if not _DIGIT_OR_AT.search(doc):
        return doc
    tokens = _Tokens()
    tokens.run(doc)
    bounds = tokens.starts + [len(doc)]
    out, pos = [], 0
    for i, kind in enumerate(tokens.kinds):
        if kind == "other":
            continue
        start, end = bounds[i], bounds[i + 1]
        if start < pos or end < start:  # never expected; leave the document as it is
            continue
        piece = doc[start:end]
        new = _mask_escaped(piece, counts, quote=False) if kind == "text" else _mask_tag(piece, counts)
        if new != piece:
            out.append(doc[pos:start])
            out.append(new)
            pos = end
    if not out:
        return doc
    out.append(doc[pos:])
    return "".join(out)
