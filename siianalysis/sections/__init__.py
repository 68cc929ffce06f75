"""The report sections: what the notebooks show, as tested library functions.

A report notebook is a parameters cell, a load cell and one short cell per
section::

    import siianalysis as sii
    from siianalysis import sections
    ds = sii.load(sii.resolve_processed_dir(processed_dir))
    sections.style()
    sections.tambon.header(ds, tambon_id, lang)
    sections.tambon.scorecard(ds, tambon_id, lang)

Each section function returns a ``Section``: Jupyter displays it as HTML (a
heading, a plain-language explanation, tables, figures as inline PNG), ``str()``
gives the HTML, ``.data`` the frames it showed. Words come from
``data/report_text.yaml`` in the report's language (``lang="th"`` or ``"en"``);
labels of tables, rows, outcomes and lenses from the codebook. All worksheet
text is HTML-escaped.

- ``tambon``   sections of one tambon's report (``fn(ds, tambon_id, lang="th")``)
- ``network``  sections of the network report (``fn(ds, lang="th")``)
- ``summary``  the "summary first" boxes at the top of both reports
               (``summary.tambon_summary(ds, tambon_id, lang)``, ``summary.network_summary(ds, lang)``)
- ``notes``    what a team wrote outside its tables (``notes.outside_tables(ds, tambon_id, lang)``)
- ``progress`` what changed since a tambon's last round (``progress.progress(ds, tambon_id, lang)``)
- ``trends``   the network round by round (``trends.trends(ds, lang)``)
- ``feedback`` the experts' suggestions beside the team's plans (shared by both reports
               and the workshop's compiled pages)
- ``snapshot`` the line saying which network a tambon page compares with
               (``snapshot.compared_with(ds, tambon_id, lang)``)
- ``html``     the shared helpers (escaping, tables, figures, links, the style sheet)

Every table and figure comes from ``siianalysis.analysis``; every word from
``siianalysis.words``. A section only assembles them as HTML.

The section modules are imported on first use, so importing this package does
not pull in matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .html import HTMLBlock, Section, style

__all__ = ["HTMLBlock", "Section", "feedback", "network", "notes", "progress", "style", "summary", "tambon",
           "trends", "snapshot"]

_SUBMODULES = ("tambon", "network", "summary", "feedback", "notes", "progress", "trends", "html", "snapshot")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))


if TYPE_CHECKING:  # for type checkers and IDEs only
    from . import feedback, html, network, notes, progress, snapshot, summary, tambon, trends  # noqa: F401
