"""The report sections: what the notebooks show, as tested library functions.

A report notebook is a parameters cell, a load cell and one short cell per
section::

    from siianalysis import sections
    from siianalysis.analysis import load
    ds = load(sections.resolve_processed_dir(processed_dir))
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
- ``html``     the shared helpers (escaping, tables, figures, report texts)

``tambon`` and ``network`` are imported on first use, so importing this
package does not pull in matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .html import HTMLBlock, Section, style, t

__all__ = ["HTMLBlock", "Section", "network", "resolve_processed_dir", "style", "t", "tambon"]

_SUBMODULES = ("tambon", "network", "html")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))


def resolve_processed_dir(processed_dir: str | Path) -> Path:
    """The processed-data folder a notebook means by ``processed_dir``.

    An absolute path, or a relative one that exists from the current directory,
    is taken as is. Otherwise a relative path is tried against the project
    folder (``siianalysis.config.project_root()``), and, with its leading
    ``../`` parts dropped, against it as well: the notebooks' default
    ``"../data/processed"`` is written from ``notebooks/``, but papermill may
    run them from anywhere. If nothing exists, the path is returned as given
    and ``load`` raises a clear ``FileNotFoundError``.
    """
    from siianalysis.config import project_root

    path = Path(processed_dir).expanduser()
    if path.is_absolute() or path.is_dir():
        return path
    parts = path.parts
    while parts and parts[0] in ("..", "."):
        parts = parts[1:]
    package_root = Path(__file__).resolve().parents[2]  # a source checkout: <repo>/siianalysis/sections
    candidates = [project_root() / path]
    if parts:
        candidates += [project_root() / Path(*parts), package_root / Path(*parts)]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return path


if TYPE_CHECKING:  # for type checkers and IDEs only
    from . import html, network, tambon  # noqa: F401
