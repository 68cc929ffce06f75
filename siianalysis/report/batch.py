"""Render the network report and every tambon report, in parallel, skipping unchanged ones.

``build_reports`` plans one picklable ``RenderTask`` per report, skips those
whose inputs are unchanged (``manifest``), runs the rest through ``run_task``
(a plain top-level function) on one of three back-ends, records each finished
report in the manifest at once, and writes ``index.html``:

- in this process (``jobs=1``);
- a pool of ``jobs`` worker processes (default: all cores);
- a dask.distributed cluster (``scheduler="tcp://host:8786"``, or ``"local"`` for
  a ``LocalCluster`` of ``jobs`` one-thread worker processes; see ``cluster``).

Kernels: every worker process keeps a warm Jupyter kernel and reuses it from
report to report, resetting it in between, so a report costs its cells and
little else (``kernel``). It is restarted after a failed report and every
``reuse_kernel_reports`` reports. ``fresh_kernel=True`` starts a new kernel for
every report instead (slower; for comparison, or for notebooks that change
library state the reset cannot undo).

Interrupting a run (Ctrl-C, SIGTERM) keeps every finished report (the manifest
is written after each one), stops the workers and their kernels, writes the
index, and raises ``BatchInterrupted`` whose ``result`` counts what was
rendered, skipped, failed and not started.

Layout of ``out_dir`` (a folder, or an fsspec URL: see ``storage``)::

    index.html               links to everything, grouped by province
    network.html (+ .ipynb)  the network report
    tambon/<tambon_id>.html (+ .ipynb)
    .manifest.json           what each report was rendered from

Skipping and peer comparisons: a tambon report's digest covers its notebook,
the package code it runs (``code_digest``), its parameters and *its own tambon's
data only*. So when one tambon's worksheet changes, only that tambon's report and
the network report are rendered again, as the issue asks. Tambon reports that
compare a tambon with the network (medians, ranks) therefore keep the peer figures
of the run that rendered them until ``force=True`` (``--force``) refreshes them all.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from siianalysis.export import safe_filename
from siianalysis.report.code_digest import code_digest
from siianalysis.report.kernel import DEFAULT_MAX_REPORTS, DEFAULT_WARM_MODULES, KernelOptions
from siianalysis.report.manifest import MANIFEST_NAME, Manifest, data_digests, read_tables, report_digest
from siianalysis.report.render import (
    DEFAULT_START_TIMEOUT, DEFAULT_TIMEOUT, FAILURE_FIELDS, RenderResult, render_report,
)
from siianalysis.report.storage import Storage, is_url, upload_report

TAMBON_NOTEBOOK = "tambon_report.ipynb"
NETWORK_NOTEBOOK = "network_report.ipynb"
NETWORK_KEY = "network"
TAMBON_DIR = "tambon"
TAMBON_ID = re.compile(r"^(\d{6}|u-[0-9a-f]{10})$")
NOT_STARTED = "not-started"


class ReportInputError(ValueError):
    """Unusable inputs, found before anything runs (missing folder, notebook, unknown id)."""


class UnknownTambonError(ReportInputError):
    """A requested tambon id is not in ``tambons.parquet``."""


def tambon_key(tambon_id: str) -> str:
    return f"{TAMBON_DIR}/{tambon_id}"


def valid_tambon_id(tambon_id: str) -> bool:
    """A DOPA code or an unresolved ``u-`` id, and safe as a file name as is."""
    return bool(TAMBON_ID.match(tambon_id)) and safe_filename(tambon_id) == tambon_id


@dataclass(frozen=True)
class RenderTask:
    """Everything a worker needs to render one report; plain data, so it pickles.

    ``key`` names the report (``"network"``, ``"tambon/<id>"``), ``digest`` is its
    manifest digest (carried back in the result), ``out_html`` a local path or an fsspec
    URL (rendered into a temp folder, then uploaded), ``kernel`` how the worker's warm
    kernels are made, ``fresh_kernel`` a new kernel for this report instead; the rest
    are ``render_report``'s arguments.
    """

    key: str
    notebook: str
    parameters: dict[str, Any]
    out_html: str
    digest: str
    with_code: bool = False
    lang: str = "th"
    kernel_name: str = "python3"
    timeout: int | None = DEFAULT_TIMEOUT
    start_timeout: int = DEFAULT_START_TIMEOUT
    retries: int = 1
    title: str | None = None
    kernel: KernelOptions | None = None
    fresh_kernel: bool = False
    compact_images: bool = True


def run_task(task: RenderTask) -> RenderResult:
    """Render one task (in whatever process or thread runs it) and return its result.

    A warm kernel is borrowed from this process's pool unless ``task.fresh_kernel``. An
    ``out_html`` URL is rendered into a temporary folder here and uploaded through fsspec.
    """
    from siianalysis.report.kernel import kernel_pool

    staging = tempfile.mkdtemp(prefix="siireport-") if is_url(task.out_html) else None
    out_html = Path(staging) / Path(task.out_html.rsplit("/", 1)[-1]) if staging else Path(task.out_html)
    kwargs = dict(with_code=task.with_code, kernel_name=task.kernel_name, lang=task.lang, timeout=task.timeout,
                  start_timeout=task.start_timeout, retries=task.retries, key=task.key, title=task.title,
                  compact_images=task.compact_images)
    try:
        if task.fresh_kernel:
            result = render_report(task.notebook, task.parameters, out_html, **kwargs)
        else:
            options = task.kernel or KernelOptions(kernel_name=task.kernel_name, start_timeout=task.start_timeout)
            with kernel_pool().lease(options) as kernel:
                result = render_report(task.notebook, task.parameters, out_html, kernel=kernel, **kwargs)
        if staging:
            where = upload_report(out_html, out_html.with_suffix(".ipynb"), task.out_html, result.html is not None)
            result.html, result.notebook_out = where["html"], where["notebook_out"]
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
    result.digest = task.digest
    return result


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

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def rendered(self) -> int:
        return self._count("rendered")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def not_started(self) -> int:
        return self._count(NOT_STARTED)

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
            html = f" → {r.html}" if r.html else ""
            lines.append(f"  FAILED {r.key}{where}: {r.error_name}: {r.error_message}{html}")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM; ``result`` is the ``BatchResult`` so far."""

    def __init__(self, result: BatchResult):
        super().__init__("report batch interrupted")
        self.result = result


