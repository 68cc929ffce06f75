"""The facts of the "summary first" boxes: what a tambon page and the network report
say in their opening lines, as plain data (the sentences are ``sections.summary``'s).

Every number here comes from a function the report's own sections use —
``scores.scorecard_frame`` (positions, ranks and ties), ``gaps.strengths_and_gaps`` /
``gap_peers``, ``team.present_tables``, ``feedback.team_plans`` / ``feedback_for`` /
``review_coverage``, ``network.overview_frame`` / ``outcome_share_frame`` /
``dropoff_frame`` / ``score_table`` / ``coverage_frame`` — so a summary can never
disagree with the section below it. Nothing is scored anew here; this module only
picks, orders and counts what those functions return.

What a summary may say, and the rules behind its words (the thresholds live here,
once, with their reasons):

- *Standing*: the overall outcome coverage put in one of ``BANDS`` (words of
  quantity, never of quality: "most" is not "excellent"), the outcomes ticked out of
  those of the tables sent, the network median and the tambon's rank, its ties said
  ("one of 20 tambons at 100%").
- *A table not sent* is named as not sent; its outcomes are never a gap or a
  weakness (``team.present_tables``).
- *Strongest*: the reached outcomes ticked on the most rows (depth), at most
  ``SHOWN``, the others tied with the last one counted. *Weakest*: the gaps of the
  tables sent, the one most other tambons reached first (that is where peers can
  help); when there is no gap, the reached outcomes ticked on the fewest rows.
- *Peers*: the first ``PEERS_SHOWN`` of ``gap_peers`` for the biggest gap (same
  district, then province, then network).
- *Plans* and *the experts' top priority* only when there are some; nothing is
  said of what is not there.
- The network's standout provinces: medians at least ``STANDOUT_POINTS`` from the
  network median, provinces of at least ``STANDOUT_MIN_TAMBONS`` tambons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from siianalysis.words import t

from . import feedback as fbk
from .dataset import Dataset
from .gaps import gap_peers, strengths_and_gaps
from .network import (
    coverage_frame,
    dropoff_frame,
    outcome_share_frame,
    overview_frame,
    score_table,
)
from .places import short_name
from .scores import SCORED_TABLES, scorecard_frame, tambon_scores
from .team import present_tables

# Overall outcome coverage → a word of quantity. 0.8: at most about one outcome
# missed per pillar (4 of 5); 0.5: half. "all" only at exactly every outcome.
BANDS = ((1.0, "all"), (0.8, "most"), (0.5, "over_half"), (0.0, "under_half"))
# Strengths, gaps and plans quoted in a summary: a summary is read in a minute.
SHOWN = 3
PEERS_SHOWN = 2
# A province stands out when its median overall coverage is this far from the
# network's: one outcome of one pillar moves a tambon's overall by 1/(3×5) ≈ 6.7
# points, so 10 points is more than one outcome's worth.
STANDOUT_POINTS = 0.10
# A province of one tambon is that tambon, not a pattern of the province.
STANDOUT_MIN_TAMBONS = 2
# Below this many tambons, a rank or a median says little, and the sentence says so.
SMALL_NETWORK = 5
_EPS = 1e-9  # float noise must not break a tie (as scores.percentile_rank rounds)


# --- the tambon summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeFact:
    """One outcome as the summary names it: ``rows_ticked`` of this tambon's
    ``rows_reported`` in the outcome's table; ``reached_by`` of ``of`` tambons in the
    network reached it, out of those that sent its table (``strengths_and_gaps``'
    tambons_reached / tambons_submitted; ``outcome_share_frame`` for the network)."""

    table: str
    outcome_code: str
    outcome_short: str
    rows_ticked: int = 0
    rows_reported: int = 0
    reached_by: int = 0
    of: int = 0


@dataclass(frozen=True)
class PeerFact:
    tambon_id: str
    name: str
    proximity: str  # amphoe | province | network (gaps.PROXIMITY)


@dataclass(frozen=True)
class Position:
    """A score and where it stands in the network (``scorecard_frame``'s overall line):
    ``value``, ``n`` (tambons with a value), ``median``, ``versus_median`` ("above" |
    "at" | "below"), ``rank`` (competition rank, highest first) and ``tied`` (tambons
    sharing it, itself included)."""

    value: float
    n: int
    median: float
    versus_median: str
    rank: int
    tied: int

    @property
    def small_network(self) -> bool:
        return self.n < SMALL_NETWORK


@dataclass(frozen=True)
class Standing:
    """Where the tambon stands overall: ``breadth`` (overall outcome coverage) with its
    ``band`` (``BANDS``) and ``outcomes_reached`` / ``outcomes_total`` over the
    ``tables_sent``; ``depth`` (overall tick rate: ticks ÷ row × outcome cells of the
    tables sent), which tells tambons apart where breadth saturates."""

    breadth: Position
    band: str
    outcomes_reached: int
    outcomes_total: int
    tables_sent: int
    depth: Position | None


@dataclass(frozen=True)
class PlanFact:
    pillar: str
    label: str  # "S1 …" / "P1 …": where the text was written
    text: str  # as written (the section excerpts and masks it)


@dataclass(frozen=True)
class ExpertFact:
    """The experts' most urgent suggestion: ``priority`` ("" when no suggestion has
    one), ``same_priority`` (suggestions at that priority, this one included),
    ``total`` (all suggestions on the tambon)."""

    pillar: str
    priority: str
    suggestion: str
    reviewer: str
    same_priority: int
    total: int


@dataclass(frozen=True)
class TambonSummary:
    tambon_id: str
    not_sent: tuple[str, ...]  # scored tables the team did not send, codebook order
    standing: Standing | None  # None when no scored table was sent
    # the overall leaves the tables not sent out (their pillar score is missing), rather
    # than counting them as 0: what the scores do, said as it is
    overall_over_sent: bool = True
    strongest: tuple[OutcomeFact, ...] = ()
    strongest_tied_more: int = 0  # reached outcomes tied with the last strongest, not shown
    weakest: tuple[OutcomeFact, ...] = ()
    weakest_are_gaps: bool = True
    gaps_total: int = 0  # gaps in the tables sent
    weakest_tied_more: int = 0  # thinnest outcomes tied with the last shown (no gap case)
    biggest_gap: OutcomeFact | None = None
    peers: tuple[PeerFact, ...] = ()
    plans: tuple[PlanFact, ...] = ()
    expert: ExpertFact | None = None


def band_of(coverage: float) -> str:
    """The ``BANDS`` word of an overall outcome coverage; "none" for 0 or missing."""
    if coverage is None or math.isnan(coverage) or coverage <= _EPS:
        return "none"
    return next(word for floor, word in BANDS if coverage >= floor - _EPS)


def _position(line: pd.Series, value: float, prefix: str = "") -> Position | None:
    """The network position of ``value`` from a ``scorecard_frame`` line (``prefix``
    "depth_" for the depth score); None without a value or a rank."""
    rank = line.get(f"{prefix}network_rank")
    if value is None or pd.isna(value) or rank is None or pd.isna(rank):
        return None
    median = float(line[f"{prefix}network_median"])
    versus = "at" if abs(value - median) <= _EPS else ("above" if value > median else "below")
    return Position(value=float(value), n=int(line[f"{prefix}network_n"]), median=median, versus_median=versus,
                    rank=int(rank), tied=int(line[f"{prefix}network_tied"]))


def _standing(card: pd.DataFrame, sent: list[str]) -> Standing | None:
    """``card``: the tambon's ``scorecard_frame`` indexed by pillar."""
    overall = card.loc["overall"]
    breadth = _position(overall, overall["outcome_coverage"])
    if not sent or breadth is None:
        return None
    mine = card.loc[sent]
    return Standing(breadth=breadth, band=band_of(breadth.value),
                    outcomes_reached=int(mine["outcomes_reached"].sum()),
                    outcomes_total=int(mine["outcomes_total"].sum()), tables_sent=len(sent),
                    depth=_position(overall, overall["tick_rate"], "depth_"))


