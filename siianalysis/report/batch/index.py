"""``index.html``: the site's front page, linking the network report, every tambon report
and the compiled pages; and the way around the other pages (``frame``).

What a reader sees: the network report, the compilation of plans and suggestions
(``compiled/index.html``, when ``siianalysis compile --html-dir`` wrote it into the site),
and the tambon reports under their provinces, grouped exactly as the network report groups
them (``analysis.network.tambons_by_province``, so a tambon not matched to the DOPA
register sits where the network report counts it, marked as such); each province heading
says how many tambons it holds; each tambon its name, amphoe and worksheet date (a Thai
date on the Thai index, ``words.display_date``). A report that does not exist is named,
not linked. What staff need (the build's counts, failures with their cell and error,
statuses, reports set aside) sits in one collapsed block at the bottom marked for staff.
Its words are ``site.index`` in ``report_text.yaml``; its look is ``index.css`` beside this
module (fits a 390 px phone: the tables become lines; Thai names are never broken inside
a word).

Every piece of text from the data or from an error is untrusted (a team can type
``<script>`` into a worksheet) and goes through the reports' one escaper
(``sections.html``). Links are built from the tambon id only, after checking it is
a well-formed id, never from names, and only to files that exist. The page is
self-contained: inline CSS, no scripts, no external resource.

A network too large for one page (``sections.at_scale``: the country's 7,255 tambons)
gets a page per province instead (``province/<key>.html``, the same table, each linking
back here), the index a list of provinces, and the staff block only the reports that
failed (the counts say the rest): the index opens at once and a tambon is two clicks away.

``write_index`` also frames the batch's pages (``frame.frame_pages``: links back to this
page and to the network report, a table of contents). The compiled pages' section sits
between markers, so ``link_compiled`` can renew it in an index written before them.

Reports set aside because their tambon left the data (``batch.build``: kept under
``.removed/<date>/``) are listed in the staff block, with where each was kept, until
that folder is deleted.

The page carries no build time: the same reports give the same bytes, and so the
same bundle. When ``SOURCE_DATE_EPOCH`` is set (reproducible-builds.org), the staff
block says that date, in UTC.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.network import tambons_by_province
from siianalysis.report.batch.frame import frame_pages
from siianalysis.report.batch.plan import NETWORK_KEY, tambon_key, valid_tambon_id
from siianalysis.report.render import RenderResult
from siianalysis.report.storage import Storage, write_atomic
from siianalysis.sections.at_scale import one_page, province_href, province_key
from siianalysis.sections.html import Markup, join, link, tag
from siianalysis.words import display_date, t, texts

STATUSES = ("rendered", "skipped", "failed", "previous", "stale", "missing")
COMPILED_INDEX = "compiled/index.html"
_COMPILED_START, _COMPILED_END = "<!-- siianalysis:compiled -->", "<!-- /siianalysis:compiled -->"
_COMPILED = re.compile(re.escape(_COMPILED_START) + r".*?" + re.escape(_COMPILED_END), re.S)
_LANG = re.compile(r'<html lang="(th|en)">')


@cache
def stylesheet() -> str:
    """The page's stylesheet (``index.css``)."""
    return Path(__file__).with_name("index.css").read_text(encoding="utf-8")


def _shown(value: Any) -> Any:
    """What a cell shows of a value: nothing for a missing one (None, NaN, NA, and their
    spellings in a text column)."""
    return "" if value is None or str(value) in ("nan", "None", "<NA>") else value


def _verbatim(value: Any) -> Markup:
    """Untrusted text, escaped, its line breaks kept as they are (a ``<pre>`` shows them;
    ``esc`` would add ``<br>``), and nothing for a missing value."""
    return join(str(_shown(value)).split("\n"), "\n")


def _href(result: RenderResult | None, storage: Storage) -> str | None:
    """A relative link to the result's document if the file exists inside the reports folder."""
    if result is None or not result.output:
        return None
    rel = storage.rel(result.output)
    return rel if rel and storage.exists(rel) else None


