"""Reading files in worker processes that may die: what a file costs, it costs alone.

A reader is a C or Rust library working on bytes a stranger sent: a file can
make it abort the process, crash, allocate without end or never finish. So
``run_isolated`` runs the tasks (one file each) in worker processes, one task at
a time per worker, while the caller's process only hands out work and collects
results:

- a worker's memory is limited (``resource.RLIMIT_AS``: the address space it
  starts with plus ``WorkerLimits.memory_bytes``), so a runaway allocation fails
  in that worker instead of swapping the machine or waking the OOM killer;
- each task has a wall-clock limit (``WorkerLimits.seconds``, times the task's
  weight: a zip is as many files as it holds); past it the worker is killed;
- a worker that dies (an abort, a crash, a kill) is replaced and the other
  tasks go on. Its task is tried once more, alone (nothing else running, in
  case the machine as a whole ran short), then given up. A task that ran out of
  memory inside its limit, or out of time, is given up at once: the limit is
  the worker's own, so a second try would hit it again. The task queued behind
  it (each worker holds the next one, so it never waits between two) had not
  begun: it goes to another worker, not counted as a try.

A task given up comes back as a ``Failure`` naming the limit it hit; every other
task's result comes back as the function returned it. Workers are forked where
the platform allows (Linux: nothing is imported again, a worker starts in
milliseconds) and started only when there is work for them, so a run whose
every file is known costs no process at all. They ignore Ctrl-C (the caller
stops them) and die with the caller's process (Linux: ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A worksheet reads in well under a second and in under 200 MB: these limits are
# many times that, and still leave an old laptop's memory to the rest of the run.
DEFAULT_MEMORY_BYTES = 1 << 30
DEFAULT_SECONDS = 120.0

_STDERR_TAIL = 64 * 1024  # a Rust backtrace follows the line that says what failed
_FATAL_STARTS = ("Fatal Python error", "thread '")
_MEMORY_WORDS = ("memory allocation of", "MemoryError", "Cannot allocate memory", "bad_alloc", "out of memory")


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """What one task may take: address space beyond a fresh worker's, and wall-clock seconds."""

    memory_bytes: int = DEFAULT_MEMORY_BYTES
    seconds: float = DEFAULT_SECONDS

    def memory_words(self) -> str:
        return f"{self.memory_bytes / (1 << 30):.1f} GiB" if self.memory_bytes >= 1 << 30 else \
            f"{self.memory_bytes / (1 << 20):.0f} MiB"


@dataclass(frozen=True, slots=True)
class Failure:
    """A task given up: ``limit`` is "memory", "time", "crash" or "error" (the function raised),
    ``detail`` what was seen (the signal, the last line the worker wrote)."""

    limit: str
    detail: str


def run_isolated(func: Callable[..., Any], tasks: Iterable[tuple[Hashable, tuple, int]], *, jobs: int,
                 limits: WorkerLimits | None = None) -> Iterator[tuple[Hashable, Any]]:
    """``(key, func(*args))`` for each ``(key, args, weight)`` of ``tasks``, as they finish, each
    run in a worker process (module docstring); ``(key, Failure)`` for a task given up. A task
    may take ``weight`` times ``limits.seconds`` (the files it reads).

    ``tasks`` is read lazily, as workers are ready for them: the caller may read a file
    only when a worker is about to take it. ``func`` must be a module-level function
    (workers may be spawned), its arguments and result picklable.
    """
    pool = _Pool(func, max(1, jobs), limits or WorkerLimits())
    retry: deque[tuple[Hashable, tuple, int]] = deque()  # died once: a last try, alone
    again: deque[tuple[Hashable, tuple, int]] = deque()  # queued behind a task that killed its worker: not tried
    pending = iter(tasks)
    exhausted = False
    try:
        while True:
            while not retry and not pool.alone() and pool.can_take():
                if again:
                    task = again.popleft()
                elif exhausted:
                    break
                else:
                    try:
                        task = next(pending)
                    except StopIteration:
                        exhausted = True
                        break
                pool.submit(task, last_try=False)
            if retry and not pool.busy():
                pool.submit(retry.popleft(), last_try=True)  # alone: nothing else runs beside it
            if not pool.busy():
                if exhausted and not retry and not again:
                    return
                continue
            for task, outcome in pool.wait():
                if outcome is _TRY_AGAIN:
                    retry.append(task)
                elif outcome is _NOT_TRIED:
                    again.append(task)
                else:
                    yield task[0], outcome
    finally:
        pool.close()