def _top(frame: pd.DataFrame, columns: list[str], ascending: bool) -> tuple[pd.DataFrame, int]:
    """The first ``SHOWN`` lines of ``frame`` by ``columns`` (codebook order among ties),
    and how many more lines tie with the last one shown."""
    if frame.empty:
        return frame, 0
    ordered = frame.sort_values(columns, ascending=ascending, kind="stable")
    shown = ordered.head(SHOWN)
    last = shown[columns].iloc[-1]
    rest = ordered[columns].iloc[len(shown):]
    return shown, int((rest == last).all(axis=1).sum())


def _outcome(line: dict) -> OutcomeFact:
    """A ``strengths_and_gaps`` line as an ``OutcomeFact``."""
    return OutcomeFact(table=line["table"], outcome_code=line["outcome_code"], outcome_short=line["outcome_short"],
                       rows_ticked=int(line["rows_ticked"]), rows_reported=int(line["rows_reported"]),
                       reached_by=int(line["tambons_reached"]), of=int(line["tambons_submitted"]))


def _plans(ds: Dataset, tid: str, lang: str) -> tuple[PlanFact, ...]:
    """Per pillar (codebook order), the first plan the team wrote: Table 4's, else the
    first row's (``team_plans`` order); at most ``SHOWN``."""
    plans = fbk.team_plans(ds, tid, lang)
    plans = plans[plans["field"] == "plan"]
    out = []
    for pillar, part in plans.groupby("pillar", sort=False):
        first = part.iloc[0]
        out.append(PlanFact(pillar=str(pillar), label=str(first["label"]), text=str(first["text"])))
    return tuple(out[:SHOWN])


