"""How the network's pages stay usable when the network is the whole country (issue 14).

At 7,255 tambons a list of every linked name is a page of its own: the network report
showed them three times (the types, review coverage, the report links) and one table
cell held 3,442 names. Here the rules, shared by the network report (``sections.network``)
and the site's index (``report.batch.index``):

- a table cell lists at most ``NAMES_SHOWN`` names, then says how many more there are
  (``capped``); the whole list stays in the section's data;
- above ``ONE_PAGE_LIMIT`` tambons the tambon reports are listed per province: the index
  gets a page per province (``province/<key>.html``) and the network report links to
  those pages instead of naming every tambon;
- the frequent words of a network larger than ``analysis.network.TERMS_SAMPLE`` tambons
  are counted in a fixed draw of them, and the page says so (``terms_sample_note``).

A province's page key (``province_key``) is its 2-digit DOPA code (the code most of its
tambons carry), ``unknown`` for tambons of no known province, or a short digest of its
name when no tambon of it has a code: stable from build to build, so links hold.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from siianalysis.words import t

from .html import Markup, esc, join, note

NAMES_SHOWN = 20  # names in one table cell; enough to recognise a group, short enough to read
PER_PROVINCE_SHOWN = 5  # names in a province's cell of a network too large for one page (77 such cells)
ONE_PAGE_LIMIT = 500  # tambons listed on one page; more: a page per province
PROVINCE_BASE = "province/"
_CODE = re.compile(r"\d{2}")


def capped(items: Sequence[Any] | Iterable[Any], total: int, lang: str, shown: int = NAMES_SHOWN,
           sep: str = ", ") -> Markup:
    """The first ``shown`` of ``items`` (Markup or text, escaped), joined, then "and N more"
    when ``total`` is larger. ``items`` may be a generator: only ``shown`` are taken."""
    taken = []
    for item in items:
        if len(taken) == shown:
            break
        taken.append(item)
    out = join(taken, sep=sep)
    if total > len(taken):
        out = join([out, esc(t("at_scale.more", lang, n=total - len(taken)))], sep=" ")
    return out


def names_per_province(n_tambons: int) -> int:
    """How many names a province's cell shows: ``NAMES_SHOWN``, fewer when the network is
    too large for one page (the whole list is on the province's page of the index)."""
    return NAMES_SHOWN if one_page(n_tambons) else PER_PROVINCE_SHOWN


def one_page(n_tambons: int) -> bool:
    """Whether every tambon's link fits on one page."""
    return n_tambons <= ONE_PAGE_LIMIT


def province_key(province: str, members: Sequence[dict], unknown: str) -> str:
    """The page key of a province group (module doc)."""
    if province == unknown:
        return "unknown"
    codes = Counter(str(m.get("province_code") or "") for m in members)
    codes.pop("", None)
    code = next((c for c, _ in codes.most_common() if _CODE.fullmatch(c)), None)
    if code:
        return code
    return "p-" + hashlib.sha256(province.encode("utf-8")).hexdigest()[:10]


def province_href(key: str, base: str = "") -> str:
    """The link to a province's page, relative to ``base`` (the folder of the linking page)."""
    return f"{base}{PROVINCE_BASE}{key}.html"


def terms_sample_note(terms: Any, lang: str) -> list[Markup]:
    """``[note]`` saying the frequent words were counted in a draw of the tambons, when they
    were (``analysis.network.table_terms``' ``attrs``); ``[]`` when every tambon was read."""
    read, total = terms.attrs.get("tambons_read"), terms.attrs.get("tambons_total")
    if read is None or total is None or read >= total:
        return []
    return [note(t("at_scale.terms_sample", lang, n=read, total=total))]