_TRY_AGAIN, _NOT_TRIED = object(), object()
# Tasks a worker holds: the one it runs and the next, already in its pipe, so that it never
# waits for the caller between two files (the caller may wait long for the CPU on a busy machine).
_DEPTH = 2


class _Worker:
    def __init__(self, pool: _Pool, number: int) -> None:
        self.stderr = pool.dir / f"worker-{number}.stderr"
        parent_end, child_end = pool.ctx.Pipe()
        # a forked child holds copies of the other workers' pipe ends: it closes them
        inherited = [w.conn for w in pool.workers] if pool.ctx.get_start_method() == "fork" else []
        self.proc = pool.ctx.Process(
            target=_serve, name=f"siianalysis-reader-{number}", daemon=True,
            args=(child_end, parent_end, inherited, pool.func, pool.limits.memory_bytes, str(self.stderr)))
        self.proc.start()
        child_end.close()
        self.conn = parent_end
        self.tasks: deque[tuple[tuple[Hashable, tuple, int], bool]] = deque()  # (task, last try); the first runs
        self.deadline = 0.0  # of the running task
        self.dead = False  # found dead when a task was sent: takes no more

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - _STDERR_TAIL))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        memory = [line for line in lines if any(w in line for w in _MEMORY_WORDS)]
        fatal = [line for line in lines if line.startswith(_FATAL_STARTS) or "panicked at" in line]
        return (memory or fatal or lines or [""])[0][:300]


