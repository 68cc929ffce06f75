"""The experts' suggestions beside the team's own plans, as HTML: one pillar at a time.

Shared by the tambon report (``tambon.experts``), the network report
(``network.expert_review``) and the compiled pages of the workshop
(``workshop.compile``). The suggestions and plans are ``analysis.feedback``'s
(``feedback_for``, ``team_plans``); this module only lays them out.
"""

from __future__ import annotations

import pandas as pd

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis.dataset import Dataset
from siianalysis.words import display_date, t

from .html import Markup, esc, join, note, table, tag


def priority_tag(ds: Dataset, priority: str, lang: str) -> Markup:
    """The priority as a coloured label (the codebook's words; "not given" when blank)."""
    label = fbk.priority_label(ds, priority, lang)
    known = priority if label else "unset"
    return tag("span", label or t("feedback.priority_unset", lang), cls=f"sii-tag prio-{known}")


def suggestion_meta(ds: Dataset, line: dict, lang: str) -> str:
    """ "reviewer · date" of one suggestion (plain text; the priority is shown apart)."""
    who = line["reviewer"] or t("feedback.anonymous", lang)
    return " · ".join([who, *([display_date(line["reviewed_on"], lang)] if line["reviewed_on"] else [])])


def suggestions_cell(ds: Dataset, fb: pd.DataFrame, lang: str) -> Markup:
    """The suggestions of one pillar, each: text (line breaks kept), then priority,
    reviewer and date."""
    if fb.empty:
        return note(t("feedback.no_suggestion", lang), "sii-muted")
    items = []
    for line in fb.to_dict("records"):
        meta = Markup(priority_tag(ds, line["priority"], lang) + " " + esc(suggestion_meta(ds, line, lang)))
        items.append(tag("div", Markup(tag("div", line["suggestion"]) + tag("div", meta, cls="sii-meta")),
                         cls="sii-item"))
    return join(items)


def team_cell(ds: Dataset, plans: pd.DataFrame, pillar: str, lang: str, achievements: bool = False) -> Markup:
    """The team's own texts on one pillar (``team_plans`` lines): Table 4's plan (and
    its achievements when ``achievements``), then the row plans of Tables 1–3."""
    if pillar == fbk.FALLBACK_PILLAR and plans.empty:
        return note(t("feedback.overall_plan", lang), "sii-muted")
    summary = ds.codebook.table(fbk.SUMMARY_TABLE)
    items = []
    for field in ("achievements", "plan"):
        if field == "achievements" and not achievements:
            continue
        lines = plans[(plans["table"] == fbk.SUMMARY_TABLE) & (plans["field"] == field)]
        if not lines.empty:
            head = t("feedback.table4", lang, cue=ds.codebook.table_title_cue, number=summary.number,
                     field=summary.field(field).label.text(lang))
            items.append(tag("div", Markup(tag("div", tag("strong", head)) + tag("div", "\n".join(lines["text"]))),
                             cls="sii-item"))
    for line in plans[plans["table"] != fbk.SUMMARY_TABLE].to_dict("records"):
        items.append(tag("div", Markup(tag("div", tag("strong", line["label"])) + tag("div", line["text"])),
                         cls="sii-item"))
    return join(items) if items else note(t("feedback.no_plan", lang), "sii-muted")


def pillar_side_by_side(ds: Dataset, plans: pd.DataFrame, fb: pd.DataFrame, pillar: str, lang: str,
                        achievements: bool = False) -> Markup:
    """One pillar's two-column table: the team's plans | the experts' suggestions."""
    mine = plans[plans["pillar"] == pillar]
    theirs = fb[fb["pillar"] == pillar]
    return table([t("feedback.team_plans", lang), t("feedback.suggestions", lang)],
                 [[team_cell(ds, mine, pillar, lang, achievements), suggestions_cell(ds, theirs, lang)]],
                 cls="sii-t sii-side")
