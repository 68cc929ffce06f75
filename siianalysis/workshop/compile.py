"""The per-tambon compilation (the workshop's step 4): what the network hands back to each tambon.

For every tambon, pillar by pillar (people, mechanism, data, overall): its Table 4
(what exists, how to raise it), its row plans from Tables 1–3, and the experts'
suggestions, side by side; and what the team wrote outside its tables
(``Dataset.notes``: a sheet of the workbook, a part of the tambon's page), when it did. Two forms of the same content
(``compile_frame``, built on ``analysis.feedback.team_plans`` and ``feedback_for``):

- ``compile_workbook(processed_dir, out_xlsx)``: an index sheet and one sheet
  (``สรุปรายตำบล``) with a line per tambon × pillar, tambons grouped by province;
  wrapped text, frozen header, autofilter; byte-identical for the same inputs.
- ``compile_html(processed_dir, out_dir)``: ``out_dir/compiled/index.html`` (tambons
  by province, linked) and ``out_dir/compiled/<tambon_id>.html``, self-contained
  pages in the reports' style.

``compile_main`` is the command (``siianalysis compile``). Works without any
review (the suggestions columns are then empty).

The compilation goes back to every tambon, so it is masked by default
(``mask=True``; ``--no-mask`` on the command line, for internal use): it is built
from ``privacy.mask_dataset(ds)``, where people's names, phone numbers, e-mail
addresses and citizen IDs are masked in everything teams and reviewers wrote.
``build_workbook``, ``tambon_page`` and ``index_page`` show the dataset they are
given as it is. Every piece of team or reviewer text is untrusted: in the workbook a text starting with "=" is written as text,
never as a formula, and characters a worksheet cannot hold are dropped; in HTML
everything is escaped.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis.dataset import Dataset, load
from siianalysis.ids import is_tambon_id
from siianalysis.analysis.places import place_name, place_part
from siianalysis.sections.feedback import pillar_side_by_side
from siianalysis.sections.notes import notes_table, where_in_file
from siianalysis.sections.html import CSS, Markup, esc, explain, heading, join, link, note, tag, tambon_href
from siianalysis.words import check_lang, display_date, t
from siianalysis.workshop.privacy import KINDS, mask_dataset
from siianalysis.workshop.xlsx import FONT_NAME, save_workbook, sheet_name, write_cell

COMPILED_DIR = "compiled"
FONT_SIZE = 14
FRAME_COLUMNS = ("tambon_id", "tambon", "amphoe", "province", "pillar", "pillar_label", "achievements", "plan",
                 "row_plans", "suggestions", "n_suggestions")
# the summary sheet: frame column -> width (characters)
SHEET_COLUMNS = {"tambon_id": 10, "tambon": 16, "amphoe": 16, "province": 14, "pillar_label": 10,
                 "achievements": 40, "plan": 40, "row_plans": 50, "suggestions": 60}
INDEX_COLUMNS = {"province": 16, "amphoe": 18, "tambon": 22, "tambon_id": 12, "n_suggestions": 12,
                 "pillars_reviewed": 30}
BULLET = "• "

_THIN = Side(style="thin", color="A0A0A0")
_THICK = Side(style="medium", color="404040")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BAND_FILL = PatternFill("solid", fgColor="F3F6F9")
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- the content ------------------------------------------------------------------------------


def _collation(names) -> dict[str, int]:
    from pythainlp.util import collate

    return {name: i for i, name in enumerate(collate(sorted(set(names))))}


def tambon_order(ds: Dataset, lang: str = "th") -> list[tuple[str, list[str]]]:
    """The tambons grouped by province: ``[(province name, [tambon_id, …]), …]``.

    Provinces in Thai dictionary order (a tambon without one last, under "province
    unknown"); inside a province by district, then tambon name, then id."""
    unknown = t("common.unknown_province", lang)
    tam = ds.tambons.drop_duplicates("tambon_id")
    recs = []
    for row in tam.to_dict("records"):
        recs.append({"tambon_id": row["tambon_id"], "province": place_part(row, "province", lang),
                     "amphoe": place_part(row, "amphoe", lang), "tambon": place_part(row, "tambon", lang)})
    frame = pd.DataFrame(recs, columns=["tambon_id", "province", "amphoe", "tambon"])
    ranks = {c: _collation(frame[c]) for c in ("province", "amphoe", "tambon")}
    frame = frame.assign(
        _none=frame["province"] == "",
        _p=frame["province"].map(ranks["province"]),
        _a=frame["amphoe"].map(ranks["amphoe"]),
        _t=frame["tambon"].map(ranks["tambon"]),
    ).sort_values(["_none", "_p", "_a", "_t", "tambon_id"], kind="stable")
    out: list[tuple[str, list[str]]] = []
    for (none, province), part in frame.groupby(["_none", "province"], sort=False):
        out.append((unknown if none else province, list(part["tambon_id"])))
    return out


_SLICED = ("tambons", "rows", "texts", "feedback")


def tambon_slices(ds: Dataset) -> dict[str, Dataset]:
    """tambon_id -> the dataset cut down to that tambon's ``tambons``, ``rows``, ``texts``
    and ``feedback`` (what the compilation reads; ticks and problems left empty), built
    in one pass: ``Dataset.for_tambon`` per tambon would scan every frame each time."""
    groups = {name: dict(tuple(getattr(ds, name).groupby("tambon_id", sort=False))) for name in _SLICED}
    empty = {name: getattr(ds, name).iloc[0:0] for name in (*_SLICED, "ticks", "problems")}
    return {tid: replace(ds, ticks=empty["ticks"], problems=empty["problems"],
                         **{name: groups[name].get(tid, empty[name]).reset_index(drop=True) for name in _SLICED})
            for tid in ds.tambon_ids}


def suggestion_text(ds: Dataset, line: dict, lang: str = "th") -> str:
    """One suggestion as plain text: "• suggestion" then "(reviewer, priority, date)"."""
    meta = [line["reviewer"] or t("feedback.anonymous", lang),
            fbk.priority_label(ds, line["priority"], lang) or t("feedback.priority_unset", lang)]
    if line["reviewed_on"]:
        meta.append(display_date(line["reviewed_on"], lang))
    return f"{BULLET}{line['suggestion']}\n({', '.join(meta)})"


def compile_frame(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """The compilation as a frame: one line per tambon × pillar (tambons in
    ``tambon_order``, pillars in codebook order). Columns ``FRAME_COLUMNS``:
    ``achievements``/``plan`` are Table 4's texts of the pillar, ``row_plans`` the plans
    of Tables 1–3 ("• P1 label: plan", one a line), ``suggestions`` the experts'
    (``suggestion_text``, a blank line between two)."""
    check_lang(lang)
    slices = tambon_slices(ds)
    lines = []
    for province, ids in tambon_order(ds, lang):
        for tid in ids:
            one = slices[tid]
            row = one.tambon(tid)
            plans = fbk.team_plans(one, tid, lang)
            fb = fbk.feedback_for(one, tid)
            for pillar in fbk.pillar_codes(ds):
                mine = plans[plans["pillar"] == pillar]
                table4 = mine[mine["table"] == fbk.SUMMARY_TABLE]
                rows = mine[mine["table"] != fbk.SUMMARY_TABLE]
                theirs = fb[fb["pillar"] == pillar]
                lines.append({
                    "tambon_id": tid,
                    "tambon": place_part(row, "tambon", lang),
                    "amphoe": place_part(row, "amphoe", lang),
                    "province": province,
                    "pillar": pillar,
                    "pillar_label": fbk.pillar_label(ds, pillar, lang),
                    "achievements": "\n".join(table4.loc[table4["field"] == "achievements", "text"]),
                    "plan": "\n".join(table4.loc[table4["field"] == "plan", "text"]),
                    "row_plans": "\n".join(f"{BULLET}{r['label']}: {r['text']}" for r in rows.to_dict("records")),
                    "suggestions": "\n\n".join(suggestion_text(ds, r, lang) for r in theirs.to_dict("records")),
                    "n_suggestions": len(theirs),
                })
    frame = pd.DataFrame(lines, columns=list(FRAME_COLUMNS))
    return frame.astype({c: "str" for c in FRAME_COLUMNS if c != "n_suggestions"} | {"n_suggestions": "int64"})


def _headers(ds: Dataset, lang: str) -> dict[str, str]:
    cb = ds.codebook
    summary = cb.table(fbk.SUMMARY_TABLE)

    def table4(field: str) -> str:
        return t("feedback.table4", lang, cue=cb.table_title_cue, number=summary.number,
                 field=summary.field(field).label.text(lang))

    columns = cb.review.columns
    return {
        **{c: columns[c].text(lang) for c in ("tambon_id", "tambon", "amphoe", "province")},
        "pillar_label": columns["pillar"].text(lang),
        "achievements": table4("achievements"),
        "plan": table4("plan"),
        "row_plans": t("feedback.row_plans", lang),
        "suggestions": t("feedback.suggestions", lang),
        "n_suggestions": t("compile.n_suggestions", lang),
        "pillars_reviewed": t("compile.pillars_reviewed", lang),
    }


# --- the workbook -------------------------------------------------------------------------------


def put(ws, row: int, col: int, value: object, *, font: Font | None = None, text: bool = False):
    """Writes ``value`` (``xlsx.write_cell``: untrusted text is never a formula), wrapped,
    in the house font. ``text``: the cell is formatted as text ("@"), e.g. a code."""
    cell = write_cell(ws, row, col, value)
    if text:
        cell.number_format = "@"
    cell.alignment = _WRAP
    cell.font = font or Font(name=FONT_NAME, size=FONT_SIZE)
    return cell


def build_workbook(ds: Dataset, lang: str = "th") -> Workbook:
    """The compilation workbook (not saved): an index sheet, then the summary sheet."""
    check_lang(lang)
    frame = compile_frame(ds, lang)
    heads = _headers(ds, lang)
    wb = Workbook()
    index = wb.active
    index.title = sheet_name(t("compile.index_sheet", lang))
    sheet = wb.create_sheet(sheet_name(t("compile.sheet", lang)))
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)

    # the summary sheet: one line per tambon × pillar
    cols = list(SHEET_COLUMNS)
    for c, key in enumerate(cols, start=1):
        cell = put(sheet, 1, c, heads[key], font=bold)
        cell.fill = _HEADER_FILL
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THICK)
        sheet.column_dimensions[get_column_letter(c)].width = SHEET_COLUMNS[key]
    first_row: dict[str, int] = {}
    band = False
    for r, line in enumerate(frame.to_dict("records"), start=2):
        new = line["tambon_id"] not in first_row
        if new:
            first_row[line["tambon_id"]] = r
            band = not band
        for c, key in enumerate(cols, start=1):
            cell = put(sheet, r, c, line[key], text=key == "tambon_id")
            cell.border = Border(left=_THIN, right=_THIN, bottom=_THIN, top=_THICK if new else _THIN)
            if band:
                cell.fill = _BAND_FILL
    last = max(len(frame) + 1, 2)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last}"

    # the index: title, what it is, then one line per tambon linked to its first line
    put(index, 1, 1, t("compile.title", lang), font=Font(name=FONT_NAME, size=FONT_SIZE + 4, bold=True))
    put(index, 2, 1, t("compile.intro", lang))
    cov = fbk.review_coverage(ds)
    put(index, 3, 1, t("compile.tambons", lang, n=cov.n_tambons, reviewed=cov.n_reviewed,
                       suggestions=int(cov.tambons["suggestions"].sum())))
    for r in (1, 2, 3):
        index.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(INDEX_COLUMNS))
    index.row_dimensions[2].height = 60
    head_row = 5
    icols = list(INDEX_COLUMNS)
    for c, key in enumerate(icols, start=1):
        cell = put(index, head_row, c, heads[key], font=bold)
        cell.fill = _HEADER_FILL
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THICK)
        index.column_dimensions[get_column_letter(c)].width = INDEX_COLUMNS[key]
    per = cov.tambons.set_index("tambon_id")
    link_font = Font(name=FONT_NAME, size=FONT_SIZE, color="1F6FB2", underline="single")
    first = frame.drop_duplicates("tambon_id")
    r = head_row
    for r, line in enumerate(first.to_dict("records"), start=head_row + 1):
        tid = line["tambon_id"]
        reviewed = [fbk.pillar_label(ds, p, lang) for p in per.loc[tid, "pillars_reviewed"].split(",") if p]
        values = {"province": line["province"], "amphoe": line["amphoe"], "tambon": line["tambon"],
                  "tambon_id": tid, "n_suggestions": int(per.loc[tid, "suggestions"]),
                  "pillars_reviewed": ", ".join(reviewed)}
        for c, key in enumerate(icols, start=1):
            cell = put(index, r, c, values[key], text=key == "tambon_id",
                       font=link_font if key == "tambon" else None)
            cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
            if key == "tambon":
                target = f"'{sheet.title}'!A{first_row[tid]}"
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target, display=str(cell.value))
    index.freeze_panes = f"A{head_row + 1}"
    index.auto_filter.ref = f"A{head_row}:{get_column_letter(len(icols))}{max(r, head_row + 1)}"
    _notes_sheet(wb, ds, [tid for _, ids in tambon_order(ds, lang) for tid in ids], lang)
    return wb


