"""``index.html``: one page linking the network report and every tambon report.

Tambons are grouped by province (Thai name, in province-code order; tambons not
matched to the DOPA register in a last "unresolved" group), each with its name,
amphoe, id, worksheet date and the report's status (rendered, skipped because
unchanged, failed with the failing cell and error, ...).

Every piece of text from the data or from an error is untrusted (a team can type
``<script>`` into a worksheet) and goes through ``html.escape``. Links are built
from the tambon id only, after checking it is a well-formed id, never from names.
The page is self-contained: inline CSS, no scripts, no external resource.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from siianalysis.report.render import RenderResult

UNRESOLVED = "~unresolved"  # sorts after every two-digit province code

LABELS = {
    "th": {
        "title": "รายงานการจัดการพื้นที่ S-I-I: สารบัญ",
        "network": "รายงานภาพรวมเครือข่าย",
        "tambons": "รายงานรายตำบล",
        "tambon": "ตำบล", "amphoe": "อำเภอ", "id": "รหัสตำบล", "date": "วันที่ใบงาน", "status": "สถานะ",
        "province": "จังหวัด", "unresolved": "ไม่ทราบจังหวัด / unresolved",
        "summary": "สร้างใหม่ {rendered} · ไม่เปลี่ยนแปลง {skipped} · ล้มเหลว {failed}",
        "generated": "สร้างเมื่อ",
        "failed_at": "ล้มเหลวที่",
        "open_failed": "ดูรายงานถึงจุดที่หยุด",
        "code": "โค้ดของเซลล์",
        "none": "ยังไม่มีตำบล",
        "status_names": {
            "rendered": "สร้างแล้ว", "skipped": "ไม่เปลี่ยนแปลง (ข้าม)", "failed": "ล้มเหลว",
            "previous": "สร้างไว้ก่อนหน้า", "stale": "ฉบับเก่า (ไม่ได้สร้างรอบนี้)", "missing": "ยังไม่ได้สร้าง",
        },
    },
    "en": {
        "title": "S-I-I area management reports: index",
        "network": "Network report",
        "tambons": "Tambon reports",
        "tambon": "Tambon", "amphoe": "Amphoe", "id": "Tambon id", "date": "Worksheet date", "status": "Status",
        "province": "Province", "unresolved": "Unresolved / ไม่ทราบจังหวัด",
        "summary": "rendered {rendered} · unchanged {skipped} · failed {failed}",
        "generated": "Generated",
        "failed_at": "failed at",
        "open_failed": "see the report up to where it stopped",
        "code": "cell source",
        "none": "no tambons yet",
        "status_names": {
            "rendered": "rendered", "skipped": "skipped (unchanged)", "failed": "failed",
            "previous": "rendered earlier", "stale": "old version (not rendered this run)", "missing": "not rendered",
        },
    },
}

CSS = """
body { font-family: "Noto Sans Thai", "Sarabun", "Leelawadee UI", Tahoma, system-ui, sans-serif;
       margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.id, td.date { font-family: ui-monospace, monospace; white-space: nowrap; }
.status { white-space: nowrap; padding: .05rem .45rem; border-radius: .6rem; font-size: .9em; }
.s-rendered, .s-previous { background: #dafbe1; } .s-skipped { background: #eaeef2; }
.s-failed { background: #ffebe9; color: #a40e26; } .s-stale, .s-missing { background: #fff8c5; }
.error { color: #a40e26; font-size: .9em; } pre { white-space: pre-wrap; margin: .2rem 0; }
.meta { color: #57606a; font-size: .9em; }
"""


def _e(value: object) -> str:
    """Escape untrusted text for HTML text and attribute values."""
    if value is None:
        return ""
    text = str(value)
    return "" if text in ("nan", "None", "<NA>") else html.escape(text, quote=True)


def _href(result: RenderResult | None, storage) -> str | None:
    """A relative link to the result's HTML if the file exists inside the reports folder."""
    if result is None or not result.html:
        return None
    rel = storage.rel(result.html)
    return rel if rel and storage.exists(rel) else None


def _status_cell(result: RenderResult | None, href: str | None, labels: dict) -> str:
    status = result.status if result else "missing"
    name = labels["status_names"].get(status, status)
    out = f'<span class="status s-{_e(status)}">{_e(name)}</span>'
    if result is not None and status == "failed":
        where = result.where()
        what = f"{result.error_name or ''}: {result.error_message or ''}".strip(": ")
        detail = f"{labels['failed_at']} {where} — {what}" if where else what
        out += f'<div class="error">{_e(detail)}</div>'
        if result.cell_excerpt:
            out += f'<details><summary>{_e(labels["code"])}</summary><pre>{_e(result.cell_excerpt)}</pre></details>'
        if href:
            out += f'<div><a href="{_e(href)}">{_e(labels["open_failed"])}</a></div>'
    return out


def _name(row: Mapping, field: str, lang: str) -> str:
    th = str(row.get(f"{field}_th") or "")
    en = str(row.get(f"{field}_en") or "")
    if lang == "en" and en:
        return f"{en} ({th})" if th else en
    return th or en


def _groups(tambons, lang: str, labels: dict) -> list[tuple[str, str, list[dict]]]:
    """``[(sort_key, heading, rows)]``: provinces in code order, unresolved last."""
    groups: dict[str, tuple[str, list[dict]]] = {}
    for row in tambons.to_dict("records"):
        code = str(row.get("province_code") or "")
        resolved = bool(row.get("resolved")) and code not in ("", "nan", "None")
        if resolved:
            key = code
            heading = f"{labels['province']}{_name(row, 'province', lang) or code} ({code})" if lang == "th" \
                else f"{_name(row, 'province', lang) or code} ({code})"
        else:
            key, heading = UNRESOLVED, labels["unresolved"]
        groups.setdefault(key, (heading, []))[1].append(row)
    out = []
    for key in sorted(groups):
        heading, rows = groups[key]
        rows.sort(key=lambda r: (str(r.get("amphoe_code") or ""), str(r.get("tambon_th") or ""), str(r["tambon_id"])))
        out.append((key, heading, rows))
    return out


def render_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                 storage=None) -> str:
    """The index page as a string.

    Args:
        out_dir: the reports folder the links are relative to (a path or an fsspec URL).
        tambons: the ``tambons`` table (DataFrame) listing every tambon to show.
        results: report key (``"network"``, ``"tambon/<id>"``) → its result; a tambon without
            one is shown as not rendered.
        lang: ``"th"`` (Thai labels) or ``"en"``.
        storage: the ``storage.Storage`` of ``out_dir`` if the caller has one (it may know the
            folder's listing already).
    """
    from siianalysis.report.batch import NETWORK_KEY, tambon_key, valid_tambon_id
    from siianalysis.report.storage import Storage

    storage = storage or Storage(out_dir)
    labels = LABELS["en" if lang == "en" else "th"]
    counts = {s: sum(1 for r in results.values() if r.status == s) for s in ("rendered", "skipped", "failed")}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"en" if lang == "en" else "th"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(labels['title'])}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(labels['title'])}</h1>",
        f'<p class="meta">{_e(labels["summary"].format(**counts))} · '
        f'{_e(labels["generated"])} {_e(datetime.now().strftime("%Y-%m-%d %H:%M"))}</p>',
    ]
    net = results.get(NETWORK_KEY)
    if net is not None:
        href = _href(net, storage)
        link = f'<a href="{_e(href)}">{_e(labels["network"])}</a>' if href else _e(labels["network"])
        parts.append(f'<h2 id="network">{link}</h2>')
        parts.append(f"<p>{_status_cell(net, href, labels)}</p>")
    parts.append(f'<h2 id="tambons">{_e(labels["tambons"])}</h2>')
    groups = _groups(tambons, lang, labels)
    if not groups:
        parts.append(f"<p>{_e(labels['none'])}</p>")
    head = "".join(f"<th>{_e(labels[c])}</th>" for c in ("tambon", "amphoe", "id", "date", "status"))
    for key, heading, rows in groups:
        parts.append(f'<h3 id="province-{_e(key.strip("~"))}">{_e(heading)}</h3>')
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for row in rows:
            tid = str(row["tambon_id"])
            result = results.get(tambon_key(tid))
            # Links only for well-formed ids, and only to files that exist.
            href = _href(result, storage) if valid_tambon_id(tid) else None
            name = _e(_name(row, "tambon", lang) or tid)
            name_cell = f'<a href="{_e(href)}">{name}</a>' if href and (result and result.status != "failed") else name
            parts.append(
                "<tr>"
                f"<td>{name_cell}</td>"
                f"<td>{_e(_name(row, 'amphoe', lang))}</td>"
                f'<td class="id">{_e(tid)}</td>'
                f'<td class="date">{_e(row.get("worksheet_date"))}</td>'
                f"<td>{_status_cell(result, href, labels)}</td>"
                "</tr>"
            )
        parts.append("</tbody></table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_index(out_dir: Path | str, tambons, results: Mapping[str, RenderResult], *, lang: str = "th",
                storage=None) -> Path | str:
    """Write ``out_dir/index.html`` (atomically) and return its path (or URL); arguments as
    ``render_index``."""
    from siianalysis.report.storage import Storage

    storage = storage or Storage(out_dir)
    storage.write_text("index.html", render_index(out_dir, tambons, results, lang=lang, storage=storage))
    return storage.local / "index.html" if storage.is_local else storage.url("index.html")
