"""Report notebooks rendered to documents: an engine, and the tambon batch on top of it.

The engine knows nothing about tambons; one module per concern:

- ``options``: ``RenderOptions``, how a report is run and exported (one frozen object);
- ``render``: ``render_report``, one notebook → executed ``.ipynb`` + a document;
- ``exporters``: output formats by suffix (``.html`` built in: ``exporters/html.py``
  with ``template/`` and ``images``); a new format is one new module there;
- ``kernel``, ``kernel_state``: warm kernels reused across reports and reset in
  between; ``warm_engine``: the papermill engine that runs on them;
- ``tasks``: ``RenderTask`` (one report as plain data) and ``run_task``;
- ``execute``: many tasks in this process, a pool of workers or any executor;
  ``cluster``: on dask.distributed;
- ``storage``: a folder or an fsspec URL; ``manifest`` and ``code_digest``: what a
  report was rendered from, so reruns skip the unchanged.

``batch/``: the network report and one report per tambon: ``build_reports`` plans,
skips the unchanged, runs them on the engine and writes ``index.html``.

``build_reports``, ``render_report`` and ``plan_reports`` take a ``RenderOptions``
(``options=``) or its fields as keywords: ``build_reports(processed, out,
notebooks_dir=nbs, with_code=True, jobs=2)``.

Imports are lazy: papermill and nbconvert load only when a report is rendered.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "BatchInterrupted", "BatchResult", "Exporter", "KernelOptions", "RenderOptions", "RenderResult",
    "RenderTask", "ReportInputError", "UnknownTambonError", "WarmKernel", "build_reports", "plan_reports",
    "register_exporter", "render_report", "run_task", "shutdown_kernels",
]

_WHERE = {
    "RenderOptions": ("options", "RenderOptions"),
    "RenderResult": ("render", "RenderResult"), "render_report": ("render", "render_report"),
    "Exporter": ("exporters", "Exporter"), "register_exporter": ("exporters", "register"),
    "RenderTask": ("tasks", "RenderTask"), "run_task": ("tasks", "run_task"),
    "KernelOptions": ("kernel", "KernelOptions"), "WarmKernel": ("kernel", "WarmKernel"),
    "shutdown_kernels": ("kernel", "shutdown_kernels"),
    "BatchInterrupted": ("batch", "BatchInterrupted"), "BatchResult": ("batch", "BatchResult"),
    "ReportInputError": ("batch", "ReportInputError"), "UnknownTambonError": ("batch", "UnknownTambonError"),
    "build_reports": ("batch", "build_reports"), "plan_reports": ("batch", "plan_reports"),
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        module, attr = _WHERE[name]
        return getattr(import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module 'siianalysis.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs only
    from .batch import (  # noqa: F401
        BatchInterrupted, BatchResult, ReportInputError, UnknownTambonError, build_reports, plan_reports,
    )
    from .exporters import Exporter  # noqa: F401
    from .exporters import register as register_exporter  # noqa: F401
    from .kernel import KernelOptions, WarmKernel, shutdown_kernels  # noqa: F401
    from .options import RenderOptions  # noqa: F401
    from .render import RenderResult, render_report  # noqa: F401
    from .tasks import RenderTask, run_task  # noqa: F401
