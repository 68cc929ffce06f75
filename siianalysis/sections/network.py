"""Sections of the network report: ``fn(ds, lang="th") -> Section``.

In reading order (``SECTIONS``): ``title``, ``overview``, ``outcome_shares``,
``score_distributions``, ``data_dropoff``, ``typology``, ``model_tambons``,
``themes_terms``, ``expert_review``, ``quality_summary``, ``report_links``. Every
table and figure is the analysis library's (``analysis.network``, ``typology``,
``feedback``, ``quality``, ``plots``); this module lays them out as HTML in the
words of ``data/report_text.yaml`` and the labels of the codebook.

Links to tambon reports are ``link_base + tambon_id + ".html"`` (default
``"tambon/"``, relative to ``reports/network.html``), built only for a valid
tambon id (``siianalysis.ids``).
"""

from __future__ import annotations

import pandas as pd

import siianalysis.analysis.feedback as fbk
from siianalysis.analysis import plots
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.network import (
    MODEL_TOP,
    TERMS_SAMPLE,
    TERMS_TOP,
    coverage_frame,
    dropoff_frame,
    model_frame,
    outcome_share_frame,
    overview_frame,
    plan_theme_counts,
    score_table,
    table_terms,
    tambons_by_province,
)
from siianalysis.analysis.places import current_tambons, short_name
from siianalysis.analysis.quality import (
    error_problems,
    problem_counts,
    reader_problems,
    resolution_problems,
    unresolved_tambons,
)
from siianalysis.analysis.scores import SCORED_TABLES, tambon_scores
from siianalysis.analysis.typology import sii_typology, type_order
from siianalysis.words import check_lang, problem_text, t

from .at_scale import capped, names_per_province, one_page, province_href, province_key, terms_sample_note
from .feedback import priority_tag
from .html import (
    Markup,
    Section,
    esc,
    excerpt,
    explain,
    figure,
    heading,
    join,
    link,
    note,
    pct,
    severity_tag,
    table,
    tag,
    tambon_href,
)
from .problems import problems_table, staff_note, staff_problems

SUGGESTIONS_SHOWN = 200  # per pillar on the network page; every one is in its tambon's report
SECTIONS = ("title", "overview", "outcome_shares", "score_distributions", "data_dropoff", "typology",
            "model_tambons", "themes_terms", "expert_review", "quality_summary", "report_links")
LINK_BASE = "tambon/"
URGENT_TOP = 10


# --- helpers -------------------------------------------------------------------------------


def _linked(ds: Dataset, row: dict, lang: str, link_base: str | None) -> Markup:
    """The tambon's short name, linked to its report when the id is valid."""
    name = short_name(ds, row, lang)
    href = tambon_href(row["tambon_id"], link_base) if link_base is not None else None
    return link(href, name) if href else esc(name)


# --- 0. title ------------------------------------------------------------------------------


def title(ds: Dataset, lang: str = "th") -> Section:
    """The report's title and what it is; how many tambons and worksheets."""
    check_lang(lang)
    n = ds.tambons["tambon_id"].nunique()
    return Section("network.title", t("network.title", lang), [
        tag("p", t("common.tambons_n", lang, n=n), cls="sii-sub"),
        explain(t("network.intro", lang)),
    ], level=1)


# --- 1. overview ---------------------------------------------------------------------------


def overview(ds: Dataset, lang: str = "th") -> Section:
    """Tambons by province: count, resolved, with all 4 tables, worksheet completeness
    (``overview_frame`` + ``plots.province_overview``)."""
    check_lang(lang)
    k = "network.overview"
    frame = overview_frame(ds, lang)
    columns = [t("common.province", lang), t("common.tambons", lang), t(f"{k}.resolved", lang),
               t(f"{k}.all_tables", lang), t(f"{k}.completeness", lang)]
    rows = [[r.province, r.tambons, r.resolved, r.all_tables, pct(r.completeness)] for r in frame.itertuples()]
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        table(columns, rows, num_cols=range(1, 5), total_rows=[len(rows) - 1]),
        figure(plots.province_overview(ds, lang), alt=t(f"{k}.chart_title", lang)),
    ], data={"overview": frame})


# --- 2. outcome shares -----------------------------------------------------------------------