def _expert(ds: Dataset, tid: str) -> ExpertFact | None:
    """The most urgent suggestion (``feedback_for`` order among equals); None without any."""
    fb = fbk.feedback_for(ds, tid)
    if fb.empty:
        return None
    levels = [*fbk.priority_codes(ds), fbk.UNSET]
    level = next(p for p in levels if (fb["priority"] == p).any())
    same = fb[fb["priority"] == level]
    top = same.iloc[0]
    return ExpertFact(pillar=str(top["pillar"]), priority=level, suggestion=str(top["suggestion"]),
                      reviewer=str(top["reviewer"]), same_priority=len(same), total=len(fb))


def tambon_summary_facts(ds: Dataset, tambon_id: str, lang: str = "th") -> TambonSummary:
    """The facts of a tambon page's summary (see the module doc); KeyError for an unknown id."""
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])
    present = present_tables(ds, tid)
    sent = [tb for tb in SCORED_TABLES if tb in present]
    not_sent = tuple(tb for tb in SCORED_TABLES if tb not in present)
    card = scorecard_frame(ds, tid).set_index("pillar")
    standing = _standing(card, sent)
    over_sent = bool(card.loc[list(not_sent), "outcome_coverage"].isna().all()) if not_sent else True
    plans, expert = _plans(ds, tid, lang), _expert(ds, tid)
    if standing is None:
        return TambonSummary(tid, not_sent, None, overall_over_sent=over_sent, plans=plans, expert=expert)

    sg = strengths_and_gaps(ds, tid, lang)
    reached = sg[sg["status"] == "strength"]
    gaps = sg[sg["status"] == "gap"]  # a table not sent has neither strengths nor gaps
    # the deepest first: the share of its rows that ticked the outcome, then the rows themselves
    depth = ["row_share", "rows_ticked"]
    strong, strong_more = _top(reached, depth, ascending=False)
    if not gaps.empty:
        weak, _ = _top(gaps, ["tambons_reached"], ascending=False)  # every gap is counted in gaps_total
        weak_more = 0
    else:
        weak, weak_more = _top(reached, depth, ascending=True)
        if not reached.empty and (weak[depth].iloc[0] == strong[depth].iloc[0]).all():
            weak, weak_more = reached.iloc[0:0], 0  # every outcome as deep: none is thinner
    weakest = tuple(_outcome(x) for x in weak.to_dict("records"))

    biggest = next((w for w in weakest if w.reached_by > 0), None) if not gaps.empty else None
    peer_facts: tuple[PeerFact, ...] = ()
    if biggest is not None:
        peers = gap_peers(ds, tid, n=PEERS_SHOWN, tables=(biggest.table,), lang=lang)
        ident = ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id")
        mine = peers[peers["outcome_code"] == biggest.outcome_code].drop_duplicates("peer_id")
        peer_facts = tuple(
            PeerFact(tambon_id=p.peer_id, name=short_name(ds, ident.loc[p.peer_id].to_dict() | {"tambon_id": p.peer_id},
                                                          lang),
                     proximity=p.proximity)
            for p in mine.itertuples())
    return TambonSummary(
        tambon_id=tid, not_sent=not_sent, standing=standing, overall_over_sent=over_sent,
        strongest=tuple(_outcome(x) for x in strong.to_dict("records")), strongest_tied_more=strong_more,
        weakest=weakest, weakest_are_gaps=not gaps.empty, gaps_total=len(gaps), weakest_tied_more=weak_more,
        biggest_gap=biggest, peers=peer_facts, plans=plans, expert=expert,
    )


