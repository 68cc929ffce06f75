"""The network report's trends section: the network round by round.

``trends(ds, lang, link_base)`` lays out ``analysis.trends``: per round the tambons that
sent a worksheet (and how many were new), the median of each pillar's outcome coverage
and of the overall coverage and tick rate; the share of tambons reaching each outcome per
round; the tambons that joined in the latest round, that sent the round before and not
the latest, that improved most and that slipped (overall coverage between the last two
rounds each sent; ties all shown). Names link to the tambons' reports.

With data of one round the section is an empty block: the network report shows what it
showed before rounds.
"""

from __future__ import annotations

from siianalysis.analysis import trends as tr
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.feedback import pillar_label
from siianalysis.analysis.places import short_name
from siianalysis.analysis.scores import SCORED_TABLES
from siianalysis.words import check_lang, t

from .html import HTMLBlock, Markup, Section, esc, explain, heading, join, link, note, pct, table, tag, tambon_href
from .progress import points, round_label

_K = "trends"
LINK_BASE = "tambon/"
NAMED = 20  # tambons named per list; the rest counted


def _name(ds: Dataset, tambon_id: str, lang: str, link_base: str | None) -> Markup:
    whole = ds.history if ds.history is not None else ds
    row = whole.tambons[whole.tambons["tambon_id"] == tambon_id].iloc[-1].to_dict()
    name = short_name(ds, row, lang)
    href = tambon_href(tambon_id, link_base) if link_base is not None else None
    return link(href, name) if href else esc(name)


def _names(ds: Dataset, ids, lang: str, link_base: str | None) -> Markup:
    ids = list(ids)
    if not ids:
        return note(t(f"{_K}.none", lang), "sii-muted")
    shown = join((_name(ds, tid, lang, link_base) for tid in ids[:NAMED]), ", ")
    if len(ids) > NAMED:
        shown = Markup(shown + esc(" " + t(f"{_K}.more", lang, n=len(ids) - NAMED)))
    return tag("p", shown)


def _changes(ds: Dataset, lines, lang: str, link_base: str | None) -> Markup:
    if lines.empty:
        return note(t(f"{_K}.none", lang), "sii-muted")
    items = [tag("li", Markup(_name(ds, x["tambon_id"], lang, link_base) + esc(": " + t(
        f"{_K}.change_item", lang, before=f"{pct(x['breadth_before'])} ({round_label(x['previous'], lang)})",
        after=f"{pct(x['breadth_after'])} ({round_label(x['current'], lang)})",
        change=points(x["breadth_change"], lang)))))
        for x in lines.head(NAMED).to_dict("records")]
    more = [tag("li", t(f"{_K}.more", lang, n=len(lines) - NAMED))] if len(lines) > NAMED else []
    return tag("ul", join([*items, *more]), cls="sii-list")


def trends(ds: Dataset, lang: str = "th", link_base: str | None = LINK_BASE) -> HTMLBlock:
    """The trends section (module doc); an empty block for data of one round."""
    check_lang(lang)
    rounds = ds.rounds
    if len(rounds) < 2:
        return HTMLBlock("", label=_K)
    per_round = tr.round_table(ds)
    pillars = [ds.codebook.table(tb).pillar for tb in SCORED_TABLES]
    columns = [t(f"{_K}.round", lang), t(f"{_K}.tambons", lang), t(f"{_K}.joined_n", lang),
               *(t(f"{_K}.median", lang, what=pillar_label(ds, p, lang)) for p in pillars),
               t(f"{_K}.median", lang, what=t(f"{_K}.overall_breadth", lang)),
               t(f"{_K}.median", lang, what=t(f"{_K}.overall_depth", lang))]
    body = [[round_label(x["round"], lang), int(x["tambons"]), int(x["joined"]),
             *(pct(x[f"{p}_median"]) for p in pillars), pct(x["overall_median"]), pct(x["overall_depth_median"])]
            for x in per_round.to_dict("records")]
    shares = tr.outcome_shares(ds, lang)
    share_cols = [t(f"{_K}.outcome", lang), *(round_label(r, lang) for r in rounds)]
    share_body = [[f"{x['outcome_code']} {ds.codebook.outcome(x['outcome_code']).short.text(lang)}",
                   *(pct(x[r]) for r in rounds)] for x in shares.to_dict("records")]
    m = tr.moves(ds)
    latest, previous = round_label(rounds[-1], lang), round_label(rounds[-2], lang)
    parts: list[object] = [
        explain(t(f"{_K}.explain", lang)),
        heading(t(f"{_K}.counts_title", lang), 3),
        table(columns, body, num_cols=range(1, len(columns))),
        heading(t(f"{_K}.shares_title", lang), 3),
        table(share_cols, share_body, num_cols=range(1, len(share_cols))),
        heading(t(f"{_K}.moves_title", lang), 3),
        note(t(f"{_K}.compared", lang, n=len(m["changes"]))),
        heading(t(f"{_K}.joined", lang, round=latest, n=len(m["joined"])), 4),
        _names(ds, m["joined"]["tambon_id"], lang, link_base),
        heading(t(f"{_K}.left", lang, previous=previous, round=latest, n=len(m["left"])), 4),
        _names(ds, m["left"]["tambon_id"], lang, link_base),
        heading(t(f"{_K}.improved", lang, n=len(m["improved"])), 4),
        _changes(ds, m["improved"], lang, link_base),
        heading(t(f"{_K}.slipped", lang, n=len(m["slipped"])), 4),
        _changes(ds, m["slipped"], lang, link_base),
    ]
    return Section(_K, t(f"{_K}.title", lang), parts,
                   data={"rounds": per_round, "outcome_shares": shares, **m})