@dataclass
class Plan:
    """What ``build_reports`` will render: tasks in order, the tambons table, invalid ids."""

    tasks: list[RenderTask]
    tambons: Any  # pandas.DataFrame of tambons.parquet
    invalid: list[RenderResult]


def _declared_parameters(notebook: Path) -> set[str] | None:
    """Names in the notebook's ``parameters`` cell (None when it has none)."""
    import papermill as pm

    try:
        declared = pm.inspect_notebook(str(notebook))
    except Exception:  # noqa: BLE001 - a broken notebook fails later, with a cell to show
        return None
    return set(declared) or None


def _with_optional(core: dict[str, Any], optional: dict[str, Any], declared: set[str] | None) -> dict[str, Any]:
    # Optional parameters go in only where the notebook declares them (no papermill warnings).
    extra = {k: v for k, v in optional.items() if declared is not None and k in declared}
    return {**core, **extra}


def _title(row: dict[str, Any] | None, lang: str) -> str:
    """The HTML title of a report: the place's names (escaped by the template) and id."""
    if row is None:
        return "รายงานเครือข่าย S-I-I" if lang == "th" else "S-I-I network report"
    suffix = "en" if lang == "en" else "th"
    names = [str(row.get(f"{f}_{suffix}") or row.get(f"{f}_th") or "") for f in ("tambon", "amphoe", "province")]
    return " · ".join(n for n in names if n) + f" ({row['tambon_id']})"


