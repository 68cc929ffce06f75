"""The analysis library on what the pipeline really writes: sample worksheets →
``normalise`` → ``load`` → scores, gaps, themes and every plot."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from siianalysis.analysis import (
    data_steps_dropoff,
    gap_peers,
    heatmap_rows_outcomes,
    load,
    network_outcome_share,
    positions,
    row_outcome_share_heatmap,
    score_distribution,
    sii_profile,
    strengths_and_gaps,
    tag_themes,
    tambon_scores,
    theme_counts,
    top_terms,
)


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    from siianalysis.normalise import normalise
    from siianalysis.sample import MIN_TAMBONS, generate_sample

    root = tmp_path_factory.mktemp("pipeline")
    generate_sample(root / "raw", n_tambons=MIN_TAMBONS, seed=7)
    normalise(root / "raw", root / "processed", jobs=1, progress=False)
    return load(root / "processed")


def test_scores_on_processed_data(ds):
    scores = tambon_scores(ds)
    assert len(scores) == len(ds.tambons) > 10
    assert scores["tambon_id"].str.match(r"^(\d{6}|u-[0-9a-f]+)$").all()
    for col in ("people_reporting_rate", "data_tick_rate", "overall_outcome_coverage", "lens_innovation"):
        assert scores[col].dropna().between(0, 1).all(), col
    # a table not sent has no score (issue 11), every other one has
    assert (scores["data_tick_rate"].isna() == ~scores["data_submitted"].astype(bool)).all()
    pos = positions(scores)
    assert pos["network_percentile"].between(0, 100).all()
    assert pos["network_percentile"].mean() == pytest.approx(50.0)  # mid-rank property


def test_gaps_themes_and_terms_on_processed_data(ds):
    tid = ds.tambon_ids[0]
    sg = strengths_and_gaps(ds, tid)
    assert len(sg) == 17
    peers = gap_peers(ds, tid, n=2)
    assert (peers.groupby("outcome_code")["peer_id"].nunique() <= 2).all()
    assert set(peers["proximity"]) <= {"amphoe", "province", "network"}
    assert not top_terms(ds.texts).empty
    counts = theme_counts(tag_themes(ds.texts))
    assert counts["tambons"].sum() > 0


def test_every_plot_on_processed_data(ds):
    tid = ds.tambon_ids[0]
    figs = [
        heatmap_rows_outcomes(ds, tid, "people"),
        heatmap_rows_outcomes(ds, tid, "data", lang="en"),
        sii_profile(ds, tid),
        network_outcome_share(ds, "mechanism"),
        row_outcome_share_heatmap(ds, "data"),
        score_distribution(ds),
        data_steps_dropoff(ds),
    ]
    for fig in figs:
        FigureCanvasAgg(fig).draw()
