"""The way around a report site: on every report page, links to the index and the network
report (top and bottom) and a table of contents made from the page's headings.

A report page is the engine's document (``report/exporters/html.py``: the ``siireport``
template, ``<main>`` holding the notebook's cells); the engine knows nothing about the
site it is part of, so the batch, which does, adds the frame once a page is written:
``frame_page`` turns a page into a framed one, ``frame_pages`` frames the pages of a
batch (called by ``index.write_index``, the site's other half of navigation).

- The links are relative to the page (``../index.html`` from ``tambon/<id>.html``), so
  they work in ``reports/`` and wherever the folder or its bundle is unpacked; the page's
  own entry is shown, not linked.
- The contents list every ``<h2>`` of the page in order, each with its ``<h3>`` below it
  (a heading without an ``id`` gets one: ``<h2's id>-<n>``), as plain links: no script.
  On a wide screen it is open; on a phone it is one line (a ``<details>``) until tapped.
- Framing is idempotent: a framed page carries ``FRAME_MARK`` and is framed again from
  its unframed form (``unframe``), so a page framed twice is byte for byte a page framed
  once, and words changed in ``report_text.yaml`` reach pages framed before.
- Text of headings is taken from the page, where it was escaped already, tags dropped.
- Print hides the links and keeps the contents (``frame.css``).

Words: ``site.nav`` in ``report_text.yaml``.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from siianalysis.report.render import RenderResult
from siianalysis.report.storage import Storage
from siianalysis.sections.html import Markup, join, link, tag
from siianalysis.words import texts

INDEX_PAGE = "index.html"
NETWORK_PAGE = "network.html"
FRAME_MARK = "<!-- siianalysis:frame -->"
_FRAME_END = "<!-- /siianalysis:frame -->"
TOC_ID = "sii-contents"
_THIS_RUN = ("rendered", "failed")
_PREFIX = 256 * 1024  # the head of a page: its <head> styles, then <main> and the frame
_FRAGMENT = re.compile(re.escape(FRAME_MARK) + r".*?" + re.escape(_FRAME_END), re.S)
_HEADING = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1>", re.S | re.I)
_ID = re.compile(r"""\sid\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_CELL = re.compile(r'<div id="cell-id=|<div class="cell\b')


@cache
def stylesheet() -> str:
    """The frame's stylesheet (``frame.css``)."""
    return Path(__file__).with_name("frame.css").read_text(encoding="utf-8")


def _marked(html_text: str) -> Markup:
    # the line breaks inside the marks: taking a frame out leaves the page as it was
    return Markup(f"{FRAME_MARK}\n{html_text}\n{_FRAME_END}")


def unframe(page: str) -> str:
    """``page`` without any frame ``frame_page`` added (the page as the exporter wrote it,
    but for the ids given to headings, which are kept)."""
    return _FRAGMENT.sub("", page)