def _notes_sheet(wb: Workbook, ds: Dataset, order: list[str], lang: str) -> None:
    """What the teams wrote outside their tables (``Dataset.notes``), a line per note, tambons
    in ``order``; no sheet when no team wrote any (the workbook is then as it always was)."""
    notes = ds.notes
    if notes.empty:
        return
    sheet = wb.create_sheet(sheet_name(t("outside_notes.sheet", lang)))
    cols = {"tambon_id": 10, "tambon": 18, "where": 30, "text": 80}
    heads = {**{c: ds.codebook.review.columns[c].text(lang) for c in ("tambon_id", "tambon")},
             "where": t("outside_notes.where", lang), "text": t("outside_notes.text", lang)}
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    for c, key in enumerate(cols, start=1):
        put(sheet, 1, c, heads[key], font=bold).fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(c)].width = cols[key]
    rank = {tid: i for i, tid in enumerate(order)}
    notes = notes.assign(_rank=notes["tambon_id"].map(rank)).sort_values("_rank", kind="stable")
    for r, line in enumerate(notes.to_dict("records"), start=2):
        values = {"tambon_id": line["tambon_id"], "tambon": place_part(ds.tambon(line["tambon_id"]), "tambon", lang),
                  "where": where_in_file(line["source"], lang), "text": line["text"]}
        for c, key in enumerate(cols, start=1):
            put(sheet, r, c, values[key], text=key == "tambon_id")
    sheet.freeze_panes = "C2"


