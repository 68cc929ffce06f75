"""Issue 14, the network report at the size of the country: its network-wide tables are
computed once per Dataset, and the frequent words of a network larger than
``TERMS_SAMPLE`` tambons are counted in a fixed draw of them that the page states.
Speed is measured by the benchmark (``bench/large.py --network``), not here."""

from __future__ import annotations

import pandas as pd
import pytest

from siianalysis import sections
from siianalysis.analysis import Dataset, feedback, network
from siianalysis.analysis.places import short_name, thai_sorted
from siianalysis.analysis.thaitext import top_terms
from tests.test_analysis_data import example_dataset
from tests.test_network_scale import N_BIG, big_frames


@pytest.fixture(scope="module")
def frames():
    return big_frames()


@pytest.fixture(scope="module")
def big(frames):
    return Dataset.from_frames(**frames)


def test_the_draw_of_tambons_for_the_words_is_fixed_and_keeps_its_members(big, frames):
    draw = network.terms_sample(big, 100)
    assert len(draw) == 100 and draw <= set(big.tambon_ids)
    assert network.terms_sample(big, N_BIG) is None and network.terms_sample(big, None) is None
    # the same draw whatever the order of the files
    backwards = Dataset.from_frames(**{name: df.iloc[::-1].reset_index(drop=True) for name, df in frames.items()})
    assert network.terms_sample(backwards, 100) == draw
    # tambons outside the draw leave (or join) the network: the draw keeps its tambons
    gone = [tid for tid in big.tambon_ids if tid not in draw][:300]
    smaller = Dataset.from_frames(**{name: df[~df["tambon_id"].isin(gone)] for name, df in frames.items()})
    assert network.terms_sample(smaller, 100) == draw


def test_the_words_of_a_large_network_are_those_of_the_draw_and_the_page_says_so(big):
    draw = network.terms_sample(big, 100)
    terms = network.table_terms(big, 5, sample=100)
    texts = big.texts[big.texts["tambon_id"].isin(draw)]
    expected = top_terms(texts, by="table", n=5)
    pd.testing.assert_frame_equal(terms, expected)
    assert terms.attrs["tambons_read"] == 100 and terms.attrs["tambons_total"] == N_BIG
    assert terms["tambons"].max() <= 100

    html = sections.network.themes_terms(big, "en", terms_sample=100)._repr_html_()
    assert "counted in the texts of 100 tambons drawn at random" in html and f"has {N_BIG} tambons" in html
    # every tambon read (the default bound is not passed): no such note
    for whole in (sections.network.themes_terms(big, "en", terms_sample=None),
                  sections.network.themes_terms(big, "en")):
        assert "drawn at random" not in whole._repr_html_()
    assert network.table_terms(big, 5, sample=None).attrs["tambons_read"] == N_BIG


def test_the_network_report_computes_its_network_wide_tables_once(big, monkeypatch):
    ds = Dataset.from_frames(big.tambons, big.rows, big.ticks, big.texts, big.problems)  # a fresh memo
    calls: list[str] = []
    real = feedback._review_coverage
    monkeypatch.setattr(feedback, "_review_coverage", lambda d: (calls.append("coverage"), real(d))[1])
    for section in (sections.summary.network_summary(ds, "th"), sections.network.expert_review(ds, "th")):
        section._repr_html_()
    assert calls == ["coverage"]  # the summary, the review section and its table per province share one
    # what a caller gets is its own copy: changing it changes nothing for the next caller
    first = network.overview_frame(ds, "th")
    first.loc[0, "tambons"] = -1
    assert network.overview_frame(ds, "th").loc[0, "tambons"] != -1
    cov = feedback.review_coverage(ds)
    cov.tambons.loc[0, "reviewed"] = True
    assert not feedback.review_coverage(ds).tambons.loc[0, "reviewed"]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_tambons_by_province_equal_a_sort_of_each_province(big, lang):
    for ds in (big, example_dataset()):
        prov = network.province_names(ds, lang).set_index("tambon_id")["province"]
        tam = network.current_tambons(ds)
        expected = []
        for province in thai_sorted(set(tam["tambon_id"].map(prov))):
            members = [r | {"name": short_name(ds, r, lang)} for r in tam.to_dict("records")
                       if prov[r["tambon_id"]] == province]
            order = {name: i for i, name in enumerate(thai_sorted({m["name"] for m in members}))}
            expected.append((province, sorted(members, key=lambda m: (order[m["name"]], m["tambon_id"]))))
        assert network.tambons_by_province(ds, lang) == expected
