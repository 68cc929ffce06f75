"""Render the network report and every tambon report, in parallel, skipping unchanged ones.

``build_reports`` plans one ``RenderTask`` per report (``plan``), skips those whose
inputs are unchanged (``report.manifest``), runs the rest on the engine
(``report.execute``: this process, a pool of worker processes with warm kernels,
or a dask.distributed cluster), records each finished report in the manifest at
once, and writes ``index.html`` (``index``).

Kernels: every worker process keeps a warm Jupyter kernel and reuses it from report
to report, resetting it in between, so a report costs its cells and little else
(``report.kernel``). It is restarted after a failed report and every
``reuse_kernel_reports`` reports. ``fresh_kernel=True`` starts a new kernel for
every report instead (slower; for comparison, or for notebooks that change library
state the reset cannot undo).

Interrupting a run (Ctrl-C, SIGTERM) keeps every finished report (the manifest is
written after each one), stops the workers and their kernels, writes the index, and
raises ``BatchInterrupted`` whose ``result`` counts what was rendered, skipped,
failed and not started.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from siianalysis.report.batch.index import write_index
from siianalysis.report.batch.plan import (
    NETWORK_KEY, TAMBON_DIR, document, plan_reports, tambon_key, valid_tambon_id,
)
from siianalysis.report.execute import execute_tasks, sigterm_as_interrupt
from siianalysis.report.manifest import DOCUMENT, Manifest
from siianalysis.report.options import RenderOptions
from siianalysis.report.render import FAILURE_FIELDS, RenderResult
from siianalysis.report.storage import Storage, beside
from siianalysis.report.tasks import RenderTask

NOT_STARTED = "not-started"


@dataclass
class BatchResult:
    """The outcome of ``build_reports``: one ``RenderResult`` per report, in plan order.

    ``out_dir`` is the reports folder (a ``Path``, or the URL string), ``interrupted``
    says the run was stopped (``not_started`` then counts reports it did not finish).
    """

    out_dir: Path | str
    results: list[RenderResult] = field(default_factory=list)
    elapsed: float = 0.0
    index: Path | str | None = None
    interrupted: bool = False

    def count(self, status: str) -> int:
        """How many reports ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def rendered(self) -> int:
        return self.count("rendered")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def not_started(self) -> int:
        return self.count(NOT_STARTED)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted

    def failures(self) -> list[RenderResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        """Text for the command line: counts, time, index, then one line per failure."""
        head = (f"reports: {self.rendered} rendered, {self.skipped} skipped (unchanged), "
                f"{self.failed} failed")
        if self.interrupted or self.not_started:
            head += f", {self.not_started} not started"
        lines = [f"{head} in {self.elapsed:.1f} s"]
        if self.interrupted:
            lines.append("INTERRUPTED: finished reports are kept (and skipped next time); "
                         "run the same command again to render the rest")
        if self.index:
            lines.append(f"index: {self.index}")
        for r in self.failures():
            where = f" at {r.where()}" if r.where() else ""
            output = f" → {r.output}" if r.output else ""
            lines.append(f"  FAILED {r.key}{where}: {r.error_name}: {r.error_message}{output}")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM; ``result`` is the ``BatchResult`` so far."""

    def __init__(self, result: BatchResult):
        super().__init__("report batch interrupted")
        self.result = result


def _earlier(key: str, rel: str, manifest: Manifest, out: Storage) -> RenderResult:
    """The status of a report outside this run's selection, for the index."""
    exists = out.exists(rel)
    if key in manifest.failed:
        known = {f: manifest.failed[key].get(f) for f in FAILURE_FIELDS}
        output = out.url(rel) if manifest.failed[key].get(DOCUMENT) and exists else None
        return RenderResult(key=key, status="failed", output=output, **known)
    if exists:
        status = "previous" if key in manifest.reports else "stale"
        return RenderResult(key=key, status=status, output=out.url(rel))
    return RenderResult(key=key, status="missing")


def _prune(out: Storage, manifest: Manifest, planned: set[str], suffix: str) -> None:
    """Remove tambon reports this folder made for tambons no longer in the data.

    An unresolved tambon (``u-…``) that is later matched to the register gets a
    DOPA code, so its old report would linger; only ids the manifest knows are
    touched, never other files.
    """
    gone = {k for k in (*manifest.reports, *manifest.failed)
            if k.startswith(f"{TAMBON_DIR}/") and k not in planned}
    if not gone:
        return
    for key in gone:
        if valid_tambon_id(key.split("/", 1)[1]):
            for document_suffix in (suffix, ".ipynb"):
                out.remove(document(key, document_suffix))
    manifest.drop(gone)


def build_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                  tambon_ids: Iterable[str] | None = None, network: bool = True, force: bool = False,
                  jobs: int | None = None, progress: bool = True, executor: Executor | None = None,
                  scheduler: Any = None, options: RenderOptions | None = None, **changes: Any) -> BatchResult:
    """Render the network report and the tambon reports to ``out_dir``, then ``index.html``.

    Args:
        processed_dir: the processed tables (``siianalysis normalise`` output); with a dask
            cluster, a path every worker can read (a shared folder).
        out_dir: the reports folder (``network.html``, ``tambon/<id>.html``, ``index.html``): a
            path (with a cluster: shared by all workers) or an fsspec URL (``file:///…``,
            ``s3://…`` with s3fs installed): workers then upload what they render.
        notebooks_dir: holds ``tambon_report.ipynb`` and ``network_report.ipynb`` (with a
            cluster: a path every worker can read).
        tambon_ids: render only these tambons (default: every tambon in ``tambons.parquet``);
            an id not there raises ``UnknownTambonError`` before anything runs.
        network: also render the network report.
        force: render everything, even reports whose inputs are unchanged.
        jobs: worker processes (default: all cores; 1 renders in this process). With
            ``scheduler="local"``: the LocalCluster's workers. Ignored for a remote scheduler.
        progress: show one progress bar for the batch.
        executor: a ``concurrent.futures.Executor`` to run tasks on instead of a process pool
            (not shut down here).
        scheduler: run on dask.distributed: ``"tcp://HOST:PORT"`` of a running scheduler,
            ``"local"`` (a ``LocalCluster`` of ``jobs`` worker processes, one thread each), or a
            ``distributed.Client``. Planning, skipping, the manifest and the index stay here.
        options: a ``RenderOptions`` (code shown, language, format, kernels, timeouts, …).
        **changes: any ``RenderOptions`` field as a keyword, alone or on top of ``options``
            (``with_code=True``, ``lang="en"``, ``fresh_kernel=True``,
            ``reuse_kernel_reports=50``). ``lang`` is also the notebooks' parameter and the
            index's language. The warm-up is the batch's (``warmup``) unless the options
            name one.

    Returns:
        A ``BatchResult``. Failures do not raise: they are in the result, the summary and the
        index, and never recorded as done, so the next run retries them.

    Raises:
        ReportInputError, UnknownTambonError, exporters.UnknownFormatError: unusable inputs,
            before anything runs.
        TypeError: a keyword that is no ``RenderOptions`` field.
        BatchInterrupted: on Ctrl-C or SIGTERM, after stopping workers and kernels and writing
            the index; its ``result`` says what was rendered, skipped, failed and not started.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    out = Storage(out_dir)
    plan = plan_reports(processed_dir, out.location, notebooks_dir=notebooks_dir, tambon_ids=tambon_ids,
                        network=network, options=options, **changes)
    suffix = plan.options.format
    out.makedirs()
    out.makedirs(TAMBON_DIR)
    out.refresh_listing()
    manifest = Manifest(storage=out)

    if tambon_ids is None:
        _prune(out, manifest, {t.key for t in plan.tasks} | {r.key for r in plan.invalid}, suffix)

    results: dict[str, RenderResult] = {r.key: r for r in plan.invalid}
    to_run = []
    for task in plan.tasks:
        rel = document(task.key, suffix)
        if not force and manifest.is_current(task.key, task.digest, out.exists(rel)):
            results[task.key] = RenderResult(key=task.key, status="skipped", output=task.out,
                                             notebook_out=out.url(beside(rel, ".ipynb")), digest=task.digest)
        else:
            to_run.append(task)

    bar = tqdm(total=len(to_run), desc="reports", unit="report", disable=not progress or not to_run)
    failed = 0

    def on_done(task: RenderTask, result: RenderResult) -> None:
        nonlocal failed
        results[task.key] = result
        if result.status == "rendered":
            manifest.mark_done(task.key, task.digest, out.rel(task.out) or task.out, result.seconds)
        else:
            failed += 1
            manifest.mark_failed(task.key, {f: getattr(result, f) for f in FAILURE_FIELDS}, out.rel(result.output))
        bar.update(1)
        bar.set_postfix(failed=failed, refresh=False)

    interrupted = False
    try:
        with sigterm_as_interrupt():
            execute_tasks(to_run, on_done, jobs=max(1, jobs or os.cpu_count() or 1), executor=executor,
                          scheduler=scheduler)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()

    # Reports outside this run's selection (or not reached) appear in the index with what exists.
    out.forget_listing()
    out.refresh_listing()
    index_results = dict(results)
    keys = ([NETWORK_KEY] if network else []) + [tambon_key(t) for t in plan.tambons["tambon_id"]]
    if not network:
        index_results.setdefault(NETWORK_KEY, _earlier(NETWORK_KEY, document(NETWORK_KEY, suffix), manifest, out))
    for key in keys:
        if key not in index_results:
            tid = key.split("/", 1)[1]
            index_results[key] = (_earlier(key, document(key, suffix), manifest, out)
                                  if valid_tambon_id(tid) else RenderResult(key=key, status="missing"))
    index = write_index(out.location, plan.tambons, index_results, lang=plan.options.lang, storage=out)

    ordered = [results.get(t.key) or RenderResult(key=t.key, status=NOT_STARTED, digest=t.digest)
               for t in plan.tasks] + plan.invalid
    batch = BatchResult(out_dir=out.local or out.root, results=ordered, elapsed=time.perf_counter() - started,
                        index=index, interrupted=interrupted)
    if interrupted:
        raise BatchInterrupted(batch)
    return batch