def write_workbook(ds: Dataset, out_xlsx: str | Path, lang: str = "th") -> Path:
    """``build_workbook`` saved at ``out_xlsx`` (byte-identical for the same inputs)."""
    out = Path(out_xlsx)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_workbook(build_workbook(ds, lang), out)


def _dataset(processed: str | Path | Dataset, mask: bool, counts: Counter | None = None) -> Dataset:
    ds = processed if isinstance(processed, Dataset) else load(processed)
    return mask_dataset(ds, counts) if mask else ds


def compile_workbook(processed_dir: str | Path | Dataset, out_xlsx: str | Path, lang: str = "th",
                     mask: bool = True) -> Path:
    """Writes the compilation workbook of ``processed_dir`` (or a loaded ``Dataset``) at
    ``out_xlsx`` and returns its path. ``lang``: "th" or "en" (headers, labels, names);
    ``mask``: personal data masked (the default; see the module doc)."""
    return write_workbook(_dataset(processed_dir, mask), out_xlsx, lang)


# --- the HTML pages -------------------------------------------------------------------------------

# No script may run in these pages: only the inline style sheet is allowed.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _page(title: str, body: Markup, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
            f'<body>\n<div class="sii">\n{body}\n</div>\n</body>\n</html>\n')


def tambon_page(ds: Dataset, tambon_id: str, lang: str = "th") -> str:
    """One tambon's compiled page (a whole HTML document): per pillar, the team's Table 4
    achievements and plan and its row plans beside the experts' suggestions."""
    check_lang(lang)
    row = ds.tambon(tambon_id)
    tid = str(row["tambon_id"])
    place = place_name(row, ds.codebook, lang) or tid
    plans = fbk.team_plans(ds, tid, lang)
    fb = fbk.feedback_for(ds, tid)
    parts: list[object] = [
        tag("p", link("index.html", t("compile.back", lang))),
        heading(t("compile.page_title", lang, place=place), 1),
        tag("p", f"{ds.codebook.review.columns['tambon_id'].text(lang)}: {tid}", cls="sii-sub"),
        explain(t("compile.intro", lang)),
    ]
    if fb.empty:
        parts.append(tag("p", tag("strong", t("feedback.none", lang))))
    for pillar in fbk.pillar_codes(ds):
        parts.append(heading(t("feedback.pillar_heading", lang, pillar=fbk.pillar_label(ds, pillar, lang)), 2))
        parts.append(pillar_side_by_side(ds, plans, fb, pillar, lang, achievements=True))
    notes = ds.notes[ds.notes["tambon_id"] == tid]
    if not notes.empty:  # what the team wrote outside its tables goes back with the rest (masked with it)
        parts += [heading(t("outside_notes.title", lang), 2), notes_table(notes, lang, mask=False)]
    return _page(t("compile.page_title", lang, place=place), join(parts, "\n"), lang)