def check_inputs(processed_dir: Path, notebooks_dir: Path, *, network: bool = True,
                 check_processed: bool = True) -> None:
    """Raise ``ReportInputError`` with a helpful message if nothing could be rendered.

    Args:
        processed_dir: must hold ``tambons.parquet`` (unless ``check_processed`` is False).
        notebooks_dir: must hold the tambon notebook (and the network one if ``network``).
    """
    processed_dir, notebooks_dir = Path(processed_dir), Path(notebooks_dir)
    if check_processed and not (processed_dir / "tambons.parquet").is_file():
        raise ReportInputError(
            f"no processed tables in {processed_dir} (tambons.parquet missing); "
            "run `siianalysis normalise RAW --out PROCESSED` first"
        )
    needed = [TAMBON_NOTEBOOK] + ([NETWORK_NOTEBOOK] if network else [])
    missing = [n for n in needed if not (notebooks_dir / n).is_file()]
    if missing:
        raise ReportInputError(f"report notebooks missing in {notebooks_dir}: {', '.join(missing)}")


def plan_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                 tambon_ids: Iterable[str] | None = None, network: bool = True, with_code: bool = False,
                 lang: str = "th", kernel_name: str = "python3", timeout: int | None = DEFAULT_TIMEOUT,
                 start_timeout: int = DEFAULT_START_TIMEOUT, retries: int = 1, fresh_kernel: bool = False,
                 reuse_kernel_reports: int | None = DEFAULT_MAX_REPORTS,
                 warm_modules: Sequence[str] | None = None, compact_images: bool = True) -> Plan:
    """The render tasks with their digests; see ``build_reports`` for the arguments.

    Raises ``ReportInputError`` (missing inputs) or ``UnknownTambonError`` before anything runs.
    """
    processed_dir, notebooks_dir = (Path(p).resolve() for p in (processed_dir, notebooks_dir))
    out = Storage(out_dir)
    check_inputs(processed_dir, notebooks_dir, network=network)
    tables = read_tables(processed_dir)
    tambons = tables["tambons"].drop_duplicates("tambon_id").reset_index(drop=True)
    tambons["tambon_id"] = tambons["tambon_id"].astype(str)
    all_ids = list(tambons["tambon_id"])
    if tambon_ids is None:
        ids = all_ids
    else:
        ids = list(dict.fromkeys(str(t) for t in tambon_ids))
        unknown = [t for t in ids if t not in set(all_ids)]
        if unknown:
            raise UnknownTambonError(f"tambon id(s) not in {processed_dir / 'tambons.parquet'}: {', '.join(unknown)}")
    network_digest, tambon_digests = data_digests(tables)
    # What changes a report's HTML; how its kernel was made does not (a reset kernel gives the
    # same outputs as a fresh one), so switching fresh/warm kernels does not re-render.
    options = {"with_code": with_code, "lang": lang, "kernel_name": kernel_name, "compact_images": compact_images}
    kernel = KernelOptions(
        kernel_name=kernel_name,
        warm_modules=tuple(DEFAULT_WARM_MODULES if warm_modules is None else warm_modules),
        max_reports=reuse_kernel_reports, start_timeout=start_timeout,
    )
    common = dict(with_code=with_code, lang=lang, kernel_name=kernel_name, timeout=timeout,
                  start_timeout=start_timeout, retries=retries, kernel=kernel, fresh_kernel=fresh_kernel,
                  compact_images=compact_images)
    tasks: list[RenderTask] = []
    if network:
        nb = notebooks_dir / NETWORK_NOTEBOOK
        params = _with_optional({"processed_dir": str(processed_dir), "lang": lang},
                                {"reports_base": f"{TAMBON_DIR}/", "tambon_link_base": f"{TAMBON_DIR}/"},
                                _declared_parameters(nb))
        tasks.append(RenderTask(
            key=NETWORK_KEY, notebook=str(nb), parameters=params, out_html=out.url("network.html"),
            digest=report_digest(notebook=nb, parameters=params, data=network_digest, options=options,
                                 code=code_digest(nb)),
            title=_title(None, lang), **common,
        ))
    nb = notebooks_dir / TAMBON_NOTEBOOK
    code = code_digest(nb)  # read now, once: the code as this batch finds it
    rows = {str(r["tambon_id"]): r for r in tambons.to_dict("records")}
    invalid = []
    for tid in sorted(ids):
        if not valid_tambon_id(tid):
            # Never a path from a malformed id; the index lists it as failed.
            invalid.append(RenderResult(key=tambon_key(tid), status="failed", error_name="InvalidTambonId",
                                        error_message=f"tambon id {tid!r} is neither a DOPA code nor u-<hex>"))
            continue
        params = {"tambon_id": tid, "processed_dir": str(processed_dir), "lang": lang}
        tasks.append(RenderTask(
            key=tambon_key(tid), notebook=str(nb), parameters=params,
            out_html=out.url(f"{TAMBON_DIR}/{tid}.html"),
            digest=report_digest(notebook=nb, parameters=params, data=tambon_digests[tid], options=options,
                                 code=code),
            title=_title(rows[tid], lang), **common,
        ))
    return Plan(tasks=tasks, tambons=tambons, invalid=invalid)


