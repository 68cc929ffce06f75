"""Sections of one tambon's report: ``fn(ds, tambon_id, lang="th") -> Section``.

In reading order: ``header``, ``scorecard``, ``heatmaps``, ``sii_profile``,
``strengths_gaps``, ``team_words``, ``experts``, ``summary_table``,
``quality_notes`` (``SECTIONS``). ``ds`` is ``siianalysis.load(processed_dir)``. Every
table and figure is the analysis library's (``scores.scorecard_frame``,
``scores.lens_profile_frame``, ``gaps``, ``team``, ``quality``, ``feedback``, ``plots``);
this module only lays them out as HTML, in the words of ``data/report_text.yaml``
and the labels of the codebook.
"""

from __future__ import annotations

import pandas as pd

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis import plots
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.gaps import gap_peers, strengths_and_gaps
from siianalysis.analysis.places import place_name, place_part
from siianalysis.analysis.quality import reader_problems, resolution_problems, tambon_problems
from siianalysis.analysis.scores import (
    SCORED_TABLES,
    lens_profile_frame,
    rank_words,
    scorecard_frame,
    tambon_scores,
)
from siianalysis.analysis.team import (
    present_tables,
    summary_frame,
    team_words_frames,
    text_fields,
    tick_matrix,
)
from siianalysis.words import check_lang, display_date, t

from .feedback import pillar_side_by_side
from .html import (
    Markup,
    Section,
    bullet_list,
    esc,
    excerpt,
    explain,
    figure,
    heading,
    join,
    link,
    note,
    pct,
    ratio,
    table,
    tag,
    tambon_href,
    tick_grid,
)
from .problems import problems_table

SECTIONS = ("header", "scorecard", "heatmaps", "sii_profile", "strengths_gaps", "team_words",
            "experts", "summary_table", "quality_notes")
PEER_ROWS_SHOWN = 2  # rows quoted per peer; the rest are counted


def _row(ds: Dataset, tambon_id: str) -> dict:
    return ds.tambon(str(tambon_id))  # KeyError naming the id if unknown


def _table_label(ds: Dataset, table: str, lang: str) -> str:
    return ds.codebook.table(table).title.text(lang)


# --- 1. header -----------------------------------------------------------------------------