def index_page(ds: Dataset, lang: str = "th") -> str:
    """The compiled pages' index: tambons by province, each linked to ``<tambon_id>.html``."""
    check_lang(lang)
    cov = fbk.review_coverage(ds)
    per = cov.tambons.set_index("tambon_id")
    parts: list[object] = [
        heading(t("compile.title", lang), 1),
        explain(t("compile.intro", lang)),
        note(t("compile.tambons", lang, n=cov.n_tambons, reviewed=cov.n_reviewed,
               suggestions=int(cov.tambons["suggestions"].sum()))),
    ]
    for province, ids in tambon_order(ds, lang):
        items = []
        for tid in ids:
            name = place_name(ds.tambon(tid), ds.codebook, lang) or tid
            count = f" ({t('compile.n_suggestions', lang)} {int(per.loc[tid, 'suggestions'])})"
            href = tambon_href(tid)
            if href:
                items.append(Markup(link(href, name) + esc(count)))
            else:
                items.append(Markup(esc(name + count) + " " + tag("span", t("compile.no_page", lang),
                                                                  cls="sii-muted")))
        parts.append(heading(f"{province} ({len(ids)})", 2))
        parts.append(tag("ul", join(tag("li", i) for i in items), cls="sii-list"))
    return _page(t("compile.title", lang), join(parts, "\n"), lang)


