"""What the reader noticed while reading the worksheets: problems per tambon and over the network.

``ds.problems`` holds one line per problem (``source_file, location, severity,
code, message, tambon_id``); the words that explain each code to a reader are
``siianalysis.words.problem_text``. A tambon's problems are those logged under
its id, superseded files included, and those of its source file (a problem found
before the tambon was known carries no id).

Pages show a problem in a reader's words (``reader_problems``): where it is
(``words.location_text``) and a sentence (``words.problem_sentence``) whose facts —
the value written, the table, the worksheet used instead — are read back from
the problem's message (``MESSAGE_FIELDS``); the code and the message stay as
they are, for staff.
"""

from __future__ import annotations

import ast
import re

import pandas as pd

from siianalysis.codebook import Codebook
from siianalysis.words import display_date, location_text, problem_sentence, t

from .dataset import Dataset
from .places import current_tambons

# problem codes that explain why a tambon has no DOPA code
RESOLUTION_CODES = ("unknown-tambon", "ambiguous-tambon", "no-tambon", "district-mismatch", "province-mismatch")


def tambon_problems(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """The problems of one tambon: logged under its id or in its source file, each once."""
    row = ds.tambon(str(tambon_id))
    p = ds.problems
    same_file = (p["source_file"] == row["source_file"]) & (row["source_file"] != "")
    mine = (p["tambon_id"] == row["tambon_id"]) | same_file
    return p[mine].drop_duplicates().reset_index(drop=True)


def resolution_problems(problems: pd.DataFrame) -> pd.DataFrame:
    """The lines of ``problems`` that explain why a tambon has no DOPA code (``RESOLUTION_CODES``)."""
    return problems[problems["code"].isin(RESOLUTION_CODES)]


def problem_counts(ds: Dataset) -> pd.DataFrame:
    """``severity, code, count`` over the network: errors first, then by count (highest
    first) and code."""
    p = ds.problems
    return (p.groupby(["severity", "code"]).size().rename("count").reset_index()
            .sort_values(["severity", "count", "code"], ascending=[True, False, True], kind="stable"))


def error_problems(ds: Dataset) -> pd.DataFrame:
    """The problems of severity ``error``, by file and location."""
    p = ds.problems
    return p[p["severity"] == "error"].sort_values(["source_file", "location"], kind="stable")


def unresolved_tambons(ds: Dataset) -> pd.DataFrame:
    """The ``tambons`` lines of the current tambons without a DOPA code, in file order."""
    tam = current_tambons(ds)
    return tam[~tam["resolved"].astype(bool)]


# --- problems in a reader's words -----------------------------------------------------------

_QUOTED = r"""(?:'.*'|".*")"""  # a value as the reader quoted it (Python's repr)
_TABLE = r"table (?P<number>\d+) \("

# The facts of a problem read back from its message, per code: the messages are the
# readers' and parser's own (English, stable), and these patterns are tested against
# them (tests/test_thai_pages.py). A message they do not fit gives no facts, never a
# wrong one: the page then shows the code's general sentence alone.
MESSAGE_FIELDS: dict[str, re.Pattern[str]] = {code: re.compile(pattern) for code, pattern in {
    "ambiguous-tick": rf"\w+ outcome (?P<outcome>[A-Z]+\d+): (?P<value>{_QUOTED}) is not a tick",
    "table-missing": _TABLE,
    "table-repeated": _TABLE,
    "no-outcome-columns": _TABLE,
    "table-unplaced": _TABLE,
    "unknown-tambon": r"(?P<written>.+?) is not a subdistrict geothai knows; kept apart",
    "ambiguous-tambon": r"(?P<written>.+?) (?:fits \d+ subdistricts|is not a subdistrict geothai knows, and is equally)",
    "tambon-spelling-corrected": r"(?P<written>.+?) read as \d+ (?P<official>.+?): ",
    "district-mismatch": r"(?P<written>.+?): district does not match geothai; resolved to \d+ (?P<official>.+?)(?: \(.*\))?$",
    "province-mismatch": r"(?P<written>.+?): province does not match geothai; resolved to \d+ (?P<official>.+?)(?: \(.*\))?$",
    "superseded": r"another worksheet for the same tambon(?: in round \S+)? is current: (?P<current>.+) "
                  r"\(dated (?P<current_date>[^;]+); this one (?P<this_date>.+)\)$",
    "bad-date": rf"cannot read the date (?P<value>{_QUOTED})$",
    "place-without-tables": rf"(?P<value>{_QUOTED}) is named here but no worksheet table",
    "review-unknown-pillar": rf"unknown pillar (?P<value>{_QUOTED}) \(one of",
    "review-pillar-corrected": rf"pillar (?P<value>{_QUOTED}) read as (?P<official>{_QUOTED}) \(\w+\)$",
    "review-bad-priority": rf"cannot read the priority (?P<value>{_QUOTED}) \(one of",
    "review-bad-date": rf"cannot read the date (?P<value>{_QUOTED}); left blank",
}.items()}
VALUE_CHARS = 200  # a value quoted in a sentence is cut here (the staff note keeps it whole)


def _unquote(value: str) -> str:
    try:
        text = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        text = value[1:-1]
    text = " ".join(str(text).split())
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS].rstrip() + "…"


def problem_fields(codebook: Codebook, code: str, message: str, lang: str = "th") -> dict[str, str]:
    """The facts of one problem for ``words.problem_sentence``, read from its message
    (``MESSAGE_FIELDS``) and put in a reader's words: a quoted value unquoted, a table
    by its number and title, an outcome with its short label, dates as readers see them;
    {} when the code has no pattern or the message does not fit it."""
    pattern = MESSAGE_FIELDS.get(code)
    m = pattern.search(str(message)) if pattern else None
    if not m:
        return {}
    fields = {k: v for k, v in m.groupdict().items() if v is not None}
    for key in ("value", "official"):
        if key in fields and fields[key][:1] in "'\"":
            fields[key] = _unquote(fields[key])
    if "number" in fields:
        table = codebook.table_by_number(int(fields.pop("number")))
        if table is None:
            return {}
        fields["table"] = t("problem_facts.table_name", lang, number=table.number, title=table.title.text(lang))
    if "outcome" in fields:
        outcome = next((o for o in codebook.outcomes if o.code == fields["outcome"]), None)
        if outcome is not None:
            fields["outcome"] = f"{outcome.code} ({outcome.short.text(lang)})"
    for key in ("current_date", "this_date"):
        if key in fields:
            day = fields[key]
            fields[key] = display_date("" if day == "no date" else day, lang)
    return fields


def reader_problems(ds: Dataset, problems: pd.DataFrame, lang: str = "th") -> pd.DataFrame:
    """``problems`` with two columns for readers: ``where`` (``words.location_text``) and
    ``sentence`` (``words.problem_sentence`` with the facts of ``problem_fields``). The
    codes and messages are left as they are (for the staff note)."""
    out = problems.copy()
    out["where"] = [location_text(loc, lang) for loc in out["location"]]
    out["sentence"] = [problem_sentence(code, lang, **problem_fields(ds.codebook, code, msg, lang))
                       for code, msg in zip(out["code"], out["message"], strict=True)]
    return out
