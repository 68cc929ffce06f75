"""Output formats: a registry of exporters, each a file suffix and a converter.

A report is its notebook run once (the executed ``.ipynb`` is always kept beside
the document) and exported to a document whose suffix picks the exporter:
``render_report(nb, params, "out/x.html")`` uses the ``.html`` one. Built in:

- ``html`` (``.html``): the ``siireport`` template, a small self-contained page.

A second format is one new module in this package, registering itself; it is found
on the first look-up of a suffix no exporter has claimed yet (so nbconvert and the
like load only when a report is exported)::

    # siianalysis/report/exporters/pdf.py
    from siianalysis.report.exporters import Exporter, register

    def export(notebook, out, options, title):
        ...  # write the executed notebook node to the path ``out``

    register(Exporter(".pdf", export))

Then ``RenderOptions(format=".pdf")`` (or a path ending in ``.pdf``) makes PDFs, and a
batch names its documents ``tambon/<id>.pdf``. Which cells each audience sees is
shared by every format (the tag sets below).
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any, Callable

# Tags that remove a whole cell from the experts' document.
EXPERT_REMOVE_CELL_TAGS = frozenset({
    "remove_cell", "remove-cell", "hide", "hide-cell", "hide_cell",
    "parameters", "injected-parameters",
})
# Tags honoured in both audiences' documents.
REMOVE_CELL_TAGS = frozenset({"remove_cell", "remove-cell"})
REMOVE_INPUT_TAGS = frozenset({"remove_input", "remove-input", "hide-input", "hide_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output", "remove-output", "hide-output", "hide_output"})


class UnknownFormatError(ValueError):
    """No exporter is registered for a suffix."""


@dataclass(frozen=True)
class Exporter:
    """One output format.

    Args:
        suffix: the documents' file suffix, with its dot (``".html"``).
        export: ``export(notebook, out, options, title)`` writes the document ``out`` (a
            ``Path``) of the executed ``notebook`` (an nbformat node) for ``options`` (a
            ``RenderOptions``: audience, language, …) with ``title`` (``None``: the
            notebook's own or the file stem); it should write atomically.
        prepare: optional ``prepare(options)``: build what is slow once, ahead of the first
            report (a worker calls it while its kernel starts).
    """

    suffix: str
    export: Callable[[Any, Path, Any, str | None], None]
    prepare: Callable[[Any], None] | None = None


_REGISTRY: dict[str, Exporter] = {}
_LOADED: list[bool] = []  # the package's modules were imported once


def register(exporter: Exporter) -> Exporter:
    """Make ``exporter`` the one for its suffix (a later registration replaces an earlier one)."""
    if not exporter.suffix.startswith(".") or len(exporter.suffix) < 2:
        raise ValueError(f"an exporter's suffix starts with a dot, like '.html', not {exporter.suffix!r}")
    _REGISTRY[exporter.suffix.lower()] = exporter
    return exporter


def _load_package() -> None:
    """Import every module of this package once: each registers its format."""
    if not _LOADED:
        _LOADED.append(True)
        for info in pkgutil.iter_modules(__path__):
            import_module(f"{__name__}.{info.name}")


def get(suffix: str) -> Exporter:
    """The exporter for ``suffix`` (``".html"``; case does not matter); ``UnknownFormatError``
    names the formats there are."""
    key = suffix.lower()
    if key not in _REGISTRY:
        _load_package()
    if key not in _REGISTRY:
        raise UnknownFormatError(f"no exporter for {suffix!r} (formats: {', '.join(suffixes())})")
    return _REGISTRY[key]


def suffixes() -> tuple[str, ...]:
    """Every registered format's suffix, sorted."""
    _load_package()
    return tuple(sorted(_REGISTRY))
