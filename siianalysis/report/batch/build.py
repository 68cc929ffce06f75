"""Render the network report and every tambon report, in parallel, skipping unchanged ones.

``build_reports`` takes the reports folder's lock (``report.lock``: one run writes a
folder at a time), plans one ``RenderTask`` per report (``plan``: refused for an empty
or torn processed set, before anything is touched), sets aside the reports of tambons
no longer in the data, skips those whose inputs are unchanged (``report.manifest``),
runs the rest on the engine (``report.execute``: this process, a pool of worker
processes with warm kernels, or a dask.distributed cluster), records each finished
report in the manifest at once, and writes ``index.html`` (``index``).

Kernels: every worker process keeps a warm Jupyter kernel and reuses it from report
to report, resetting it in between, so a report costs its cells and little else
(``report.kernel``). It is restarted after a failed report and every
``reuse_kernel_reports`` reports. ``fresh_kernel=True`` starts a new kernel for
every report instead (slower; for comparison, or for notebooks that change library
state the reset cannot undo). A cell running longer than ``timeout`` fails its
report, which names the cell and the limit; the batch goes on.

Extra documents (``RenderOptions.extra_formats``, ``--pdf``): a report is skipped only
when every document asked for exists, so asking for PDFs renders the reports that lack
one; a report rendered again without them loses its older PDF (it would show other
inputs than the page beside it), and a run without them leaves unchanged ones alone.

Tambons that left: a tambon report this folder made (the manifest knows it) whose
tambon is no longer in the processed data is not deleted but moved to
``.removed/<date>/tambon/<id>.html`` (with its ``.ipynb`` and PDF), said in the summary and
listed in the index; moving it back restores it. Only a run of every tambon (no
``tambon_ids``) sets reports aside.

Interrupting a run (Ctrl-C, SIGTERM) at any moment keeps every finished report (the
manifest is written after each one, with interrupts held over that bookkeeping),
stops the workers and their kernels, writes the index, and raises
``BatchInterrupted`` whose ``result`` counts what was rendered, skipped, failed and
not started. A write the machine refuses (full disk, read-only folder) stops the
batch with ``errors.OutputWriteError``, carrying that account.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from siianalysis.analysis import shared_tables
from siianalysis.analysis.snapshot import folder_snapshot
from siianalysis.report import exporters
from siianalysis.report.batch.index import write_index
from siianalysis.report.batch.plan import (
    NETWORK_KEY, TAMBON_DIR, Plan, document, plan_reports, tambon_key, valid_tambon_id,
)
from siianalysis.report.errors import WRITE_ERRNOS, ManifestError, OutputWriteError, is_write_refusal
from siianalysis.report.execute import execute_tasks, sigterm_as_interrupt
from siianalysis.report.lifeline import deferred_interrupts
from siianalysis.report.lock import FolderLock
from siianalysis.report.manifest import DOCUMENT, Manifest, set_aside
from siianalysis.report.options import DEFAULT_FORMAT, RenderOptions
from siianalysis.report.render import FAILURE_FIELDS, RenderResult
from siianalysis.report.storage import Storage, beside
from siianalysis.report.tasks import RenderTask

NOT_STARTED = "not-started"
REMOVED_DIR = ".removed"  # reports of tambons that left: .removed/<date>/tambon/<id>.html
_IDS_SHOWN = 10


@dataclass
class BatchResult:
    """The outcome of ``build_reports``: one ``RenderResult`` per report, in plan order.

    ``out_dir`` is the reports folder (a ``Path``, or the URL string), ``interrupted``
    says the run was stopped (``not_started`` then counts reports it did not finish;
    ``planned`` is False when it stopped before its plan was made). ``removed``: the
    reports set aside this run, as (key, where the document is kept or None); ``notes``:
    what else the run had to say (a stale lock taken over, a damaged manifest kept aside).
    """

    out_dir: Path | str
    results: list[RenderResult] = field(default_factory=list)
    elapsed: float = 0.0
    index: Path | str | None = None
    interrupted: bool = False
    removed: list[tuple[str, str | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    planned: bool = True

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
        """Text for the command line: counts, time, what was set aside, index, then one line
        per failure (with the first line of the failing cell)."""
        head = (f"reports: {self.rendered} rendered, {self.skipped} skipped (unchanged), "
                f"{self.failed} failed")
        if self.interrupted or self.not_started:
            head += f", {self.not_started} not started"
        lines = [f"{head} in {self.elapsed:.1f} s"]
        if self.interrupted and not self.planned:
            lines.append("INTERRUPTED before any report ran: nothing was rendered or set aside")
        elif self.interrupted:
            lines.append("INTERRUPTED: finished reports are kept (and skipped next time); "
                         "run the same command again to render the rest")
        lines += [f"note: {n}" for n in self.notes]
        if self.removed:
            ids = [key.split("/", 1)[-1] for key, _ in self.removed]
            shown = ", ".join(ids[:_IDS_SHOWN]) + (f" and {len(ids) - _IDS_SHOWN} more" if len(ids) > _IDS_SHOWN
                                                    else "")
            kept = next((k for _, k in self.removed if k), None)
            where = f"moved to {kept.rsplit('/', 2)[0]}/ (move back to restore)" if kept else "nothing to move"
            lines.append(f"set aside: {len(ids)} report(s) of tambons no longer in the data, {where}: {shown}")
        if self.index:
            lines.append(f"index: {self.index}")
        for r in self.failures():
            where = f" at {r.where()}" if r.where() else ""
            cell = (r.cell_excerpt or "").strip().splitlines()
            cell_line = f" `{cell[0].strip()}`" if cell else ""
            output = f" → {r.output}" if r.output else ""
            lines.append(f"  FAILED {r.key}{where}{cell_line}: {r.error_name}: {r.error_message}{output}")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM; ``result`` is the ``BatchResult`` so far."""

    def __init__(self, result: BatchResult):
        super().__init__("report batch interrupted")
        self.result = result


