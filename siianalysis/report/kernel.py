"""Warm Jupyter kernels, reused across reports and reset between them.

Starting a kernel, importing pandas/matplotlib/siianalysis in it and shutting
it down costs more than running a report's cells, so a worker process keeps
one kernel per thread and reuses it:

1. ``WarmKernel.start()`` starts the kernel and, silently (no ``In [n]``
   used), loads ``kernel_state`` into it as the hidden module
   ``_siireport_kernel``, imports ``warm_modules``, draws a small figure (Agg),
   calls ``warm_calls`` (whatever else the caller's notebooks load on first use:
   the tambon batch draws with the Thai font and runs the Thai tokenizer), then
   snapshots the state;
2. ``WarmKernel.prepare(cwd)`` runs before every report: it restarts the
   kernel if it is dead, if the previous report failed, or after
   ``max_reports`` reports (that bounds the kernel's memory), and otherwise
   resets it to the snapshot (``kernel_state.reset``: namespace, ``In``/``Out``,
   execution counter back to 1, figures, rcParams, warnings filters, cwd,
   ``sys.path``, …). A report therefore sees what a fresh kernel would show it;
3. papermill runs the notebook on the running kernel (``km=``; see
   ``render``), which leaves the kernel alive.

``KernelPool`` (one per process, ``kernel_pool()``) lends kernels to threads:
a dask worker with several threads gets one kernel per busy thread. Kernels
are shut down by ``shutdown_kernels()`` (called at the end of an in-process
batch), at interpreter exit (``atexit``), and by ``kill_kernels()`` from a
signal handler. ipykernel also exits on its own when its parent process dies.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

log = logging.getLogger(__name__)

STATE_MODULE = "_siireport_kernel"
STATE_SOURCE = Path(__file__).with_name("kernel_state.py")

# Imported once per kernel so reports pay nothing for them; a module that is not
# installed is skipped (recorded in WarmKernel.warm_failures). A batch adds its own
# (the modules its notebooks import).
DEFAULT_WARM_MODULES: tuple[str, ...] = ("numpy", "pandas", "pyarrow.parquet", "matplotlib", "matplotlib.pyplot")
DEFAULT_MAX_REPORTS = 100  # restart a kernel after this many reports (bounds its memory)
RESET_TIMEOUT = 60  # seconds for a reset (or warm-up, on top of the start timeout)


class KernelSetupError(RuntimeError):
    """The kernel started but the warm-up or reset code failed (message says why)."""


@dataclass(frozen=True)
class KernelOptions:
    """How a worker's kernels are made; plain data, part of every render task.

    Args:
        kernel_name: the Jupyter kernel (``python3`` = this environment's ipykernel).
        warm_modules: imported at kernel start (``()``: none).
        warm_calls: functions called (without arguments) after those imports, as
            ``"module:function"``; a failure is recorded, not raised.
        max_reports: reports per kernel before a restart (``None``: never, except after a failure).
        start_timeout: seconds for the kernel to start and answer.
        warm_timeout: seconds for the warm-up imports.
    """

    kernel_name: str = "python3"
    warm_modules: tuple[str, ...] = DEFAULT_WARM_MODULES
    warm_calls: tuple[str, ...] = ()
    max_reports: int | None = DEFAULT_MAX_REPORTS
    start_timeout: int = 60
    warm_timeout: int = RESET_TIMEOUT


def _run_sync(coro_fn, *args, **kwargs):
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)(*args, **kwargs)


def _import_start_modules() -> None:
    """Import, in the calling thread, what starting a kernel imports (see ``start_in_background``)."""
    import jupyter_client.manager  # noqa: F401
    import jupyter_core.utils  # noqa: F401
    from jupyter_client.localinterfaces import localhost

    localhost()  # its first call imports psutil to list the machine's addresses


def _is_ipykernel(kernel_name: str) -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except Exception:  # noqa: BLE001 - the start reports an unknown kernel itself
        return False
    return any("ipykernel" in a for a in argv)


class WarmKernel:
    """One kernel process that reports can be run on, one after another.

    Args:
        options: see ``KernelOptions``.
        warm: import ``options.warm_modules`` and snapshot at start, reset before each
            report. ``False`` gives a plain new kernel (what ``fresh_kernel=True`` uses, once).
    """

    def __init__(self, options: KernelOptions | None = None, *, warm: bool = True):
        self.options = options or KernelOptions()
        self.warm = warm
        self.km: Any = None  # jupyter_client AsyncKernelManager while running
        self._kc: Any = None  # a blocking shell-only client for warm-up and resets
        self.client: Any = None  # the async client reports run through (kept: no per-report handshake)
        self.reports = 0  # reports run since the kernel started
        self.starts = 0
        self.broken = False  # restart before the next report
        self.warm_failures: dict[str, str] = {}
        self._fresh = True  # nothing has run since the start (no reset needed)
        self._starting: threading.Thread | None = None  # a start running in the background
        self._ipykernel = _is_ipykernel(self.options.kernel_name)

    @property
    def kernel_name(self) -> str:
        return self.options.kernel_name

    @property
    def pid(self) -> int | None:
        prov = getattr(self.km, "provisioner", None)
        proc = getattr(prov, "process", None)
        return getattr(proc, "pid", None)

    def is_alive(self) -> bool:
        if self.km is None:
            return False
        try:
            return bool(_run_sync(self.km.is_alive))
        except Exception:  # noqa: BLE001
            return False

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, cwd: str | os.PathLike | None = None) -> None:
        """Start the kernel (in ``cwd``), wait until it answers, warm it up when ``warm``."""
        from jupyter_client.manager import AsyncKernelManager

        self.shutdown(now=True)
        km = _no_linger(AsyncKernelManager(kernel_name=self.options.kernel_name))
        extra = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:"] \
            if self._ipykernel else []
        kwargs = {"cwd": str(cwd)} if cwd and Path(cwd).is_dir() else {}
        self.km = km
        _run_sync(km.start_kernel, extra_arguments=extra, **kwargs)
        self.starts += 1
        self.reports, self.broken, self._fresh = 0, False, True
        try:
            self._kc = _no_linger(km.blocking_client())
            self._kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            self._wait_ready(self.options.start_timeout)
            self.client = _no_linger(km.client())
            self.client.start_channels(shell=True, iopub=True, stdin=True, hb=False, control=True)
            self.client.allow_stdin = False
            if self.warm and self._ipykernel:
                self._load_state_module()
                failures = self.call(
                    f"__import__({STATE_MODULE!r}).warm({list(self.options.warm_modules)!r}, "
                    f"{list(self.options.warm_calls)!r})",
                    timeout=self.options.warm_timeout, result=True)
                self.warm_failures = failures or {}
        except BaseException:
            self.shutdown(now=True)
            raise

    def start_in_background(self, cwd: str | os.PathLike | None = None) -> None:
        """Start (or restart) the kernel in a thread; the next ``prepare`` waits for it.

        Lets a worker import its own modules, or export the previous report's HTML, while
        the kernel starts. A failed background start is simply retried by ``prepare``.

        The thread builds no Python AST and imports nothing: what it needs is imported
        here first, and the warm-up's answer comes back as JSON (``call``). CPython 3.11.7
        keeps one AST recursion depth for all threads (gh-106905, fixed in later releases),
        so an ``ast.parse`` here beside one in the worker (``import papermill`` runs
        thousands, in lark) could fail with ``SystemError: AST constructor recursion depth
        mismatch``: that made a pool worker's start fail now and then.
        """
        self.join_start()
        _import_start_modules()

        def run() -> None:
            try:
                self.start(cwd)
            except Exception:  # noqa: BLE001 - prepare() starts it again and reports
                log.debug("background kernel start failed", exc_info=True)

        self._starting = threading.Thread(target=run, name="siireport-kernel-start", daemon=True)
        self._starting.start()

    def join_start(self) -> None:
        """Wait for a background start, if one is running."""
        starting, self._starting = self._starting, None
        if starting is not None:
            starting.join()

    def needs_restart(self) -> bool:
        limit = self.options.max_reports
        return self.km is None or self.broken or (limit is not None and self.reports >= limit)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            msg_id = self._kc.kernel_info()
            try:
                while True:
                    reply = self._kc.get_shell_msg(timeout=1)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return
            except Exception:  # noqa: BLE001 - queue.Empty: not up yet
                pass
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.kernel_name!r} did not answer within {timeout} s")

    def _load_state_module(self) -> None:
        source = STATE_SOURCE.read_text(encoding="utf-8")
        code = (
            "exec(compile({src!r}, {fn!r}, 'exec'), __import__('sys').modules.setdefault({mod!r}, "
            "__import__('types').ModuleType({mod!r})).__dict__)"
        ).format(src=source, fn=str(STATE_SOURCE), mod=STATE_MODULE)
        self.call(code, timeout=self.options.warm_timeout)

    def call(self, code: str, *, timeout: float = RESET_TIMEOUT, result: bool = False) -> Any:
        """Run ``code`` silently (no history, no ``In [n]``); with ``result``, return its value.

        With ``result``, ``code`` is an expression whose value JSON can hold. The kernel sends
        it back through ``user_expressions`` as JSON in hex (the repr of a hex string is the
        string in quotes), so reading it builds no Python AST: this runs in the background
        start's thread (see ``start_in_background``).
        Raises ``KernelSetupError`` if the code raised, ``TimeoutError`` if no reply in time.
        """
        import queue

        expressions = {}
        if result:
            expressions = {"r": f"__import__('json').dumps({code}).encode().hex()"}
            code = ""
        msg_id = self._kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                  user_expressions=expressions, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"kernel did not finish set-up code within {timeout} s")
            try:
                reply = self._kc.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.is_alive():
                    raise RuntimeError("Kernel died during set-up code") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelSetupError(f"{content.get('ename')}: {content.get('evalue')}")
        if not result:
            return None
        value = content.get("user_expressions", {}).get("r", {})
        if value.get("status") != "ok":
            raise KernelSetupError(f"{value.get('ename')}: {value.get('evalue')}")
        try:
            return json.loads(bytes.fromhex(value["data"]["text/plain"].strip("'")))
        except (KeyError, ValueError):
            return None

    def prepare(self, cwd: str | os.PathLike | None = None) -> None:
        """Make the kernel ready for the next report, run in ``cwd``.

        A warm kernel is reset to its post-warm-up snapshot (right after a start that only
        sets the cwd); it is restarted instead when it is not running, after a failed report,
        or when ``max_reports`` were run on it. A plain (``warm=False``) kernel serves one
        report: it is started anew for the next.
        """
        self.join_start()
        if self.needs_restart() or not self.is_alive():
            self.start(cwd)
        if not (self.warm and self._ipykernel):
            if not self._fresh:  # a plain kernel is good for one report only
                self.start(cwd)
            self._fresh = False
            return
        target = str(cwd) if cwd else None
        try:
            self.call(f"__import__({STATE_MODULE!r}).reset({target!r})")
        except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
            log.warning("kernel reset failed; restarting it", exc_info=True)
            self.start(cwd)
            self.call(f"__import__({STATE_MODULE!r}).reset({target!r})")
        self._fresh = False

    def report_done(self, ok: bool) -> None:
        """Count a report; after a failure the kernel is restarted before the next one."""
        self.reports += 1
        if not ok:
            self.broken = True

    def shutdown(self, now: bool = True) -> None:
        """Stop the kernel (``now``: kill at once, no graceful shutdown request) and its clients."""
        if self._starting is not None and self._starting is not threading.current_thread():
            self.join_start()
        clients, km = (self._kc, self.client), self.km
        self._kc = self.client = self.km = None
        for kc in clients:
            if kc is not None:
                try:
                    kc.stop_channels()
                except Exception:  # noqa: BLE001
                    pass
        if km is not None:
            try:
                if km.has_kernel:
                    _run_sync(km.shutdown_kernel, now=now)
                else:
                    km.cleanup_connection_file()
            except Exception:  # noqa: BLE001 - already gone
                self._kill(km)

    def kill(self) -> None:
        """Kill the kernel process group without waiting (safe in a signal handler). Its
        clients are closed later, outside the handler (``close_orphaned_clients``)."""
        km, clients = self.km, (self._kc, self.client)
        self.km = self._kc = self.client = None
        _ORPHANED_CLIENTS.extend(c for c in clients if c is not None)
        if km is not None:
            self._kill(km)

    @staticmethod
    def _kill(km: Any) -> None:
        prov = getattr(km, "provisioner", None)
        pgid = getattr(prov, "pgid", None)
        proc = getattr(prov, "process", None)
        try:
            if pgid and hasattr(os, "killpg"):
                os.killpg(pgid, signal.SIGKILL)
            elif proc is not None:
                proc.kill()
        except OSError:
            pass
        if proc is not None:
            try:
                proc.wait(timeout=2)
            except Exception:  # noqa: BLE001
                pass
        try:
            km.cleanup_connection_file()
        except Exception:  # noqa: BLE001
            pass


class KernelPool:
    """The kernels of one process, lent to one thread at a time (``lease``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[KernelOptions, list[WarmKernel]] = {}
        self._all: list[WarmKernel] = []

    @contextmanager
    def lease(self, options: KernelOptions) -> Iterator[WarmKernel]:
        """A warm kernel for ``options``, this thread's until the block ends.

        If the block is left by an exception (an interrupt, not a report failure: those
        are results), the kernel is killed: its state is unknown.
        """
        with self._lock:
            idle = self._idle.setdefault(options, [])
            kernel = idle.pop() if idle else None
            if kernel is None:
                kernel = WarmKernel(options)
                self._all.append(kernel)
        try:
            yield kernel
        except BaseException:
            kernel.kill()
            close_orphaned_clients()
            with self._lock:
                if kernel in self._all:
                    self._all.remove(kernel)
            raise
        with self._lock:
            keep = kernel in self._all
            if keep:
                self._idle.setdefault(options, []).append(kernel)
        if not keep:  # the pool was shut down while this kernel was out
            kernel.shutdown(now=True)
        elif kernel.warm and kernel.needs_restart():
            kernel.start_in_background()  # after a failure or the report limit: restart now

    def prestart(self, options: KernelOptions) -> WarmKernel:
        """Start a kernel for ``options`` in the background, ready for the first ``lease``."""
        kernel = WarmKernel(options)
        with self._lock:
            self._all.append(kernel)
            self._idle.setdefault(options, []).append(kernel)
        kernel.start_in_background()
        return kernel

    def kernels(self) -> list[WarmKernel]:
        with self._lock:
            return list(self._all)

    def shutdown_all(self, now: bool = True) -> None:
        """Stop every kernel of this process (a kernel in use is stopped too)."""
        with self._lock:
            kernels, self._all, self._idle = self._all, [], {}
        for kernel in kernels:
            kernel.shutdown(now=now)

    def kill_all(self) -> None:
        """Kill every kernel at once, without locks or waiting: for signal handlers."""
        for kernel in list(self._all):
            kernel.kill()
        self._all, self._idle = [], {}


_POOL = KernelPool()


def kernel_pool() -> KernelPool:
    """This process's ``KernelPool``."""
    return _POOL


def _no_linger(owner: Any) -> Any:
    """``owner`` (a kernel manager or client) whose zmq sockets drop unsent messages when
    closed: a message to a kernel that was killed (Ctrl-C, SIGTERM) can never be sent, and
    with zmq's default linger the context's cleanup — whenever the garbage collector runs
    it — would wait for it forever."""
    import zmq

    owner.context.setsockopt(zmq.LINGER, 0)
    return owner


# Clients of killed kernels: their sockets still wait on a kernel that is gone. Left to the
# garbage collector, zmq's context cleanup would block on them forever, wherever a
# collection happens to run (an interrupted batch writing its index hung so).
_ORPHANED_CLIENTS: list[Any] = []


def close_orphaned_clients() -> None:
    """Close the sockets of the clients of killed kernels, dropping what they still hold."""
    while _ORPHANED_CLIENTS:
        client = _ORPHANED_CLIENTS.pop()
        try:
            client.stop_channels()
        except Exception:  # noqa: BLE001 - a channel already closed
            pass
        try:
            client.context.destroy(linger=0)
        except Exception:  # noqa: BLE001
            pass


def shutdown_kernels() -> None:
    """Stop every kernel this process started (also registered with ``atexit``)."""
    _POOL.shutdown_all(now=True)
    close_orphaned_clients()


def kill_kernels() -> None:
    """Kill every kernel this process started, at once (for signal handlers)."""
    _POOL.kill_all()


atexit.register(shutdown_kernels)
