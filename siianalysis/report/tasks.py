"""One report as plain data (``RenderTask``), and rendering it wherever it lands (``run_task``).

A task pickles: the same object goes to this process, a pool worker or a Dask
worker, and ``run_task`` (a plain top-level function) renders it there on one of
that process's warm kernels. What the task's report is about is the caller's
business: the engine sees a key, a notebook, parameters and where to write.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siianalysis.report.errors import is_write_refusal
from siianalysis.report.kernel import kernel_pool
from siianalysis.report.options import RenderOptions
from siianalysis.report.render import RenderResult, render_report
from siianalysis.report.storage import beside, is_url, upload_report


@dataclass(frozen=True)
class RenderTask:
    """Everything a worker needs to render one report.

    Args:
        key: the report's name in results and the manifest (a batch's own naming).
        notebook: the source notebook's path (the same on every worker).
        parameters: what papermill injects.
        out: the document to write: a local path or an fsspec URL (then rendered into a
            temporary folder and uploaded, with the ``options.extra_formats`` documents beside
            it); its suffix picks the exporter.
        digest: the report's manifest digest, carried back in its result.
        title: the document's title (``None``: the notebook's own, else the file stem).
        options: how it is run and exported (``RenderOptions``); its warm kernel is
            ``options.kernel_options()``, lent by the worker's kernel pool.
    """

    key: str
    notebook: str
    parameters: dict[str, Any]
    out: str
    digest: str
    title: str | None = None
    options: RenderOptions = field(default_factory=RenderOptions)

    @property
    def out_html(self) -> str:
        """``out`` by the name it had when every report was HTML."""
        return self.out


def run_task(task: RenderTask) -> RenderResult:
    """Render one task (in whatever process or thread runs it) and return its result.

    A warm kernel is borrowed from this process's pool unless ``task.options.fresh_kernel``.
    An ``out`` URL is rendered into a temporary folder here and uploaded through fsspec.
    """
    staging = tempfile.mkdtemp(prefix="siireport-") if is_url(task.out) else None
    out = Path(staging) / task.out.rsplit("/", 1)[-1] if staging else Path(task.out)
    kwargs = dict(options=task.options, key=task.key, title=task.title)
    try:
        if task.options.fresh_kernel:
            result = render_report(task.notebook, task.parameters, out, **kwargs)
        else:
            with kernel_pool().lease(task.options.kernel_options()) as kernel:
                result = render_report(task.notebook, task.parameters, out, kernel=kernel, **kwargs)
        if staging:
            where = upload_report(out, Path(beside(str(out), ".ipynb")), task.out, result.output is not None)
            result.output, result.notebook_out = where["output"], where["notebook_out"]
            for suffix in task.options.extra_formats:
                _upload_extra(out.with_suffix(suffix), beside(task.out, suffix))
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
    result.digest = task.digest
    return result


def _upload_extra(local: Path, url: str) -> None:
    """An extra document (``.pdf``) rendered into the staging folder, to its URL; a stale one
    there is removed when this run made none."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    if local.exists():
        fs.put_file(str(local), path)
    elif fs.exists(path):
        fs.rm_file(path)


def crashed(task: RenderTask, exc: BaseException) -> RenderResult:
    """A result for a task whose worker process died (not the kernel: the worker itself), or
    that raised there (e.g. its folder could not be made: then ``os_errno`` says why)."""
    refused = is_write_refusal(exc)
    return RenderResult(key=task.key, status="failed", error_name=type(exc).__name__,
                        error_message=str(exc) or "worker process died", digest=task.digest,
                        os_errno=exc.errno if refused else None,  # type: ignore[attr-defined]
                        os_filename=exc.filename if refused else None)  # type: ignore[attr-defined]
