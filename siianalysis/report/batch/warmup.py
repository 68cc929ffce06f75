"""What a report kernel loads before its first report, so each report pays only for its cells.

The engine's warm kernels (``report.kernel``) import ``MODULES`` and call ``CALLS``
once, at kernel start, before they snapshot their state: the modules the report
notebooks import, then ``warm_up``, which loads what those modules load on first
use. A warm kernel is reset to that state before every report, so none of this
changes what a report shows (``tests/test_report_engine.py``).
"""

from __future__ import annotations

from siianalysis.report.kernel import DEFAULT_WARM_MODULES

MODULES: tuple[str, ...] = (
    *DEFAULT_WARM_MODULES,
    "siianalysis", "siianalysis.analysis", "siianalysis.analysis.plots", "siianalysis.analysis.thaitext",
    "siianalysis.sections", "siianalysis.sections.tambon", "siianalysis.sections.network",
)
CALLS: tuple[str, ...] = (f"{__name__}:warm_up",)


def warm_up() -> None:
    """In a report kernel: draw a small figure with the Thai font off pyplot (the font and
    its glyphs, the Agg renderer) and run the Thai tokenizer once (its dictionary), on the
    reports' own words."""
    # imported here: this runs in the kernel, and importing this module must stay light
    import io

    import matplotlib
    from matplotlib.figure import Figure

    from siianalysis.analysis.fonts import thai_rc
    from siianalysis.analysis.thaitext import tokenize
    from siianalysis.words import t

    words = t("common.place")
    with matplotlib.rc_context(thai_rc()):
        fig = Figure(figsize=(2, 1), dpi=50)  # a bare Figure: no pyplot figure number used up
        ax = fig.subplots()
        ax.bar([0, 1], [1, 2])
        ax.set_title(f"{words} ✓ 0.5")
        fig.savefig(io.BytesIO(), format="png")
    tokenize(words)
