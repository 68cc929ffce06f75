"""One notebook → executed ``.ipynb`` + a document (HTML, or any registered format).

``render_report`` runs a notebook with papermill (parameters injected as Python
literals, so a ``tambon_id`` of ``"010101"`` stays the string ``"010101"``),
keeps the executed notebook beside the document (same stem, ``.ipynb``) and
exports it with the exporter registered for the document's suffix
(``exporters``: ``.html`` and ``.pdf``), then to each of ``RenderOptions.extra_formats``
beside it (``x.pdf`` beside ``x.html``). An extra document that cannot be made fails
the report, naming its format; the main document stays.

Kernels: given a ``kernel`` (a ``kernel.WarmKernel``, normally lent by the
process's ``KernelPool``), the notebook runs on that already-running, warmed-up
kernel, reset to a fresh state first; papermill gets its kernel manager
(``km=``) and our papermill engine (``warm_engine``) leaves the kernel running,
stops its per-report client, and writes the executed notebook once (papermill's
default rewrites it before and after every cell). Without one, a new plain
kernel is started for the report and killed after it (the ``fresh_kernel``
mode). Either way papermill injects the parameters and, when a cell raises,
writes the notebook with its error marked at the failing cell.

Two audiences (``RenderOptions.with_code``): experts (default) get no code,
researchers get code and parameters; which cells each sees is the exporters'
shared tag sets.

A failing notebook still yields its executed notebook (up to the failing cell)
and a document of it, so the reader sees where it stopped; the result carries the
failing cell and the error. A kernel that dies or does not start in time is
retried (``retries`` times, on a new kernel) before being reported. A cell that runs
longer than ``RenderOptions.timeout`` is stopped and fails the report, which names the
cell and the limit. A write the machine refuses (a full disk, a read-only folder:
``errors.WRITE_ERRNOS``) is marked in the result (``os_errno``, ``os_filename``), so a
batch can stop instead of failing every next report the same way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from siianalysis.report import exporters
from siianalysis.report.errors import is_write_refusal
from siianalysis.report.kernel import KernelOptions, KernelSetupError, WarmKernel
from siianalysis.report.options import RenderOptions
from siianalysis.report.warm_engine import register_engine

# What the manifest keeps of a failure, so the batch's index can show it in later runs.
FAILURE_FIELDS = ("error_name", "error_message", "cell_index", "execution_count", "cell_excerpt")


@dataclass
class RenderResult:
    """The outcome of one report.

    ``status`` is ``"rendered"``, ``"skipped"`` (inputs unchanged) or
    ``"failed"``. For a failure, ``error_name``/``error_message`` say what, and,
    when a cell raised, ``cell_index`` (0-based, in the source notebook),
    ``execution_count`` (the ``In [n]``) and ``cell_excerpt`` (its first lines)
    say where. ``output`` is the document's location whenever one was written
    (also for a partial, failed run); ``notebook_out`` the executed notebook's.
    """

    key: str
    status: str
    output: str | None = None
    notebook_out: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    error_name: str | None = None
    error_message: str | None = None
    cell_index: int | None = None
    execution_count: int | None = None
    cell_excerpt: str | None = None
    digest: str | None = None
    os_errno: int | None = None
    os_filename: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def where(self) -> str:
        """Where it failed, for people: 'cell 4 (In [3])'."""
        if self.cell_index is None:
            return ""
        count = f" (In [{self.execution_count}])" if self.execution_count is not None else ""
        return f"cell {self.cell_index + 1}{count}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_transient(exc: BaseException) -> bool:
    """A kernel that died or was slow to start: worth one more try.

    A cell that runs too long (``CellTimeoutError``, also a ``TimeoutError``) and
    an error raised by the notebook's own code are not transient.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, (PapermillExecutionError, CellTimeoutError)):
        return False
    if isinstance(exc, (DeadKernelError, TimeoutError, KernelSetupError)):
        return True
    if isinstance(exc, RuntimeError):
        msg = str(exc)
        return any(s in msg for s in ("Kernel died", "Kernel didn't respond", "kernel died", "Kernel is dead"))
    return False