def outcome_shares(ds: Dataset, lang: str = "th") -> Section:
    """Share of the tambons that sent each table reaching each of its outcomes
    (``network_outcome_share``, n said per table), with the mean depth (share of rows
    ticking it), and the row type × outcome share heatmaps (``row_outcome_share_heatmap``)."""
    check_lang(lang)
    k = "network.outcome_shares"
    frame = outcome_share_frame(ds, lang)
    total = ds.tambons["tambon_id"].nunique()
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    columns = [t("common.code", lang), t(f"{k}.outcome", lang), t(f"{k}.reached", lang), t("common.share", lang),
               t(f"{k}.row_share", lang)]
    for tb_code in SCORED_TABLES:
        tb = ds.codebook.table(tb_code)
        part = frame[frame["table"] == tb_code]
        parts.append(heading(f"{tb.number}. {tb.title.text(lang)}", 3))
        n = int(part["tambons"].iloc[0]) if len(part) else 0
        parts.append(note(t(f"{k}.n_note", lang, n=n, total=total)))
        parts.append(figure(plots.network_outcome_share(ds, tb_code, lang), alt=tb.title.text(lang)))
        parts.append(table(columns, [[r.outcome_code, r.outcome, f"{r.tambons_reached} / {r.tambons}", pct(r.share),
                                      pct(r.row_share)]
                                     for r in part.itertuples()], num_cols=(2, 3, 4)))
        parts.append(figure(plots.row_outcome_share_heatmap(ds, tb_code, lang), alt=tb.title.text(lang)))
    return Section(k, t(f"{k}.title", lang), parts, data={"outcome_shares": frame})


# --- 3. score distributions ----------------------------------------------------------------


def score_distributions(ds: Dataset, lang: str = "th") -> Section:
    """Depth first (overall tick rate: by province, ``score_distribution``, with a table of
    median and IQR), then breadth (overall outcome coverage: the histogram, how many tambons
    share 100%, and its table). Each table's n = tambons with a value."""
    check_lang(lang)
    k = "network.score_distributions"
    depth = score_table(ds, lang, score="overall_tick_rate")
    frame = score_table(ds, lang)
    columns = [t("common.province", lang), t("common.tambons", lang), t(f"{k}.median", lang), t(f"{k}.q1", lang),
               t(f"{k}.q3", lang), t(f"{k}.iqr", lang)]
    depth_rows = [[r.province, r.n, pct(r.median), pct(r.q1), pct(r.q3), pct(r.iqr)] for r in depth.itertuples()]
    rows = [[r.province, r.n, pct(r.median), pct(r.q1), pct(r.q3), r.at_top] for r in frame.itertuples()]
    whole = frame.iloc[-1]
    full = int((tambon_scores(ds)["overall_outcome_coverage"].round(12) == 1.0).sum())
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain_depth", lang)),
        heading(t(f"{k}.depth_title", lang), 3),
        figure(plots.score_distribution(ds, "overall_tick_rate", by_province=True, lang=lang),
               alt=t(f"{k}.depth_title", lang)),
        table(columns, depth_rows, num_cols=range(1, 6), total_rows=[len(depth_rows) - 1]),
        heading(t(f"{k}.breadth_title", lang), 3),
        figure(plots.score_distribution(ds, by_province=False, lang=lang), alt=t(f"{k}.breadth_title", lang)),
        note(t(f"{k}.saturation", lang, x=full, n=int(whole["n"]))),
        table([*columns[:5], t(f"{k}.at_top", lang)], rows, num_cols=range(1, 6), total_rows=[len(rows) - 1]),
    ], data={"scores": frame, "depth": depth})


# --- 4. data drop-off --------------------------------------------------------------------


def data_dropoff(ds: Dataset, lang: str = "th") -> Section:
    """Where tambons drop off along D1→D5 (``data_steps_dropoff``) + the numbers, over the
    tambons that sent Table 3 (said in a note)."""
    check_lang(lang)
    k = "network.data_dropoff"
    frame = dropoff_frame(ds, lang)
    n = int(frame["tambons"].iloc[0]) if len(frame) else 0  # the tambons that sent Table 3
    total = ds.tambons["tambon_id"].nunique()
    columns = [t(f"{k}.step", lang), t(f"{k}.reported", lang), t(f"{k}.ticked", lang)]
    rows = [[f"{r.step} {r.label}", f"{r.reported} / {n} ({pct(r.reported_share)})",
             f"{r.ticked} / {n} ({pct(r.ticked_share)})"] for r in frame.itertuples()]
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        note(t(f"{k}.n_note", lang, n=n, total=total)),
        figure(plots.data_steps_dropoff(ds, lang), alt=t(f"{k}.title", lang)),
        table(columns, rows, num_cols=(1, 2)),
    ], data={"dropoff": frame})


