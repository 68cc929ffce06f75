"""The "summary first" boxes: a tambon page's and the network report's opening lines.

``tambon_summary(ds, tambon_id, lang)`` — where the tambon stands, a table not sent,
its strongest and weakest outcomes, the peers to learn from for its biggest gap
(linked to their reports), what its plans say, the experts' top priority;
``network_summary(ds, lang)`` — the findings a coordinator reads out: coverage, the
weakest outcome, the D1→D5 drop-off, provinces that stand out, review coverage.

The facts are ``analysis.summary``'s (computed by the functions the other sections
use); this module only words them, from ``report_text.yaml`` (``summary.*``). Team
and reviewer text is excerpted and masked (``analysis.personal_data``), then escaped.
"""

from __future__ import annotations

import re
from functools import reduce

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.personal_data import mask_personal_data
from siianalysis.analysis.summary import (
    SHOWN,
    STANDOUT_MIN_TAMBONS,
    STANDOUT_POINTS,
    OutcomeFact,
    Position,
    Standing,
    TambonSummary,
    network_summary_facts,
    tambon_summary_facts,
)
from siianalysis.words import check_lang, t

from .html import Markup, Section, esc, excerpt, join, link, pct, tag, tambon_href

SUMMARY_EXCERPT_CHARS = 160  # a plan or a suggestion quoted in a summary: about two lines
_K = "summary.tambon"
_N = "summary.network"


def _quote(text: str) -> str:
    """Team or reviewer text as a summary quotes it: personal data masked, bullets and
    line breaks folded into one line, cut at about ``SUMMARY_EXCERPT_CHARS``."""
    masked = mask_personal_data(str(text or ""))
    lines = [re.sub(r"^\s*[-•*]\s*", "", line).strip() for line in masked.splitlines()]
    return excerpt(" / ".join(x for x in lines if x), SUMMARY_EXCERPT_CHARS)


def _clauses(words: list[str], lang: str) -> str:
    """Clauses one after another (``summary.tambon.then``: a space in Thai, "; " in English)."""
    return reduce(lambda a, b: t(f"{_K}.then", lang, first=a, then=b), words)


def _item(lead: str, body: object) -> Markup:
    return tag("li", Markup(tag("strong", lead) + esc(": ") + esc(body)))


def _outcome(o: OutcomeFact) -> str:
    return f"{o.outcome_code} {o.outcome_short}"


def _table_name(ds: Dataset, table: str, lang: str) -> str:
    tb = ds.codebook.table(table)
    return t(f"{_K}.table", lang, number=tb.number, title=tb.title.text(lang))


# --- the tambon summary ----------------------------------------------------------------------


def _position_words(p: Position, lang: str) -> list[str]:
    """ "above the network median (x)", then the rank, ties said, and a word on a small network."""
    words = [t(f"{_K}.versus.{p.versus_median}", lang, median=pct(p.median))]
    if p.tied > 1:
        words.append(t(f"{_K}.rank_tied", lang, tied=p.tied, value=pct(p.value), rank=p.rank, n=p.n))
    else:
        words.append(t(f"{_K}.rank", lang, rank=p.rank, n=p.n))
    if p.small_network:
        words.append(t(f"{_K}.small_network", lang, n=p.n))
    return words


def _breadth_text(s: Standing, not_sent: bool, lang: str) -> str:
    words = [t(f"{_K}.band.{s.band}", lang, reached=s.outcomes_reached, total=s.outcomes_total)]
    if not_sent:
        words.append(t(f"{_K}.in_tables_sent", lang, n=s.tables_sent))
    if s.band != "all":  # "every outcome (17 of 17)" needs no percentage beside it
        words.append(t(f"{_K}.coverage", lang, coverage=pct(s.breadth.value)))
    return _clauses([" ".join(words), *_position_words(s.breadth, lang)], lang)


def _depth_text(p: Position, lang: str) -> str:
    return _clauses([t(f"{_K}.depth", lang, rate=pct(p.value)), *_position_words(p, lang)], lang)


def _not_sent_text(ds: Dataset, f: TambonSummary, lang: str) -> str:
    tables = t("summary.list_join", lang).join(_table_name(ds, tb, lang) for tb in f.not_sent)
    if f.standing is None:
        return t(f"{_K}.not_sent.nothing_scored", lang, tables=tables)
    key = "over_sent" if f.overall_over_sent else "as_zero"
    return t(f"{_K}.not_sent.{key}", lang, tables=tables, n=f.standing.tables_sent)


