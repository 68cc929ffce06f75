"""Masking personal data in what is shared: the report site's HTML and the compiled data.

The rules, what is masked and how, are ``siianalysis.analysis.personal_data``'s
(names after a title or role word, phone numbers, e-mail addresses, citizen IDs;
re-exported here); figures are masked where they are drawn
(``siianalysis.analysis.plots.mask_figure``). This module applies them to the two
other forms a shared output takes:

``mask_html`` masks an HTML document's text only: it is tokenised with
``html.parser.HTMLParser`` and every byte outside the text nodes that change is
kept, so inline base64 images, ``<style>`` and ``<script>`` (never masked) come
through unchanged. A changed text node is unescaped, masked and escaped again
(``& < >``), so entities never break and ``&lt;script&gt;`` stays text. Text
nodes separated only by line breaks (``<br>``, ``<wbr>``: how the reports write a
line break inside a worksheet value) are read as one text with a line break, so
a number split over two lines ("081-234-<br>5678") is masked whole. The
attributes people read, ``title``, ``alt`` and ``aria-label``, and ``href``
values that are ``mailto:`` or ``tel:`` links, are masked the same way; every
other attribute is left as is. Comments are left as they are. A number split by
other markup ("081-234-<b>5678</b>") is not seen.

``mask_dataset`` masks a loaded ``Dataset``: every column people wrote (the
labels, texts, suggestions, the problems' quotes, file names, and the place names
of tambons that did not resolve to a DOPA code); codes, ticks and official place
names are kept. A reviewer's name is the signature of their advice (the experts
review in their professional role, and a tambon reads whose suggestion it is), so
in that column only numbers and e-mail addresses are masked. The workshop's
compilation is built from it (``siianalysis compile`` masks by default).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from html.parser import HTMLParser

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.person_names import mask_name
from siianalysis.analysis.personal_data import (
    KINDS,
    NUMBER_KINDS,
    Match,
    citizen_id_valid,
    find_personal_data,
    mask_personal_data,
    mask_text,
    might_hold_personal_data,
)

__all__ = [
    "KINDS",
    "NUMBER_KINDS",
    "Match",
    "WRITTEN_COLUMNS",
    "citizen_id_valid",
    "find_personal_data",
    "mask_dataset",
    "mask_html",
    "mask_personal_data",
    "mask_text",
]

# --- a dataset ------------------------------------------------------------------------------

# table -> column people wrote -> the kinds masked in it (every other column is a code,
# a tick or a date). A reviewer signs their suggestion: their name stays, their numbers go.
WRITTEN_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "tambons": {"source_file": KINDS},
    "rows": {"label": KINDS, "source": KINDS},
    "texts": {"text": KINDS},
    "problems": {"source_file": KINDS, "location": KINDS, "message": KINDS},
    "feedback": {"reviewer": NUMBER_KINDS, "suggestion": KINDS, "source_file": KINDS},
}
# A resolved tambon's names are geothai's official ones; an unresolved one's are as written.
PLACE_COLUMNS = ("tambon_th", "amphoe_th", "province_th", "tambon_en", "amphoe_en", "province_en")


def _mask_column(values: pd.Series, counts: Counter, kinds: Iterable[str] = KINDS) -> pd.Series:
    out = []
    for value in values:
        if isinstance(value, str) and value:
            value, found = mask_text(value, kinds)
            counts.update(found)
        out.append(value)
    return pd.Series(out, index=values.index, dtype=values.dtype)


def mask_dataset(ds: Dataset, counts: Counter | None = None) -> Dataset:
    """``ds`` with personal data masked in every column people wrote (``WRITTEN_COLUMNS``, and
    the place names of tambons that are not resolved); a new ``Dataset``, ``ds`` is left as it is.

    Args:
        ds: a loaded dataset.
        counts: optional ``Counter`` updated with the number of items masked per kind.
    """
    if counts is None:
        counts = Counter()
    frames = {}
    for name, columns in WRITTEN_COLUMNS.items():
        frame = getattr(ds, name).copy()
        for column, kinds in columns.items():
            if column in frame.columns:
                frame[column] = _mask_column(frame[column], counts, kinds)
        frames[name] = frame
    tambons = frames["tambons"]
    if len(tambons):
        written = ~tambons["resolved"].astype(bool)
        for column in PLACE_COLUMNS:
            if column in tambons.columns and written.any():
                tambons.loc[written, column] = _mask_column(tambons.loc[written, column], counts)
    # earlier rounds are shared too (a progress section, a research export)
    history = mask_dataset(ds.history, counts) if ds.history is not None else None
    return replace(ds, **frames, history=history)


# --- HTML --------------------------------------------------------------------------------

_SKIP_ELEMENTS = frozenset({"script", "style"})
_LINE_BREAKS = frozenset({"br", "wbr"})
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
        # "text", "tag" (a start tag worth a look), "br" (a bare line break), "other"
        self.kinds: list[str] = []
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

    def _start(self, tag, attrs) -> None:
        if any(_shown(k, v) for k, v in attrs):
            self._mark("tag")
        else:
            self._mark("br" if tag in _LINE_BREAKS else "other")

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs)
        if tag in _SKIP_ELEMENTS:
            self._skip = tag

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs)

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
    if "&" not in raw and not might_hold_personal_data(raw):
        return raw
    text = html.unescape(raw)
    masked, found = mask_text(text)
    if not found:
        return raw
    counts.update(found)
    return html.escape(masked, quote=quote)


def _masked_piece(m: Match, joined: str, a: int, b: int) -> str:
    """The masked form of ``joined[a:b]``, the part of match ``m`` inside one text node."""
    if (a, b) == m.span:
        return m.masked
    if len(m.masked) == len(m.original):  # numbers: digit for digit
        return m.masked[a - m.start:b - m.start]
    return mask_name(joined[a:b])  # a name broken by a line break: its words masked one by one


def _mask_lines(raws: list[str], counts: Counter) -> list[str]:
    """Text nodes separated by line breaks (escaped), masked as one text; unchanged ones as they were."""
    if len(raws) == 1:
        return [_mask_escaped(raws[0], counts, quote=False)]
    texts = [html.unescape(r) for r in raws]
    starts, parts, pos = [], [], 0
    for k, text in enumerate(texts):
        if k:  # the <br> itself, unless the text beside it already breaks the line
            gap = "" if texts[k - 1].endswith("\n") or text.startswith("\n") else "\n"
            parts.append(gap)
            pos += len(gap)
        starts.append(pos)
        parts.append(text)
        pos += len(text)
    joined = "".join(parts)
    matches = find_personal_data(joined)
    if not matches:
        return raws
    counts.update(m.kind for m in matches)
    out = []
    for k, (raw, text) in enumerate(zip(raws, texts, strict=True)):
        lo, hi = starts[k], starts[k] + len(text)
        pieces, last = [], lo
        for m in matches:
            a, b = max(m.start, lo), min(m.end, hi)
            if a >= b:
                continue
            pieces.append(joined[last:a])
            pieces.append(_masked_piece(m, joined, a, b))
            last = b
        if not pieces:
            out.append(raw)
            continue
        pieces.append(joined[last:hi])
        out.append(html.escape("".join(pieces), quote=False))
    return out


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
    if not might_hold_personal_data(doc):
        return doc
    tokens = _Tokens()
    tokens.run(doc)
    bounds = tokens.starts + [len(doc)]
    edits: list[tuple[int, int, str]] = []
    lines: list[tuple[int, int]] = []  # text nodes separated only by line breaks

    def flush() -> None:
        if lines:
            raws = [doc[a:b] for a, b in lines]
            for (a, b), raw, new in zip(lines, raws, _mask_lines(raws, counts), strict=True):
                if new != raw:
                    edits.append((a, b, new))
            lines.clear()

    for i, kind in enumerate(tokens.kinds):
        start, end = bounds[i], bounds[i + 1]
        if end < start:  # never expected; leave that part as it is
            flush()
            continue
        if kind == "text":
            lines.append((start, end))
        elif kind != "br":
            flush()
            if kind == "tag":
                piece = doc[start:end]
                new = _mask_tag(piece, counts)
                if new != piece:
                    edits.append((start, end, new))
    flush()
    if not edits:
        return doc
    out, pos = [], 0
    for start, end, new in edits:
        if start < pos:
            continue
        out.append(doc[pos:start])
        out.append(new)
        pos = end
    out.append(doc[pos:])
    return "".join(out)
