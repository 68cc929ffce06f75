"""The network report's trends section on hand-built two-round networks (tests/rounds_data):
tambons per round, shares per outcome, pillar medians, who joined, left, improved most or
slipped (ties all shown), and data of one round."""

from __future__ import annotations

import math

from siianalysis.analysis import trends as tr
from siianalysis.analysis.dataset import Dataset
from siianalysis.sections import html as h
from siianalysis.sections.trends import trends
from siianalysis.words import t
from tests.rounds_data import GROWS, JOINS, LEAVES, SAME, TICKS, build


def test_tambons_and_medians_per_round():
    per = tr.round_table(build()).set_index("round")
    assert list(per.index) == ["2563", "2564"]
    assert per.loc["2563", "tambons"] == 3 and per.loc["2563", "joined"] == 3
    assert per.loc["2564", "tambons"] == 3 and per.loc["2564", "joined"] == 1  # JOINS
    # people coverage 2563: GROWS 2/5, SAME 1/5, LEAVES 4/5 -> median 2/5
    assert math.isclose(per.loc["2563", "people_median"], 2 / 5)
    # mechanism 2564: GROWS 2/7, SAME 1/7, JOINS 2/7 -> 2/7
    assert math.isclose(per.loc["2564", "mechanism_median"], 2 / 7)
    # data 2564: JOINS sent no data table: the median is over GROWS and SAME (1/5 each)
    assert math.isclose(per.loc["2564", "data_median"], 1 / 5)


def test_share_reaching_each_outcome_per_round():
    shares = tr.outcome_shares(build()).set_index("outcome_code")
    assert math.isclose(shares.loc["PC4", "2563"], 1 / 3) and shares.loc["PC4", "2564"] == 0
    assert math.isclose(shares.loc["MC3", "2564"], 1 / 3) and shares.loc["MC3", "2563"] == 0
    assert math.isclose(shares.loc["DC2", "2563"], 1 / 3) and shares.loc["DC2", "2564"] == 0  # 2 sent data in 2564


def test_joined_left_improved_and_slipped():
    m = tr.moves(build())
    assert list(m["joined"]["tambon_id"]) == [JOINS] and list(m["left"]["tambon_id"]) == [LEAVES]
    assert list(m["improved"]["tambon_id"]) == [GROWS]
    assert m["slipped"].empty  # SAME did not change: neither improved nor slipped
    assert set(m["changes"]["tambon_id"]) == {GROWS, SAME}


def test_ties_at_the_cut_are_all_shown_and_falls_are_listed():
    ids = [f"5001{i:02d}" for i in range(1, 8)]
    ticks = {}
    for i, tid in enumerate(ids):
        ticks[(tid, "2563")] = {"people": {"P1": ["PC1"]}}
        # three rise by 2 outcomes, three by 1 (tied at the cut of 2 shown), one falls
        after = ["PC1", "PC2", "PC3"] if i < 3 else ["PC1", "PC2"] if i < 6 else []
        ticks[(tid, "2564")] = {"people": {"P1": after}} if after else {"people": {"P2": []}}
    ds = build(ticks=ticks, texts=[], feedback=[])
    m = tr.moves(ds, shown=4)
    assert list(m["improved"]["tambon_id"]) == ids[:6]  # the fourth is tied with the fifth and sixth
    assert list(m["slipped"]["tambon_id"]) == [ids[6]]
    assert math.isclose(m["slipped"]["breadth_change"].iloc[0], -1 / 5)


def test_the_section_names_and_links_the_tambons():
    ds = build()
    section = trends(ds)
    html = str(section)
    for tid in (JOINS, LEAVES, GROWS):
        assert f'href="tambon/{tid}.html"' in html
    assert f'href="tambon/{SAME}.html"' not in html  # unchanged: not named
    assert str(h.esc(t("trends.joined", "th", round="ปี 2564", n=1))) in html
    assert str(h.esc(t("trends.left", "th", previous="ปี 2563", round="ปี 2564", n=1))) in html
    assert ">100.0%<" in html and "+4.8 จุด" in html
    assert "<script" not in html
    assert t("trends.title", "en") in str(trends(ds, "en", link_base=None)) and "href" not in str(
        trends(ds, "en", link_base=None))


def test_one_round_shows_nothing():
    one = {k: v for k, v in TICKS.items() if k[1] == "2563"}
    ds = build(ticks=one, texts=[], feedback=[])
    assert ds.rounds == ["2563"] and str(trends(ds)) == ""
    plain = Dataset.from_frames(ds.tambons.assign(round=""))
    assert str(trends(plain)) == ""
