"""The tambon report's progress section: what changed since the tambon's last round.

``progress(ds, tambon_id, lang)`` lays out ``analysis.progress.progress_facts``: outcomes
newly reached and no longer reached, each pillar's scores last round and this round,
every round's scores, last round's plans beside this round's achievements and methods,
and the experts' suggestions on the last round with a word-match *hint* (never a
verdict: the texts are shown for the reader to judge).

When it shows nothing: data with one round (every tambon once, or data from before
rounds) gives an empty block, so a page is what it was before rounds. When the network
has several rounds but this tambon sent one, the section is one line saying so and
which rounds the network has: a reader of a tambon that left or joined should not
look for a comparison that cannot exist.

Team and reviewer text is masked (``analysis.personal_data``), cut (``html.excerpt``)
and escaped, as the other sections do.
"""

from __future__ import annotations

import math

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.personal_data import mask_personal_data
from siianalysis.analysis.progress import OVERALL, Progress, progress_facts
from siianalysis.analysis.scores import SCORED_TABLES
from siianalysis.words import check_lang, t

from .html import HTMLBlock, Markup, Section, bullet_list, excerpt, explain, heading, join, note, pct, table, tag

_K = "progress"


def round_label(code: str, lang: str = "th") -> str:
    """A round code in words: "2567" → "ปี 2567", "r2" → "รอบที่ 2", "" → "no round named"."""
    if not code:
        return t(f"{_K}.round.none", lang)
    if code[0] == "r":
        return t(f"{_K}.round.number", lang, n=int(code[1:]))
    return t(f"{_K}.round.year", lang, year=code)


def _quoted(text: str) -> str:
    """Team or reviewer text as shown: personal data masked, cut at about ``html.EXCERPT_CHARS``."""
    return excerpt(mask_personal_data(str(text or "")))


def points(change: float, lang: str) -> str:
    """A change of a share in percentage points: "+14.3 จุด"; NaN → "-"."""
    if change is None or math.isnan(change):
        return "-"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return t(f"{_K}.points", lang, sign=sign, points=f"{abs(change) * 100:.1f}")


def _pillar_name(ds: Dataset, pillar: str, lang: str) -> str:
    return t("common.overall", lang) if pillar == OVERALL else fbk.pillar_label(ds, pillar, lang)


def _outcome_items(ds: Dataset, lines, lang: str) -> list[str]:
    return [f"{o.outcome_code} {ds.codebook.outcome(o.outcome_code).short.text(lang)}" for o in lines.itertuples()]


def _outcomes(ds: Dataset, f: Progress, lang: str) -> list[object]:
    parts: list[object] = [heading(t(f"{_K}.outcomes_title", lang), 3)]
    for status, empty in (("gained", "none_gained"), ("lost", "none_lost")):
        lines = f.status_of(status)
        parts.append(heading(t(f"{_K}.{status}", lang, n=len(lines)), 4))
        parts.append(bullet_list(_outcome_items(ds, lines, lang)) if len(lines) else
                     note(t(f"{_K}.{empty}", lang), "sii-muted"))
    parts.append(note(t(f"{_K}.kept", lang, n=len(f.status_of("kept")), never=len(f.status_of("never")))))
    apart = f.status_of("not_comparable")
    if len(apart):
        tables = [ds.codebook.table(tb).title.text(lang) for tb in SCORED_TABLES if tb in set(apart["table"])]
        parts.append(note(t(f"{_K}.not_comparable", lang, tables=", ".join(tables)), "sii-muted"))
    return parts


def _scores(ds: Dataset, f: Progress, lang: str) -> list[object]:
    prev, cur = round_label(f.previous, lang), round_label(f.current, lang)
    columns = [t(f"{_K}.pillar", lang)]
    for m in ("breadth", "depth"):
        name = t(f"{_K}.{m}", lang)
        columns += [f"{name}\n{prev}", f"{name}\n{cur}", f"{name}\n{t(f'{_K}.change', lang)}"]
    body = []
    for line in f.changes.to_dict("records"):
        cells: list[object] = [_pillar_name(ds, line["pillar"], lang)]
        for m in ("outcome_coverage", "tick_rate"):
            cells += [pct(line[f"{m}_before"]), pct(line[f"{m}_after"]), points(line[f"{m}_change"], lang)]
        body.append(cells)
    parts: list[object] = [heading(t(f"{_K}.scores_title", lang), 3),
                           table(columns, body, num_cols=range(1, 7), total_rows=[len(body) - 1])]
    if len(f.rounds) > 2:  # every round: the earlier rounds' figures stay on the page
        parts += _history(ds, f, lang)
    return parts