def header(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """Title, place (Thai; English names too with ``lang="en"``), DOPA code or why there is
    none, worksheet date, source file, tables found, and what the report is."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    cb = ds.codebook
    title = t("tambon.header.title", lang, tambon=place_part(row, "tambon", lang) or row["tambon_id"])
    sub = place_name(row, cb, lang, short=False, parts=("amphoe", "province"))

    def named(part: str) -> str:
        th, en = row.get(f"{part}_th") or "", row.get(f"{part}_en") or ""
        return f"{en} ({th})" if lang == "en" and en and th else (th or en or t("common.none", lang))

    lines: list[tuple[str, object]] = [(cb.identity[p].text(lang), named(p)) for p in ("tambon", "amphoe", "province")]
    if row["resolved"]:
        code_cell: object = row["tambon_id"]
    else:
        why = resolution_problems(tambon_problems(ds, row["tambon_id"]))
        reasons = list(reader_problems(ds, why, lang)["sentence"])  # the reader's sentence, not the log's
        code_cell = Markup(tag("strong", t("tambon.header.unresolved", lang))
                           + (bullet_list(reasons) if reasons else Markup(""))
                           + note(t("tambon.header.report_id", lang, id=row["tambon_id"]), "sii-muted"))
    present = present_tables(ds, row["tambon_id"])
    tables_found = [f"{tb.number}. {tb.title.text(lang)}" for tb in cb.tables if tb.code in present]
    sent = [tb for tb in cb.tables if tb.code in present]
    named = _table_names(ds, sent, lang)
    lines += [
        (t("tambon.header.dopa_code", lang), code_cell),
        (t("tambon.header.date", lang), display_date(row["worksheet_date"], lang)),
        (t("tambon.header.source", lang), row["source_file"] or t("common.none", lang)),
        (t("tambon.header.tables_found", lang), "\n".join(tables_found) or t("common.none", lang)),
    ]
    info = table(["", ""], lines, cls="sii-t sii-kv")
    info = Markup(info.replace("<thead><tr><th></th><th></th></tr></thead>", ""))  # a key/value table
    missing = [tb for tb in cb.tables if tb.code in SCORED_TABLES and tb.code not in present]
    flag: list[object] = []
    if missing:
        flag = [tag("p", tag("strong", t("tambon.header.not_submitted", lang, tables=_table_names(ds, missing, lang),
                                         pillars=", ".join(fbk.pillar_label(ds, tb.pillar, lang) for tb in missing),
                                         n=len(SCORED_TABLES) - len(missing))),
                    cls="sii-gap sii-flag", role="note")]
    return Section("tambon.header", title, [
        tag("p", sub, cls="sii-sub"),
        tag("p", t("tambon.header.subtitle", lang), cls="sii-muted"),
        *flag,
        info,
        explain(t("tambon.header.intro", lang, n=len(sent), tables=named)),
    ], data={"tambon": pd.DataFrame([row]), "not_submitted": [tb.code for tb in missing]}, level=1)


def _table_names(ds: Dataset, tables: list, lang: str) -> str:
    """ "ตารางที่ 1 …, ตารางที่ 3 …": the worksheet tables named as the handout names them."""
    return t("tambon.header.list_joiner", lang).join(
        t("tambon.header.table_name", lang, number=tb.number, table=tb.title.text(lang)) for tb in tables)


# --- 2. scorecard ------------------------------------------------------------------------


def scorecard(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """Per pillar and overall, depth first (tick rate, its network median, rank in the
    network and the province), then breadth (outcomes reached / total, coverage, median,
    ranks). Ranks are competition ranks, ties shared ("=1 of 49"); a pillar not submitted
    reads "not sent" and has no rank; the overall line says how many pillars it is over."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    frame = scorecard_frame(ds, tambon_id)
    k = "tambon.scorecard"
    missing = t(f"{k}.not_submitted", lang)

    def rank(line: dict, prefix: str, group: str) -> str:
        if not line["submitted"]:
            return missing
        return rank_words(line[f"{prefix}{group}_rank"], line[f"{prefix}{group}_tied"],
                          line[f"{prefix}{group}_n"], lang)

    def share(line: dict, col: str) -> str:
        return pct(line[col]) if line["submitted"] else missing

    depth, breadth = [], []
    for line in frame.to_dict("records"):
        if line["pillar"] == "overall":
            label: object = t(f"{k}.overall_over", lang, n=int(line["submitted"])) if int(
                line["submitted"]) < len(SCORED_TABLES) else t("common.overall", lang)
        else:
            label = _table_label(ds, line["pillar"], lang)
            if not line["submitted"]:
                label = f"{label}\n{t(f'{k}.not_sent', lang)}"
        reported = ratio(line["rows_reported"], line["rows_canonical"]) if line["submitted"] else missing
        if line["other_rows_reported"]:
            reported += " " + t(f"{k}.other_rows", lang, n=int(line["other_rows_reported"]))
        depth.append([label, reported, share(line, "tick_rate"), pct(line["depth_network_median"]),
                      rank(line, "depth_", "network"), rank(line, "depth_", "province")])
        reached = ratio(line["outcomes_reached"], line["outcomes_total"]) if line["submitted"] else missing
        breadth.append([label, reached, share(line, "outcome_coverage"), pct(line["network_median"]),
                        rank(line, "", "network"), rank(line, "", "province")])
    overall = frame.iloc[-1]
    compared = t(f"{k}.compared_with", lang, network=int(overall["network_n"]),
                 province=int(overall["province_n"]) if pd.notna(overall["province_n"]) else 0,
                 province_name=place_part(row, "province", lang) or t("common.unknown_province", lang))
    scores = tambon_scores(ds)
    at_top = int((scores["overall_outcome_coverage"].round(12) == 1.0).sum())
    median_col, rank_cols = t(f"{k}.network_median", lang), [t(f"{k}.network_rank", lang),
                                                             t(f"{k}.province_rank", lang)]
    depth_cols = [t(f"{k}.pillar", lang), t(f"{k}.rows_reported", lang), t(f"{k}.tick_rate", lang), median_col,
                  *rank_cols]
    breadth_cols = [t(f"{k}.pillar", lang), t(f"{k}.outcomes_reached", lang), t(f"{k}.outcome_coverage", lang),
                    median_col, *rank_cols]
    last = [len(depth) - 1]
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        heading(t(f"{k}.depth_title", lang), 3),
        table(depth_cols, depth, num_cols=range(1, 6), total_rows=last),
        heading(t(f"{k}.breadth_title", lang), 3),
        table(breadth_cols, breadth, num_cols=range(1, 6), total_rows=last),
        note(t(f"{k}.at_top", lang, x=at_top, n=int(scores["overall_outcome_coverage"].notna().sum()))),
        note(compared),
    ], data={"scorecard": frame})


