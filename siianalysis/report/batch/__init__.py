"""The tambon and network reports, on top of the engine: what to render, and the site.

The engine (``siianalysis.report``) runs notebooks and exports documents and knows
nothing about tambons. This package knows the rest:

- ``plan``: the two notebooks, one report per tambon and one for the network, their
  keys, parameters, titles and places in the site (``tambon/<id>.html``), and the
  render tasks with their digests (``plan_reports``);
- ``tables``: the processed tables and what each report reads of them (its data digest);
- ``build``: ``build_reports``, the whole run: plan, skip the unchanged, run on the
  engine, record, prune, index (``BatchResult``, ``BatchInterrupted``);
- ``index``: ``index.html``, every report grouped by province with its status;
- ``warmup``: what a report kernel loads before its first report.

Names are imported on first use, so importing the package (as a report kernel does
for ``warmup``) loads nothing else.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "BatchInterrupted", "BatchResult", "Plan", "ReportInputError", "UnknownTambonError", "build_reports",
    "check_inputs", "plan_reports",
]

_WHERE = {
    "BatchInterrupted": "build", "BatchResult": "build", "build_reports": "build",
    "Plan": "plan", "ReportInputError": "plan", "UnknownTambonError": "plan", "check_inputs": "plan",
    "plan_reports": "plan",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs only
    from .build import BatchInterrupted, BatchResult, build_reports  # noqa: F401
    from .plan import Plan, ReportInputError, UnknownTambonError, check_inputs, plan_reports  # noqa: F401
