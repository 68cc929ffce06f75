"""The worksheet as an XLSForm, for KoboToolbox and ODK (``siianalysis xlsform``).

The XLSForm standard's three sheets, written with openpyxl:

- ``survey``: the place as cascading selects (province → district → tambon, each
  filtered by the one before with ``choice_filter``), the worksheet date, then for
  every row of every table a group with the row's text fields, its outcomes as one
  ``select_multiple`` and, for an "other (specify)" row, the team's own label.
  Questions and their names come from ``forms.names`` (the reader of exports uses
  the same); labels come from the codebook, in Thai and English
  (``label::Thai (th)``, ``label::English (en)``).
- ``choices``: the provinces, districts and tambons from geothai, named by their
  DOPA codes (so an export names each place by its code), limited to the
  provinces asked for; and each table's outcomes, named by their codes.
- ``settings``: title, form id, a version that changes whenever the questions or
  choices do (a server told of a new form version keeps the old submissions
  apart), and the default language.

The form converts under pyxform (the reference converter; the tests run it).
The same codebook and provinces give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import geothai
from openpyxl import Workbook

from siianalysis.codebook import Codebook, Label, load_codebook
from siianalysis.forms import names
from siianalysis.forms.settings import form_settings
from siianalysis.words import check_lang, t
from siianalysis.workshop.xlsx import save_workbook

_SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "appearance", "choice_filter")
_CHOICE_FILTERS = {"amphoe": "province=${province}", "tambon": "amphoe=${amphoe}"}


def _languages() -> dict[str, str]:
    return form_settings()["form"]["languages"]


def _labelled(columns: Iterable[str]) -> list[str]:
    """Column headers with one ``label::…`` / ``hint::…`` column per language."""
    out = []
    for column in columns:
        if column in ("label", "hint"):
            out += [f"{column}::{name}" for name in _languages().values()]
        else:
            out.append(column)
    return out


def _texts(label: Label) -> list[str]:
    return [label.text(lang) for lang in _languages()]  # type: ignore[arg-type]


def _survey_rows(codebook: Codebook) -> list[list[str]]:
    hint = Label(th=t("xlsform.outcomes_hint", "th"), en=t("xlsform.outcomes_hint", "en"))
    blank = Label("", "")
    rows: list[list[str]] = [
        ["start", "start", *_texts(blank), *_texts(blank), "", "", ""],
        ["end", "end", *_texts(blank), *_texts(blank), "", "", ""],
    ]
    group = ""
    table_done: set[str] = set()
    for q in names.questions(codebook):
        if q.group != group:
            if group:
                rows.append(["end_group", group, *_texts(blank), *_texts(blank), "", "", ""])
            if q.table and q.table not in table_done:
                table_done.add(q.table)
                table = codebook.table(q.table)
                note = Label(*(t("xlsform.table_note", lang, cue=codebook.table_title_cue, number=table.number,
                                 title=table.title.text(lang)) for lang in ("th", "en")))
                rows.append(["note", f"{table.code}_title", *_texts(note), *_texts(blank), "", "", ""])
            group = q.group
            rows.append(["begin_group", group, *_texts(q.group_label), *_texts(blank), "", "field-list", ""])
        if q.kind == "place":
            rows.append([f"select_one {q.key}", q.name, *_texts(q.label), *_texts(blank), "yes", "",
                         _CHOICE_FILTERS.get(q.key, "")])
        elif q.kind == "date":
            rows.append(["date", q.name, *_texts(q.label), *_texts(blank), "yes", "", ""])
        elif q.kind == "outcomes":
            rows.append([f"select_multiple {names.outcome_list(codebook.table(q.table))}", q.name,
                         *_texts(q.label), *_texts(hint), "", "", ""])
        else:
            rows.append(["text", q.name, *_texts(q.label), *_texts(blank), "", "multiline" if q.kind == "text" else "",
                         ""])
    rows.append(["end_group", group, *_texts(blank), *_texts(blank), "", "", ""])
    return rows


def _choice_rows(codebook: Codebook, provinces: tuple[str, ...]) -> list[list[str]]:
    """list_name, name, labels, then the filter columns (province, amphoe)."""
    rows: list[list[str]] = []
    for code in provinces:
        p = geothai.province(code)
        rows.append(["province", p.code, *_texts(Label(p.name_th, p.name_en)), "", ""])
    for code in provinces:
        for d in geothai.districts(code):
            rows.append(["amphoe", d.code, *_texts(Label(d.name_th, d.name_en)), code, ""])
    for code in provinces:
        for d in geothai.districts(code):
            for s in geothai.subdistricts(d.code):
                rows.append(["tambon", s.code, *_texts(Label(s.name_th, s.name_en)), code, d.code])
    for table in codebook.tables:
        for outcome in table.outcomes:
            rows.append([names.outcome_list(table), outcome.code, *_texts(names.outcome_label(table, outcome.code)),
                         "", ""])
    return rows


def all_provinces() -> tuple[str, ...]:
    return tuple(p.code for p in geothai.provinces())


def write_xlsform(path: Path | str, provinces: Iterable[str] | None = None, lang: str = "th",
                  codebook: Codebook | None = None) -> Path:
    """Writes the XLSForm to ``path`` (.xlsx). ``provinces``: the DOPA codes whose places the
    form offers (default: every province); ``lang``: the form's default language."""
    lang = check_lang(lang)
    codebook = codebook or load_codebook()
    chosen = tuple(dict.fromkeys(str(c) for c in provinces)) if provinces else all_provinces()
    unknown = [c for c in chosen if geothai.province(c) is None]
    if unknown:
        raise ValueError(f"no province has the code(s) {', '.join(unknown)}")
    survey, choices = _survey_rows(codebook), _choice_rows(codebook, chosen)
    version = hashlib.sha256(repr((survey, choices)).encode("utf-8")).hexdigest()[:10]
    wb = Workbook()
    sheet = wb.active
    sheet.title = "survey"
    sheet.append(_labelled(_SURVEY_COLUMNS))
    for row in survey:
        sheet.append(row)
    sheet = wb.create_sheet("choices")
    sheet.append(_labelled(("list_name", "name", "label", "province", "amphoe")))
    for row in choices:
        sheet.append(row)
    sheet = wb.create_sheet("settings")
    sheet.append(["form_title", "form_id", "version", "default_language"])
    sheet.append([t("xlsform.title", lang), form_settings()["form"]["form_id"], version, _languages()[lang]])
    return save_workbook(wb, path)