# --- 3. heatmaps ---------------------------------------------------------------------------


def heatmaps(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """Rows × outcomes of Tables 1–3 (``team.tick_matrix``), one grid of coloured cells per
    table the team sent; a table not sent gets a line saying so, not an empty grid.

    A grid of text rather than a picture (``plots.heatmap_rows_outcomes`` draws the same
    for a notebook): it reads on a phone and on paper, and it costs a report milliseconds
    instead of the second three matplotlib figures took (issue 14: the whole country's
    batch)."""
    check_lang(lang)
    tid = str(_row(ds, tambon_id)["tambon_id"])
    present = present_tables(ds, tid)
    parts: list[object] = [explain(t("tambon.heatmaps.explain", lang))]
    for table_code in SCORED_TABLES:
        title = _table_label(ds, table_code, lang)
        parts.append(heading(f"{ds.codebook.table(table_code).number}. {title}", 3))
        if table_code not in present:
            parts.append(note(t("tambon.heatmaps.not_submitted", lang), "sii-muted"))
            continue
        grid = tick_matrix(ds, tid, table_code, lang)
        outcomes = ds.codebook.table(table_code).outcomes
        columns = [(f"{o.code} {o.short.text(lang)}", o.label.text(lang)) for o in outcomes]
        rows = [(f"{code} {label}", [bool(v) for v in ticks])
                for code, label, *ticks in grid[["row_code", "label", *(o.code for o in outcomes)]].itertuples(
                    index=False, name=None)]
        if not rows:
            parts.append(note(t("tambon.heatmaps.no_rows", lang), "sii-muted"))
            continue
        parts.append(tick_grid(t("tambon.heatmaps.corner", lang), columns, rows))
    return Section("tambon.heatmaps", t("tambon.heatmaps.title", lang), parts)


# --- 4. S-I-I profile ---------------------------------------------------------------------


def sii_profile(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """The S-I-I lens profile beside the province and network medians (figure + table)."""
    check_lang(lang)
    tid = str(_row(ds, tambon_id)["tambon_id"])
    k = "tambon.sii_profile"
    frame = lens_profile_frame(ds, tid, lang)
    lines = frame.to_dict("records")
    columns = [t(f"{k}.{c}", lang) for c in ("lens", "outcomes", "coverage", "province_median", "network_median")]
    rows = [[x["label"], ratio(x["outcomes_reached"], x["outcomes_tagged"]), pct(x["lens_coverage"]),
             pct(x["province_median"]), pct(x["network_median"])] for x in lines]
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        figure(plots.sii_profile(ds, tid, lang), alt=t(f"{k}.title", lang)),
        table(columns, rows, num_cols=range(1, 5)),
    ], data={"lenses": frame})


# --- 5. strengths, gaps and peers ------------------------------------------------------------


def _peer_table(ds: Dataset, lines: pd.DataFrame, lang: str, peer_links: bool) -> Markup:
    k = "tambon.strengths_gaps"
    ident = ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id")
    columns = [t(f"{k}.peer", lang), t(f"{k}.row", lang), t(f"{k}.what_they_do", lang), t(f"{k}.plan", lang)]
    rows = []
    for _, peer in lines.groupby("peer_rank", sort=True):
        first = peer.iloc[0]
        pid = first["peer_id"]
        name = place_name(ident.loc[pid].to_dict() | {"tambon_id": pid}, ds.codebook, lang)
        href = tambon_href(pid) if peer_links else None
        who = Markup((link(href, name) if href else esc(name))
                     + tag("div", t(f"proximity.{first['proximity']}", lang), cls="sii-muted"))
        shown = peer.head(PEER_ROWS_SHOWN)
        for i, (_, line) in enumerate(shown.iterrows()):
            doing = "\n".join(x for x in (line["method"], line["assets"]) if x)
            if line["remark"]:
                doing = f"{doing}\n({line['remark']})" if doing else line["remark"]
            row_text = f"{line['row_code']} {line['row_label']}"
            if i == len(shown) - 1 and len(peer) > len(shown):
                row_text += "\n" + t("common.more_rows", lang, n=len(peer) - len(shown))
            rows.append([who if i == 0 else "", row_text,
                         excerpt(doing) or t("common.nothing_written", lang),
                         excerpt(line["plan"]) or t("common.nothing_written", lang)])
    return table(columns, rows)


