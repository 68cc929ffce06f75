"""Batch rendering of the report notebooks to self-contained HTML.

- ``render_report``: one notebook → executed ``.ipynb`` + HTML (``render``);
- ``build_reports``: the network report and every tambon report, in parallel,
  skipping unchanged ones, then ``index.html`` (``batch``, ``manifest``, ``index``);
- warm kernels reused across reports and reset in between (``kernel``,
  ``kernel_state``), smaller inline figures (``images``), outputs to a folder or
  an fsspec URL (``storage``), dask.distributed clusters (``cluster``).

``build_reports`` keyword arguments for speed and scale: ``jobs``,
``fresh_kernel`` (a new kernel per report instead of a warm one),
``reuse_kernel_reports`` (restart a warm kernel after N reports),
``scheduler`` (``"tcp://host:port"``, ``"local"`` or a ``distributed.Client``),
``warm_modules`` and ``compact_images``.

Imports are lazy: papermill and nbconvert load only when a report is rendered.
"""

from __future__ import annotations

__all__ = [
    "BatchInterrupted", "BatchResult", "KernelOptions", "RenderResult", "RenderTask", "ReportInputError",
    "UnknownTambonError", "WarmKernel", "build_reports", "render_report", "run_task", "shutdown_kernels",
]

_WHERE = {
    "RenderResult": "render", "render_report": "render",
    "BatchInterrupted": "batch", "BatchResult": "batch", "RenderTask": "batch", "ReportInputError": "batch",
    "UnknownTambonError": "batch", "build_reports": "batch", "run_task": "batch",
    "KernelOptions": "kernel", "WarmKernel": "kernel", "shutdown_kernels": "kernel",
}


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"siianalysis.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'siianalysis.report' has no attribute {name!r}")
