"""Plots return Figures, leak no state, and render Thai without missing glyphs."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from siianalysis.analysis import (
    data_steps_dropoff,
    heatmap_rows_outcomes,
    network_outcome_share,
    row_outcome_share_heatmap,
    score_distribution,
    sii_profile,
)
from siianalysis.analysis.plots import wrap
from tests.test_analysis_data import T1, T3, example_dataset


@pytest.fixture(scope="module")
def ds():
    return example_dataset()


CALLS = {
    "heatmap": lambda ds, lang: heatmap_rows_outcomes(ds, T1, "people", lang=lang),
    "heatmap_other_data": lambda ds, lang: heatmap_rows_outcomes(ds, T1, "data", lang=lang),
    "heatmap_missing": lambda ds, lang: heatmap_rows_outcomes(ds, T3, "people", lang=lang),
    "sii_profile": lambda ds, lang: sii_profile(ds, T1, lang=lang),
    "network_outcome_share": lambda ds, lang: network_outcome_share(ds, "mechanism", lang=lang),
    "row_outcome_share": lambda ds, lang: row_outcome_share_heatmap(ds, "people", lang=lang),
    "distribution": lambda ds, lang: score_distribution(ds, lang=lang),
    "histogram": lambda ds, lang: score_distribution(ds, "lens_innovation", by_province=False, lang=lang),
    "dropoff": lambda ds, lang: data_steps_dropoff(ds, lang=lang),
}


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("name", list(CALLS))
def test_plot_returns_figure_without_leaks_or_missing_glyphs(ds, name, lang):
    import matplotlib.pyplot as plt

    rc_before = dict(matplotlib.rcParams)
    open_before = plt.get_fignums()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = CALLS[name](ds, lang)
        assert isinstance(fig, Figure)
        FigureCanvasAgg(fig).draw()  # drawn after the plot's rc_context has ended
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert plt.get_fignums() == open_before  # nothing registered with pyplot
    assert dict(matplotlib.rcParams) == rc_before  # no global rcParams change
    assert texts_of(fig)


def test_heatmap_cells_and_labels(ds):
    fig = heatmap_rows_outcomes(ds, T1, "people")
    ax = fig.axes[0]
    # rows P1, P2, P6 × PC1..PC5; P1 {PC1, PC2}, P2 {PC2}, P6 {PC5}
    expected = np.array([[1, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels[0] == "P1 คนต้นแบบ"
    assert ylabels[2] == "P6 กลุ่มผู้สูงอายุ"  # the team's own label
    xlabels = [t.get_text() for t in ax.get_xticklabels()]
    assert xlabels[0].startswith("PC1\n")
    assert sum(t == "✓" for t in texts_of(fig)) == 4
    en = heatmap_rows_outcomes(ds, T1, "people", lang="en").axes[0]
    assert [t.get_text() for t in en.get_yticklabels()][:2] == ["P1 Role models", "P2 Change leaders"]


def test_heatmap_of_a_missing_table_says_so(ds):
    fig = heatmap_rows_outcomes(ds, T3, "people")
    assert "ไม่ได้รายงานตารางนี้" in texts_of(fig)


def test_network_outcome_share_numbers(ds):
    fig = network_outcome_share(ds, "mechanism", lang="en")
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    # over the 3 tambons that sent the mechanism table (T4 did not: issue 11)
    # MC1: T1 and T3 of 3; MC3: T3 only; MC7: T2 and T3
    assert widths[0] == pytest.approx(2 / 3) and widths[2] == pytest.approx(1 / 3)
    assert widths[6] == pytest.approx(2 / 3)
    assert "N = 3" in ax.get_title()


def test_row_outcome_share_values(ds):
    fig = row_outcome_share_heatmap(ds, "people")
    data = np.ma.filled(fig.axes[0].images[0].get_array(), np.nan)
    # P1 reported by T1, T2: PC1 ticked by T1 only -> 0.5
    assert data[0, 0] == 0.5
    # P4 reported by T2, T4: PC3 ticked by T4 -> 0.5
    assert data[3, 2] == 0.5
    # the pooled "other" line: only T1 (P6), which ticked PC5 -> 1.0
    assert data[5, 4] == 1.0


def test_dropoff_values(ds):
    fig = data_steps_dropoff(ds)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    # over the 3 tambons that sent the data table (T2 did not: issue 11)
    # D1 reported by T1, T3, T4 of 3; D2 by T3 only
    assert heights[:2] == pytest.approx([1.0, 1 / 3])
    ticked = ax.lines[0].get_ydata()
    # D1 ticked by T1 and T4 -> 2/3; D2 none; D3 T1; D5 T3
    assert list(ticked) == pytest.approx([2 / 3, 0.0, 1 / 3, 0.0, 1 / 3])


def test_bad_arguments(ds):
    with pytest.raises(ValueError):
        heatmap_rows_outcomes(ds, T1, "summary")
    with pytest.raises(ValueError):
        sii_profile(ds, T1, lang="fr")
    with pytest.raises(KeyError):
        sii_profile(ds, "123456")
    with pytest.raises(KeyError):
        score_distribution(ds, "nope")


def test_wrap_breaks_thai_between_words():
    text = "การนำใช้ข้อมูลเพื่อการจัดการปัญหาและความต้องการของชุมชน"
    lines = wrap(text, 18).split("\n")
    assert len(lines) > 1 and "".join(lines) == text
    assert wrap("short", 18) == "short"
    assert wrap("Use the data on the community's problems", 18).split("\n")[0] == "Use the data on"