def _site_linked(page: str, in_site: bool, lang: str) -> str:
    """``page`` with a link to the report site's index (``../index.html``) at its top when the
    pages are written into a report site."""
    if not in_site:
        return page
    back = tag("p", link("../index.html", t("site.nav.index", lang)), cls="sii-meta")
    return page.replace('<div class="sii">\n', f'<div class="sii">\n{back}\n', 1)


def write_html(ds: Dataset, out_dir: str | Path, lang: str = "th") -> list[Path]:
    """Writes ``out_dir/compiled/index.html`` and one page per tambon with a valid id;
    returns the paths (index first). Pages of tambons no longer in the data are removed.
    In a report site (``out_dir/index.html`` exists) every page links back to its index."""
    check_lang(lang)
    folder = Path(out_dir) / COMPILED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "index.html"]
    in_site = (Path(out_dir) / "index.html").is_file()  # a report site: link back to its index
    written[0].write_text(_site_linked(index_page(ds, lang), in_site, lang), encoding="utf-8", newline="\n")
    slices = tambon_slices(ds)
    for _, ids in tambon_order(ds, lang):
        for tid in ids:
            if not is_tambon_id(tid):
                continue
            path = folder / f"{tid}.html"
            path.write_text(_site_linked(tambon_page(slices[tid], tid, lang), in_site, lang), encoding="utf-8",
                            newline="\n")
            written.append(path)
    keep = {p.name for p in written}
    for old in folder.glob("*.html"):
        if old.name not in keep and is_tambon_id(old.stem):
            old.unlink()
    return written