# --- 5. typology ----------------------------------------------------------------------------


def typology(ds: Dataset, lang: str = "th", link_base: str | None = LINK_BASE) -> Section:
    """Tambon types by S-I-I profile (``siianalysis.analysis.typology.sii_typology``):
    counts per type and the tambons of each."""
    check_lang(lang)
    k = "network.typology"
    typ = sii_typology(ds, lang)
    n = len(typ)
    medians = typ.attrs.get("medians", {})
    med_text = ", ".join(f"{ds.codebook.lens(c).short.text(lang)} {pct(v)}" for c, v in medians.items())
    tam = current_tambons(ds).set_index("tambon_id")
    rows, counts = [], []
    for key in type_order(typ, ds):
        members = typ[typ["type_key"] == key]
        label = members["type_label"].iloc[0]
        # at most NAMES_SHOWN names a cell (``at_scale``): a type of 3,442 tambons is not read name by name
        names = capped((_linked(ds, tam.loc[tid].to_dict() | {"tambon_id": tid}, lang, link_base)
                        for tid in members["tambon_id"]), len(members), lang)
        rows.append([label, len(members), pct(len(members) / n if n else 0), names])
        counts.append({"type_key": key, "type_label": label, "tambons": len(members)})
    rows.append([t("common.total", lang), n, pct(1.0 if n else 0), ""])
    columns = [t(f"{k}.type", lang), t("common.tambons", lang), t("common.share", lang), t(f"{k}.members", lang)]
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        note(t(f"{k}.medians", lang, medians=med_text)),
        table(columns, rows, num_cols=(1, 2), total_rows=[len(rows) - 1]),
    ], data={"typology": typ, "counts": pd.DataFrame(counts)})


# --- 6. model tambons -----------------------------------------------------------------------


def model_tambons(ds: Dataset, lang: str = "th", top: int = MODEL_TOP,
                  link_base: str | None = LINK_BASE) -> Section:
    """Per pillar, the top tambons by outcome coverage with an excerpt of their plan."""
    check_lang(lang)
    k = "network.model_tambons"
    frame = model_frame(ds, top)
    tam = current_tambons(ds).set_index("tambon_id")
    columns = [t("common.rank", lang), t("common.place", lang), t("tambon.scorecard.outcome_coverage", lang),
               t("tambon.scorecard.tick_rate", lang), t(f"{k}.plan_excerpt", lang)]
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    for tb_code in SCORED_TABLES:
        tb = ds.codebook.table(tb_code)
        part = frame[frame["table"] == tb_code]
        parts.append(heading(f"{tb.number}. {tb.title.text(lang)}", 3))
        parts.append(table(columns, [
            [r.rank, _linked(ds, tam.loc[r.tambon_id].to_dict() | {"tambon_id": r.tambon_id}, lang, link_base),
             pct(r.outcome_coverage), pct(r.tick_rate), excerpt(r.plan) or t("common.nothing_written", lang)]
            for r in part.itertuples()], num_cols=(0, 2, 3)))
    return Section(k, t(f"{k}.title", lang), parts, data={"models": frame})


# --- 7. themes and terms --------------------------------------------------------------------


