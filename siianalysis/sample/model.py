"""A filled worksheet as the sample generator holds it, before any layout.

``make_worksheet`` fills the codebook's rows for one tambon: free text built
from ``content``'s phrases, ticks drawn with the team's maturity (a mature
team ticks most outcomes; the later data steps, analysing and giving data back
(D4) and using it (D5), are ticked less often), and some "other (specify)"
rows given the team's own label. How the place and the date are *written*
(ต./ตำบล, อ.เมือง, Thai digits, Buddhist-Era years) is decided here too, as
functions of a ``Writing`` choice, so every layout renders the same facts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pythainlp.util import arabic_digit_to_thai_digit
from pythainlp.util.date import thai_abbr_months, thai_full_months

from siianalysis.codebook import Codebook, RowType, Table
from siianalysis.sample import content

# The capital district is named "เมือง" + the province; people write "อ.เมือง".
CAPITAL_PREFIX = "เมือง"


@dataclass(frozen=True, slots=True)
class Place:
    """A tambon as geothai names it ("" code for a made-up one)."""

    code: str
    tambon: str
    amphoe: str
    province: str

    @property
    def capital(self) -> bool:
        return self.amphoe == CAPITAL_PREFIX + self.province


@dataclass(slots=True)
class RowEntry:
    """One worksheet row as the team filled it (texts and ticks as written)."""

    code: str
    other_label: str = ""  # the team's own label in an "other (specify)" row
    fields: dict[str, str] = field(default_factory=dict)
    ticks: dict[str, str] = field(default_factory=dict)  # outcome code -> as written ('' = blank)
    continuation: str = ""  # a second line with no label, in the first text column

    @property
    def empty(self) -> bool:
        return not (self.other_label or any(self.fields.values()) or any(self.ticks.values()))


@dataclass(slots=True)
class Worksheet:
    place: Place
    date: dt.date
    tables: dict[str, list[RowEntry]]  # table code -> rows in handout order (a missing table is absent)
    tick_style: tuple[str, str] = ("✓", "")
    maturity: float = 0.5


@dataclass(frozen=True, slots=True)
class Writing:
    """How one file writes the place and the date."""

    identity: str = "full"  # full (ตำบลX) | short (ต.X) | spaced (ต. X) | bare (X)
    capital_short: bool = False  # "อ.เมือง" for the capital district
    date_form: str = "th_long_thai"  # see write_date
    thai_numbering: bool = False  # ๑. ๒. … in row labels and outcome headers


# ---------------------------------------------------------------- writing the place and the date


def _prefixes(codebook: Codebook, key: str) -> tuple[str, str]:
    """The full word and the abbreviation ("ตำบล", "ต.") from the codebook's identity labels."""
    label = codebook.identity[key]
    short = next((a for a in label.aliases if a.endswith(".")), label.th)
    return label.th, short


def write_place_part(codebook: Codebook, place: Place, key: str, writing: Writing) -> str:
    """One of tambon / amphoe / province as this file writes it."""
    name = {"tambon": place.tambon, "amphoe": place.amphoe, "province": place.province}[key]
    if key == "amphoe" and writing.capital_short and place.capital:
        name = CAPITAL_PREFIX
    full, short = _prefixes(codebook, key)
    if writing.identity == "full":
        return f"{full}{name}"
    if writing.identity == "short":
        return f"{short}{name}"
    if writing.identity == "spaced":
        return f"{short} {name}"
    return name


def write_place_line(codebook: Codebook, place: Place, writing: Writing, sep: str = " ") -> str:
    """ "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่" or "ต.ไชยสถาน อ.เมือง จ.น่าน"."""
    w = writing if writing.identity != "bare" else Writing("short", writing.capital_short)
    return sep.join(write_place_part(codebook, place, k, w) for k in ("tambon", "amphoe", "province"))


DATE_FORMS = ("th_long_thai", "th_long", "th_abbr", "th_abbr_thai", "slash_be", "excel")


def write_date(date: dt.date, form: str) -> str | dt.datetime:
    """A date as teams write it; ``excel`` gives a datetime for a date cell."""
    be = date.year + 543
    if form == "excel":
        return dt.datetime(date.year, date.month, date.day)
    if form == "th_long":
        return f"{date.day} {thai_full_months[date.month - 1]} {be}"
    if form == "th_long_thai":
        return arabic_digit_to_thai_digit(f"{date.day} {thai_full_months[date.month - 1]} {be}")
    if form == "th_abbr":
        return f"{date.day} {thai_abbr_months[date.month - 1]} {be % 100:02d}"
    if form == "th_abbr_thai":
        return arabic_digit_to_thai_digit(f"{date.day} {thai_abbr_months[date.month - 1]} {be % 100:02d}")
    if form == "slash_be":
        return f"{date.day}/{date.month}/{be}"
    raise ValueError(f"unknown date form {form!r}")


def number(n: int, thai: bool) -> str:
    return arabic_digit_to_thai_digit(str(n)) if thai else str(n)


# ---------------------------------------------------------------- filling a worksheet