def _status_cell(result: RenderResult | None, href: str | None, words: dict[str, str],
                 status_names: dict[str, str]) -> Markup:
    status = result.status if result else "missing"
    out = tag("span", status_names.get(status, status), cls=f"status s-{_shown(status)}")
    if result is not None and status == "failed":
        where = result.where()
        what = f"{result.error_name or ''}: {result.error_message or ''}".strip(": ")
        detail = f"{words['failed_at']} {where} — {what}" if where else what
        out += tag("div", _verbatim(detail), cls="error")
        if result.cell_excerpt:
            out += tag("details", tag("summary", words["code"]) + tag("pre", _verbatim(result.cell_excerpt)))
        if href:
            out += tag("div", link(href, words["open_failed"]))
    return out


def build_stamp() -> str | None:
    """``SOURCE_DATE_EPOCH`` as ``YYYY-MM-DD HH:MM UTC``; None when it is unset or not a number."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _set_aside(removed: Sequence[tuple[str, str, str]], lang: str) -> list[str]:
    """The staff's list of reports set aside: ``removed`` holds (tambon id, date, kept at)."""
    if not removed:
        return []
    words = texts("site.index.removed", lang)
    head = join(tag("th", words[c]) for c in ("id", "date", "kept"))
    rows = [tag("tr", join([tag("td", _verbatim(tid), cls="id"), tag("td", _verbatim(day), cls="date"),
                            tag("td", _verbatim(kept), cls="id")])) for tid, day, kept in removed]
    return [tag("h3", words["title"], id="removed"), tag("p", words["explain"]),
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>', *rows, "</tbody></table></div>"]


def _name(row: Mapping, field: str, lang: str) -> str:
    th = str(_shown(row.get(f"{field}_th")) or "")
    en = str(_shown(row.get(f"{field}_en")) or "")
    if lang == "en" and en:
        return f"{en} ({th})" if th else en
    return th or en


def _groups(tambons, lang: str) -> list[tuple[str, list[dict]]]:
    """``[(heading, rows)]``: the tambons under their provinces, as the network report groups
    and orders them (``tambons_by_province``), each heading with its count."""
    return [(heading, members) for heading, members, _ in _province_groups(tambons, lang)]


def _province_groups(tambons, lang: str) -> list[tuple[str, list[dict], str]]:
    """``_groups`` with each province's page key (``at_scale.province_key``, as the network
    report links it)."""
    if tambons is None or len(tambons) == 0 or "tambon_id" not in tambons.columns:
        return []
    ds = Dataset.from_frames(tambons)
    unknown = t("common.unknown_province", lang)
    out = []
    for province, members in tambons_by_province(ds, lang):
        n = len(members)
        if province == unknown:
            heading = t("site.index.unknown_province_heading", lang, n=n)
        else:
            heading = t("site.index.province_count", lang, name=province, n=n)
        out.append((heading, members, province_key(province, members, unknown)))
    return out


def _compiled_section(storage: Storage, lang: str) -> str:
    """The compiled pages' section between its markers: a link when ``compiled/index.html``
    is in the site, else nothing (the markers alone)."""
    body = ""
    if storage.exists(COMPILED_INDEX):
        words = texts("site.index", lang)
        body = join([tag("h2", link(COMPILED_INDEX, words["compiled"]), id="compiled"),
                     tag("p", words["compiled_explain"], cls="lead")], "\n")
    return f"{_COMPILED_START}{body}{_COMPILED_END}"


def _tambon_rows(rows: list[dict], results: Mapping[str, RenderResult], storage: Storage, words: dict[str, str],
                 lang: str, up: str = "", older: Collection[str] = ()) -> list[Markup]:
    """One table line per tambon; ``up``: the way from the page to the reports folder ("../");
    ``older``: report keys compared with an earlier network (marked)."""
    out = []
    for row in rows:
        tid = str(row["tambon_id"])
        result = results.get(tambon_key(tid))
        # Links only for well-formed ids, only to files that exist, never to a failed run's page.
        href = _href(result, storage) if valid_tambon_id(tid) else None
        name = _verbatim(_name(row, "tambon", lang) or tid)
        if href and result and result.status != "failed":
            name_cell = link(up + href, name)
        else:
            name_cell = join([name, tag("span", words["no_report"], cls="muted")], " ")
        if href and tambon_key(tid) in older:
            name_cell = join([name_cell, tag("span", t("at_scale.older_snapshot", lang), cls="muted older")], " ")
        if not bool(row.get("resolved")):  # join: Markup + " " + a tag would escape the tag
            name_cell = join([name_cell, tag("span", words["unresolved_note"], cls="muted")], " ")
        cells = [
            tag("td", name_cell, cls="name"),
            tag("td", _verbatim(_name(row, "amphoe", lang)), cls="place"),
            tag("td", display_date(str(_shown(row.get("worksheet_date")) or ""), lang), cls="date"),
        ]
        out.append(tag("tr", join(cells)))
    return out


def _staff(groups: list[tuple[str, list[dict]]], results: Mapping[str, RenderResult], storage: Storage,
           words: dict[str, str], status_names: dict[str, str], removed: Sequence[tuple[str, str, str]],
           lang: str) -> list[str]:
    """The collapsed block for staff: the build's counts and stamp, every report's status with
    its failure, the reports set aside."""
    counts = {s: sum(1 for r in results.values() if r.status == s) for s in ("rendered", "skipped", "failed")}
    built = build_stamp()
    meta = t("site.index.summary", lang, **counts) + (f" · {words['generated']} {built}" if built else "")
    head = join(tag("th", words[c]) for c in ("tambon", "id", "status"))
    rows = []
    net = results.get(NETWORK_KEY)
    if net is not None:
        rows.append(tag("tr", join([tag("td", words["network"]), tag("td", ""),
                                    tag("td", _status_cell(net, _href(net, storage), words, status_names))])))
    listed = ""
    if not one_page(sum(len(m) for _, m in groups)):  # the country: only what needs a look
        listed = tag("p", t("at_scale.staff_only_problems", lang), cls="meta")
    for _, members in groups:
        for row in members:
            tid = str(row["tambon_id"])
            result = results.get(tambon_key(tid))
            if listed and (result is None or result.status != "failed"):  # the counts above say the rest
                continue
            href = _href(result, storage) if valid_tambon_id(tid) else None
            rows.append(tag("tr", join([tag("td", _verbatim(_name(row, "tambon", lang) or tid)),
                                        tag("td", _verbatim(tid), cls="id"),
                                        tag("td", _status_cell(result, href, words, status_names))])))
    return [
        '<details class="staff" id="staff">',
        tag("summary", words["staff"]),
        tag("p", words["staff_explain"], cls="meta"),
        tag("p", meta, cls="meta"),
        listed,
        f'<div class="scroll"><table class="status-table"><thead><tr>{head}</tr></thead><tbody>',
        *rows,
        "</tbody></table></div>",
        *_set_aside(removed, lang),
        "</details>",
    ]


def render_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                 storage: Storage | None = None, removed: Sequence[tuple[str, str, str]] = (),
                 older: Collection[str] = ()) -> str:
    """The index page as a string.

    Args:
        out_dir: the reports folder the links are relative to (a path or an fsspec URL).
        tambons: the ``tambons`` table (DataFrame) listing every tambon to show.
        results: report key (``"network"``, ``"tambon/<id>"``) → its result; a tambon without
            one is shown as not rendered.
        lang: ``"th"`` (Thai words) or ``"en"``.
        storage: the ``storage.Storage`` of ``out_dir`` if the caller has one (it may know the
            folder's listing already).
        removed: reports set aside, as (tambon id, date, where it is kept), in the staff block.
        older: keys of the tambon reports that compared with an earlier network (``analysis.snapshot``):
            marked beside their names, and counted.
    """
    storage = storage or Storage(out_dir)
    lang = "en" if lang == "en" else "th"
    words = texts("site.index", lang)
    status_names = {s: t(f"site.index.status_names.{s}", lang) for s in STATUSES}
    keyed = _province_groups(tambons, lang)
    groups = [(heading, members) for heading, members, _ in keyed]
    n_tambons = sum(len(m) for _, m in groups)
    parts = [
        *_head(words["title"], lang),
        tag("h1", words["title"]),
        tag("p", t("site.index.lead", lang, n=n_tambons, provinces=len(groups)), cls="lead"),
    ]
    net = results.get(NETWORK_KEY)
    if net is not None:
        href = _href(net, storage) if net.status != "failed" else None
        parts.append(tag("h2", link(href, words["network"]) if href else words["network"], id="network"))
        parts.append(tag("p", words["network_explain"] if href else words["no_report"], cls="lead"))
    parts.append(_compiled_section(storage, lang))
    parts.append(tag("h2", f"{words['tambons']} ({n_tambons})", id="tambons"))
    if older:
        parts.append(tag("p", t("at_scale.older_count", lang, n=len(older)), cls="meta"))
    if not groups:
        parts.append(tag("p", words["none"]))
    head = join(tag("th", words[c]) for c in ("tambon", "amphoe", "date"))
    if one_page(n_tambons):
        for i, (heading, rows) in enumerate(groups, start=1):
            parts.append(tag("h3", _verbatim(heading), id=f"province-{i}"))
            parts.append(f'<table class="tambons"><thead><tr>{head}</tr></thead><tbody>')
            parts.extend(_tambon_rows(rows, results, storage, words, lang, older=older))
            parts.append("</tbody></table>")
    else:  # the country: a page per province (``province_pages``), linked here
        parts.append(tag("p", t("at_scale.index_by_province", lang), cls="lead"))
        parts.append(tag("ul", join(tag("li", link(province_href(key), _verbatim(heading)))
                                    for heading, _, key in keyed), cls="provinces"))
    parts += _staff(groups, results, storage, words, status_names, removed, lang)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _head(title: str, lang: str) -> list[str]:
    return ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">', tag("title", title),
            f"<style>\n{stylesheet()}</style>", "</head>", "<body>", "<main>"]