def themes_terms(ds: Dataset, lang: str = "th", n_terms: int = TERMS_TOP,
                 terms_sample: int | None = TERMS_SAMPLE) -> Section:
    """Themes in the plans (``plan_theme_counts``, ``plots.plan_themes``) and the top
    terms per table (``table_terms``: in a network of more than ``terms_sample`` tambons,
    over a fixed draw of them, said in a note above the table)."""
    check_lang(lang)
    k = "network.themes_terms"
    counts = plan_theme_counts(ds)
    label_col = "theme_en" if lang == "en" else "theme_th"
    columns = [t(f"{k}.theme", lang), t("common.tambons", lang), t("common.share", lang), t(f"{k}.texts", lang)]
    rows = [[r[label_col], r["tambons"], pct(r["tambon_share"]), r["texts"]] for r in counts.to_dict("records")]
    terms = table_terms(ds, n_terms, terms_sample)
    tables = [tb.code for tb in ds.codebook.tables]
    term_cols = [t("common.rank", lang), *(f"{tb.number}. {tb.title.text(lang)}" for tb in ds.codebook.tables)]
    term_rows = []
    for rank in range(1, n_terms + 1):
        line: list[object] = [rank]
        for tb in tables:
            hit = terms[(terms["table"] == tb) & (terms["rank"] == rank)]
            line.append(f"{hit['term'].iloc[0]} ({int(hit['tambons'].iloc[0])})" if not hit.empty else "")
        if any(line[1:]):
            term_rows.append(line)
    return Section(k, t(f"{k}.title", lang), [
        explain(t(f"{k}.explain", lang)),
        figure(plots.plan_themes(ds, lang), alt=t(f"{k}.chart_title", lang)),
        table(columns, rows, num_cols=(1, 2, 3)),
        heading(t(f"{k}.terms_title", lang), 3),
        *terms_sample_note(terms, lang),
        table(term_cols, term_rows, num_cols=(0,)),
        staff_note(note(t(f"{k}.staff", lang)), lang, "staff_note.summary"),  # where the themes and words come from
    ], data={"themes": counts, "terms": terms})


# --- 8. the experts' suggestions ---------------------------------------------------------------