def strengths_gaps(ds: Dataset, tambon_id: str, lang: str = "th", n_peers: int = 3,
                   peer_links: bool = True) -> Section:
    """Per table the team sent: outcomes reached (strengths, with how many of its rows
    reach each) and not (gaps), each with how many tambons of the network reached it
    ("reached by x of n"); for each gap up to ``n_peers`` peer tambons that reached it
    (same district, then province, then network) with what they wrote. A table not
    sent is said so, with no gaps and no peers. ``peer_links``: link peers to their
    reports (``<peer_id>.html``, beside this report)."""
    check_lang(lang)
    tid = str(_row(ds, tambon_id)["tambon_id"])
    k = "tambon.strengths_gaps"
    sg = strengths_and_gaps(ds, tid, lang)
    peers = gap_peers(ds, tid, n=n_peers, lang=lang)
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    def reached_by(o) -> str:
        return t(f"{k}.reached_by", lang, x=int(o.tambons_reached), n=int(o.tambons_submitted))

    for table_code in SCORED_TABLES:
        tb = ds.codebook.table(table_code)
        parts.append(heading(f"{tb.number}. {tb.title.text(lang)}", 3))
        mine = sg[sg["table"] == table_code]
        if not mine["submitted"].any():  # not sent: neither strengths nor gaps, no peers
            parts.append(note(t(f"{k}.not_submitted", lang), "sii-muted"))
            continue
        strong = mine[mine["reached"]]
        parts.append(heading(f"{t(f'{k}.strengths', lang)} ({len(strong)}/{len(mine)})", 4))
        if strong.empty:
            parts.append(note(t(f"{k}.no_strengths", lang), "sii-muted"))
        else:
            parts.append(bullet_list(
                f"{o.outcome_code} {o.outcome} — {t(f'{k}.on_rows', lang)} {o.rows.replace(',', ', ')}"
                f" ({t(f'{k}.rows_of', lang, k=int(o.rows_ticked), m=int(o.rows_reported))})"
                f" · {reached_by(o)}"
                for o in strong.itertuples()))
        gaps = mine[mine["status"] == "gap"]
        parts.append(heading(f"{t(f'{k}.gaps', lang)} ({len(gaps)}/{len(mine)})", 4))
        if gaps.empty:
            parts.append(note(t(f"{k}.no_gaps", lang), "sii-muted"))
        for gap in gaps.itertuples():
            lines = peers[peers["outcome_code"] == gap.outcome_code]
            block: list[Markup] = [tag("p", Markup(tag("strong", f"{gap.outcome_code} {gap.outcome}")
                                                   + tag("span", f" · {reached_by(gap)}", cls="sii-muted")))]
            if lines.empty:
                block.append(note(t(f"{k}.no_peer", lang), "sii-muted"))
            else:
                block.append(_peer_table(ds, lines, lang, peer_links))
            parts.append(tag("div", join(block), cls="sii-gap"))
    return Section(k, t(f"{k}.title", lang), parts, data={"strengths_gaps": sg, "peers": peers})


# --- 6. the team's words -------------------------------------------------------------------