# How often an outcome is reached relative to the team's maturity.
_OUTCOME_FACTOR = {"PC2": 0.8, "PC5": 0.85, "MC5": 0.75, "MC6": 0.7, "MC7": 0.8, "DC4": 0.75, "DC5": 0.65}
# Later data steps are reached less often (DOMAIN: teams collect more than they use).
_ROW_FACTOR = {"D3": 0.9, "D4": 0.6, "D5": 0.5}
_OTHER_FACTOR = 0.7
_BANKS = {"people": content.PEOPLE, "mechanism": content.MECHANISM, "data": content.DATA, "summary": content.SUMMARY}
_OTHER_BANKS = {"people": content.OTHER_PEOPLE, "mechanism": content.OTHER_MECHANISM, "data": content.OTHER_DATA}
# Chance that a team fills its first "other (specify)" row, and then its second, per table.
_OTHER_RATE = {"people": (0.45, 0.3), "mechanism": (0.4, 0.25), "data": (0.25, 0.2)}


@dataclass(slots=True)
class _Voice:
    """A team's way of writing: joiner between items, its place words, its issues."""

    rng: random.Random
    lg: str
    n_moo: int
    issues: tuple[str, ...]
    joiner: str

    def fill(self, template: str) -> str:
        return template.format(
            lg=self.lg,
            n_moo=self.n_moo,
            issue=self.rng.choice(self.issues),
            n=self.rng.randint(5, 40),
            k=self.rng.randint(2, 12),
            year=self.rng.choice((2560, 2561, 2562, 2563)),
            pct=self.rng.randint(72, 100),
        )

    def compose(self, phrases: tuple[str, ...], k: int) -> str:
        items = [self.fill(p) for p in self.rng.sample(phrases, min(k, len(phrases)))]
        if len(items) == 1:
            return items[0]
        if self.joiner == "numbered":
            return "\n".join(f"{i}) {t}" for i, t in enumerate(items, start=1))
        if self.joiner == "dash":
            return "\n".join(f"- {t}" for t in items)
        return self.joiner.join(items)


def _tick(rng: random.Random, p: float, style: tuple[str, str], remark_rate: float) -> str:
    if rng.random() < p:
        if rng.random() < remark_rate:
            return f"{style[0]} {rng.choice(content.TICK_REMARKS)}"
        return style[0]
    return style[1]


def _ticks(rng, table: Table, row: RowType, maturity: float, has_text: bool, style, remark_rate) -> dict[str, str]:
    factor = _OTHER_FACTOR if row.other else _ROW_FACTOR.get(row.code, 1.0)
    if not has_text:
        factor *= 0.3
    return {
        o.code: _tick(rng, maturity * factor * _OUTCOME_FACTOR.get(o.code, 1.0), style, remark_rate)
        for o in table.outcomes
    }


def make_worksheet(
    codebook: Codebook,
    place: Place,
    date: dt.date,
    rng: random.Random,
    *,
    maturity: float | None = None,
    tick_style: tuple[str, str] | None = None,
    remark_rate: float = 0.0,
) -> Worksheet:
    """One tambon's filled worksheet (all four tables)."""
    maturity = rng.uniform(0.15, 0.95) if maturity is None else maturity
    tick_style = tick_style or rng.choice(content.TICK_STYLES)
    voice = _Voice(
        rng=rng,
        lg=f"{rng.choice(content.LOCAL_GOVERNMENT)}{place.tambon}",
        n_moo=rng.randint(6, 18),
        issues=tuple(rng.sample(content.ISSUES, 2)),
        joiner=rng.choice((", ", "\n", " / ", "numbered", "dash", "\n")),
    )
    fill_rate = 0.55 + 0.45 * maturity
    tables: dict[str, list[RowEntry]] = {}
    for table in codebook.tables:
        first, second = table.fields[0].code, table.fields[-1].code
        bank = _BANKS[table.code]
        others = list(_OTHER_BANKS.get(table.code, ()))
        rng.shuffle(others)
        # Teams fill the first "other" row before the second.
        rates = _OTHER_RATE.get(table.code, ())
        n_other = 0
        for rate in rates:
            if rng.random() >= rate * (0.5 + maturity):
                break
            n_other += 1
        entries = []
        for row in table.rows:
            entry = RowEntry(row.code)
            if row.other:
                slot = table.other_rows.index(row)
                if others and slot < n_other:
                    label, text, plan = others.pop()
                    entry.other_label = label
                    entry.fields = {first: voice.fill(text), second: voice.fill(plan) if rng.random() < fill_rate else ""}
                else:
                    entry.fields = {first: "", second: ""}
                    entries.append(entry)
                    continue
            else:
                texts, plans = bank[row.code]
                k = 1 + (rng.random() < maturity) + (rng.random() < maturity * 0.5)
                entry.fields = {
                    first: voice.compose(texts, k) if rng.random() < fill_rate else "",
                    second: voice.compose(plans, 1 + (rng.random() < maturity * 0.6)) if rng.random() < fill_rate - 0.1 else "",
                }
            if table.outcomes:
                entry.ticks = _ticks(rng, table, row, maturity, bool(entry.fields[first]), tick_style, remark_rate)
            entries.append(entry)
        tables[table.code] = entries
    return Worksheet(place=place, date=date, tables=tables, tick_style=tick_style, maturity=maturity)
