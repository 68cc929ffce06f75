"""The tambon report's progress section on hand-built two-round networks (tests/rounds_data):
outcomes gained, lost and unchanged, score changes, a tambon new in round 2 and one missing
from it, last round's plans beside this round's achievements, the suggestion match hint,
and data of one round."""

from __future__ import annotations

import math

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.progress import match_hint, progress_facts
from siianalysis.sections import html as h
from siianalysis.sections.progress import points, progress, round_label
from siianalysis.words import t
from tests.rounds_data import GROWS, JOINS, LEAVES, SAME, XSS, build


def status(facts) -> dict[str, set[str]]:
    return {s: set(g["outcome_code"]) for s, g in facts.outcomes.groupby("status")}


def test_gained_lost_and_kept_outcomes():
    f = progress_facts(build(), GROWS)
    assert (f.previous, f.current, f.rounds) == ("2563", "2564", ["2563", "2564"])
    got = status(f)
    assert got["gained"] == {"PC3", "MC2"} and got["lost"] == {"DC2"}
    assert got["kept"] == {"PC1", "PC2", "MC1", "DC1"} and "not_comparable" not in got


def test_an_unchanged_tambon_gains_and_loses_nothing():
    f = progress_facts(build(), SAME)
    got = status(f)
    assert "gained" not in got and "lost" not in got and got["kept"] == {"PC1", "MC1", "DC1"}
    assert (f.changes[["outcome_coverage_change", "tick_rate_change"]] == 0).all().all()


def test_score_changes_per_pillar():
    f = progress_facts(build(), GROWS)
    ch = f.changes.set_index("pillar")
    assert math.isclose(ch.loc["people", "outcome_coverage_before"], 2 / 5)
    assert math.isclose(ch.loc["people", "outcome_coverage_after"], 3 / 5)
    assert math.isclose(ch.loc["data", "outcome_coverage_change"], -1 / 5)
    # depth: people 2563 2 ticks of 5 cells; 2564 4 ticks of 10 cells (two rows)
    assert math.isclose(ch.loc["people", "tick_rate_before"], 0.4) and math.isclose(
        ch.loc["people", "tick_rate_after"], 0.4)
    assert math.isclose(ch.loc["overall", "outcome_coverage_after"], (3 / 5 + 2 / 7 + 1 / 5) / 3)
    assert list(f.scores["round"].unique()) == ["2563", "2564"]


def test_a_table_sent_in_one_round_only_is_not_compared():
    ticks = {(GROWS, "2563"): {"people": {"P1": ["PC1"]}, "data": {"D1": ["DC1"]}},
             (GROWS, "2564"): {"people": {"P1": ["PC1"]}, "mechanism": {"M1": ["MC1"]}}}
    f = progress_facts(build(ticks=ticks, texts=[], feedback=[]), GROWS)
    got = status(f)
    assert got["not_comparable"] == {f"MC{i}" for i in range(1, 8)} | {f"DC{i}" for i in range(1, 6)}
    assert "lost" not in got and "gained" not in got  # DC1 not sent in 2564 is no loss
    ch = f.changes.set_index("pillar")
    assert math.isnan(ch.loc["data", "outcome_coverage_change"]) and math.isnan(
        ch.loc["mechanism", "outcome_coverage_change"])


def test_a_tambon_new_in_round_two_and_one_missing_from_it_have_one_line():
    ds = build()
    assert progress_facts(ds, JOINS) is None and progress_facts(ds, LEAVES) is None
    for tid, only in ((JOINS, "2564"), (LEAVES, "2563")):
        section = progress(ds, tid)
        assert section.data == {"facts": None}
        assert str(h.esc(t("progress.first_round", "th", round=round_label(only, "th"),
                           rounds="ปี 2563, ปี 2564"))) in str(section)
        assert "<table" not in str(section)