def _history(ds: Dataset, f: Progress, lang: str) -> list[object]:
    pillars = list(dict.fromkeys(f.scores["pillar"]))
    columns = [t(f"{_K}.round_col", lang), *(_pillar_name(ds, p, lang) for p in pillars)]
    body = []
    for r in f.rounds:
        mine = f.scores[f.scores["round"] == r].set_index("pillar")
        body.append([round_label(r, lang), *(
            f"{pct(mine.loc[p, 'outcome_coverage'])} ({pct(mine.loc[p, 'tick_rate'])})"
            if mine.loc[p, "submitted"] else t(f"{_K}.not_sent", lang) for p in pillars)])
    return [heading(t(f"{_K}.history_title", lang), 4), note(t(f"{_K}.history_note", lang)),
            table(columns, body, num_cols=range(1, len(columns)))]


def _texts_cell(groups: list[tuple[str, list[tuple[str, str]]]], empty: str) -> Markup:
    """Labelled texts ("S1 …": text), under an optional heading per group; masked and escaped."""
    items = []
    for head, lines in groups:
        if not lines:
            continue
        block = [tag("div", tag("strong", head))] if head else []
        block += [tag("div", Markup(tag("div", label, cls="sii-meta") + tag("div", _quoted(text))), cls="sii-item")
                  for label, text in lines]
        items.append(join(block))
    return join(items) if items else note(empty, "sii-muted")


def _plans(ds: Dataset, f: Progress, lang: str) -> list[object]:
    prev, cur = round_label(f.previous, lang), round_label(f.current, lang)
    parts: list[object] = [heading(t(f"{_K}.plans_title", lang), 3),
                           note(t(f"{_K}.plans_explain", lang, previous=prev, current=cur))]
    columns = [t(f"{_K}.plans_col", lang, round=prev), t(f"{_K}.deeds_col", lang, round=cur)]
    for line in f.plans.to_dict("records"):
        parts.append(heading(t("feedback.pillar_heading", lang, pillar=_pillar_name(ds, line["pillar"], lang)), 4))
        left = _texts_cell([("", line["plans"])], t(f"{_K}.no_plan", lang))
        right = _texts_cell([(t(f"{_K}.achievements", lang), line["achievements"]),
                             (t(f"{_K}.methods", lang), line["methods"])], t(f"{_K}.no_deeds", lang))
        parts.append(table(columns, [[left, right]], cls="sii-t sii-side"))
    return parts


def _suggestions(ds: Dataset, f: Progress, lang: str) -> list[object]:
    prev = round_label(f.previous, lang)
    parts: list[object] = [heading(t(f"{_K}.suggestions_title", lang), 3)]
    fb = f.suggestions
    if fb.empty:
        return [*parts, note(t(f"{_K}.no_review", lang, previous=prev), "sii-muted")]
    parts.append(explain(t(f"{_K}.suggestions_explain", lang, previous=prev)))
    body = []
    for line in fb.to_dict("records"):
        if math.isnan(line["match"]):
            hint: object = note(t(f"{_K}.too_short", lang), "sii-muted")
        else:
            share = t(f"{_K}.found_share", lang, found=len(line["found"]), total=int(line["words"]))
            hint = Markup(tag("div", share) + tag("div", ", ".join(line["found"]), cls="sii-meta"))
        body.append([_pillar_name(ds, line["pillar"], lang), _quoted(line["suggestion"]), hint])
    parts.append(table([t(f"{_K}.pillar", lang), t(f"{_K}.suggestion", lang), t(f"{_K}.found", lang)], body))
    return parts


def progress(ds: Dataset, tambon_id: str, lang: str = "th") -> HTMLBlock:
    """The progress section of one tambon (module doc): a ``Section``; a one-line section when
    the tambon sent one round of several; an empty block when the data has one round."""
    check_lang(lang)
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])
    if len(ds.rounds) < 2:
        return HTMLBlock("", label=_K)
    f = progress_facts(ds, tid, lang)
    if f is None:
        only = ds.rounds_of(tid)
        line = t(f"{_K}.first_round", lang, round=round_label(only[0] if only else "", lang),
                 rounds=", ".join(round_label(r, lang) for r in ds.rounds))
        return Section(_K, t(f"{_K}.title", lang), [note(line)], data={"facts": None})
    parts: list[object] = [explain(t(f"{_K}.explain", lang, previous=round_label(f.previous, lang),
                                     current=round_label(f.current, lang)))]
    parts += _outcomes(ds, f, lang)
    parts += _scores(ds, f, lang)
    parts += _plans(ds, f, lang)
    parts += _suggestions(ds, f, lang)
    return Section(_K, t(f"{_K}.title", lang), parts, data={"facts": f})
