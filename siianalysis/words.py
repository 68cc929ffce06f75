"""The words shown to people: ``data/report_text.yaml``, Thai first, English with ``lang="en"``.

Every sentence, heading, label and message a reader sees lives in that YAML in
both languages; code asks for it by a dotted key (``t("tambon.header.title",
lang, tambon=…)``). This is the one loader, used by every layer (analysis
figures, report sections, the workshop files, the report index), with the few
helpers that turn a code, a location or a date into those words (``problem_text``,
``problem_sentence``, ``location_text``, ``display_date``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

LANGS = ("th", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'th' or 'en', not {lang!r}")
    return lang


def report_text_path() -> Path:
    """Where the bundled report texts live (copy it to reword a report)."""
    return Path(str(files("siianalysis").joinpath("data/report_text.yaml")))


@cache
def report_text(path: str | None = None) -> dict[str, Any]:
    """The report texts (``data/report_text.yaml`` or ``path``), read once."""
    with open(path or report_text_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def dotted(root: Any, key: str, missing: str) -> Any:
    """What dotted ``key`` names under ``root`` (nested dicts read from YAML); KeyError with
    the message ``missing`` if nothing."""
    node = root
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(missing)
        node = node[part]
    return node


def _node(key: str) -> Any:
    """What dotted ``key`` names in the report texts; KeyError naming the key if nothing."""
    return dotted(report_text(), key, f"no report text {key!r} in {report_text_path().name}")


def t(key: str, lang: str = "th", **fields: Any) -> str:
    """The text of dotted ``key`` in ``lang``, with ``{name}`` filled from ``fields``.

    Plain text: escape it (``esc``) when putting it into HTML.
    """
    check_lang(lang)
    node = _node(key)
    if not isinstance(node, dict) or lang not in node:
        raise KeyError(f"report text {key!r} has no {lang!r} version")
    text = str(node[lang])
    return text.format(**fields) if fields else text


def texts(key: str, lang: str = "th") -> dict[str, str]:
    """Every text directly under dotted ``key`` in ``lang``, by its own name
    (``texts("figures", "en")["share_tambons"]``); deeper groups are left out."""
    check_lang(lang)
    node = _node(key)
    return {name: str(leaf[lang]) for name, leaf in node.items()
            if isinstance(leaf, dict) and lang in leaf and not isinstance(leaf[lang], dict)}


def problem_text(code: str, lang: str = "th") -> str:
    """What a problem code means, in plain words (``problem_codes.<code>``); the words
    for any other problem when the code has none of its own."""
    try:
        return t(f"problem_codes.{code}", lang)
    except KeyError:
        return t("problem_codes.other", lang)


def problem_sentence(code: str, lang: str = "th", **fields: Any) -> str:
    """A reader's sentence for one problem: what was found there (``problem_facts.<code>``,
    filled from ``fields``: the value written, the table, the file used …) followed by
    what the code means and what to do (``problem_text``), on a line of its own. The facts are left out when
    the code has none or ``fields`` lacks one they name, so a sentence is never half filled."""
    general = problem_text(code, lang)
    try:
        fact = t(f"problem_facts.{code}", lang)
    except KeyError:
        return general
    try:
        return f"{fact.format(**fields)}\n{general}"
    except (KeyError, IndexError):
        return general


# The shapes of a problem's location (readers/grid.py ``Grid.ref``, parse/split.py), whole
# string first, each with its words in ``problem_locations``; a shape not here is a sheet's name.
_LOCATIONS = tuple((key, re.compile(pattern)) for key, pattern in (
    ("whole_file", r"whole file"),
    ("table_cell", r"table (?P<table>\d+), row (?P<row>\d+), cell (?P<cell>\d+)"),
    ("table_row", r"table (?P<table>\d+), row (?P<row>\d+)"),
    ("table", r"table (?P<table>\d+)"),
    ("paragraph", r"text (?P<text>\d+), paragraph (?P<paragraph>\d+)"),
    ("text", r"text (?P<text>\d+)"),
    ("header_paragraph", r"header, paragraph (?P<paragraph>\d+)"),
    ("header", r"header"),
    ("page_margins", r"page margins"),
    ("file_name", r"file name"),
    ("line_column", r"line (?P<line>\d+), column (?P<column>\d+)"),
    ("line", r"line (?P<line>\d+)"),
    ("sheet_cell", r"(?P<sheet>.+)!(?P<cell>[A-Z]{1,3}\d+)"),
    ("sheet_row", r"(?P<sheet>.+)!row (?P<row>\d+)"),
    ("sheet_rows", r"(?P<sheet>.+)!(?P<first>\d+):(?P<last>\d+)"),
))
_LOCATION_PARTS = re.compile(r"(, | – )")  # a worksheet over several sheets: "A, B" or "A – D"


def _one_location(location: str, lang: str) -> str | None:
    for key, pattern in _LOCATIONS:
        if m := pattern.fullmatch(location):
            return t(f"problem_locations.{key}", lang, **m.groupdict())
    return None


def location_text(location: str, lang: str = "th") -> str:
    """Where a problem is, in a reader's words: "Sheet1!B3" → "แผ่นงาน Sheet1 เซลล์ B3",
    "whole file" → "ทั้งไฟล์", "table 2, row 3" → "ตารางที่ 2 ในเอกสาร แถวที่ 3"; a sheet's
    name alone → "แผ่นงาน …"; several parts each in turn."""
    check_lang(lang)
    location = str(location or "").strip()
    if not location:
        return t("problem_locations.unknown", lang)
    whole = _one_location(location, lang)
    if whole is not None:
        return whole
    pieces = _LOCATION_PARTS.split(location)
    return "".join(piece if i % 2 else (_one_location(piece, lang) or t("problem_locations.sheet", lang, sheet=piece))
                   for i, piece in enumerate(pieces))


def display_date(iso: str, lang: str = "th") -> str:
    """An ISO date for readers: "27 ตุลาคม 2563" (Buddhist Era) in Thai, "2020-10-27" in English;
    the words for "date unknown" when there is none, the text as given when it is no date."""
    import datetime as dt

    if not iso:
        return t("date.unknown", lang)
    try:
        day = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    if lang == "en":
        return day.isoformat()
    from pythainlp.util.date import thai_full_months

    return f"{day.day} {thai_full_months[day.month - 1]} {day.year + 543}"