def compile_html(processed_dir: str | Path | Dataset, out_dir: str | Path, lang: str = "th",
                 mask: bool = True) -> list[Path]:
    """The compilation as HTML pages in the report site ``out_dir`` (e.g. ``reports/``):
    ``compiled/index.html`` and ``compiled/<tambon_id>.html``, personal data masked unless
    ``mask`` is False. Returns the paths written."""
    return write_html(_dataset(processed_dir, mask), out_dir, lang)


# --- the command ----------------------------------------------------------------------------------


def compile_main(processed_dir: str | Path, out: str | Path, lang: str = "th",
                 html_dir: str | Path | None = None, mask: bool = True) -> int:
    """``siianalysis compile``: writes the workbook ``out`` and, with ``html_dir``, the
    HTML pages under ``html_dir/compiled/``, personal data masked unless ``mask`` is
    False; prints a summary. Returns 0 when done, 2 when the processed data is missing
    or ``lang`` is not "th"/"en", 1 when the data has no tambon."""
    if lang not in ("th", "en"):
        print(f"siianalysis compile: lang must be 'th' or 'en', not {lang!r}", file=sys.stderr)
        return 2
    try:
        ds = load(processed_dir)
    except FileNotFoundError as exc:
        print(f"siianalysis compile: {exc}", file=sys.stderr)
        return 2
    if ds.tambons.empty:
        print("siianalysis compile: the processed data has no tambon", file=sys.stderr)
        return 1
    masked: Counter = Counter()
    ds = _dataset(ds, mask, masked)
    path = write_workbook(ds, out, lang)
    cov = fbk.review_coverage(ds)
    print(f"compiled {cov.n_tambons} tambons ({cov.n_reviewed} reviewed, "
          f"{int(cov.tambons['suggestions'].sum())} suggestions, {len(cov.unreviewed)} without a review) "
          f"to {path}")
    orphans = fbk.orphan_feedback(ds)
    if not orphans.empty:
        print(f"  {len(orphans)} suggestions name a tambon not in the data: "
              f"{', '.join(dict.fromkeys(orphans['tambon_id']))}")
    if html_dir is not None:
        pages = write_html(ds, html_dir, lang)
        print(f"  {len(pages) - 1} tambon pages and an index in {pages[0].parent}")
    if mask:
        print("  masked: " + ", ".join(f"{masked.get(k, 0)} {k.replace('_', ' ')}" for k in KINDS))
    else:
        print("  masked: nothing (--no-mask): the compilation carries the worksheets' personal data as written")
    return 0