def _crashed(task: RenderTask, exc: BaseException) -> RenderResult:
    """A result for a task whose worker process died (not the kernel: the worker itself)."""
    return RenderResult(key=task.key, status="failed", error_name=type(exc).__name__,
                        error_message=str(exc) or "worker process died", digest=task.digest)


# --- back-ends ----------------------------------------------------------------------------

def _worker_init(kernel: KernelOptions | None = None, export: tuple | None = None) -> None:
    """In each pool worker: leave Ctrl-C to the parent, on SIGTERM kill kernels and exit; start
    the warm kernel in the background while this process loads papermill and the HTML exporter."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminate)
    if kernel is not None:
        from siianalysis.report.kernel import kernel_pool

        kernel_pool().prestart(kernel)
    if export is not None:
        import papermill  # noqa: F401 - imported now, while the kernel starts

        from siianalysis.report.render import html_exporter

        html_exporter(*export)


def _worker_terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    from siianalysis.report.kernel import kill_kernels

    kill_kernels()
    os._exit(128 + signum)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: its workers kill their kernels and exit (SIGTERM), queued tasks are dropped."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        try:
            p.terminate()
        except Exception:  # noqa: BLE001
            pass
    pool.shutdown(wait=True, cancel_futures=True)
    for p in processes:
        p.join(timeout=10)


def _run_in_process(tasks: list[RenderTask], on_done: Callable[[RenderTask, RenderResult], None]) -> None:
    from siianalysis.report.kernel import shutdown_kernels

    try:
        for task in tasks:
            on_done(task, run_task(task))
    finally:
        shutdown_kernels()  # the warm kernels of this batch; none may outlive it


def _run_in_pool(tasks: list[RenderTask], on_done: Callable[[RenderTask, RenderResult], None],
                 jobs: int) -> None:
    pending, retried = list(tasks), set()
    while pending:
        # spawn: kernels, zmq and threads do not mix well with fork.
        first = pending[0]
        warm = None if first.fresh_kernel else first.kernel
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=get_context("spawn"),
                                   initializer=_worker_init,
                                   initargs=(warm, (first.with_code, first.lang, first.compact_images)))
        try:
            futures: dict[Future, RenderTask] = {pool.submit(run_task, t): t for t in pending}
            pending = []
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    # A worker died and took the pool with it: every unfinished task gets one
                    # more go in a fresh pool; a second break fails them.
                    if task.key not in retried:
                        retried.add(task.key)
                        pending.append(task)
                        continue
                    result = _crashed(task, exc)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that failed to pickle
                    result = _crashed(task, exc)
                on_done(task, result)
        except BaseException:
            _stop_pool(pool)
            raise
        # workers exit; their atexit handlers shut their kernels down before join returns
        pool.shutdown(wait=True)


def _run_on_executor(tasks: list[RenderTask], on_done: Callable[[RenderTask, RenderResult], None],
                     executor: Executor) -> None:
    futures: dict[Future, RenderTask] = {executor.submit(run_task, t): t for t in tasks}
    try:
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001
                result = _crashed(task, exc)
            on_done(task, result)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def execute_tasks(tasks: list[RenderTask], on_done: Callable[[RenderTask, RenderResult], None], *,
                  jobs: int = 1, executor: Executor | None = None, scheduler: Any = None) -> None:
    """Run ``tasks`` and call ``on_done`` in this thread as each finishes (any order).

    Args:
        tasks: what to render.
        on_done: called with (task, result) for each task, in completion order.
        jobs: worker processes of the default pool (or of ``scheduler="local"``); 1 renders in
            this process.
        executor: any ``concurrent.futures.Executor`` to use instead (left open).
        scheduler: a dask scheduler address (``"tcp://host:8786"``), ``"local"``, or a
            ``distributed.Client``: run on dask.distributed (``cluster.run_on_dask``).
    """
    if not tasks:
        return
    if scheduler is not None:
        from siianalysis.report.cluster import run_on_dask

        run_on_dask(tasks, on_done, scheduler=scheduler, jobs=jobs)
    elif executor is not None:
        _run_on_executor(tasks, on_done, executor)
    elif jobs <= 1 or len(tasks) <= 1:
        _run_in_process(tasks, on_done)
    else:
        _run_in_pool(tasks, on_done, jobs)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While the batch runs, SIGTERM stops it like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the batch ----------------------------------------------------------------------------

def _earlier(key: str, rel: str, manifest: Manifest, out: Storage) -> RenderResult:
    """The status of a report outside this run's selection, for the index."""
    exists = out.exists(rel)
    if key in manifest.failed:
        known = {f: manifest.failed[key].get(f) for f in FAILURE_FIELDS}
        known["html"] = out.url(rel) if known["html"] and exists else None
        return RenderResult(key=key, status="failed", **known)
    if exists:
        status = "previous" if key in manifest.reports else "stale"
        return RenderResult(key=key, status=status, html=out.url(rel))
    return RenderResult(key=key, status="missing")