def _strongest_text(f: TambonSummary, lang: str) -> str:
    text = t("summary.list_join", lang).join(_rows_item(o, lang) for o in f.strongest)
    if f.strongest_tied_more:
        text += " " + t(f"{_K}.tied_more", lang, n=f.strongest_tied_more)
    return text


def _rows_item(o: OutcomeFact, lang: str) -> str:
    return t(f"{_K}.rows_item", lang, outcome=_outcome(o), rows=o.rows_ticked, of=o.rows_reported)


def _weakest(f: TambonSummary, lang: str) -> tuple[str, object]:
    """(lead, body) of the weakest line: the gaps, or the thinnest outcomes when there is no gap."""
    if f.weakest_are_gaps:
        items = [t(f"{_K}.gap_item" if o.reached_by else f"{_K}.gap_item_nobody", lang, outcome=_outcome(o),
                   n=o.reached_by, of=o.of) for o in f.weakest]
        body: object = t("summary.list_join", lang).join(items)
        more = f.gaps_total - len(f.weakest)
        if more:
            body = Markup(esc(body) + esc(" ") + link("#sii-tambon-strengths-gaps",
                                                      t(f"{_K}.gaps_more", lang, n=more)))
        return t(f"{_K}.lead.gaps", lang, n=f.gaps_total), body
    if not f.weakest:
        return t(f"{_K}.lead.no_gaps", lang), t(f"{_K}.no_gap", lang)
    items = t("summary.list_join", lang).join(_rows_item(o, lang) for o in f.weakest)
    text = _clauses([t(f"{_K}.no_gap", lang), t(f"{_K}.thinnest", lang, outcomes=items)], lang)
    if f.weakest_tied_more:
        text += " " + t(f"{_K}.tied_more", lang, n=f.weakest_tied_more)
    return t(f"{_K}.lead.no_gaps", lang), text


def _peers_body(f: TambonSummary, lang: str, peer_links: bool) -> Markup:
    assert f.biggest_gap is not None
    peers = []
    for p in f.peers:
        href = tambon_href(p.tambon_id) if peer_links else None
        name = link(href, p.name) if href else esc(p.name)
        peers.append(Markup(name + esc(f" ({t(f'proximity.{p.proximity}', lang)})")))
    head = t(f"{_K}.peers_for", lang, outcome=_outcome(f.biggest_gap))
    return Markup(esc(head) + esc(" ") + join(peers, str(esc(t("summary.list_join", lang)))))


def _plans_body(ds: Dataset, f: TambonSummary, lang: str) -> Markup:
    items = [tag("li", Markup(tag("strong", fbk.pillar_label(ds, p.pillar, lang)) + esc(": " + _quote(p.text))))
             for p in f.plans]
    return tag("ul", join(items), cls="sii-list")


def _expert_body(ds: Dataset, f: TambonSummary, lang: str) -> Markup:
    e = f.expert
    assert e is not None
    pillar = fbk.pillar_label(ds, e.pillar, lang)
    if e.priority:
        text = t(f"{_K}.expert.with_priority", lang, priority=fbk.priority_label(ds, e.priority, lang),
                 pillar=pillar, text=_quote(e.suggestion))
    else:
        text = t(f"{_K}.expert.no_priority", lang, total=e.total, pillar=pillar, text=_quote(e.suggestion))
    body = esc(text)
    if e.total > 1:
        more = t(f"{_K}.expert.more", lang, same=e.same_priority - 1, total=e.total) if e.priority and \
            e.same_priority > 1 else t(f"{_K}.expert.total", lang, total=e.total)
        body = Markup(body + esc(" ") + link("#sii-tambon-experts", more))
    return body


