"""Render the network report and every tambon report, in parallel, skipping unchanged ones.

``build_reports`` plans one picklable ``RenderTask`` per report, skips those
whose inputs are unchanged (``manifest``), runs the rest through ``run_task``
(a plain top-level function, so any ``concurrent.futures.Executor`` can run it:
a process pool by default, ``dask.distributed``'s ``client.get_executor()``
later), records each finished report in the manifest at once, and writes
``index.html``.

Layout of ``out_dir``::

    index.html               links to everything, grouped by province
    network.html (+ .ipynb)  the network report
    tambon/<tambon_id>.html (+ .ipynb)
    .manifest.json           what each report was rendered from

Skipping and peer comparisons: a tambon report's digest covers its notebook,
the package, its parameters and *its own tambon's data only*. So when one
tambon's worksheet changes, only that tambon's report and the network report
are rendered again, as the issue asks. Tambon reports that compare a tambon
with the network (medians, ranks) therefore keep the peer figures of the run
that rendered them until ``force=True`` (``--force``) refreshes them all.
"""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable

from siianalysis.export import safe_filename
from siianalysis.report.manifest import MANIFEST_NAME, Manifest, data_digests, read_tables, report_digest
from siianalysis.report.render import (
    DEFAULT_START_TIMEOUT, DEFAULT_TIMEOUT, FAILURE_FIELDS, RenderResult, render_report,
)

TAMBON_NOTEBOOK = "tambon_report.ipynb"
NETWORK_NOTEBOOK = "network_report.ipynb"
NETWORK_KEY = "network"
TAMBON_DIR = "tambon"
TAMBON_ID = re.compile(r"^(\d{6}|u-[0-9a-f]{10})$")


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
    manifest digest (carried back in the result), the rest are ``render_report``'s
    arguments.
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


def run_task(task: RenderTask) -> RenderResult:
    """Render one task (in whatever process runs it) and return its result."""
    result = render_report(
        task.notebook, task.parameters, task.out_html, with_code=task.with_code,
        kernel_name=task.kernel_name, lang=task.lang, timeout=task.timeout,
        start_timeout=task.start_timeout, retries=task.retries, key=task.key, title=task.title,
    )
    result.digest = task.digest
    return result


@dataclass
class BatchResult:
    """The outcome of ``build_reports``: one ``RenderResult`` per report, in plan order."""

    out_dir: Path
    results: list[RenderResult] = field(default_factory=list)
    elapsed: float = 0.0
    index: Path | None = None

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
    def ok(self) -> bool:
        return self.failed == 0

    def failures(self) -> list[RenderResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        """Text for the command line: counts, time, index, then one line per failure."""
        lines = [
            f"reports: {self.rendered} rendered, {self.skipped} skipped (unchanged), "
            f"{self.failed} failed in {self.elapsed:.1f} s"
        ]
        if self.index:
            lines.append(f"index: {self.index}")
        for r in self.failures():
            where = f" at {r.where()}" if r.where() else ""
            html = f" → {r.html}" if r.html else ""
            lines.append(f"  FAILED {r.key}{where}: {r.error_name}: {r.error_message}{html}")
        return "\n".join(lines)


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
                 start_timeout: int = DEFAULT_START_TIMEOUT, retries: int = 1) -> Plan:
    """The render tasks with their digests; see ``build_reports`` for the arguments.

    Raises ``ReportInputError`` (missing inputs) or ``UnknownTambonError`` before anything runs.
    """
    processed_dir, out_dir, notebooks_dir = (Path(p).resolve() for p in (processed_dir, out_dir, notebooks_dir))
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
    options = {"with_code": with_code, "lang": lang, "kernel_name": kernel_name}
    common = dict(with_code=with_code, lang=lang, kernel_name=kernel_name, timeout=timeout,
                  start_timeout=start_timeout, retries=retries)
    tasks: list[RenderTask] = []
    if network:
        nb = notebooks_dir / NETWORK_NOTEBOOK
        params = _with_optional({"processed_dir": str(processed_dir), "lang": lang},
                                {"reports_base": f"{TAMBON_DIR}/"}, _declared_parameters(nb))
        tasks.append(RenderTask(
            key=NETWORK_KEY, notebook=str(nb), parameters=params, out_html=str(out_dir / "network.html"),
            digest=report_digest(notebook=nb, parameters=params, data=network_digest, options=options),
            title=_title(None, lang), **common,
        ))
    nb = notebooks_dir / TAMBON_NOTEBOOK
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
            out_html=str(out_dir / TAMBON_DIR / f"{tid}.html"),
            digest=report_digest(notebook=nb, parameters=params, data=tambon_digests[tid], options=options),
            title=_title(rows[tid], lang), **common,
        ))
    return Plan(tasks=tasks, tambons=tambons, invalid=invalid)


def _crashed(task: RenderTask, exc: BaseException) -> RenderResult:
    """A result for a task whose worker process died (not the kernel: the worker itself)."""
    return RenderResult(key=task.key, status="failed", error_name=type(exc).__name__,
                        error_message=str(exc) or "worker process died", digest=task.digest)