class _Pool:
    def __init__(self, func: Callable[..., Any], jobs: int, limits: WorkerLimits) -> None:
        self.func, self.jobs, self.limits = func, jobs, limits
        method = "fork" if sys.platform == "linux" else "spawn"
        self.ctx = multiprocessing.get_context(method)
        self.dir = Path(tempfile.mkdtemp(prefix="siianalysis-readers-"))
        self.workers: list[_Worker] = []
        self.started = 0

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.tasks]

    def alone(self) -> bool:
        """Whether a task on its last try is running (nothing may run beside it)."""
        return any(w.tasks[0][1] for w in self.busy())

    def can_take(self) -> bool:
        live = [w for w in self.workers if not w.dead]
        return len(live) < self.jobs or any(len(w.tasks) < _DEPTH for w in live)

    def submit(self, task: tuple[Hashable, tuple, int], last_try: bool) -> None:
        """To an idle worker, else a new one, else behind the task of the least busy."""
        live = [w for w in self.workers if not w.dead]
        idle = [w for w in live if not w.tasks]
        if idle:
            worker = idle[0]
        elif len(live) < self.jobs:  # a dead one still holding tasks is not counted
            self.started += 1
            worker = _Worker(self, self.started)
            self.workers.append(worker)
        else:
            worker = min(live, key=lambda w: len(w.tasks))
        try:
            worker.conn.send(task[:2])
        except (BrokenPipeError, EOFError, OSError):
            # died meanwhile: ``wait`` collects its death (its running task's try); this one goes elsewhere
            worker.dead = True
            if not worker.tasks:
                self._drop(worker)
            return self.submit(task, last_try)
        if not worker.tasks:
            worker.deadline = time.monotonic() + self._seconds(task)
        worker.tasks.append((task, last_try))

    def _seconds(self, task: tuple[Hashable, tuple, int]) -> float:
        return self.limits.seconds * max(1, task[2])

    def wait(self) -> list[tuple[tuple[Hashable, tuple, int], Any]]:
        """Waits for at least one busy worker to answer, die or run out of time."""
        busy = self.busy()
        timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        ready = set(multiprocessing.connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                                                    timeout))
        done = []
        for worker in busy:
            if worker.conn in ready or worker.proc.sentinel in ready:
                done.extend(self._collect(worker))
            elif time.monotonic() >= worker.deadline:
                task, _ = worker.tasks.popleft()
                done.append((task, Failure("time", f"still reading after {self._seconds(task):g} s")))
                done.extend(self._drop(worker))
        return done

    def _collect(self, worker: _Worker) -> list[tuple[tuple[Hashable, tuple, int], Any]]:
        answers = []
        try:
            while worker.tasks and worker.conn.poll():
                _, (status, value) = worker.conn.recv()
                task, _ = worker.tasks.popleft()
                if worker.tasks:  # the next one has begun
                    worker.deadline = time.monotonic() + self._seconds(worker.tasks[0][0])
                if status == "memory":  # the worker stops after saying so: what it queued never began
                    return [*answers, (task, Failure(status, value)), *self._drop(worker)]
                answers.append((task, value if status == "ok" else Failure(status, value)))
            if worker.proc.is_alive() or not worker.tasks:
                return answers
        except Exception:  # noqa: BLE001  an answer cut off by the worker's death: no answer
            pass
        # the worker died without answering for its running task
        task, last_try = worker.tasks.popleft()
        worker.proc.join(5)
        code = worker.proc.exitcode
        detail = worker.stderr_tail()
        rest = self._drop(worker)
        died = _signal_name(code)
        if any(w in detail for w in _MEMORY_WORDS):
            return [*answers, (task, Failure("memory", f"{died}: {detail}")), *rest]
        if not last_try:
            return [*answers, (task, _TRY_AGAIN), *rest]
        return [*answers, (task, Failure("crash", f"{died}{': ' + detail if detail else ''}")), *rest]

    def _drop(self, worker: _Worker) -> list[tuple[tuple[Hashable, tuple, int], Any]]:
        """Stops a worker; the tasks queued behind its running one come back, not tried."""
        worker.kill()
        self.workers.remove(worker)
        Path(worker.stderr).unlink(missing_ok=True)
        queued, worker.tasks = list(worker.tasks), deque()
        return [(task, _NOT_TRIED) for task, _ in queued]

    def close(self) -> None:
        for worker in self.workers:
            if not worker.tasks:
                try:
                    worker.conn.send(None)
                except (BrokenPipeError, OSError):
                    pass
        deadline = time.monotonic() + 5
        for worker in self.workers:
            worker.proc.join(max(0.0, deadline - time.monotonic()) if not worker.tasks else 0)
            worker.kill()
        self.workers.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"the reader process was stopped by {signal.Signals(-code).name}"
        except ValueError:
            return f"the reader process was stopped by signal {-code}"
    return f"the reader process exited with code {code}"


# --- the worker's side ------------------------------------------------------------------------


def _serve(conn, parent_end, inherited, func, memory_bytes: int, stderr: str) -> None:
    """A worker's loop: limits first, then one task at a time until told to stop."""
    parent_end.close()
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    _die_with_parent()
    err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    os.close(err)
    faulthandler.enable(file=2)  # a crash's Python traceback goes there too (not to the caller's terminal)
    _limit_memory(memory_bytes)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, args = message
        os.ftruncate(2, 0)  # what a death leaves there is then this task's
        os.lseek(2, 0, os.SEEK_SET)
        try:
            answer = ("ok", func(*args))
        except MemoryError:
            answer = ("memory", "MemoryError")
        except Exception as exc:  # noqa: BLE001  the caller decides what a failed task means
            answer = ("error", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send((key, answer))
        except MemoryError:
            conn.send((key, ("memory", "MemoryError while sending the result")))
        except Exception as exc:  # noqa: BLE001  an unpicklable result
            conn.send((key, ("error", f"{type(exc).__name__}: {exc}"[:500])))
        if answer[0] == "memory":
            return


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the one that started it dies."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _limit_memory(extra: int) -> None:
    """Address space at most what the worker has now plus ``extra``; where the platform lets us."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = now + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # not Linux: the checks before reading and the time limit remain