def expert_review(ds: Dataset, lang: str = "th", link_base: str | None = LINK_BASE,
                  top: int = URGENT_TOP) -> Section:
    """The experts' suggestions compiled over the network (``analysis.feedback``): by
    pillar (counts, and every suggestion grouped under its pillar), by theme, the
    ``top`` tambons with the most urgent suggestions (linked to their reports), and
    which tambons still lack a review, per province. Works without any suggestion."""
    check_lang(lang)
    k = "network.expert_review"
    cb = ds.codebook
    fb = fbk.current_feedback(ds)
    cov = fbk.review_coverage(ds)
    tam = current_tambons(ds).set_index("tambon_id")

    def who(tid: str) -> Markup:
        return _linked(ds, tam.loc[tid].to_dict() | {"tambon_id": tid}, lang, link_base)

    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    reviewers = {r for r in fb["reviewer"] if r}
    if fb.empty:
        parts.append(tag("p", tag("strong", t("feedback.none", lang))))
    else:
        parts.append(note(t(f"{k}.summary", lang, n=len(fb), reviewers=len(reviewers), reviewed=cov.n_reviewed,
                            tambons=cov.n_tambons, share=pct(cov.reviewed_share))))
    orphans = fbk.orphan_feedback(ds)
    if not orphans.empty:
        parts.append(note(t(f"{k}.orphans", lang, n=len(orphans),
                            ids=", ".join(dict.fromkeys(orphans["tambon_id"]))), "sii-muted"))
    data: dict[str, object] = {"feedback": fb, "coverage": cov.tambons}

    if not fb.empty:
        # by pillar: counts, then the suggestions themselves
        by_pillar = fbk.suggestions_by_pillar(ds)
        priorities = fbk.priority_codes(ds)
        parts.append(heading(t(f"{k}.by_pillar", lang), 3))
        columns = [cb.review.columns["pillar"].text(lang), t(f"{k}.suggestions", lang), t("common.tambons", lang),
                   t(f"{k}.reviewers", lang), *(fbk.priority_label(ds, p, lang) for p in priorities),
                   t("feedback.unset", lang)]
        rows = [[fbk.pillar_label(ds, r["pillar"], lang), r["suggestions"], r["tambons"], r["reviewers"],
                 *(r[p] for p in priorities), r["unset"]] for r in by_pillar.to_dict("records")]
        parts.append(table(columns, rows, num_cols=range(1, len(columns))))
        detail_cols = [t("common.place", lang), cb.review.columns["priority"].text(lang), t(f"{k}.suggestion", lang),
                       cb.review.columns["reviewer"].text(lang)]
        for pillar in fbk.pillar_codes(ds):
            part = fb[fb["pillar"] == pillar]
            if part.empty:
                continue
            label = fbk.pillar_label(ds, pillar, lang)
            shown = part.head(SUGGESTIONS_SHOWN)  # the rest are in each tambon's report
            body = table(detail_cols, [
                [who(r["tambon_id"]), priority_tag(ds, r["priority"], lang), r["suggestion"],
                 r["reviewer"] or t("feedback.anonymous", lang)] for r in shown.to_dict("records")])
            if len(part) > len(shown):
                body = Markup(body + note(t("at_scale.more_suggestions", lang, n=len(part) - len(shown))))
            parts.append(tag("details", Markup(tag("summary", t(f"{k}.show_all", lang, pillar=label, n=len(part)))
                                               + body)))
        data["by_pillar"] = by_pillar

        # by theme
        themes = fbk.suggestion_theme_counts(ds)
        shown = themes[themes["suggestions"] > 0].sort_values(["tambons", "suggestions"], ascending=False,
                                                              kind="stable")
        parts.append(heading(t(f"{k}.by_theme", lang), 3))
        if shown.empty:
            parts.append(note(t(f"{k}.no_theme", lang), "sii-muted"))
        else:
            label_col = "theme_en" if lang == "en" else "theme_th"
            parts.append(table(
                [t(f"{k}.theme", lang), t("common.tambons", lang), t(f"{k}.theme_share", lang),
                 t(f"{k}.suggestions", lang)],
                [[r[label_col], r["tambons"], pct(r["tambon_share"]), r["suggestions"]]
                 for r in shown.to_dict("records")], num_cols=(1, 2, 3)))
        data["themes"] = themes

        # the most urgent
        urgent = fbk.urgent_tambons(ds, top)
        parts.append(heading(t(f"{k}.urgent", lang), 3))
        if urgent.empty:
            parts.append(note(t(f"{k}.no_urgent", lang), "sii-muted"))
        else:
            high, medium = (fbk.priority_label(ds, p, lang) for p in priorities[:2])
            parts.append(note(t(f"{k}.urgent_note", lang, high=high, medium=medium)))
            parts.append(table(
                [t("common.rank", lang), t("common.place", lang),
                 *(fbk.priority_label(ds, p, lang) for p in priorities),
                 t(f"{k}.suggestions", lang), t(f"{k}.high_pillars", lang)],
                [[r["rank"], who(r["tambon_id"]), *(r[p] for p in priorities), r["suggestions"],
                  ", ".join(fbk.pillar_label(ds, p, lang) for p in r["high_pillars"].split(",") if p)]
                 for r in urgent.to_dict("records")], num_cols=(0, *range(2, 3 + len(priorities)))))
        data["urgent"] = urgent

    # coverage, per province
    frame = coverage_frame(ds, lang)
    parts.append(heading(t(f"{k}.coverage", lang), 3))
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        total = i == len(frame) - 1
        lacking: object = "" if total else capped((who(tid) for tid in r["lacking"]), len(r["lacking"]), lang,
                                                  shown=names_per_province(cov.n_tambons))
        rows.append([r["province"], r["tambons"], r["reviewed"], pct(r["share"]), r["complete"], lacking])
    parts.append(table([t("common.province", lang), t("common.tambons", lang), t(f"{k}.reviewed", lang),
                        t("common.share", lang), t(f"{k}.complete", lang), t(f"{k}.lacking", lang)],
                       rows, num_cols=(1, 2, 3, 4), total_rows=[len(rows) - 1]))
    if not cov.unreviewed:
        parts.append(note(t(f"{k}.all_reviewed", lang)))
    data["coverage_by_province"] = frame
    return Section(k, t(f"{k}.title", lang), parts, data=data)


# --- 9. quality summary ---------------------------------------------------------------------