# --- the network summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceFact:
    province: str
    tambons: int
    median: float


@dataclass(frozen=True)
class DropStep:
    step: str
    label: str
    ticked: int


@dataclass(frozen=True)
class NetworkSummary:
    """The network report's headline findings (see the module doc). Counts of current
    tambons; shares 0–1."""

    tambons: int
    provinces: int = 0
    resolved: int = 0
    all_tables: int = 0
    median: float = float("nan")  # the network's median overall outcome coverage
    at_full: int = 0  # tambons that ticked every outcome of the tables they sent
    # depth (overall tick rate) over the network: median and quartiles (``score_table``)
    depth_median: float = float("nan")
    depth_q1: float = float("nan")
    depth_q3: float = float("nan")
    weakest: tuple[OutcomeFact, ...] = ()  # the outcomes of the lowest share reached (ties all)
    data_tambons: int = 0  # tambons that sent the data table: the n of the D1–D5 steps
    first_step: DropStep | None = None
    last_step: DropStep | None = None
    steepest: tuple[DropStep, DropStep] | None = None  # the biggest fall between two steps
    above: tuple[ProvinceFact, ...] = ()
    below: tuple[ProvinceFact, ...] = ()
    reviewed: int = 0
    reviewed_complete: int = 0


def _provinces(ds: Dataset, lang: str, median: float) -> tuple[tuple[ProvinceFact, ...], tuple[ProvinceFact, ...]]:
    per = score_table(ds, lang).iloc[:-1]  # the last line is the whole network
    per = per[(per["n"] >= STANDOUT_MIN_TAMBONS) & per["median"].notna()]
    facts = [ProvinceFact(str(r.province), int(r.n), float(r.median)) for r in per.itertuples()]
    above = tuple(f for f in facts if f.median >= median + STANDOUT_POINTS - _EPS)
    below = tuple(sorted((f for f in facts if f.median <= median - STANDOUT_POINTS + _EPS),
                         key=lambda f: f.median))
    return above, below


def network_summary_facts(ds: Dataset, lang: str = "th") -> NetworkSummary:
    """The facts of the network report's summary (see the module doc)."""
    if not ds.tambon_ids:  # nothing to find (and the network tables expect a tambon)
        return NetworkSummary(tambons=0)
    overview = overview_frame(ds, lang)
    total = overview.iloc[-1]
    n = int(total["tambons"])
    scores = tambon_scores(ds)
    whole = score_table(ds, lang).iloc[-1]
    median = float(whole["median"])
    overall = pd.to_numeric(scores["overall_outcome_coverage"], errors="coerce")
    at_full = int((overall >= 1.0 - _EPS).sum())

    shares = outcome_share_frame(ds, lang)
    low = shares["share"].min()
    weakest = tuple(OutcomeFact(table=r.table, outcome_code=r.outcome_code,
                                outcome_short=ds.codebook.outcome(r.outcome_code).short.text(lang),
                                reached_by=int(r.tambons_reached), of=int(r.tambons))
                    for r in shares[(shares["share"] - low).abs() <= _EPS].itertuples())

    drop = dropoff_frame(ds, lang)
    steps = [DropStep(r.step, r.label, int(r.ticked)) for r in drop.itertuples()]
    steepest = None
    if len(steps) >= 2:
        falls = [(a.ticked - b.ticked, i) for i, (a, b) in enumerate(pairwise(steps))]
        fall, i = max(falls, key=lambda x: (x[0], -x[1]))  # the first of equal falls
        steepest = (steps[i], steps[i + 1]) if fall > 0 else None

    above, below = _provinces(ds, lang, median)
    depth = score_table(ds, lang, "overall_tick_rate").iloc[-1]
    cov = coverage_frame(ds, lang).iloc[-1]
    return NetworkSummary(
        tambons=n, provinces=int((overview["province"].iloc[:-1] != t("common.unknown_province", lang)).sum()), resolved=int(total["resolved"]), all_tables=int(total["all_tables"]),
        median=median, at_full=at_full, depth_median=float(depth["median"]), depth_q1=float(depth["q1"]),
        depth_q3=float(depth["q3"]), weakest=weakest,
        data_tambons=int(drop["tambons"].iloc[0]) if len(drop) else 0, first_step=steps[0] if steps else None,
        last_step=steps[-1] if steps else None, steepest=steepest, above=above, below=below,
        reviewed=int(cov["reviewed"]), reviewed_complete=int(cov["complete"]),
    )