def test_plans_beside_achievements_and_methods():
    f = progress_facts(build(), GROWS)
    people = f.plans.set_index("pillar").loc["people"]
    assert [x for _, x in people["plans"]][0] == "จัดค่ายพัฒนาแกนนำเยาวชน และตั้งสภาเด็กและเยาวชนตำบล"
    assert [x for _, x in people["achievements"]] == ["จัดค่ายพัฒนาแกนนำเยาวชนแล้ว 2 รุ่น มีสภาเด็กและเยาวชนตำบล"]
    assert people["methods"] == [("P1 คนต้นแบบ", "ค่ายเยาวชน ระบบพี่เลี้ยง")]
    mechanism = f.plans.set_index("pillar").loc["mechanism"]
    assert mechanism["plans"] == [] and mechanism["methods"] == [("M1 กลุ่มคน/องค์กร/การรวมตัว", "คณะทำงานขับเคลื่อนตำบล")]
    # this round's plan is not last round's: it is not among the plans shown
    assert all("ขยายเครือข่ายผู้นำรุ่นใหม่" not in x for _, x in people["plans"])
    html = str(progress(build(), GROWS))
    assert "จัดค่ายพัฒนาแกนนำเยาวชนแล้ว 2 รุ่น" in html and "คณะทำงานขับเคลื่อนตำบล" in html
    assert XSS not in html and h.esc(XSS) in html  # team text escaped
    assert "081-234-5678" not in html  # and masked


def test_the_match_hint_counts_the_suggestions_words_in_this_rounds_texts():
    f = progress_facts(build(), GROWS)
    # only last round's suggestions (2563), not this round's
    assert list(f.suggestions["pillar"]) == ["people", "data"]
    people, data = f.suggestions.to_dict("records")
    assert people["match"] == 1.0 and set(people["found"]) == {"สภาเด็กและเยาวชนตำบล", "ค่าย", "แกนนำเยาวชน"}
    assert data["match"] == 0.0 and data["found"] == [] and data["words"] == 3
    share, found, words = match_hint("ใช้ข้อมูล TCNAP ทำแผนตำบล", ["เราทำแผนตำบลด้วยข้อมูล TCNAP"])
    assert 0 < share <= 1 and "tcnap" in found and words >= 2
    assert math.isnan(match_hint("TCNAP", ["TCNAP"])[0])  # one word says nothing
    html = str(progress(build(), GROWS))
    assert str(h.esc(t("progress.found", "th"))) in html
    assert str(h.esc(t("progress.found_share", "th", found=0, total=3))) in html


def test_no_review_last_round_is_said():
    f = progress(build(feedback=[]), GROWS)
    assert str(h.esc(t("progress.no_review", "th", previous="ปี 2563"))) in str(f)


def test_earlier_rounds_scores_stay_on_the_page_with_three_rounds():
    ticks = {(GROWS, "2562"): {"people": {"P1": ["PC1"]}}, **{k: v for k, v in build.__defaults__[0].items()
                                                             if k[0] == GROWS}}
    ds = build(ticks=ticks)
    html = str(progress(ds, GROWS, "en"))
    assert t("progress.history_title", "en") in html
    assert all(round_label(r, "en") in html for r in ("2562", "2563", "2564"))
    assert html.count(f">{t('progress.not_sent', 'en')}<") == 2  # mechanism and data in 2562


def test_data_of_one_round_shows_nothing():
    ds = build()
    one = Dataset.from_frames(*(getattr(ds.in_round("2564"), n) for n in ("tambons", "rows", "ticks", "texts")))
    assert one.rounds == ["2564"]
    assert str(progress(one, GROWS)) == ""


def test_words_of_rounds_and_points():
    assert (round_label("2567"), round_label("r2", "en"), round_label("", "en")) == (
        "ปี 2567", "Round 2", t("progress.round.none", "en"))
    assert points(0.2, "en") == "+20.0 pts" and points(-0.05, "th") == "−5.0 จุด" and points(float("nan"), "th") == "-"
    assert isinstance(progress_facts(build(), GROWS).scores, pd.DataFrame)