def execute_tasks(tasks: list[RenderTask], on_done: Callable[[RenderTask, RenderResult], None], *,
                  jobs: int = 1, executor: Executor | None = None) -> None:
    """Run ``tasks`` and call ``on_done`` in this process as each finishes (any order).

    Args:
        tasks: what to render.
        on_done: called with (task, result) for each task, in completion order.
        jobs: worker processes of the default pool; 1 renders in this process.
        executor: any ``concurrent.futures.Executor`` to use instead (left open).
    """
    if executor is None and (jobs <= 1 or len(tasks) <= 1):
        for task in tasks:
            on_done(task, run_task(task))
        return
    pending, retried = list(tasks), set()
    while pending:
        own = executor is None
        # spawn: kernels, zmq and threads do not mix well with fork.
        pool = executor or ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=get_context("spawn"))
        try:
            futures: dict[Future, RenderTask] = {pool.submit(run_task, t): t for t in pending}
            pending = []
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    # A worker died and took the pool with it: every unfinished task gets one
                    # more go in a fresh pool (ours only); a second break fails them.
                    if own and task.key not in retried:
                        retried.add(task.key)
                        pending.append(task)
                        continue
                    result = _crashed(task, exc)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that failed to pickle
                    result = _crashed(task, exc)
                on_done(task, result)
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)


def _relative(path: str | None, base: Path) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        return None


def _earlier(key: str, html: Path, manifest: Manifest) -> RenderResult:
    """The status of a report outside this run's selection, for the index."""
    if key in manifest.failed:
        known = {f: manifest.failed[key].get(f) for f in FAILURE_FIELDS}
        known["html"] = str(html) if known["html"] and html.is_file() else None
        return RenderResult(key=key, status="failed", **known)
    if html.is_file():
        status = "previous" if key in manifest.reports else "stale"
        return RenderResult(key=key, status=status, html=str(html))
    return RenderResult(key=key, status="missing")


def _prune(out_dir: Path, manifest: Manifest, planned: set[str]) -> None:
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
                (out_dir / TAMBON_DIR / f"{tid}{suffix}").unlink(missing_ok=True)
    manifest.drop(gone)


def build_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                  tambon_ids: Iterable[str] | None = None, jobs: int | None = None, with_code: bool = False,
                  force: bool = False, lang: str = "th", progress: bool = True, network: bool = True,
                  kernel_name: str = "python3", timeout: int | None = DEFAULT_TIMEOUT,
                  start_timeout: int = DEFAULT_START_TIMEOUT, retries: int = 1,
                  executor: Executor | None = None) -> BatchResult:
    """Render the network report and the tambon reports to ``out_dir``, then ``index.html``.

    Args:
        processed_dir: the processed tables (``siianalysis normalise`` output).
        out_dir: the reports folder (``network.html``, ``tambon/<id>.html``, ``index.html``).
        notebooks_dir: holds ``tambon_report.ipynb`` and ``network_report.ipynb``.
        tambon_ids: render only these tambons (default: every tambon in ``tambons.parquet``);
            an id not there raises ``UnknownTambonError`` before anything runs.
        jobs: worker processes (default: all cores; 1 renders in this process).
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
            (e.g. ``dask.distributed.Client(...).get_executor()``); not shut down here.

    Returns:
        A ``BatchResult``. Failures do not raise: they are in the result, the summary and the
        index, and never recorded as done, so the next run retries them.
    """
    from tqdm.auto import tqdm

    from siianalysis.report.index import write_index

    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    plan = plan_reports(processed_dir, out_dir, notebooks_dir=notebooks_dir, tambon_ids=tambon_ids,
                        network=network, with_code=with_code, lang=lang, kernel_name=kernel_name,
                        timeout=timeout, start_timeout=start_timeout, retries=retries)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / TAMBON_DIR).mkdir(exist_ok=True)
    manifest = Manifest(out_dir / MANIFEST_NAME)

    if tambon_ids is None:
        _prune(out_dir, manifest, {t.key for t in plan.tasks} | {r.key for r in plan.invalid})

    results: dict[str, RenderResult] = {r.key: r for r in plan.invalid}
    to_run = []
    for task in plan.tasks:
        if not force and manifest.is_current(task.key, task.digest, Path(task.out_html)):
            results[task.key] = RenderResult(key=task.key, status="skipped", html=task.out_html,
                                             notebook_out=str(Path(task.out_html).with_suffix(".ipynb")),
                                             digest=task.digest)
        else:
            to_run.append(task)

    bar = tqdm(total=len(to_run), desc="reports", unit="report", disable=not progress or not to_run)
    failed = 0

    def on_done(task: RenderTask, result: RenderResult) -> None:
        nonlocal failed
        results[task.key] = result
        if result.status == "rendered":
            manifest.mark_done(task.key, task.digest, _relative(task.out_html, out_dir) or task.out_html,
                               result.seconds)
        else:
            failed += 1
            details = {f: getattr(result, f) for f in FAILURE_FIELDS}
            details["html"] = _relative(result.html, out_dir)
            manifest.mark_failed(task.key, details)
        bar.update(1)
        bar.set_postfix(failed=failed, refresh=False)

    try:
        execute_tasks(to_run, on_done, jobs=max(1, jobs or os.cpu_count() or 1), executor=executor)
    finally:
        bar.close()

    # Reports outside this run's selection still appear in the index with what exists.
    keys = ([NETWORK_KEY] if network else []) + [tambon_key(t) for t in plan.tambons["tambon_id"]]
    if not network:
        results.setdefault(NETWORK_KEY, _earlier(NETWORK_KEY, out_dir / "network.html", manifest))
    for key in keys:
        if key not in results:
            tid = key.split("/", 1)[1]
            results[key] = (_earlier(key, out_dir / TAMBON_DIR / f"{tid}.html", manifest)
                            if valid_tambon_id(tid) else RenderResult(key=key, status="missing"))
    index = write_index(out_dir, plan.tambons, results, lang=lang)

    ordered = [results[t.key] for t in plan.tasks] + plan.invalid
    return BatchResult(out_dir=out_dir, results=ordered, elapsed=time.perf_counter() - started, index=index)