def quality_summary(ds: Dataset, lang: str = "th") -> Section:
    """Problems by severity and kind, files with errors, unresolved tambons, in a reader's
    words (``sections.problems``); the problem codes and messages in notes for staff."""
    check_lang(lang)
    k = "network.quality_summary"
    qn = "tambon.quality_notes"
    p = ds.problems
    parts: list[object] = [explain(t(f"{k}.explain", lang)), heading(t(f"{k}.by_code", lang), 3)]
    by_code = problem_counts(ds)
    if by_code.empty:
        parts.append(tag("p", tag("strong", t(f"{qn}.none", lang))))
    else:
        parts.append(table(
            [t(f"{qn}.severity", lang), t(f"{qn}.meaning", lang), t("common.count", lang)],
            [[severity_tag(r.severity, lang), problem_text(r.code, lang), r.count] for r in by_code.itertuples()]
            + [["", t("common.total", lang), len(p)]],
            num_cols=(2,), total_rows=[len(by_code)]))
        parts.append(staff_note(table([t("problem_staff.code", lang), t("common.count", lang)],
                                      [[r.code, r.count] for r in by_code.itertuples()], num_cols=(1,)), lang))

    parts.append(heading(t(f"{k}.error_files", lang), 3))
    errors = error_problems(ds)
    if errors.empty:
        parts.append(note(t(f"{k}.no_error_files", lang), "sii-muted"))
    else:
        parts.append(problems_table(ds, errors, lang, columns=("file", "where", "sentence")))

    parts.append(heading(t(f"{k}.unresolved", lang), 3))
    unresolved = unresolved_tambons(ds)
    if unresolved.empty:
        parts.append(note(t(f"{k}.no_unresolved", lang), "sii-muted"))
    else:
        rows, why_all = [], []
        for r in unresolved.to_dict("records"):
            why = resolution_problems(p[p["tambon_id"] == r["tambon_id"]])
            why_all.append(why)
            reason = "\n".join(reader_problems(ds, why, lang)["sentence"])
            rows.append([r["tambon_id"], short_name(ds, r, lang), r["source_file"], reason or t("common.none", lang)])
        parts.append(table([t("common.code", lang), t("common.place", lang), t(f"{qn}.file", lang),
                            t(f"{k}.reason", lang)], rows))
        parts.append(staff_problems(pd.concat(why_all, ignore_index=True), lang))
    return Section(k, t(f"{k}.title", lang), parts, data={"by_code": by_code, "errors": errors,
                                                           "unresolved": unresolved})


# --- 10. report links -------------------------------------------------------------------------


def report_links(ds: Dataset, lang: str = "th", link_base: str = LINK_BASE) -> Section:
    """Links to every tambon report, grouped by province: ``<a href="{link_base}{id}.html">``.
    An id that is neither a DOPA code nor ``u-`` + 10 hex digits gets no link.

    A network larger than one page holds (``at_scale.one_page``) gets one line per province
    instead, linking the index's page of that province (``province/<key>.html`` beside this
    report, written by the batch) with its count and median coverage; ``data["links"]``
    still lists every tambon's link."""
    check_lang(lang)
    k = "network.report_links"
    overall = tambon_scores(ds).set_index("tambon_id")["overall_outcome_coverage"]
    groups = tambons_by_province(ds, lang)
    if not one_page(sum(len(m) for _, m in groups)):
        return _report_links_by_province(ds, groups, overall, lang, link_base)
    parts: list[object] = [explain(t(f"{k}.explain", lang))]
    links = []
    for province, members in groups:
        items = []
        for r in members:
            href = tambon_href(r["tambon_id"], link_base)
            name = r["name"]
            score = f" ({pct(overall.get(r['tambon_id']))})"
            if href:
                items.append(Markup(link(href, name) + esc(score)))
            else:
                items.append(Markup(esc(name + score) + " " + tag("span", t(f"{k}.no_link", lang), cls="sii-muted")))
            links.append({"province": province, "tambon_id": r["tambon_id"], "href": href})
        parts.append(heading(f"{province} ({len(members)})", 3))
        parts.append(tag("ul", join(tag("li", i) for i in items), cls="sii-list"))
    return Section(k, t(f"{k}.title", lang), parts, data={"links": pd.DataFrame(links)})


def _report_links_by_province(ds: Dataset, groups: list, overall: pd.Series, lang: str,
                              link_base: str) -> Section:
    """``report_links`` of a large network: one linked line per province (its page in the index)."""
    k = "network.report_links"
    unknown = t("common.unknown_province", lang)
    n = sum(len(m) for _, m in groups)
    items, links = [], []
    for province, members in groups:
        href = province_href(province_key(province, members, unknown))
        median = overall.reindex([r["tambon_id"] for r in members]).median()
        items.append(Markup(link(href, province) + esc(" (" + t("at_scale.province_line", lang, n=len(members),
                                                                  median=pct(median)) + ")")))
        links += [{"province": province, "tambon_id": r["tambon_id"], "href": tambon_href(r["tambon_id"], link_base),
                   "province_href": href} for r in members]
    return Section(k, t(f"{k}.title", lang), [
        explain(t("at_scale.links_by_province", lang, n=n)),
        tag("ul", join(tag("li", i) for i in items), cls="sii-list"),
    ], data={"links": pd.DataFrame(links)})
