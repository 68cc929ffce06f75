"""Batch rendering of the report notebooks to self-contained HTML.

- ``render_report``: one notebook → executed ``.ipynb`` + HTML (``render``);
- ``build_reports``: the network report and every tambon report, in parallel,
  skipping unchanged ones, then ``index.html`` (``batch``, ``manifest``, ``index``).

Imports are lazy: papermill and nbconvert load only when a report is rendered.
"""

from __future__ import annotations

__all__ = [
    "BatchResult", "RenderResult", "RenderTask", "ReportInputError", "UnknownTambonError",
    "build_reports", "render_report", "run_task",
]

_WHERE = {
    "RenderResult": "render", "render_report": "render",
    "BatchResult": "batch", "RenderTask": "batch", "ReportInputError": "batch",
    "UnknownTambonError": "batch", "build_reports": "batch", "run_task": "batch",
}


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"siianalysis.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'siianalysis.report' has no attribute {name!r}")