def tambon_summary(ds: Dataset, tambon_id: str, lang: str = "th", peer_links: bool = True) -> Section:
    """The summary at the top of a tambon page (``analysis.summary.tambon_summary_facts``
    in words). ``peer_links``: link peers to their reports (``<peer_id>.html``, beside
    this report, as ``tambon.strengths_gaps`` does)."""
    check_lang(lang)
    f = tambon_summary_facts(ds, tambon_id, lang)
    items: list[Markup] = []
    if f.not_sent:  # first: every number below is over the tables sent
        items.append(_item(t(f"{_K}.lead.not_sent", lang), _not_sent_text(ds, f, lang)))
    if f.standing is not None:
        # depth first, as the scorecard: it tells tambons apart where breadth saturates
        if f.standing.depth is not None:
            items.append(_item(t(f"{_K}.lead.depth", lang), _depth_text(f.standing.depth, lang)))
        items.append(_item(t(f"{_K}.lead.standing", lang), _breadth_text(f.standing, bool(f.not_sent), lang)))
    if f.strongest:
        items.append(_item(t(f"{_K}.lead.strongest", lang), _strongest_text(f, lang)))
    if f.standing is not None:
        lead, body = _weakest(f, lang)
        items.append(_item(lead, body))
    if f.biggest_gap is not None and f.peers:
        items.append(_item(t(f"{_K}.lead.peers", lang), _peers_body(f, lang, peer_links)))
    if f.plans:
        items.append(_item(t(f"{_K}.lead.plans", lang), _plans_body(ds, f, lang)))
    if f.expert is not None:
        items.append(_item(t(f"{_K}.lead.expert", lang), _expert_body(ds, f, lang)))
    box = tag("div", tag("ul", join(items), cls="sii-list"), cls="sii-explain sii-summary")
    return Section(_K, t(f"{_K}.title", lang), [box], data={"facts": f})


# --- the network summary ---------------------------------------------------------------------


def network_summary(ds: Dataset, lang: str = "th") -> Section:
    """The headline findings at the top of the network report
    (``analysis.summary.network_summary_facts`` in words)."""
    check_lang(lang)
    f = network_summary_facts(ds, lang)
    sep = t("summary.list_join", lang)
    items: list[str] = []
    if f.tambons == 0:
        items.append(t(f"{_N}.empty", lang))
    else:
        items.append(t(f"{_N}.coverage", lang, n=f.tambons, provinces=f.provinces, all_tables=f.all_tables,
                       resolved=f.resolved))
        items.append(t(f"{_N}.saturation", lang, at_full=f.at_full, n=f.tambons, median=pct(f.median)))
        items.append(t(f"{_N}.depth", lang, median=pct(f.depth_median), q1=pct(f.depth_q1), q3=pct(f.depth_q3)))
        w = f.weakest[0]
        if w.reached_by == w.of:  # the lowest share is everyone: no outcome is weaker than another
            items.append(t(f"{_N}.all_reached", lang))
        else:
            key = "weakest_one" if len(f.weakest) == 1 else "weakest_many"
            named = sep.join(_outcome(o) for o in f.weakest[:SHOWN])
            if len(f.weakest) > SHOWN:
                named += " " + t(f"{_N}.more_outcomes", lang, n=len(f.weakest) - SHOWN)
            items.append(t(f"{_N}.{key}", lang, outcomes=named, reached=w.reached_by, of=w.of,
                           share=pct(w.reached_by / w.of if w.of else 0.0)))
        if f.first_step is not None and f.last_step is not None:
            a, b = f.first_step, f.last_step
            drop = t(f"{_N}.dropoff", lang, first=a.step, first_label=a.label, a=a.ticked, last=b.step,
                     last_label=b.label, b=b.ticked, n=f.data_tambons)
            if f.steepest is not None:
                x, y = f.steepest
                drop = _clauses([drop, t(f"{_N}.steepest", lang, x=x.step, y=y.step, a=x.ticked, b=y.ticked)], lang)
            items.append(drop)
        points = round(STANDOUT_POINTS * 100)

        def provinces(facts) -> str:
            return sep.join(t(f"{_N}.province_item", lang, province=p.province, median=pct(p.median), n=p.tambons)
                            for p in facts)

        if f.above:
            items.append(t(f"{_N}.provinces_above", lang, points=points, median=pct(f.median),
                           provinces=provinces(f.above), min_n=STANDOUT_MIN_TAMBONS))
        if f.below:
            items.append(t(f"{_N}.provinces_below", lang, points=points, median=pct(f.median),
                           provinces=provinces(f.below), min_n=STANDOUT_MIN_TAMBONS))
        if not f.above and not f.below:
            items.append(t(f"{_N}.provinces_none", lang, points=points, median=pct(f.median),
                           min_n=STANDOUT_MIN_TAMBONS))
        if f.reviewed:
            items.append(t(f"{_N}.reviews", lang, reviewed=f.reviewed, n=f.tambons,
                           share=pct(f.reviewed / f.tambons), complete=f.reviewed_complete,
                           waiting=f.tambons - f.reviewed))
        else:
            items.append(t(f"{_N}.reviews_none", lang))
    box = tag("div", tag("ul", join(tag("li", x) for x in items), cls="sii-list"), cls="sii-explain sii-summary")
    return Section(_N, t(f"{_N}.title", lang), [box], data={"facts": f})