def province_pages(tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                   storage: Storage, older: Collection[str] = ()) -> dict[str, str]:
    """``{path in the reports folder: page}``: a page per province listing its tambon reports
    as the one-page index does, when the network is too large for one page (``at_scale``);
    ``{}`` otherwise."""
    lang = "en" if lang == "en" else "th"
    keyed = _province_groups(tambons, lang)
    if one_page(sum(len(m) for _, m, _ in keyed)):
        return {}
    words = texts("site.index", lang)
    head = join(tag("th", words[c]) for c in ("tambon", "amphoe", "date"))
    up = "../"  # province/<key>.html: one folder down
    pages = {}
    for heading, rows, key in keyed:
        title = f"{words['title']}: {heading}"
        pages[province_href(key)] = "\n".join([
            *_head(title, lang),
            tag("p", link(up + "index.html", t("at_scale.back_to_index", lang)), cls="meta"),
            tag("h1", _verbatim(heading)),
            f'<table class="tambons"><thead><tr>{head}</tr></thead><tbody>',
            *_tambon_rows(rows, results, storage, words, lang, up=up, older=older),
            "</tbody></table>", "</main>", "</body>", "</html>", ""])
    return pages


def write_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                storage: Storage | None = None, removed: Sequence[tuple[str, str, str]] = (),
                older: Collection[str] = ()) -> Path | str:
    """Frame the batch's pages (``frame.frame_pages``), then write ``out_dir/index.html``
    (atomically) and return its path (or URL); arguments as ``render_index``."""
    storage = storage or Storage(out_dir)
    frame_pages(storage, results.values(), lang="en" if lang == "en" else "th")
    for rel, page in province_pages(tambons, results, lang=lang, storage=storage, older=older).items():
        storage.write_text(rel, page)
    storage.write_text("index.html", render_index(out_dir, tambons, results, lang=lang, storage=storage,
                                                  removed=removed, older=older))
    return storage.local / "index.html" if storage.is_local else storage.url("index.html")


def link_compiled(reports_dir: Path | str) -> bool:
    """Renew the compiled pages' section of the index in the local folder ``reports_dir`` (for
    ``siianalysis compile --html-dir`` run after the reports); False when there is no index
    made by this module there."""
    path = Path(reports_dir) / "index.html"
    if not path.is_file():
        return False
    page = path.read_text(encoding="utf-8")
    lang = _LANG.search(page)
    if lang is None or not _COMPILED.search(page):
        return False
    renewed = _COMPILED.sub(lambda _: _compiled_section(Storage(reports_dir), lang.group(1)), page, count=1)
    if renewed != page:
        write_atomic(path, renewed)
    return True
