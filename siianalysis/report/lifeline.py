"""How a run's processes end together, and which moments an interrupt must wait for.

``die_with_parent``: a pool worker must not outlive the report process that started
it. Killed with ``kill -9`` (or by the out-of-memory killer) that process cannot stop
its workers, and a worker busy with a report would go on through the tasks already
queued to it, with its kernel, for nobody. On Linux the worker asks the kernel for
SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog
thread polls the parent's pid. The workers' Jupyter kernels then see their own parent
gone and exit (ipykernel's parent poller, started because jupyter_client sets
``JPY_PARENT_PID``) within a second or so.

Why not ``PR_SET_PDEATHSIG`` for the kernels too: the "parent" it watches is the
*thread* that started the process, and warm kernels are started from short-lived
background threads (``kernel.WarmKernel.start_in_background``): the kernel would be
killed as soon as that thread ended.

``deferred_interrupts``: bookkeeping that must not be cut in half (a finished report
recorded in the results and in the manifest, a report set aside and dropped from the
manifest, the index written) runs with Ctrl-C and SIGTERM held; a signal that came
meanwhile is delivered as soon as the block ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5


def _prctl_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, on_orphaned: Callable[[], None] | None = None) -> str:
    """Make this process end when ``parent_pid`` (its parent) ends; returns how (``"prctl"``,
    ``"watchdog"``).

    ``on_orphaned`` runs first when the watchdog sees the parent gone (e.g. kill this
    process's kernels); with prctl the kernels notice on their own.
    """
    if _prctl_death_signal(signal.SIGKILL):
        # the parent may have died before prctl was in place: then nobody will send the signal
        if os.getppid() != parent_pid:
            _orphaned(on_orphaned)
        return "prctl"

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_SECONDS)
        _orphaned(on_orphaned)

    threading.Thread(target=watch, name="siireport-parent-watch", daemon=True).start()
    return "watchdog"


def _orphaned(on_orphaned: Callable[[], None] | None) -> None:
    try:
        if on_orphaned is not None:
            on_orphaned()
    finally:
        os._exit(1)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block runs (main thread only); a signal received
    meanwhile is raised again, to its own handler, once the block is done. Signals this
    process ignores stay ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum, frame):  # noqa: ARG001 - signal handler signature
        caught.append(signum)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is not signal.SIG_IGN and handler is not None:
            previous[signum] = signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    for signum in dict.fromkeys(caught):
        signal.raise_signal(signum)
