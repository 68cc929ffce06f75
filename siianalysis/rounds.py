"""Which round (the network's yearly review) a worksheet belongs to.

The rule, first that applies (``RULES``; ``normalise --rounds`` picks one):

1. ``folder``: a folder on the file's path (under the raw folder, inside a zip too)
   that names a round: a year (``2567``, ``2024`` → 2567, with or without a word
   before it) or a round number (``Round 2``, ``R2`` and the Thai cue words of
   ``data/rounds.yaml``). The folder nearest the file wins.
2. ``field``: a round or year written on the worksheet itself (a cover-sheet field or
   a line naming the fiscal year or the round; its words are the codebook's
   ``identity.round``, read by ``parse.identity``).
3. ``date``: the Buddhist-Era year of the worksheet date.

``auto`` (the default) tries the three in that order; ``folder``, ``field`` or ``date``
uses that one alone; ``none`` puts every worksheet in one round. A worksheet no rule
places has round ``""`` (and a ``round-unknown`` warning when others have rounds).

A round is kept as a short code: the Buddhist-Era year (``"2567"``) or ``"r"`` and
the number (``"r2"``). Codes sort in time order by ``sort_key``: round numbers before
years, a network naming its rounds both ways is warned about (``rounds-mixed``).
The words live in ``data/rounds.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import PurePosixPath
from typing import Any

import yaml

from siianalysis.text import arabic_digits, fold

RULES = ("auto", "folder", "field", "date", "none")
# what a round code looks like in the processed tables: a BE year, "r" and a number, or none
ROUND_PATTERN = r"^(?:\d{4}|r\d{1,2})?$"
AUTO_ORDER = ("folder", "field", "date")
_NUMBER_KINDS = ("r",)


@dataclass(frozen=True, slots=True)
class RoundWords:
    be_years: tuple[int, int]
    ce_years: tuple[int, int]
    be_offset: int
    number_cues: tuple[str, ...]
    max_round_number: int


@cache
def round_words() -> RoundWords:
    """``data/rounds.yaml``, read once."""
    data: dict[str, Any] = yaml.safe_load(files("siianalysis").joinpath("data/rounds.yaml").read_text("utf-8"))
    years = data["years"]
    # longest cue first, so a long cue is tried before its own first letters ("round" before "r")
    cues = tuple(sorted((fold(c) for c in data["number_cues"]), key=len, reverse=True))
    return RoundWords(tuple(years["buddhist_era"]), tuple(years["common_era"]), int(years["be_offset"]),
                      cues, int(data["max_round_number"]))


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise ValueError(f"rounds must be one of {', '.join(RULES)}, not {rule!r}")
    return rule


def _year(number: int, words: RoundWords) -> str | None:
    if words.be_years[0] <= number <= words.be_years[1]:
        return str(number)
    if words.ce_years[0] <= number <= words.ce_years[1]:
        return str(number + words.be_offset)
    return None


def round_in_text(text: str, *, bare_number: bool = False) -> str | None:
    """The round a short text names (a folder name, a cover-sheet value), or None.

    ``"2567"``, a year with a cue word before it, ``"2024"`` → ``"2567"``; a round cue and
    its number (``"Round 2"``, ``"R2"``) → ``"r2"``; a lone digit names a round only with ``bare_number`` (a folder
    named ``2``), not on a cover sheet where it may be anything.
    """
    words = round_words()
    folded = fold(arabic_digits(str(text)))
    if not folded or len(folded) > 40:
        return None
    years = [y for m in re.finditer(r"(?<!\d)(\d{4})(?!\d)", folded) if (y := _year(int(m.group(1)), words))]
    if len(set(years)) == 1:
        return years[0]
    if years:
        return None  # two years ("2566-2567"): not one round
    for cue in words.number_cues:
        # a Latin cue starts a word ("r2", "round 2"; "year2" is no round)
        before = r"(?<![a-z])" if cue.isascii() else ""
        m = re.search(rf"{before}{re.escape(cue)}\s*[:.\-_#]?\s*(\d{{1,2}})(?!\d)", folded)
        if m and 1 <= int(m.group(1)) <= words.max_round_number:
            return f"r{int(m.group(1))}"
    if bare_number and re.fullmatch(r"\d", folded) and 1 <= int(folded) <= words.max_round_number:
        return f"r{int(folded)}"
    return None


def round_from_path(display_name: str) -> str | None:
    """The round the folders of ``display_name`` (relative to the raw folder) name, nearest first."""
    parts = PurePosixPath(display_name.replace("!/", "/")).parts[:-1]
    for folder in reversed(parts):
        if (found := round_in_text(PurePosixPath(folder).stem if folder.lower().endswith(".zip") else folder,
                                   bare_number=True)) is not None:
            return found
    return None


def round_from_date(iso_date: str) -> str | None:
    """The Buddhist-Era year of an ISO (Common-Era) date, or None."""
    m = re.match(r"^(\d{4})-\d{2}-\d{2}$", iso_date or "")
    return str(int(m.group(1)) + round_words().be_offset) if m else None


def round_of(display_name: str, written: str = "", worksheet_date: str = "", rule: str = "auto") -> str:
    """The round of one worksheet by ``rule`` (see the module doc); ``""`` if none applies."""
    check_rule(rule)
    if rule == "none":
        return ""
    ways = {
        "folder": lambda: round_from_path(display_name),
        "field": lambda: round_in_text(written) if written else None,
        "date": lambda: round_from_date(worksheet_date),
    }
    for way in (AUTO_ORDER if rule == "auto" else (rule,)):
        if (found := ways[way]()) is not None:
            return found
    return ""


def sort_key(code: str) -> tuple[int, int]:
    """Time order of round codes: no round, then numbered rounds, then years."""
    if not code:
        return (0, 0)
    if code[0] in _NUMBER_KINDS:
        return (1, int(code[1:]))
    return (2, int(code))


def ordered(codes) -> list[str]:
    """The distinct round codes of ``codes`` in time order."""
    return sorted(set(codes), key=sort_key)


def mixed(codes) -> bool:
    """True when rounds are named both by number and by year (their order is a guess)."""
    kinds = {sort_key(c)[0] for c in codes if c}
    return len(kinds) > 1


def latest_rounds(tambons):
    """The lines of a ``tambons`` frame that are each tambon's latest round, in their order
    (a frame without a ``round`` column: each tambon's first line)."""
    if "round" not in tambons.columns:
        return tambons.drop_duplicates("tambon_id").reset_index(drop=True)
    order = tambons["round"].astype(str).map(sort_key)
    latest = tambons.assign(_order=order).sort_values("_order", kind="stable")
    keep = latest.drop_duplicates("tambon_id", keep="last").index
    return tambons.loc[sorted(keep)].reset_index(drop=True)
