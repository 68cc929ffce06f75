"""Running many render tasks: in this process, on a pool of worker processes, on any
``concurrent.futures.Executor``, or on a dask.distributed cluster (``cluster``).

``execute_tasks`` hands each finished task's result to a callback in the calling
thread, in completion order, so the caller can record it at once (a batch writes
its manifest after every report). Every worker process keeps warm kernels
(``kernel``) and starts one in the background as it starts, while it imports
papermill and builds its exporter.

Stopping: a pool's workers leave Ctrl-C to the parent and, on SIGTERM, kill their
kernels and exit; an interrupted run stops its pool and its kernels before the
interrupt goes on (``sigterm_as_interrupt`` makes SIGTERM one, too). A worker dies
with the process that started it, even one killed with ``kill -9``, and its kernels
with it (``lifeline.die_with_parent``).
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, Callable, Iterator

from siianalysis.report import exporters
from siianalysis.report.kernel import KernelOptions, kernel_pool, kill_kernels, shutdown_kernels
from siianalysis.report.lifeline import die_with_parent
from siianalysis.report.options import RenderOptions
from siianalysis.report.render import RenderResult
from siianalysis.report.storage import suffix_of
from siianalysis.report.tasks import RenderTask, crashed, run_task

OnDone = Callable[[RenderTask, RenderResult], None]


def _worker_init(kernel: KernelOptions | None, options: RenderOptions, suffix: str, parent_pid: int) -> None:
    """In each pool worker: die with the parent, leave Ctrl-C to it, on SIGTERM kill kernels and
    exit; start the warm kernel in the background while this process loads papermill and the
    exporter."""
    die_with_parent(parent_pid, on_orphaned=kill_kernels)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminate)
    if kernel is not None:
        kernel_pool().prestart(kernel)
    import papermill  # noqa: F401 - imported now, while the kernel starts

    exporter = exporters.get(suffix)
    if exporter.prepare is not None:
        exporter.prepare(options)


def _worker_terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
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


def _run_in_process(tasks: list[RenderTask], on_done: OnDone) -> None:
    try:
        for task in tasks:
            on_done(task, run_task(task))
    finally:
        shutdown_kernels()  # the warm kernels of this run; none may outlive it


def _run_in_pool(tasks: list[RenderTask], on_done: OnDone, jobs: int) -> None:
    pending, retried = list(tasks), set()
    while pending:
        # spawn: kernels, zmq and threads do not mix well with fork.
        first = pending[0]
        warm = None if first.options.fresh_kernel else first.options.kernel_options()
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=get_context("spawn"),
                                   initializer=_worker_init,
                                   initargs=(warm, first.options, suffix_of(first.out), os.getpid()))
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
                    result = crashed(task, exc)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that failed to pickle
                    result = crashed(task, exc)
                on_done(task, result)
        except BaseException:
            _stop_pool(pool)
            raise
        # workers exit; their atexit handlers shut their kernels down before join returns
        pool.shutdown(wait=True)


def _run_on_executor(tasks: list[RenderTask], on_done: OnDone, executor: Executor) -> None:
    futures: dict[Future, RenderTask] = {executor.submit(run_task, t): t for t in tasks}
    try:
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001
                result = crashed(task, exc)
            on_done(task, result)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def execute_tasks(tasks: list[RenderTask], on_done: OnDone, *, jobs: int = 1, executor: Executor | None = None,
                  scheduler: Any = None) -> None:
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
        # dask.distributed is optional: imported only when a cluster is asked for
        from siianalysis.report.cluster import run_on_dask

        run_on_dask(tasks, on_done, scheduler=scheduler, jobs=jobs)
    elif executor is not None:
        _run_on_executor(tasks, on_done, executor)
    elif jobs <= 1 or len(tasks) <= 1:
        _run_in_process(tasks, on_done)
    else:
        _run_in_pool(tasks, on_done, jobs)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM stops it like Ctrl-C (``KeyboardInterrupt``; main thread only)."""
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
