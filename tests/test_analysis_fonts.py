"""Every label the project can put on a chart renders with a real glyph.

matplotlib reports a character the font lacks with a warning
"Glyph NNNN (…) missing from font(s) …" (``warnings``) and font lookups that
fail are logged by ``matplotlib.font_manager``; both are caught here.
"""

from __future__ import annotations

import logging
import warnings

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from siianalysis.analysis import thai_font_family, thai_rc, use_thai_font
from siianalysis.analysis.fonts import FALLBACK, bundled_font_path
from siianalysis.analysis.thaitext import load_themes
from siianalysis.codebook import load_codebook
from siianalysis.words import texts

BAD = ("missing from font", "Glyph", "findfont")


def all_labels() -> list[str]:
    """Every text of the codebook, plus themes and the charts' own words."""
    cb = load_codebook()
    labels: list[str] = []

    def add(label) -> None:
        labels.extend(s for s in (label.th, label.en, label.seed_th, *label.aliases) if s)

    add(cb.outcomes_header)
    for label in cb.identity.values():
        add(label)
    for lens in cb.lenses:
        add(lens.label)
        add(lens.short)
    for t in cb.tables:
        add(t.title)
        add(t.label_column)
        for f in t.fields:
            add(f.label)
        for r in t.rows:
            add(r.label)
            if r.examples_th:
                labels.append(r.examples_th)
        for o in t.outcomes:
            add(o.label)
            add(o.short)
    for theme in load_themes():
        labels += [theme.th, theme.en]
    for lang in ("th", "en"):  # the charts' own words (report_text.yaml, figures.*)
        labels += [*texts("figures", lang).values(), *texts("figures.scores", lang).values()]
    labels += ["✓", "๐๑๒๓๔๕๖๗๘๙ ๒๗ ตุลาคม ๒๕๖๓", "0123456789 %", "ๆ ฯ"]
    return labels


def render(labels: list[str], rc: dict) -> list[str]:
    """Draws ``labels`` on an Agg canvas under ``rc``; returns warnings and log lines."""
    messages: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Catch(level=logging.WARNING)
    log = logging.getLogger("matplotlib")
    log.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(rc):
            warnings.simplefilter("always")
            fig = Figure(figsize=(12, 0.22 * len(labels)))
            for i, label in enumerate(labels):
                fig.text(0.01, 1 - (i + 0.5) / len(labels), label.replace("\n", " "), fontsize=8)
            ax = fig.add_axes((0.7, 0.0, 0.3, 0.05))
            ax.set_title(labels[0])
            FigureCanvasAgg(fig).draw()
        messages += [str(w.message) for w in caught]
    finally:
        log.removeHandler(handler)
    return messages


def test_every_label_renders_without_missing_glyphs():
    labels = all_labels()
    assert len(labels) > 150
    problems = [m for m in render(labels, thai_rc()) if any(b in m for b in BAD)]
    assert problems == []


def test_the_check_is_able_to_fail():
    # without the Thai font, DejaVu Sans lacks Thai: the same check must see it
    problems = [m for m in render(["ผู้นำการเปลี่ยนแปลง"], {"font.family": [FALLBACK]}) if "missing from font" in m]
    assert problems


def test_family_is_thai_then_dejavu_and_the_bundled_font_is_used_without_a_system_one():
    family = thai_rc()["font.family"]
    assert family[1] == FALLBACK and family[0] == thai_font_family()
    names = {f.name for f in matplotlib.font_manager.fontManager.ttflist}
    assert family[0] in names
    path = bundled_font_path()
    assert path is not None and path.is_file()
    # forcing the bundled font gives the name inside the TTF
    assert thai_font_family(prefer_system=False) == "Noto Sans Thai"


def test_use_thai_font_sets_rcparams_and_is_idempotent():
    with matplotlib.rc_context():
        before = len(matplotlib.font_manager.fontManager.ttflist)
        name = use_thai_font()
        assert matplotlib.rcParams["font.family"] == [name, FALLBACK]
        assert use_thai_font() == name
        assert matplotlib.rcParams["font.family"] == [name, FALLBACK]
        assert len(matplotlib.font_manager.fontManager.ttflist) == before  # not registered twice
    assert matplotlib.rcParams["font.family"] != [name, FALLBACK]  # the context restored it


@pytest.mark.parametrize("text", ["ผู้นำการเปลี่ยนแปลง", "4 องค์กรหลัก ✓ 100%"])
def test_variable_font_renders_default_instance(text):
    # the variable TTF is read as one face (regular) and draws Thai with ink
    fig = Figure(figsize=(3, 1))
    with matplotlib.rc_context({"font.family": [thai_font_family(prefer_system=False), FALLBACK]}):
        fig.text(0.05, 0.4, text, fontsize=14)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
    pixels = canvas.buffer_rgba()
    import numpy as np

    assert (np.asarray(pixels)[..., :3] < 128).any()  # something dark was drawn
