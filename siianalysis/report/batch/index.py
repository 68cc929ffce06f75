"""``index.html``: one page linking the network report and every tambon report.

Tambons are grouped by province (Thai name, in province-code order; tambons not
matched to the DOPA register in a last "unresolved" group), each with its name,
amphoe, id, worksheet date and the report's status (rendered, skipped because
unchanged, failed with the failing cell and error, ...). Its words are
``site.index`` in ``report_text.yaml``; its look is ``index.css`` beside this module.

Every piece of text from the data or from an error is untrusted (a team can type
``<script>`` into a worksheet) and goes through the reports' one escaper
(``sections.html``). Links are built from the tambon id only, after checking it is
a well-formed id, never from names. The page is self-contained: inline CSS, no
scripts, no external resource.

Reports set aside because their tambon left the data (``batch.build``: kept under
``.removed/<date>/``) are listed in a section of their own, with where each was kept,
until that folder is deleted.

The page carries no build time: the same reports give the same bytes, and so the
same bundle. When ``SOURCE_DATE_EPOCH`` is set (reproducible-builds.org), the page
says that date, in UTC.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from siianalysis.report.batch.plan import NETWORK_KEY, tambon_key, valid_tambon_id
from siianalysis.report.render import RenderResult
from siianalysis.report.storage import Storage
from siianalysis.sections.html import Markup, join, link, tag
from siianalysis.words import t, texts

UNRESOLVED = "~unresolved"  # sorts after every two-digit province code
STATUSES = ("rendered", "skipped", "failed", "previous", "stale", "missing")


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
    """The section listing reports set aside: ``removed`` holds (tambon id, date, kept at)."""
    if not removed:
        return []
    words = texts("site.index.removed", lang)
    head = join(tag("th", words[c]) for c in ("id", "date", "kept"))
    rows = [tag("tr", join([tag("td", _verbatim(tid), cls="id"), tag("td", _verbatim(day), cls="date"),
                            tag("td", _verbatim(kept), cls="id")])) for tid, day, kept in removed]
    return [tag("h2", words["title"], id="removed"), tag("p", words["explain"]),
            f"<table><thead><tr>{head}</tr></thead><tbody>", *rows, "</tbody></table>"]


def _name(row: Mapping, field: str, lang: str) -> str:
    th = str(row.get(f"{field}_th") or "")
    en = str(row.get(f"{field}_en") or "")
    if lang == "en" and en:
        return f"{en} ({th})" if th else en
    return th or en


def _groups(tambons, lang: str) -> list[tuple[str, str, list[dict]]]:
    """``[(sort_key, heading, rows)]``: provinces in code order, unresolved last."""
    groups: dict[str, tuple[str, list[dict]]] = {}
    for row in tambons.to_dict("records"):
        code = str(row.get("province_code") or "")
        resolved = bool(row.get("resolved")) and code not in ("", "nan", "None")
        if resolved:
            key = code
            heading = t("site.index.province_heading", lang, name=_name(row, "province", lang) or code, code=code)
        else:
            key, heading = UNRESOLVED, t("site.index.unresolved", lang)
        groups.setdefault(key, (heading, []))[1].append(row)
    out = []
    for key in sorted(groups):
        heading, rows = groups[key]
        rows.sort(key=lambda r: (str(r.get("amphoe_code") or ""), str(r.get("tambon_th") or ""), str(r["tambon_id"])))
        out.append((key, heading, rows))
    return out


def render_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                 storage: Storage | None = None, removed: Sequence[tuple[str, str, str]] = ()) -> str:
    """The index page as a string.

    Args:
        out_dir: the reports folder the links are relative to (a path or an fsspec URL).
        tambons: the ``tambons`` table (DataFrame) listing every tambon to show.
        results: report key (``"network"``, ``"tambon/<id>"``) → its result; a tambon without
            one is shown as not rendered.
        lang: ``"th"`` (Thai words) or ``"en"``.
        storage: the ``storage.Storage`` of ``out_dir`` if the caller has one (it may know the
            folder's listing already).
        removed: reports set aside, as (tambon id, date, where it is kept), listed last.
    """
    storage = storage or Storage(out_dir)
    lang = "en" if lang == "en" else "th"
    words = texts("site.index", lang)
    status_names = {s: t(f"site.index.status_names.{s}", lang) for s in STATUSES}
    counts = {s: sum(1 for r in results.values() if r.status == s) for s in ("rendered", "skipped", "failed")}
    built = build_stamp()
    meta = t("site.index.summary", lang, **counts) + (f" · {words['generated']} {built}" if built else "")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        tag("title", words["title"]),
        f"<style>\n{stylesheet()}</style>",
        "</head>",
        "<body>",
        tag("h1", words["title"]),
        tag("p", meta, cls="meta"),
    ]
    net = results.get(NETWORK_KEY)
    if net is not None:
        href = _href(net, storage)
        parts.append(tag("h2", link(href, words["network"]) if href else words["network"], id="network"))
        parts.append(tag("p", _status_cell(net, href, words, status_names)))
    parts.append(tag("h2", words["tambons"], id="tambons"))
    groups = _groups(tambons, lang)
    if not groups:
        parts.append(tag("p", words["none"]))
    head = join(tag("th", words[c]) for c in ("tambon", "amphoe", "id", "date", "status"))
    for key, heading, rows in groups:
        parts.append(tag("h3", _verbatim(heading), id=f"province-{key.strip('~')}"))
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for row in rows:
            tid = str(row["tambon_id"])
            result = results.get(tambon_key(tid))
            # Links only for well-formed ids, and only to files that exist.
            href = _href(result, storage) if valid_tambon_id(tid) else None
            name = _verbatim(_name(row, "tambon", lang) or tid)
            linked = href and result and result.status != "failed"
            cells = [
                tag("td", link(href, name) if linked else name),
                tag("td", _verbatim(_name(row, "amphoe", lang))),
                tag("td", _verbatim(tid), cls="id"),
                tag("td", _verbatim(row.get("worksheet_date")), cls="date"),
                tag("td", _status_cell(result, href, words, status_names)),
            ]
            parts.append(tag("tr", join(cells)))
        parts.append("</tbody></table>")
    parts += _set_aside(removed, lang)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                storage: Storage | None = None, removed: Sequence[tuple[str, str, str]] = ()) -> Path | str:
    """Write ``out_dir/index.html`` (atomically) and return its path (or URL); arguments as
    ``render_index``."""
    storage = storage or Storage(out_dir)
    storage.write_text("index.html", render_index(out_dir, tambons, results, lang=lang, storage=storage,
                                                  removed=removed))
    return storage.local / "index.html" if storage.is_local else storage.url("index.html")
