"""One notebook → executed ``.ipynb`` + self-contained HTML.

``render_report`` runs a notebook with papermill (parameters injected as Python
literals, so a ``tambon_id`` of ``"010101"`` stays the string ``"010101"``),
keeps the executed notebook beside the HTML (same stem) and converts it with
nbconvert.

Kernels: given a ``kernel`` (a ``kernel.WarmKernel``, normally lent by the
process's ``KernelPool``), the notebook runs on that already-running, warmed-up
kernel, reset to a fresh state first; papermill gets its kernel manager
(``km=``) and our papermill engine (``siianalysis-warm``) leaves the kernel
running, stops its per-report client, and writes the executed notebook once
(papermill's default rewrites it before and after every cell). Without one, a
new plain kernel is started for the report and killed after it (the
``fresh_kernel`` mode). Either way papermill injects the parameters and, when
a cell raises, writes the notebook with its error marked at the failing cell.

Two audiences:

- experts (default): no code. Code inputs and prompts are excluded, and cells
  tagged ``parameters``, ``injected-parameters``, ``remove_cell``/``remove-cell``
  or ``hide``/``hide-cell`` are dropped, as are stderr streams (warnings are
  noise to them; errors still show, they are ``error`` outputs);
- researchers (``with_code=True``): code and parameters kept.

Both use the ``siireport`` template (``template/siireport``): nbconvert's
``basic`` cells in a small page of our own with a ~5 KB stylesheet (Thai font
stack, tables, tracebacks with their ANSI colours), no external URL at all.
Figures are inline PNGs, recompressed to 256-colour palette PNGs when that is
smaller and loses nothing visible (``images``); markdown images are embedded.
Math in markdown is shown as typed, not typeset.

A failing notebook still yields its executed notebook (up to the failing cell)
and an HTML of it, so the reader sees where it stopped; the result carries the
failing cell and the error. A kernel that dies or does not start in time is
retried (``retries`` times, on a new kernel) before being reported.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).parent / "template"
TEMPLATE_NAME = "siireport"

# Tags that remove a whole cell from the expert HTML.
EXPERT_REMOVE_CELL_TAGS = frozenset({
    "remove_cell", "remove-cell", "hide", "hide-cell", "hide_cell",
    "parameters", "injected-parameters",
})
# Tags honoured in both modes.
REMOVE_CELL_TAGS = frozenset({"remove_cell", "remove-cell"})
REMOVE_INPUT_TAGS = frozenset({"remove_input", "remove-input", "hide-input", "hide_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output", "remove-output", "hide-output", "hide_output"})

# What the manifest keeps of a failure, so the index can show it in later runs.
FAILURE_FIELDS = ("error_name", "error_message", "cell_index", "execution_count", "cell_excerpt", "html")

DEFAULT_TIMEOUT = 600  # seconds per cell
DEFAULT_START_TIMEOUT = 60  # seconds for the kernel to start


@dataclass
class RenderResult:
    """The outcome of one report.

    ``status`` is ``"rendered"``, ``"skipped"`` (inputs unchanged) or
    ``"failed"``. For a failure, ``error_name``/``error_message`` say what, and,
    when a cell raised, ``cell_index`` (0-based, in the source notebook),
    ``execution_count`` (the ``In [n]``) and ``cell_excerpt`` (its first lines)
    say where. ``html`` is set whenever an HTML file was written (also for a
    partial, failed run).
    """

    key: str
    status: str
    html: str | None = None
    notebook_out: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    error_name: str | None = None
    error_message: str | None = None
    cell_index: int | None = None
    execution_count: int | None = None
    cell_excerpt: str | None = None
    digest: str | None = None

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


def _drop_stderr_preprocessor():
    """A preprocessor dropping stderr stream outputs (warnings, progress noise) for experts."""
    from nbconvert.preprocessors import Preprocessor

    class DropStderr(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            if cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs
                                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            return cell, resources

    return DropStderr()


def _stable_ids_preprocessor():
    """Give papermill's injected cells a fixed id (nbformat draws a random one) so the HTML
    of the same inputs is byte-identical from run to run."""
    from nbconvert.preprocessors import Preprocessor

    class StableIds(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            tags = cell.get("metadata", {}).get("tags", [])
            if "id" in cell and ("injected-parameters" in tags or "papermill-error-cell-tag" in tags):
                cell.id = f"papermill-{index}"
            return cell, resources

    return StableIds()


_EXPORTERS = threading.local()


def html_exporter(with_code: bool = False, lang: str = "th", compact_images: bool = True):
    """The HTMLExporter for one mode and language, built once per thread (building is slow,
    and an exporter is not safe to share between threads, e.g. in a dask worker).

    Args:
        with_code: keep code cells' source and prompts (researchers) or hide them (experts).
        lang: ``<html lang>`` of the page (``"th"`` or ``"en"``).
        compact_images: recompress inline PNGs to palette PNGs where smaller (``images``).
    """
    cache = getattr(_EXPORTERS, "cache", None)
    if cache is None:
        cache = _EXPORTERS.cache = {}
    key = (with_code, lang, compact_images)
    if key not in cache:
        cache[key] = _new_exporter(with_code, lang, compact_images)
    return cache[key]


@lru_cache(maxsize=1)
def _exporter_class():
    """nbconvert's HTMLExporter without its last step, a BeautifulSoup pass over the whole
    page (to add a generic "No description has been provided" alt text to images and
    JupyterLab-only tabindex attributes): 30-40 ms a report for nothing our template uses.
    Falls back to the full HTMLExporter if nbconvert's internals differ."""
    from nbconvert import HTMLExporter

    try:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    except ImportError:  # pragma: no cover - another nbconvert
        return HTMLExporter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            if not hasattr(self, "_nb_metadata"):  # pragma: no cover - another nbconvert
                return super().from_notebook_node(nb, resources, **kw)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _new_exporter(with_code: bool, lang: str, compact_images: bool):
    from traitlets.config import Config

    HTMLExporter = _exporter_class()  # noqa: N806

    from siianalysis.report.images import compact_images_preprocessor

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS if with_code else EXPERT_REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_input_tags = set(REMOVE_INPUT_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    c.HTMLExporter.exclude_input = not with_code
    c.HTMLExporter.exclude_input_prompt = not with_code
    c.HTMLExporter.exclude_output_prompt = not with_code
    c.HTMLExporter.embed_images = True  # markdown images inline: the page must open offline
    c.HTMLExporter.language_code = lang
    exporter = HTMLExporter(config=c, template_name=TEMPLATE_NAME,
                            extra_template_basedirs=[str(TEMPLATE_DIR)])
    # nbconvert may log warnings (e.g. images without alt text) that would tear the batch's
    # progress bar.
    quiet = logging.getLogger("siianalysis.report.nbconvert")
    quiet.setLevel(logging.ERROR)
    exporter.log = quiet
    exporter.register_preprocessor(_stable_ids_preprocessor(), enabled=True)
    if not with_code:
        exporter.register_preprocessor(_drop_stderr_preprocessor(), enabled=True)
    if compact_images:
        exporter.register_preprocessor(compact_images_preprocessor(), enabled=True)
    return exporter


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` via a temp file + ``os.replace``: a reader never sees half a file.

    The temp name carries the pid and thread (one writer per file per thread); ``open``
    keeps the umask's permissions, unlike ``mkstemp``'s 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def notebook_to_html(notebook: Any, out_html: Path | str, *, with_code: bool = False,
                     lang: str = "th", title: str | None = None, compact_images: bool = True) -> Path:
    """Convert an (executed) notebook to a self-contained HTML file.

    Args:
        notebook: the ``.ipynb`` path, or a notebook node (e.g. papermill's return value).
        out_html: the HTML file to write (atomically).
        with_code: keep code (researchers) instead of hiding it (experts).
        lang: page language.
        title: the page ``<title>``; default: the notebook's metadata title, else the file stem.
        compact_images: recompress inline PNGs where smaller.
    """
    import nbformat

    out_html = Path(out_html)
    nb = notebook if isinstance(notebook, dict) else nbformat.read(Path(notebook), as_version=4)
    resources = {"metadata": {"name": out_html.stem}, "siireport_title": title}
    body, _ = html_exporter(with_code, lang, compact_images).from_notebook_node(nb, resources=resources)
    write_atomic(out_html, body)
    return out_html


def is_transient(exc: BaseException) -> bool:
    """A kernel that died or was slow to start: worth one more try.

    A cell that runs too long (``CellTimeoutError``, also a ``TimeoutError``) and
    an error raised by the notebook's own code are not transient.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from siianalysis.report.kernel import KernelSetupError

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


def _excerpt(source: str, lines: int = 3, chars: int = 240) -> str:
    text = "\n".join(source.splitlines()[:lines])
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _quiet_papermill() -> None:
    # papermill logs every cell at INFO and unknown parameters at WARNING; in a batch
    # that would tear the progress bar. Errors still reach the result object.
    logging.getLogger("papermill").setLevel(logging.ERROR)


ENGINE_NAME = "siianalysis-warm"


def _quiet_log() -> logging.Logger:
    """nbclient's logger in a batch: what it would print ("Kernel died while waiting for
    execute reply", …) reaches the result as an exception anyway, and would tear the bar."""
    log = logging.getLogger("siianalysis.report.nbclient")
    log.setLevel(logging.CRITICAL)
    return log


@lru_cache(maxsize=1)
def _register_engine() -> str:
    """Register (once per process) the papermill engine that runs on a kernel it is given.

    Compared with papermill's ``nbclient`` engine it:

    - uses the kernel manager passed as ``km`` (nbclient then does not own it, so it
      neither starts nor shuts the kernel down) and the client passed as ``kc`` (kept
      open from report to report: a new client costs a handshake and 0.2 s of waiting
      for a quiet IOPub channel). Without ``kc`` it makes one and stops its channels
      afterwards (nbclient would leave them open: sockets and a heartbeat thread);
    - writes the output notebook only when execution stops with an exception (timeout,
      dead kernel); papermill itself writes it at the end, with the error marked when a
      cell raised. papermill's default rewrites the whole notebook twice per cell.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class OwnKernelClient(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, kc=None, **kw):
            super().__init__(nb_man, km=km, **kw)
            self.kc, self._own_kc = kc, kc is None

        def execute(self, **kwargs):
            try:
                return super().execute(**kwargs)
            finally:
                kc, self.kc = self.kc, None
                if kc is not None and self._own_kc:
                    try:
                        kc.stop_channels()
                    except Exception:  # noqa: BLE001
                        pass

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=False, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False, log_output=log_output,
                                              autosave_cell_every=0)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.output_path = output_path  # the final save below writes what ran
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=_quiet_log(),
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            return OwnKernelClient(nb_man, **final_kwargs).execute()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    return ENGINE_NAME


def _execute(notebook: Path, out_nb: Path, parameters: dict[str, Any], kernel: Any,
             timeout: int | None, start_timeout: int) -> Any:
    """Run ``notebook`` on ``kernel`` (prepared) with papermill; returns the executed notebook node."""
    import papermill as pm

    return pm.execute_notebook(
        str(notebook), str(out_nb), parameters=dict(parameters), engine_name=_register_engine(),
        kernel_name=kernel.kernel_name, km=kernel.km, kc=getattr(kernel, "client", None), execution_timeout=timeout, start_timeout=start_timeout,
        progress_bar=False, log_output=False,
    )


def render_report(notebook: Path | str, parameters: dict[str, Any], out_html: Path | str, *,
                  with_code: bool = False, kernel_name: str = "python3", lang: str = "th",
                  timeout: int | None = DEFAULT_TIMEOUT, start_timeout: int = DEFAULT_START_TIMEOUT,
                  retries: int = 1, cwd: Path | str | None = None, key: str | None = None,
                  title: str | None = None, kernel: Any = None, compact_images: bool = True) -> RenderResult:
    """Execute ``notebook`` with ``parameters`` and write ``out_html`` (+ ``.ipynb`` beside it).

    Args:
        notebook: the source notebook (never modified).
        parameters: injected by papermill as Python literals after the ``parameters`` cell.
        out_html: the HTML to write; the executed notebook goes to the same path with ``.ipynb``.
        with_code: show code (researchers); default hides it (experts).
        kernel_name: the Jupyter kernel to run (``python3`` = this environment's ipykernel);
            ignored when ``kernel`` is given (it has its own).
        lang: page language of the HTML.
        timeout: seconds a single cell may run (``None``: no limit).
        start_timeout: seconds to wait for the kernel to start.
        retries: extra attempts after a dead or slow-to-start kernel (each on a new kernel).
        cwd: the kernel's working directory (default: the notebook's folder, as in Jupyter).
        key: the report's name in results (default: the HTML's stem).
        title: the HTML ``<title>`` (escaped by the template; default: the notebook's metadata
            title, else the HTML's stem).
        kernel: a ``kernel.WarmKernel`` to run on (reset first, left running, restarted before
            its next report if this one failed). ``None``: a new kernel just for this report.
        compact_images: recompress inline PNGs in the HTML where smaller.

    Returns:
        A ``RenderResult``; this function does not raise for notebook or kernel errors.
    """
    from siianalysis.report.kernel import KernelOptions, WarmKernel

    _quiet_papermill()
    notebook, out_html = Path(notebook), Path(out_html)
    out_nb = out_html.with_suffix(".ipynb")
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_nb.unlink(missing_ok=True)  # never mistake an older run's notebook for this one's
    result = RenderResult(key=key or out_html.stem, status="failed", notebook_out=str(out_nb))
    run_dir = Path(cwd) if cwd else notebook.parent
    start = time.perf_counter()
    error: BaseException | None = None
    executed = None
    for attempt in range(1, retries + 2):
        result.attempts = attempt
        own = kernel is None
        k = kernel if kernel is not None else WarmKernel(
            KernelOptions(kernel_name=kernel_name, warm_modules=(), start_timeout=start_timeout), warm=False)
        try:
            k.prepare(run_dir)
            executed = _execute(notebook, out_nb, parameters, k, timeout, start_timeout)
            error = None
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            error = exc
        finally:
            if own:
                k.shutdown(now=True)
            else:
                k.report_done(error is None)
        if error is None or not is_transient(error) or attempt > retries:
            break
        time.sleep(1)  # a loaded machine: give the next kernel a moment
    if error is None:
        result.status = "rendered"
    else:
        result.error_name = type(error).__name__
        result.error_message = str(error).strip()
        _locate_failure(result, out_nb, error)
    # HTML also for a failed run: the partial notebook shows where it stopped.
    source = executed if error is None and executed is not None else (out_nb if out_nb.exists() else None)
    if source is not None:
        try:
            notebook_to_html(source, out_html, with_code=with_code, lang=lang, title=title,
                             compact_images=compact_images)
            result.html = str(out_html)
        except Exception as exc:  # noqa: BLE001
            if result.status == "rendered":
                result.status = "failed"
                result.error_name = type(exc).__name__
                result.error_message = f"HTML conversion failed: {exc}"
    if result.status == "rendered" and not out_nb.exists():
        result.status, result.error_name = "failed", "MissingOutput"
        result.error_message = f"papermill wrote no notebook at {out_nb}"
    if result.status == "failed" and result.html is None:
        out_html.unlink(missing_ok=True)  # no stale report from older inputs
    result.seconds = time.perf_counter() - start
    return result
