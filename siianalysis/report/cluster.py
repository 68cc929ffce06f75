"""Running render tasks on a dask.distributed cluster.

``execute_tasks(..., scheduler=...)`` (a batch's ``scheduler``, CLI ``--scheduler``)
hands the tasks to ``run_on_dask``; everything else stays with the caller, on the
client: a batch's planning, skip-unchanged, the manifest (written after each
finished report), the single progress bar (advanced as futures complete,
``distributed.as_completed``) and the index. ``scheduler`` is:

- ``"tcp://HOST:PORT"``: a running scheduler (``dask scheduler``) with workers
  (``dask worker tcp://HOST:PORT --nthreads 1``) on machines that share the
  project's folders and have the project installed;
- ``"local"``: a ``distributed.LocalCluster`` on this machine with ``jobs``
  worker processes of one thread each, closed at the end;
- a ``distributed.Client`` (left open).

Each worker process keeps warm kernels like a pool worker does (``kernel``: a
process-wide pool, one kernel per busy thread; one thread per worker is best).
A ``WorkerPlugin`` shuts those kernels down when a worker closes, and at the end
of a batch on a remote cluster the kernels are stopped on every worker
(``client.run``), so no kernel outlives its batch.

Paths: the tasks carry absolute paths of the notebooks, the processed tables
and the outputs, so those must mean the same on every worker (a shared
folder), or the outputs go to an fsspec URL (``--out s3://bucket/reports``):
workers render into a local temp folder and upload.

Failures: a notebook error or a dead kernel is handled on the worker exactly as
in a process pool (``render_report``: one retry on a new kernel). A task whose
worker died is re-run by dask (``distributed.scheduler.allowed-failures``) and,
if it still fails, submitted once more here; then it is a failed report.
Ctrl-C cancels what is queued, stops the kernels on the workers (the reports
running there then end) and, for ``"local"``, closes the cluster.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from typing import Any, Callable

from distributed.diagnostics.plugin import WorkerPlugin

from siianalysis.report.errors import SchedulerUnreachable
from siianalysis.report.kernel import KernelOptions, kernel_pool, shutdown_kernels
from siianalysis.report.tasks import RenderTask, crashed, run_task

PLUGIN_NAME = "siianalysis-kernels"


class KernelCleanup(WorkerPlugin):
    """Start a warm kernel on each worker as the batch begins (in the background, while the
    first tasks travel), and shut the worker's report kernels down when it closes."""

    name = PLUGIN_NAME

    def __init__(self, prestart: KernelOptions | None = None):
        self.prestart = prestart  # None for fresh kernels

    def setup(self, worker):  # noqa: ARG002 - plugin signature
        if self.prestart is not None and not kernel_pool().kernels():
            kernel_pool().prestart(self.prestart)

    def teardown(self, worker):  # noqa: ARG002 - plugin signature
        shutdown_kernels()


def _stop_worker_kernels() -> int:
    """Run on each worker: stop its report kernels; returns how many there were."""
    n = len(kernel_pool().kernels())
    shutdown_kernels()
    return n


def connect(scheduler: Any, jobs: int) -> tuple[Any, Any, bool]:
    """``(client, cluster or None, own_client)`` for ``scheduler`` (see the module doc)."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None, False
    if scheduler == "local":
        with warnings.catch_warnings():
            # "Port 8787 is already in use": the scheduler's HTTP routes move to another port
            warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")
            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster, True
    try:
        return Client(str(scheduler)), None, True
    except (OSError, TimeoutError) as exc:  # nothing listens there, or it never answered
        raise SchedulerUnreachable(str(scheduler), exc) from exc


def _task_key(task: RenderTask) -> str:
    return f"siireport-{task.key.replace('/', '-')}-{uuid.uuid4().hex[:8]}"


def run_on_dask(tasks: list[RenderTask], on_done: Callable[[RenderTask, Any], None], *, scheduler: Any,
                jobs: int = 1, resubmit: int = 1) -> None:
    """Run ``tasks`` on dask and call ``on_done(task, result)`` here as each ends.

    Args:
        tasks: the render tasks.
        on_done: called in this thread, in completion order.
        scheduler: ``"tcp://HOST:PORT"``, ``"local"`` or a ``distributed.Client``.
        jobs: workers of a ``"local"`` cluster.
        resubmit: times a task whose worker died is submitted again before it counts as failed.
    """
    from distributed import as_completed

    client, cluster, own = connect(scheduler, jobs)
    futures: dict[Any, Any] = {}
    try:
        first = tasks[0]
        warm = None if first.options.fresh_kernel else first.options.kernel_options()
        client.register_plugin(KernelCleanup(warm), name=PLUGIN_NAME)
        for task in tasks:
            futures[client.submit(run_task, task, key=_task_key(task), pure=False)] = task
        tries: dict[str, int] = {}
        completed = as_completed(list(futures))
        for fut in completed:
            task = futures.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
                if tries.get(task.key, 0) < resubmit:
                    tries[task.key] = tries.get(task.key, 0) + 1
                    again = client.submit(run_task, task, key=_task_key(task), pure=False)
                    futures[again] = task
                    completed.add(again)
                    continue
                result = crashed(task, exc)
            finally:
                fut.release()
            on_done(task, result)
    except BaseException:
        if futures:
            try:
                client.cancel(list(futures), force=True)
            except Exception:  # noqa: BLE001
                pass
        raise
    finally:
        if cluster is None:
            # a cluster that outlives this batch keeps no idle kernels
            try:
                client.run(_stop_worker_kernels)
            except Exception:  # noqa: BLE001
                pass
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