def team_words(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """What the team wrote in Tables 1–3 (``team.team_words_frames``): per reported row its
    label, method/assets, plan, the outcomes ticked on it, and remarks."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    tid = str(row["tambon_id"])
    k = "tambon.team_words"
    present = present_tables(ds, tid)
    frames = team_words_frames(ds, tid, lang)
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    for table_code in SCORED_TABLES:
        tb = ds.codebook.table(table_code)
        parts.append(heading(f"{tb.number}. {tb.title.text(lang)}", 3))
        if table_code not in frames:
            key = "common.not_reported_table" if table_code not in present else "common.nothing_written"
            parts.append(note(t(key, lang, table=tb.title.text(lang)), "sii-muted"))
            continue
        fields = text_fields(tb)
        columns = [tb.label_column.text(lang), *(tb.field(f).label.text(lang) for f in fields),
                   t(f"{k}.ticked", lang), t(f"{k}.remarks", lang)]
        body = [[r["label"], *(r[f] for f in fields), r["ticked"].replace(",", ", ") or t("common.none", lang),
                 r["remarks"]] for r in frames[table_code].to_dict("records")]
        if not any(line[-1] for line in body):  # no remarks in this table: no empty column
            columns, body = columns[:-1], [line[:-1] for line in body]
        parts.append(table(columns, body))
    return Section(k, t(f"{k}.title", lang), parts, data=frames)


# --- 7. the experts' suggestions -------------------------------------------------------------


def experts(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """The experts' suggestions (workshop step 3) beside the team's own plans, per
    pillar (people, mechanism, data, overall): a two-column table each. Without any
    suggestion: a clear note that none came yet."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    tid = str(row["tambon_id"])
    k = "tambon.experts"
    fb = fbk.feedback_for(ds, tid)
    plans = fbk.team_plans(ds, tid, lang)
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    data = {"feedback": fb, "plans": plans}
    if fb.empty:
        parts.append(tag("p", tag("strong", t("feedback.none", lang))))
        return Section(k, t(f"{k}.title", lang), parts, data=data)
    pillars = fbk.pillar_codes(ds)
    got = set(fb["pillar"])
    reviewers = {r for r in fb["reviewer"] if r}
    parts.append(note(t(f"{k}.summary", lang, n=len(fb), reviewers=len(reviewers),
                        pillars=sum(p in got for p in pillars), total=len(pillars))))
    missing = [fbk.pillar_label(ds, p, lang) for p in pillars if p not in got]
    if missing:
        parts.append(note(t(f"{k}.missing", lang, pillars=", ".join(missing)), "sii-muted"))
    for pillar in pillars:
        parts.append(heading(t("feedback.pillar_heading", lang, pillar=fbk.pillar_label(ds, pillar, lang)), 3))
        parts.append(pillar_side_by_side(ds, plans, fb, pillar, lang))
    return Section(k, t(f"{k}.title", lang), parts, data=data)


# --- 8. Table 4 -----------------------------------------------------------------------------


def summary_table(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """Table 4 (S1–S3): what exists / has been done, and how to raise it."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    tid = str(row["tambon_id"])
    k = "tambon.summary_table"
    tb = ds.codebook.table("summary")
    title = t(f"{k}.title", lang, cue=ds.codebook.table_title_cue, number=tb.number, table=tb.title.text(lang))
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    frame = summary_frame(ds, tid)
    if frame.empty:
        parts.append(note(t("common.not_reported_table", lang, table=tb.title.text(lang)), "sii-muted"))
        return Section(k, title, parts, data={"summary": frame})
    fields = [f for f in tb.columns if f != "label"]
    columns = [tb.label_column.text(lang), *(tb.field(f).label.text(lang) for f in fields)]
    body = [[f"{r.code} {r.label.text(lang)}", *(v or t("common.none", lang) for v in values)]
            for r, values in zip(tb.rows, frame[fields].itertuples(index=False, name=None), strict=True)]
    parts.append(table(columns, body))
    return Section(k, title, parts, data={"summary": frame})


# --- 9. quality notes ----------------------------------------------------------------------


def quality_notes(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """Problems logged for this tambon and its superseded files, in a reader's words (where,
    and what it means: ``sections.problems``); codes and messages in a note for staff."""
    check_lang(lang)
    row = _row(ds, tambon_id)
    k = "tambon.quality_notes"
    problems = tambon_problems(ds, row["tambon_id"])
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    if problems.empty:
        parts.append(tag("p", tag("strong", t(f"{k}.none", lang))))
    else:
        problems = problems.sort_values(["severity", "source_file", "location"], kind="stable")
        parts.append(problems_table(ds, problems, lang))
    return Section(k, t(f"{k}.title", lang), parts, data={"problems": problems})