def _executed_cells(nb_path: Path) -> list | None:
    """The executed notebook's cells without papermill's error-marker cells (None if unreadable)."""
    import nbformat

    try:
        cells = nbformat.read(nb_path, as_version=4).cells
    except Exception:  # noqa: BLE001
        return None
    return [c for c in cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]


def _source_index(cells: list, executed_index: int) -> int:
    """Index in the source notebook of ``cells[executed_index]`` (papermill's parameters cell undone)."""
    injected = sum(1 for c in cells[:executed_index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return executed_index - injected


def _locate_failure(result: RenderResult, out_nb: Path, error: BaseException) -> None:
    """Fill in where the notebook stopped: the raising cell, else the last cell that started."""
    from papermill.exceptions import PapermillExecutionError

    cells = _executed_cells(out_nb) if out_nb.exists() else None
    if isinstance(error, PapermillExecutionError):
        # papermill counts cells after injecting parameters, before adding its error markers
        result.error_name, result.error_message = error.ename, str(error.evalue)
        result.execution_count = error.exec_count
        result.cell_index = _source_index(cells, error.cell_index) if cells else error.cell_index
        result.cell_excerpt = _excerpt(error.source or "")
        return
    if not cells:
        return
    started = [i for i, c in enumerate(cells)
               if c.cell_type == "code" and (c.get("metadata", {}).get("papermill") or {}).get("start_time")]
    if started:  # e.g. a cell timeout or a kernel that died mid-run
        i = started[-1]
        result.cell_index = _source_index(cells, i)
        result.execution_count = cells[i].get("execution_count")
        result.cell_excerpt = _excerpt(cells[i].source)


def _describe(result: RenderResult, error: BaseException, timeout: int | None) -> None:
    """The failure's name and message; a cell time-out says the limit, a refused write its file."""
    from nbclient.exceptions import CellTimeoutError

    result.error_name = type(error).__name__
    result.error_message = str(error).strip()
    if isinstance(error, CellTimeoutError):
        # nbclient's own message repeats the cell's source, which the result carries anyway
        result.error_message = (f"the cell ran longer than the time limit of {timeout} s per cell and was "
                                "stopped (RenderOptions.timeout; --cell-timeout on the command line)")
    if is_write_refusal(error):
        result.os_errno, result.os_filename = error.errno, error.filename


def _excerpt(source: str, lines: int = 3, chars: int = 240) -> str:
    text = "\n".join(source.splitlines()[:lines])
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _quiet_papermill() -> None:
    # papermill logs every cell at INFO and unknown parameters at WARNING; in a batch
    # that would tear the progress bar. Errors still reach the result object.
    logging.getLogger("papermill").setLevel(logging.ERROR)


def _execute(notebook: Path, out_nb: Path, parameters: dict[str, Any], kernel: Any,
             timeout: int | None, start_timeout: int) -> Any:
    """Run ``notebook`` on ``kernel`` (prepared) with papermill; returns the executed notebook node."""
    import papermill as pm

    return pm.execute_notebook(
        str(notebook), str(out_nb), parameters=dict(parameters), engine_name=register_engine(),
        kernel_name=kernel.kernel_name, km=kernel.km, kc=getattr(kernel, "client", None),
        execution_timeout=timeout, start_timeout=start_timeout, progress_bar=False, log_output=False,
        # a busy kernel may flush one cell's prints as several messages: merged, the page's
        # bytes do not depend on the machine's load (nbclient's own option)
        coalesce_streams=True,
    )


def _export_extras(result: RenderResult, extras: list, executed: Any, out: Path, options: RenderOptions,
                   title: str | None) -> None:
    """The extra documents of a run that went through; none for a failed one (an older one,
    of other inputs, is removed). The first that fails fails the report."""
    for extra in extras:
        path = out.with_suffix(extra.suffix)
        if result.status != "rendered":
            path.unlink(missing_ok=True)
            continue
        try:
            if executed is None:
                import nbformat

                executed = nbformat.read(out.with_suffix(".ipynb"), as_version=4)
            extra.export(executed, path, options, title)
        except Exception as exc:  # noqa: BLE001
            path.unlink(missing_ok=True)
            if is_write_refusal(exc):
                result.os_errno, result.os_filename = exc.errno, exc.filename
            result.status, result.error_name = "failed", type(exc).__name__
            result.error_message = f"{extra.suffix} export failed: {' '.join(str(exc).split())[:500]}"


def render_report(notebook: Path | str, parameters: dict[str, Any], out: Path | str, *,
                  options: RenderOptions | None = None, kernel: Any = None, title: str | None = None,
                  key: str | None = None, cwd: Path | str | None = None, **changes: Any) -> RenderResult:
    """Execute ``notebook`` with ``parameters`` and write the document ``out`` (+ ``.ipynb`` beside it).

    Args:
        notebook: the source notebook (never modified).
        parameters: injected by papermill as Python literals after the ``parameters`` cell.
        out: the document to write; its suffix picks the exporter (``.html``). The executed
            notebook goes to the same path with ``.ipynb``, and ``options.extra_formats``
            (``extra_formats=(".pdf",)``) to the same path with their suffixes.
        options: how to run and export it (``RenderOptions``: audience, language, kernel,
            timeouts, retries, images). Its fields may also be given as keywords
            (``with_code=True``, ``timeout=60``), alone or on top of ``options``.
        kernel: a ``kernel.WarmKernel`` to run on (reset first, left running, restarted before
            its next report if this one failed). ``None``: a new plain kernel just for this
            report (``options.kernel_name``).
        title: the document's title (escaped by the template; default: the notebook's metadata
            title, else the file's stem).
        key: the report's name in results (default: the document's stem).
        cwd: the kernel's working directory (default: the notebook's folder, as in Jupyter).

    Returns:
        A ``RenderResult``; this function does not raise for notebook or kernel errors.

    Raises:
        exporters.UnknownFormatError: no exporter for ``out``'s suffix (before anything runs).
        TypeError: a keyword that is no ``RenderOptions`` field.
    """
    options = RenderOptions.of(options, **changes)
    notebook, out = Path(notebook), Path(out)
    exporter = exporters.get(out.suffix)
    extras = [exporters.get(s) for s in options.extra_formats if s != out.suffix.lower()]
    _quiet_papermill()
    out_nb = out.with_suffix(".ipynb")
    out.parent.mkdir(parents=True, exist_ok=True)
    out_nb.unlink(missing_ok=True)  # never mistake an older run's notebook for this one's
    result = RenderResult(key=key or out.stem, status="failed", notebook_out=str(out_nb))
    run_dir = Path(cwd) if cwd else notebook.parent
    start = time.perf_counter()
    error: BaseException | None = None
    executed = None
    for attempt in range(1, options.retries + 2):
        result.attempts = attempt
        own = kernel is None
        k = kernel if kernel is not None else WarmKernel(
            KernelOptions(kernel_name=options.kernel_name, warm_modules=(), start_timeout=options.start_timeout),
            warm=False)
        try:
            k.prepare(run_dir)
            executed = _execute(notebook, out_nb, parameters, k, options.timeout, options.start_timeout)
            error = None
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            error = exc
        finally:
            if own:
                k.shutdown(now=True)
            else:
                k.report_done(error is None)
        if error is None or not is_transient(error) or attempt > options.retries:
            break
        time.sleep(1)  # a loaded machine: give the next kernel a moment
    if error is None:
        result.status = "rendered"
    else:
        _describe(result, error, options.timeout)
        _locate_failure(result, out_nb, error)
    # A document also for a failed run: the partial notebook shows where it stopped.
    if (error is None and executed is not None) or out_nb.exists():
        try:
            import nbformat

            nb = executed if error is None and executed is not None else nbformat.read(out_nb, as_version=4)
            exporter.export(nb, out, options, title)
            result.output = str(out)
        except Exception as exc:  # noqa: BLE001
            if is_write_refusal(exc) and result.os_errno is None:
                result.os_errno, result.os_filename = exc.errno, exc.filename
            if result.status == "rendered":
                result.status = "failed"
                result.error_name = type(exc).__name__
                result.error_message = f"{exporter.suffix} export failed: {exc}"
    if result.status == "rendered" and not out_nb.exists():
        result.status, result.error_name = "failed", "MissingOutput"
        result.error_message = f"papermill wrote no notebook at {out_nb}"
    _export_extras(result, extras, executed, out, options, title)
    if result.status == "failed" and result.output is None:
        out.unlink(missing_ok=True)  # no stale report from older inputs
    result.seconds = time.perf_counter() - start
    return result