class _Run:
    """What a batch has done so far: enough for its account at any moment."""

    def __init__(self, out_dir: Path | str):
        self.started = time.perf_counter()
        self.out = Storage(out_dir)
        self.plan: Plan | None = None
        self.results: dict[str, RenderResult] = {}
        self.index: Path | str | None = None
        self.removed: list[tuple[str, str | None]] = []
        self.notes: list[str] = []
        self.interrupted = False

    def account(self) -> BatchResult:
        plan = self.plan
        ordered = [] if plan is None else (
            [self.results.get(t.key) or RenderResult(key=t.key, status=NOT_STARTED, digest=t.digest)
             for t in plan.tasks] + plan.invalid)
        index = self.index
        if index is None and self._has_index():
            index = self.out.local / "index.html" if self.out.is_local else self.out.url("index.html")
        return BatchResult(out_dir=self.out.local or self.out.root, results=ordered,
                           elapsed=time.perf_counter() - self.started, index=index, interrupted=self.interrupted,
                           removed=list(self.removed), notes=list(self.notes), planned=plan is not None)

    def _has_index(self) -> bool:
        try:
            return self.out.exists("index.html")
        except Exception:  # noqa: BLE001 - an unreachable remote folder: no index to name
            return False


def _earlier(key: str, rel: str, manifest: Manifest, out: Storage) -> RenderResult:
    """The status of a report outside this run's selection (or not reached), for the index."""
    exists = out.exists(rel)
    if key in manifest.failed:
        known = {f: manifest.failed[key].get(f) for f in FAILURE_FIELDS}
        output = out.url(rel) if manifest.failed[key].get(DOCUMENT) and exists else None
        return RenderResult(key=key, status="failed", output=output, **known)
    if exists:
        status = "previous" if key in manifest.reports else "stale"
        return RenderResult(key=key, status=status, output=out.url(rel))
    return RenderResult(key=key, status="missing")