def _relative(target: str, page: str) -> str:
    """The link from site path ``page`` to site path ``target``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _site_links(page: str, words: Mapping[str, str], cls: str, top_link: bool) -> Markup:
    items = []
    for target, label in ((INDEX_PAGE, words["index"]), (NETWORK_PAGE, words["network"])):
        if target == page:
            items.append(tag("span", label, cls="sii-here", **{"aria-current": "page"}))
        else:
            items.append(link(_relative(target, page), label))
    if top_link:
        items.append(link(f"#{TOC_ID}", words["top"]))
    return tag("nav", join(items, " "), cls=f"sii-site {cls}", **{"aria-label": words["site"]})


def _headings(page: str) -> tuple[str, list[tuple[int, str, str]]]:
    """``page`` with an id on every h2/h3, and the headings as (level, id, text)."""
    found: list[tuple[int, str, str]] = []
    used = set(m.group(2) or m.group(3) or m.group(4) for m in _ID.finditer(page))
    counters: dict[str, int] = {}
    parent = "sii-h"

    def visit(m: re.Match) -> str:
        nonlocal parent
        level, attrs, inner = int(m.group(1)), m.group(2) or "", m.group(3)
        given = _ID.search(attrs)
        if given:
            anchor = given.group(2) or given.group(3) or given.group(4)
        else:
            base = parent if level == 3 else "sii-h"
            n = counters.get(base, 0)
            while True:
                n += 1
                anchor = f"{base}-{n}"
                if anchor not in used:
                    break
            counters[base] = n
            used.add(anchor)
            attrs = f' id="{anchor}"{attrs}'
        if level == 2:
            parent = anchor
        text = " ".join(html.unescape(_TAGS.sub("", _ANCHOR_LINK.sub("", inner))).split())
        if text:
            found.append((level, anchor, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(visit, page), found


def _contents(headings: list[tuple[int, str, str]], words: Mapping[str, str]) -> Markup | None:
    """The table of contents: every h2, its h3s under it."""
    items: list[tuple[str, str, list[tuple[str, str]]]] = []
    for level, anchor, text in headings:
        if level == 2:
            items.append((anchor, text, []))
        elif items:
            items[-1][2].append((anchor, text))
    if not items:
        return None
    lis = []
    for anchor, text, subs in items:
        sub = tag("ul", join(tag("li", link(f"#{a}", s)) for a, s in subs)) if subs else ""
        lis.append(tag("li", link(f"#{anchor}", text) + sub))
    summary = tag("summary", f"{words['contents']} ({len(items)})")
    listing = tag("ol", join(lis))
    # open on a wide screen, one line on a phone until tapped: two <details>, CSS shows one
    both = tag("details", summary + listing, cls="sii-toc-wide", open="open") \
        + tag("details", summary + listing, cls="sii-toc-narrow")
    return tag("nav", both, cls="sii-toc", id=TOC_ID, **{"aria-label": words["contents"]})


def frame_page(page: str, site_path: str, lang: str = "th") -> str:
    """``page`` (a report page's HTML) framed as the document at ``site_path`` of a site
    (``"network.html"``, ``"tambon/500707.html"``): links to the index and the network report
    at the top and bottom of ``<main>``, the contents before the first ``<h2>``'s cell.
    A page without ``<main>`` is returned as it is."""
    page = unframe(page)
    start, end = page.find("<main>"), page.rfind("</main>")
    if start < 0 or end < start:
        return page
    words = texts("site.nav", lang)
    page, headings = _headings(page)
    start, end = page.find("<main>") + len("<main>"), page.rfind("</main>")
    body = page[start:end]
    toc = _contents(headings, words)
    if toc is not None:
        first = body.find("<h2")
        cell = max((m.start() for m in _CELL.finditer(body, 0, first)), default=first)
        body = body[:cell] + _marked(toc) + body[cell:]
    top = _marked(f"<style>{stylesheet()}</style>" + _site_links(site_path, words, "sii-site-top", False))
    bottom = _marked(_site_links(site_path, words, "sii-site-end", toc is not None))
    return f"{page[:start]}{top}{body}{bottom}{page[end:]}"


def _framed_already(storage: Storage, rel: str) -> bool:
    """Whether a local page carries the frame (its first ``_PREFIX`` bytes are read: the frame
    opens ``<main>``). Remote pages are taken as framed: their run framed them."""
    if storage.local is None:
        return True
    with open(storage.local / rel, "rb") as fh:
        return FRAME_MARK.encode() in fh.read(_PREFIX)


def frame_pages(storage: Storage, results: Iterable[RenderResult], lang: str = "th") -> list[str]:
    """Frame the HTML documents of ``results`` (a batch's) that are in the site ``storage``;
    returns the site paths written.

    Pages this run wrote (rendered, or failed with a partial page) are framed; a page from an
    earlier run (skipped, previous, stale) only when it has no frame yet (a run stopped
    between writing a page and writing the index). A page framed as it would be now is not
    written again, so a rerun writes nothing; a document that is gone is skipped.
    """
    written = []
    for result in results:
        rel = storage.rel(result.output) if result.output else None
        if not rel or not rel.endswith(".html") or not storage.exists(rel):
            continue
        if result.status not in _THIS_RUN and _framed_already(storage, rel):
            continue
        page = storage.read_text(rel)
        framed = frame_page(page, rel, lang)
        if framed != page:
            storage.write_text(rel, framed)
            written.append(rel)
    return written