def _prune(out: Storage, manifest: Manifest, planned: set[str]) -> None:
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
        tid = key.split("/", 1)[1]
        if valid_tambon_id(tid):
            for suffix in (".html", ".ipynb"):
                out.remove(f"{TAMBON_DIR}/{tid}{suffix}")
    manifest.drop(gone)


def _report_rel(key: str) -> str:
    return "network.html" if key == NETWORK_KEY else f"{TAMBON_DIR}/{key.split('/', 1)[1]}.html"


def build_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                  tambon_ids: Iterable[str] | None = None, jobs: int | None = None, with_code: bool = False,
                  force: bool = False, lang: str = "th", progress: bool = True, network: bool = True,
                  kernel_name: str = "python3", timeout: int | None = DEFAULT_TIMEOUT,
                  start_timeout: int = DEFAULT_START_TIMEOUT, retries: int = 1,
                  executor: Executor | None = None, fresh_kernel: bool = False, scheduler: Any = None,
                  reuse_kernel_reports: int | None = DEFAULT_MAX_REPORTS,
                  warm_modules: Sequence[str] | None = None, compact_images: bool = True) -> BatchResult:
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
        jobs: worker processes (default: all cores; 1 renders in this process). With
            ``scheduler="local"``: the LocalCluster's workers. Ignored for a remote scheduler.
        with_code: keep the code in the HTML (researchers) instead of hiding it (experts).
        force: render everything, even reports whose inputs are unchanged.
        lang: ``"th"`` or ``"en"``: passed to the notebooks and used for the index.
        progress: show one progress bar for the batch.
        network: also render the network report.
        kernel_name: the Jupyter kernel that runs the notebooks.
        timeout: seconds a single notebook cell may run.
        start_timeout: seconds a kernel may take to start.
        retries: extra attempts for a kernel that died or did not start.
        executor: a ``concurrent.futures.Executor`` to run tasks on instead of a process pool
            (not shut down here).
        fresh_kernel: a new kernel for every report (``--fresh-kernels``) instead of each
            worker's warm, reset kernel. Same outputs, slower.
        scheduler: run on dask.distributed: ``"tcp://HOST:PORT"`` of a running scheduler,
            ``"local"`` (a ``LocalCluster`` of ``jobs`` worker processes, one thread each), or a
            ``distributed.Client``. Planning, skipping, the manifest and the index stay here.
        reuse_kernel_reports: reports a warm kernel runs before it is restarted (bounds its
            memory; ``None``: only after failures).
        warm_modules: modules a warm kernel imports at start (default
            ``kernel.DEFAULT_WARM_MODULES``).
        compact_images: recompress inline PNGs to palette PNGs where smaller.

    Returns:
        A ``BatchResult``. Failures do not raise: they are in the result, the summary and the
        index, and never recorded as done, so the next run retries them.

    Raises:
        BatchInterrupted: on Ctrl-C or SIGTERM, after stopping workers and kernels and writing
            the index; its ``result`` says what was rendered, skipped, failed and not started.
    """
    from tqdm.auto import tqdm

    from siianalysis.report.index import write_index

    started = time.perf_counter()
    out = Storage(out_dir)
    plan = plan_reports(processed_dir, out.location, notebooks_dir=notebooks_dir, tambon_ids=tambon_ids,
                        network=network, with_code=with_code, lang=lang, kernel_name=kernel_name,
                        timeout=timeout, start_timeout=start_timeout, retries=retries,
                        fresh_kernel=fresh_kernel, reuse_kernel_reports=reuse_kernel_reports,
                        warm_modules=warm_modules, compact_images=compact_images)
    out.makedirs()
    out.makedirs(TAMBON_DIR)
    out.refresh_listing()
    manifest = Manifest(storage=out)

    if tambon_ids is None:
        _prune(out, manifest, {t.key for t in plan.tasks} | {r.key for r in plan.invalid})

    results: dict[str, RenderResult] = {r.key: r for r in plan.invalid}
    to_run = []
    for task in plan.tasks:
        rel = _report_rel(task.key)
        if not force and manifest.is_current(task.key, task.digest, out.exists(rel)):
            results[task.key] = RenderResult(key=task.key, status="skipped", html=task.out_html,
                                             notebook_out=out.url(rel[: -len(".html")] + ".ipynb"),
                                             digest=task.digest)
        else:
            to_run.append(task)

    bar = tqdm(total=len(to_run), desc="reports", unit="report", disable=not progress or not to_run)
    failed = 0

    def on_done(task: RenderTask, result: RenderResult) -> None:
        nonlocal failed
        results[task.key] = result
        if result.status == "rendered":
            manifest.mark_done(task.key, task.digest, out.rel(task.out_html) or task.out_html, result.seconds)
        else:
            failed += 1
            details = {f: getattr(result, f) for f in FAILURE_FIELDS}
            details["html"] = out.rel(result.html)
            manifest.mark_failed(task.key, details)
        bar.update(1)
        bar.set_postfix(failed=failed, refresh=False)

    interrupted = False
    try:
        with _sigterm_as_interrupt():
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
        index_results.setdefault(NETWORK_KEY, _earlier(NETWORK_KEY, "network.html", manifest, out))
    for key in keys:
        if key not in index_results:
            tid = key.split("/", 1)[1]
            index_results[key] = (_earlier(key, _report_rel(key), manifest, out)
                                  if valid_tambon_id(tid) else RenderResult(key=key, status="missing"))
    index = write_index(out.location, plan.tambons, index_results, lang=lang, storage=out)

    ordered = [results.get(t.key) or RenderResult(key=t.key, status=NOT_STARTED, digest=t.digest)
               for t in plan.tasks] + plan.invalid
    batch = BatchResult(out_dir=out.local or out.root, results=ordered, elapsed=time.perf_counter() - started,
                        index=index, interrupted=interrupted)
    if interrupted:
        raise BatchInterrupted(batch)
    return batch