def _set_aside_departed(out: Storage, manifest: Manifest, planned: set[str], suffix: str,
                        extra: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    """Move the tambon reports this folder made for tambons no longer in the data to
    ``.removed/<date>/``; returns (key, where its document went, or None).

    An unresolved tambon (``u-…``) that is later matched to the register gets a DOPA
    code, so its old report would linger. Only ids the manifest knows are touched, never
    other files; each report is moved and dropped from the manifest with interrupts held.
    """
    gone = sorted(k for k in {*manifest.reports, *manifest.failed}
                  if k.startswith(f"{TAMBON_DIR}/") and k not in planned)
    day = date.today().isoformat()
    moved = []
    for key in gone:
        with deferred_interrupts():
            kept = None
            if valid_tambon_id(key.split("/", 1)[1]):
                for document_suffix in (suffix, *extra, ".ipynb"):
                    rel = document(key, document_suffix)
                    if out.exists(rel):
                        target = f"{REMOVED_DIR}/{day}/{rel}"
                        out.move(rel, target)
                        kept = kept or target
            manifest.drop({key})
            moved.append((key, kept))
    return moved


def set_aside_reports(out: Storage, suffix: str, current: set[str]) -> list[tuple[str, str, str]]:
    """Reports kept under ``.removed/`` whose tambon is not among ``current`` ids, as
    (tambon id, date, where), for the index."""
    found = []
    for rel in out.files(REMOVED_DIR):
        parts = rel.split("/")
        if len(parts) == 4 and parts[2] == TAMBON_DIR and parts[3].endswith(suffix):
            tid = parts[3][: -len(suffix)]
            if valid_tambon_id(tid) and tid not in current:
                found.append((tid, parts[1], rel))
    return sorted(found, key=lambda r: (r[1], r[0]))


def _open_manifest(out: Storage, force: bool, notes: list[str]) -> Manifest:
    """The folder's manifest; with ``force`` a damaged one is kept aside (and said) instead of
    stopping the run."""
    try:
        return Manifest(storage=out)
    except ManifestError:
        if not force:
            raise
        kept = set_aside(storage=out)
        notes.append(f"the manifest could not be read and was kept as {kept}; every report is rendered anew")
        return Manifest(storage=out)


def _index_results(run: _Run, plan: Plan, manifest: Manifest, suffix: str) -> dict[str, RenderResult]:
    """Every report the index shows: this run's results, and what exists for the others."""
    out = run.out
    out.forget_listing()
    out.refresh_listing()
    shown = dict(run.results)
    for key in [NETWORK_KEY] + [tambon_key(t) for t in plan.tambons["tambon_id"]]:
        if key in shown:
            continue
        known = key == NETWORK_KEY or valid_tambon_id(key.split("/", 1)[1])
        shown[key] = _earlier(key, document(key, suffix), manifest, out) if known \
            else RenderResult(key=key, status="missing")
    return shown


@contextmanager
def _locked(run: _Run, processed_dir: Path | str) -> Iterator[None]:
    """The reports folder's lock for the run (local folders), and no writer on the processed data."""
    FolderLock(processed_dir).check_free("processed data folder")
    if not run.out.is_local:
        yield
        return
    lock = FolderLock(run.out.local)
    note = lock.acquire()
    if note:
        run.notes.append(note)
    try:
        yield
    finally:
        with deferred_interrupts():
            lock.release()


def _give_back_memory() -> None:
    """Hands the memory planning used back to the system before the workers start: the freed
    pages of Arrow's pool and of malloc would otherwise count in this process for the whole run."""
    import gc

    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an allocator that cannot: nothing is lost
        pass
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        pass


def build_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                  tambon_ids: Iterable[str] | None = None, network: bool = True, force: bool = False,
                  jobs: int | None = None, progress: bool = True, executor: Executor | None = None,
                  scheduler: Any = None, options: RenderOptions | None = None, stale: bool = False,
                  **changes: Any) -> BatchResult:
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
        force: render everything, even reports whose inputs are unchanged; a damaged manifest
            is then kept aside instead of stopping the run.
        jobs: worker processes (default: all cores; 1 renders in this process). With
            ``scheduler="local"``: the LocalCluster's workers. Ignored for a remote scheduler.
        progress: show one progress bar for the batch.
        executor: a ``concurrent.futures.Executor`` to run tasks on instead of a process pool
            (not shut down here).
        scheduler: run on dask.distributed: ``"tcp://HOST:PORT"`` of a running scheduler,
            ``"local"`` (a ``LocalCluster`` of ``jobs`` worker processes, one thread each), or a
            ``distributed.Client``. Planning, skipping, the manifest and the index stay here.
        options: a ``RenderOptions`` (code shown, language, format, kernels, cell time limit, …).
        stale: also render the tambon reports whose data is unchanged but that compared the
            tambon with an earlier network (``analysis.snapshot``); without it they are kept,
            and marked in the index.
        **changes: any ``RenderOptions`` field as a keyword, alone or on top of ``options``
            (``with_code=True``, ``lang="en"``, ``timeout=120``, ``fresh_kernel=True``,
            ``reuse_kernel_reports=50``). ``lang`` is also the notebooks' parameter and the
            index's language. The warm-up is the batch's (``warmup``) unless the options
            name one.

    Returns:
        A ``BatchResult``. Failures do not raise: they are in the result, the summary and the
        index, and never recorded as done, so the next run retries them.

    Raises:
        ReportInputError, UnknownTambonError, exporters.UnknownFormatError: unusable inputs
            (missing, empty or torn processed data, …), before anything runs.
        FolderBusyError: another run is writing the reports folder (or the processed data).
        ManifestError: the folder's manifest is damaged (and ``force`` was not given).
        OutputWriteError: the machine refused a write to the reports folder (full disk,
            read-only folder); its ``result`` is the account at that moment.
        TypeError: a keyword that is no ``RenderOptions`` field.
        BatchInterrupted: on Ctrl-C or SIGTERM, at any moment, after stopping workers and
            kernels and writing the index; its ``result`` says what was rendered, skipped,
            failed and not started.
    """
    run = _Run(out_dir)
    with sigterm_as_interrupt():
        try:
            with _locked(run, processed_dir):
                _run_batch(run, processed_dir, notebooks_dir=notebooks_dir, tambon_ids=tambon_ids,
                           network=network, force=force, jobs=jobs, progress=progress, executor=executor,
                           scheduler=scheduler, options=options, changes=changes, stale=stale)
        except KeyboardInterrupt:
            run.interrupted = True
        except OSError as exc:
            if not is_write_refusal(exc):
                raise
            error = OutputWriteError.of(exc, run.account())
            if error is exc:
                raise
            raise error from exc
    result = run.account()
    if run.interrupted:
        raise BatchInterrupted(result)
    return result


def _run_batch(run: _Run, processed_dir: Path | str, *, notebooks_dir: Path | str,
               tambon_ids: Iterable[str] | None, network: bool, force: bool, jobs: int | None, progress: bool,
               executor: Executor | None, scheduler: Any, options: RenderOptions | None,
               changes: dict[str, Any], stale: bool = False) -> None:
    from tqdm.auto import tqdm

    out = run.out
    plan = plan_reports(processed_dir, out.location, notebooks_dir=notebooks_dir, tambon_ids=tambon_ids,
                        network=network, options=options, **changes)
    suffix = plan.options.format
    for other in {suffix, *plan.options.extra_formats} - {DEFAULT_FORMAT}:
        exporter = exporters.get(other)
        if exporter.prepare:  # a format that cannot be made here (no WeasyPrint) stops the run before it starts
            exporter.prepare(plan.options)
    out.makedirs()
    out.makedirs(TAMBON_DIR)
    out.refresh_listing()
    manifest = _open_manifest(out, force, run.notes)
    snapshot = folder_snapshot(processed_dir).set_id  # the network every tambon page compares with
    run.plan = plan
    run.results = {r.key: r for r in plan.invalid}

    if tambon_ids is None:
        run.removed = _set_aside_departed(out, manifest, {t.key for t in plan.tasks} | {r.key for r in plan.invalid},
                                          suffix, tuple(s for s in exporters.suffixes() if s != suffix))
    extra = plan.options.extra_formats
    # documents of other formats beside the pages; the HTML site itself is never removed by a run in another format
    unasked = [s for s in exporters.suffixes() if s not in (suffix, DEFAULT_FORMAT, *extra)]

    to_run = []
    for task in plan.tasks:
        rel = document(task.key, suffix)
        documents = out.exists(rel) and all(out.exists(document(task.key, s)) for s in extra)
        older = stale and task.key != NETWORK_KEY and manifest.compared_older(task.key, snapshot)
        if not force and not older and manifest.is_current(task.key, task.digest, documents):
            run.results[task.key] = RenderResult(key=task.key, status="skipped", output=task.out,
                                                 notebook_out=out.url(beside(rel, ".ipynb")), digest=task.digest)
        else:
            to_run.append(task)

    if any(task.key != NETWORK_KEY for task in to_run) and snapshot:
        # what every tambon report reads of the network, written once for its kernels to share
        why = shared_tables.ensure(Path(processed_dir))
        if why:
            run.notes.append(f"the network's shared tables could not be written ({why}); each report kernel "
                             "loads the whole processed set instead")
    _give_back_memory()
    bar = tqdm(total=len(to_run), desc="reports", unit="report", disable=not progress or not to_run)
    failed = 0

    def on_done(task: RenderTask, result: RenderResult) -> None:
        nonlocal failed
        # held over the bookkeeping: a report is in the results only together with the manifest
        with deferred_interrupts():
            run.results[task.key] = result
            if result.os_errno in WRITE_ERRNOS:  # every next report would fail the same way
                raise OutputWriteError(result.os_errno, result.os_filename)
            if result.status == "rendered":
                for stale in unasked:  # an older run's PDF of other inputs
                    if out.exists(document(task.key, stale)):
                        out.remove(document(task.key, stale))
                manifest.mark_done(task.key, task.digest, out.rel(task.out) or task.out, result.seconds,
                                   title=task.title, snapshot=snapshot)
            else:
                failed += 1
                manifest.mark_failed(task.key, {f: getattr(result, f) for f in FAILURE_FIELDS},
                                     out.rel(result.output))
            bar.update(1)
            bar.set_postfix(failed=failed, refresh=False)

    stopped: OSError | None = None
    try:
        execute_tasks(to_run, on_done, jobs=max(1, jobs or os.cpu_count() or 1), executor=executor,
                      scheduler=scheduler)
    except KeyboardInterrupt:
        run.interrupted = True
    except OSError as exc:
        if not is_write_refusal(exc):
            raise
        stopped = exc
    finally:
        bar.close()

    try:
        with deferred_interrupts():  # the index is written whole, even under a second Ctrl-C
            manifest.flush()  # the journal of this run's records into the file (``report.manifest``)
            current = set(plan.tambons["tambon_id"].astype(str))
            older = {k for k in manifest.reports if k != NETWORK_KEY and manifest.compared_older(k, snapshot)}
            if older:
                run.notes.append(f"{len(older)} tambon reports compare with an earlier network (the index marks them); "
                                 "`siianalysis report --stale` renders just those again")
            run.index = write_index(out.location, plan.tambons, _index_results(run, plan, manifest, suffix),
                                    lang=plan.options.lang, storage=out,
                                    removed=set_aside_reports(out, suffix, current), older=older)
    except OSError as exc:
        if stopped is None or not is_write_refusal(exc):
            raise
    if stopped is not None:
        raise stopped
