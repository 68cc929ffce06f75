"""Which worksheets count: each one's round, then one worksheet per tambon and round.

A tambon may send several worksheets: revisions within a round (the latest wins,
``superseded`` names the others) and one per round over the years (all kept). The
round of each is named by the run's rule (``siianalysis.rounds``), after every file
is read, so a cached file's result never carries another run's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from siianalysis.parse import ParsedWorksheet
from siianalysis.parse.resolve import Place
from siianalysis.problems import Problem
from siianalysis.rounds import mixed, ordered, round_of, sort_key


@dataclass(slots=True)
class Submission:
    """One worksheet as sent: where it is from, when, and what it says."""

    place: Place
    worksheet_date: str
    worksheet: ParsedWorksheet
    round: str = ""  # set by ``normalise`` (``siianalysis.rounds``): the rule is the run's, not the file's


def assign_rounds(submissions: list[Submission], problems: list[Problem], rule: str) -> list[Problem]:
    """Sets each submission's round by ``rule`` (``siianalysis.rounds``); returns ``problems``
    with the round of the worksheet each is about, and the warnings of the rule."""
    rounds_of: dict[tuple[str, str], str] = {}
    for s in submissions:
        s.round = round_of(s.worksheet.source_file, s.worksheet.identity.get("round"), s.worksheet_date, rule)
        rounds_of.setdefault((s.worksheet.source_file, s.place.tambon_id), s.round)
    out = [replace(p, round=rounds_of.get((p.source_file, p.tambon_id), "")) if p.tambon_id else p
           for p in problems]
    named = [s.round for s in submissions if s.round]
    if named:
        for s in submissions:
            if not s.round:
                out.append(Problem(
                    s.worksheet.source_file, s.worksheet.part or "whole file", "warning", "round-unknown",
                    f"no folder, written year or date names this worksheet's round (rule {rule!r}); it is kept "
                    "in a round of its own, before the others", s.place.tambon_id))
    if mixed(named):
        out.append(Problem("", "whole run", "warning", "rounds-mixed",
                           f"rounds are named both by number and by year ({', '.join(ordered(named))}): "
                           "numbered rounds are taken to come before the years"))
    return out


def current_worksheets(submissions: list[Submission]) -> tuple[list[Submission], list[Problem]]:
    """One worksheet per tambon and round: the latest date wins, ties go to the later file
    path. Worksheets of other rounds are all kept (``siianalysis.rounds``)."""
    by_key: dict[tuple[str, str], list[Submission]] = {}
    for s in submissions:
        by_key.setdefault((s.place.tambon_id, s.round), []).append(s)
    current, problems = [], []
    for tambon_id, round_code in sorted(by_key, key=lambda k: (k[0], sort_key(k[1]))):
        group = sorted(by_key[tambon_id, round_code], key=lambda s: (s.worksheet_date, s.worksheet.source))
        winner = group[-1]
        current.append(winner)
        for loser in group[:-1]:
            problems.append(Problem(
                loser.worksheet.source_file, loser.worksheet.part or "whole file", "warning", "superseded",
                f"another worksheet for the same tambon{' in round ' + round_code if round_code else ''} is "
                f"current: {winner.worksheet.source} "
                f"(dated {winner.worksheet_date or 'no date'}; this one {loser.worksheet_date or 'no date'})",
                tambon_id, round_code,
            ))
    return current, problems
