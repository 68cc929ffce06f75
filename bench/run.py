"""Issue 4's performance goals, measured side by side in one run (``make bench``).

Generates deterministic synthetic networks (``siianalysis.sample.generate_network``)
under ``bench/work/`` (git-ignored; reused by later runs while the generator is
unchanged), runs every comparison, prints one table of figures, ratios and
pass/fail against the goals, with the machine it ran on, and writes the same
to ``bench/results.md`` (``results-quick.md`` / ``results-large.md`` for the
other modes). ``bench/README.md`` says what each row means.

    .venv/bin/python bench/run.py               # the default run (≈6 min on 2 cores)
    .venv/bin/python bench/run.py --quick       # a smaller, quicker run (sizes shrunk)
    .venv/bin/python bench/run.py --large       # adds the 1,000 and 7,255 tambon sizes (hours)
    .venv/bin/python bench/run.py --tambons 80 --only 1,4

Nothing here changes the project's data: every output goes to ``bench/work/``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.append(str(ROOT))  # a fallback: the installed (editable) package or --snapshot come first

SEED = 2563
FORMATS = ("xlsx", "docx")
BIN = Path(sys.executable).parent  # the venv's bin: siianalysis, papermill, jupyter
CHILD_MARK = "BENCH-RESULT "
PACKAGES = ("siianalysis", "pandas", "numpy", "matplotlib", "papermill", "nbclient", "nbconvert", "nbformat",
            "ipykernel", "jupyter_client", "pyzmq", "dask", "distributed", "python-calamine", "openpyxl",
            "python-docx", "pyarrow")
# build_reports' keyword arguments that comparisons 1c and 6 need (reported either way).
ENGINE_KWARGS = ("fresh_kernel", "scheduler", "reuse_kernel_reports")


SNAPSHOT: Path | None = None  # --snapshot: a copy of the package and notebooks that everything runs


def notebooks_dir() -> Path:
    """The project's report notebooks, else the test fixtures' (same parameters)."""
    places = [ROOT / "notebooks", ROOT / "tests" / "fixtures" / "notebooks"]
    if SNAPSHOT is not None:
        places.insert(0, SNAPSHOT / "notebooks")
    for d in places:
        if (d / "tambon_report.ipynb").is_file() and (d / "network_report.ipynb").is_file():
            return d
    raise SystemExit("bench: no tambon_report.ipynb/network_report.ipynb in notebooks/ or tests/fixtures/notebooks/")


# ====================================================================== settings


@dataclass
class Settings:
    tambons: int = 200          # the throughput network (comparisons 1, 3, 4, 5, 6)
    worksheets: int = 1000      # comparison 2
    shell_k: int = 6            # tambons rendered by the shell loop (1a)
    fresh_reports: int = 20     # reports rendered with fresh_kernel=True (1c)
    floor_reports: int = 100    # reports run by the floor (1d), spread through the network; 0: all
    memory_small: int = 50      # the small batch of comparison 5 (the large one is the full network)
    cluster_reports: int = 40   # reports per scheduler="local" run (6)
    jobs: int = 2
    large: tuple[int, ...] = ()
    large_memory_small: int = 100
    mode: str = "default"
    only: frozenset[str] = frozenset("123456")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Settings":
        s = cls()
        if args.quick:
            s = cls(tambons=40, worksheets=200, shell_k=3, fresh_reports=8, floor_reports=0, memory_small=10,
                    cluster_reports=16, mode="quick")
        if args.tambons:
            s.tambons = args.tambons
            s.memory_small = min(s.memory_small, max(1, args.tambons // 4))
            s.cluster_reports = min(s.cluster_reports, args.tambons)
            s.fresh_reports = min(s.fresh_reports, args.tambons)
            s.mode = "custom" if s.mode == "default" else s.mode
        if args.worksheets:
            s.worksheets = args.worksheets
            s.mode = "custom" if s.mode == "default" else s.mode
        for name in ("shell_k", "fresh_reports", "floor_reports", "cluster_reports", "jobs"):
            if getattr(args, name) is not None:
                setattr(s, name, getattr(args, name))
        if args.large:
            s.large = tuple(int(x) for x in args.large_sizes.split(","))
            s.mode = "large"
        if args.only:
            s.only = frozenset(x.strip() for x in args.only.split(",") if x.strip())
        s.shell_k = min(s.shell_k, s.tambons)
        return s


# ====================================================================== the table


@dataclass
class Row:
    key: str
    what: str
    figure: str
    ratio: str = ""
    goal: str = ""
    result: str = "recorded"
    noise: float | None = None  # the most other processes used of the CPU during its steps


@dataclass
class Report:
    settings: Settings
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[tuple[str, float, float | None]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    start_cpu: CpuSnapshot = field(default_factory=lambda: CpuSnapshot())
    _mark: CpuSnapshot = field(default_factory=lambda: CpuSnapshot())

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  → {row.key} {row.what}: {row.figure}" + (f"; {row.ratio}" if row.ratio else "")
              + (f" [{row.result}]" if row.result else ""), flush=True)

    def noisy(self, steps: int, *more: float | None) -> None:
        """Mark the last row with the other load of the last ``steps`` steps (and ``more``)."""
        loads = [load for _, _, load in self.steps[-steps:] if load is not None] if steps else []
        loads += [m for m in more if m is not None]
        if self.rows and loads:
            self.rows[-1].noise = max(loads)

    def last_noise(self) -> float | None:
        return self.rows[-1].noise if self.rows else None

    def na(self, key: str, what: str, why: str) -> None:
        self.add(Row(key, what, f"n/a ({why})", result="n/a"))

    def step(self, name: str, seconds: float, load: bool = True) -> None:
        """Record a step that just ended (the other load is measured since ``mark()`` or the last step)."""
        now = CpuSnapshot()
        self.steps.append((name, seconds, now.other_since(self._mark) if load else None))
        self._mark = now

    def mark(self) -> None:
        """Start measuring the other load for the next step here."""
        self._mark = CpuSnapshot()

    def markdown(self, machine: list[tuple[str, str]], engine: dict[str, bool]) -> str:
        s = self.settings
        total = time.perf_counter() - self.started
        out = [f"# Benchmark results ({s.mode} run)", ""]
        out.append(f"`bench/run.py` — {time.strftime('%Y-%m-%d %H:%M')} — the whole run took "
                   f"{total / 60:.1f} min ({total:.0f} s).")
        other = CpuSnapshot().other_since(self.start_cpu)
        if other is not None:
            out.append("")
            out.append(f"Other processes used {100 * other:.0f}% of the machine's CPU during the run"
                       + (" — **a busy machine: the figures are inflated; rerun on a quiet one.**"
                          if other > NOISY else " (a quiet machine)."))
        out += ["", "## Machine", "", "| | |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in machine]
        feats = ", ".join(f"`{k}` {'yes' if v else 'no'}" for k, v in engine.items())
        if SNAPSHOT is not None:
            out += ["", "Measured on a copy of `siianalysis/` and the notebooks taken at the start (`--snapshot`)."]
        out += ["", f"Engine (`build_reports` keyword arguments found): {feats}.", "",
                f"Sizes: throughput network {s.tambons} tambons; normalise {s.worksheets} worksheets "
                f"({'/'.join(FORMATS)}); shell loop {s.shell_k} tambons; jobs {s.jobs}.", ""]
        out += ["## Results", "", "| # | what | figure | ratio | goal | result |", "|---|---|---|---|---|---|"]
        out += [f"| {r.key} | {r.what} | {r.figure} | {r.ratio} | {r.goal} | {r.result}"
                + (f" (noisy: {100 * r.noise:.0f}% other load)" if r.noise is not None and r.noise > NOISY else "")
                + " |" for r in self.rows]
        if self.notes:
            out += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        out += ["", "## Steps", "",
                "Wall time of each step, and the share of the machine's CPU that processes *outside* the "
                "benchmark used meanwhile (noise: anything above a few % inflates that step's figure).", "",
                "| step | seconds | other load |", "|---|---|---|"]
        out += [f"| {name} | {sec:.1f} | {'' if other is None else f'{100 * other:.0f}%'} |"
                for name, sec, other in self.steps]
        return "\n".join(out) + "\n"


def verdict(value: float | None, goal: float, *, at_least: bool) -> str:
    if value is None:
        return "n/a"
    return "pass" if (value >= goal if at_least else value <= goal) else "FAIL"


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def fmt_mib(b: float) -> str:
    return f"{b / 2**20:.0f} MiB"


def fmt_kib(b: float) -> str:
    return f"{b / 1024:.0f} KiB"


# ====================================================================== machine


def machine_info() -> list[tuple[str, str]]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for pkg in PACKAGES:
        try:
            versions.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    return [("CPU", cpu), ("cores", f"{cores} usable ({os.cpu_count()} online)"), ("RAM", mem),
            ("OS", f"{platform.system()} {platform.release()}"),
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("packages", ", ".join(versions))]


def engine_keywords() -> set[str]:
    """The keywords ``build_reports`` takes: its own, and the fields of ``RenderOptions``
    (which it accepts as keywords) where the engine has one."""
    from siianalysis.report.batch import build_reports

    names = set(inspect.signature(build_reports).parameters)
    try:
        from dataclasses import fields

        from siianalysis.report.options import RenderOptions
    except ImportError:  # an engine from before the options object: all are in the signature
        return names
    return names | {f.name for f in fields(RenderOptions)}


def engine_features() -> dict[str, bool]:
    params = engine_keywords()
    return {k: k in params for k in ENGINE_KWARGS}


# ====================================================================== memory of a process tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from ``/proc/<pid>/stat`` (ppid is field 4)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


class TreeSampler:
    """Peak summed VmRSS of a process and its descendants, sampled every ``interval`` s."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root, self.interval = root, interval
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        pids = process_tree(self.root)
        total = sum(_rss_bytes(p) for p in pids)
        if total > self.peak:
            self.peak = total
        self.peak_processes = max(self.peak_processes, len(pids))

    def _run(self) -> None:
        self.sample()
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


# ====================================================================== other load on the machine

NOISY = 0.10  # other processes' share of the CPU above which a figure is flagged
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> int:
    """Busy jiffies of all CPUs since boot (``/proc/stat``: all but idle and iowait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _our_cpu() -> int:
    """CPU jiffies of this process tree: live processes' own time plus their reaped children's."""
    total = 0
    for pid in process_tree(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rfind(b")") + 2:].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (OSError, ValueError, IndexError):
            pass
    return total


class CpuSnapshot:
    """Wall time, the machine's busy CPU and ours, at one moment; ``other_since`` gives the share
    of the machine's CPU that processes outside this benchmark used in between (noise)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        try:
            self.busy, self.ours = _machine_busy(), _our_cpu()
        except (OSError, ValueError):
            self.busy = self.ours = 0

    def other_since(self, earlier: "CpuSnapshot") -> float | None:
        seconds = self.wall - earlier.wall
        if seconds <= 0 or not self.busy:
            return None
        other = (self.busy - earlier.busy) - (self.ours - earlier.ours)
        return max(0.0, other / (seconds * CLK_TCK * (os.cpu_count() or 1)))


def wait_idle(limit: float, threshold: float = 0.10, window: float = 10.0) -> None:
    """Wait (at most ``limit`` s) until other processes use under ``threshold`` of the CPU for ``window`` s."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        before = CpuSnapshot()
        time.sleep(window)
        share = CpuSnapshot().other_since(before)
        if share is not None and share < threshold:
            return
        print(f"waiting for a quieter machine: other processes use {100 * (share or 0):.0f}% of the CPU …",
              flush=True)


# ====================================================================== subprocesses


@dataclass
class Done:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int = 0
    peak_processes: int = 0

    def result(self) -> dict[str, Any]:
        """The JSON a child printed on its ``BENCH-RESULT`` line."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(CHILD_MARK):
                return json.loads(line[len(CHILD_MARK):])
        raise RuntimeError(f"no result from child (exit {self.code}): {self.stderr.strip()[-2000:]}")


def take_snapshot(work: Path) -> Path:
    """Copy ``siianalysis/`` and the notebooks to ``work/snapshot`` and run everything from there.

    For measuring while the source is being edited: the report manifest keys on the
    package's source, so an edit mid-run would make every report due again.
    """
    global SNAPSHOT
    snap = fresh(work / "snapshot")
    shutil.copytree(ROOT / "siianalysis", snap / "siianalysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(notebooks_dir(), snap / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    SNAPSHOT = snap
    sys.path.insert(0, str(snap))
    return snap


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    if SNAPSHOT is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SNAPSHOT), env.get("PYTHONPATH")) if p)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def run(cmd: list[str], *, memory: bool = False, cwd: Path = ROOT, timeout: float = 4 * 3600) -> Done:
    """Run a command to completion (output captured), timing it and, if asked, sampling its tree."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=child_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    sampler = TreeSampler(proc.pid) if memory else None
    if sampler:
        sampler.__enter__()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    finally:
        if sampler:
            sampler.__exit__()
    seconds = time.perf_counter() - start
    return Done(proc.returncode, out, err, seconds,
                sampler.peak if sampler else 0, sampler.peak_processes if sampler else 0)


def child_batch(**spec: Any) -> Done:
    """``build_reports`` in a fresh process (clean memory, its own pool), with tree sampling."""
    return run([sys.executable, __file__, "--child-batch", json.dumps(spec)], memory=True)


def _child_batch_main(spec_json: str) -> int:
    """In the child: run build_reports with the spec, print the outcome as one JSON line."""
    from siianalysis.report.batch import build_reports

    spec = json.loads(spec_json)
    params = engine_keywords()
    missing = [k for k in spec.get("kwargs", {}) if k not in params]
    if missing:
        print(CHILD_MARK + json.dumps({"error": f"engine lacks {', '.join(missing)}"}))
        return 0
    result = build_reports(spec["processed"], spec["out"], notebooks_dir=spec["notebooks"],
                           tambon_ids=spec.get("tambon_ids"), jobs=spec.get("jobs", 2),
                           network=spec.get("network", False), force=True, progress=False,
                           **spec.get("kwargs", {}))
    failures = [f"{r.key}: {r.error_name}: {r.error_message}" for r in result.failures()][:3]
    print(CHILD_MARK + json.dumps({"elapsed": result.elapsed, "rendered": result.rendered,
                                   "failed": result.failed, "skipped": result.skipped, "failures": failures}))
    return 0


REPORT_LINE = re.compile(r"reports:\s*(\d+) rendered,\s*(\d+) skipped.*?(\d+) failed in ([\d.]+) s")


def parse_report_summary(text: str) -> tuple[int, int, int, float] | None:
    """(rendered, skipped, failed, seconds) from the ``siianalysis report`` summary line."""
    m = REPORT_LINE.search(text)
    return (int(m[1]), int(m[2]), int(m[3]), float(m[4])) if m else None


# ====================================================================== networks


def _sample_hash() -> str:
    import hashlib

    h = hashlib.sha256()
    for p in sorted((ROOT / "siianalysis" / "sample").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def network(work: Path, n: int, report: Report) -> Path:
    """``work/net-N/raw``: ``generate_network(n, SEED, FORMATS)``, reused while the generator is unchanged."""
    from siianalysis.sample import generate_network

    raw = work / f"net-{n}" / "raw"
    stamp = raw.parent / "stamp.json"
    want = {"n": n, "seed": SEED, "formats": list(FORMATS), "sample": _sample_hash()}
    if stamp.is_file() and json.loads(stamp.read_text()) == want and raw.is_dir() \
            and sum(1 for _ in raw.iterdir()) == n:
        report.step(f"network of {n} tambons (reused)", 0.0, load=False)
        return raw
    shutil.rmtree(raw.parent, ignore_errors=True)
    print(f"generating a network of {n} tambons …", flush=True)
    report.mark()
    start = time.perf_counter()
    generate_network(raw, n, SEED, FORMATS)
    report.step(f"network of {n} tambons generated", time.perf_counter() - start)
    stamp.write_text(json.dumps(want))
    return raw


def html_stamps(reports: Path) -> dict[str, int]:
    """``{report key: mtime_ns}`` of the HTML files in a reports folder (``network``, ``tambon/<id>``)."""
    return {p.relative_to(reports).with_suffix("").as_posix(): p.stat().st_mtime_ns
            for p in reports.rglob("*.html") if p.name != "index.html"}


def package_state() -> str:
    """The digest the report manifest keys on (uncached): it changes when the source is edited."""
    try:
        from siianalysis import _digest

        return getattr(_digest.package_digest, "__wrapped__", _digest.package_digest)()
    except (ImportError, AttributeError):  # no such digest any more: cannot tell, assume unchanged
        return ""


EDITED = ("invalid: the siianalysis source changed during the run (someone edited it), so every report "
          "was due again; rerun on a settled tree")


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def tambon_ids(processed: Path) -> list[str]:
    import pandas as pd

    return sorted(pd.read_parquet(processed / "tambons.parquet")["tambon_id"].astype(str).unique())


def spread(items: list[str], k: int) -> list[str]:
    """``k`` items evenly spaced through ``items`` (deterministic)."""
    if k >= len(items):
        return list(items)
    return [items[int(i * len(items) / k)] for i in range(k)]


def rewrite_one(raw: Path, n: int) -> tuple[Path, str]:
    """Rewrite one tambon's worksheet with other content (new ticks, date); return it and its code.

    The same place, file name and format as ``generate_network`` wrote, another
    random draw: so exactly one tambon's processed data changes.
    """
    import datetime as dt

    from siianalysis.codebook import load_codebook
    from siianalysis.sample import random_style
    from siianalysis.sample.layouts import write_worksheet
    from siianalysis.sample.model import make_worksheet
    from siianalysis.sample.places import pick_network_places

    path = sorted(raw.glob("worksheet_*.xlsx"))[0]
    code = path.stem.split("_", 1)[1]
    place = next(p for p in pick_network_places(n, random.Random(SEED)) if p.code == code)
    before = path.read_bytes()
    rng = random.Random(4242)
    ws = make_worksheet(load_codebook(), place, dt.date(2021, 3, 15), rng, maturity=0.9)
    write_worksheet(path, ws, random_style("template", rng, place), load_codebook())
    if path.read_bytes() == before:
        raise RuntimeError("the rewritten worksheet did not change")
    return path, code


# ====================================================================== comparisons


def siianalysis_cli(*args: Any, memory: bool = False) -> Done:
    return run([BIN / "siianalysis", *args], memory=memory)


def check(done: Done, what: str) -> Done:
    if done.code != 0:
        raise RuntimeError(f"{what} exited {done.code}: {(done.stderr or done.stdout).strip()[-1500:]}")
    return done


def compare_normalise(report: Report, work: Path) -> None:
    """2: normalise(cache=False) of the mixed network vs pandas.read_excel loading its xlsx files."""
    import pandas as pd

    from siianalysis.normalise import normalise

    s = report.settings
    raw = network(work, s.worksheets, report)
    files = sorted(p for p in raw.iterdir() if p.is_file() and not p.name.startswith("."))
    xlsx = [p for p in files if p.suffix == ".xlsx"]
    for p in files:  # both sides read from the page cache
        p.read_bytes()
    out = fresh(work / "normalise-out")
    print(f"normalising {len(files)} worksheets …", flush=True)
    report.mark()
    start = time.perf_counter()
    result = normalise(raw, out, jobs=s.jobs, progress=False, cache=False)
    t_norm = time.perf_counter() - start
    report.step(f"normalise {len(files)} worksheets (cache=False, jobs={s.jobs})", t_norm)
    print("normalising again (warm process) …", flush=True)
    report.mark()
    start = time.perf_counter()
    normalise(raw, fresh(work / "normalise-out"), jobs=s.jobs, progress=False, cache=False)
    t_warm = time.perf_counter() - start
    report.step(f"normalise {len(files)} worksheets again, warm process", t_warm)
    print(f"pandas.read_excel on {len(xlsx)} xlsx files …", flush=True)
    report.mark()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3's notice that its default engine will change
        for p in xlsx:
            pd.read_excel(p, sheet_name=None)
    t_pandas = time.perf_counter() - start
    report.step(f"pandas.read_excel(sheet_name=None) on {len(xlsx)} xlsx", t_pandas)
    ratio = t_norm / t_pandas
    report.add(Row("2", f"normalise {len(files)} worksheets ({len(xlsx)} xlsx + {len(files) - len(xlsx)} docx, "
                        f"cache=False) vs `pandas.read_excel` loading the {len(xlsx)} xlsx",
                   f"{fmt_s(t_norm)} vs {fmt_s(t_pandas)} ({result.worksheets} worksheets read; "
                   f"a second, warm call: {fmt_s(t_warm)})",
                   f"{ratio:.2f}", "≤ 0.5", verdict(ratio, 0.5, at_least=False)))
    report.noisy(3)
    # For the reader: normalise on exactly the files pandas loaded (warm process, like the second call).
    only_xlsx = fresh(work / "normalise-xlsx" / "raw")
    for p in xlsx:
        (only_xlsx / p.name).symlink_to(p)
    report.mark()
    start = time.perf_counter()
    normalise(only_xlsx, fresh(work / "normalise-xlsx" / "out"), jobs=s.jobs, progress=False, cache=False)
    t_xlsx = time.perf_counter() - start
    report.step(f"normalise the {len(xlsx)} xlsx only, warm process", t_xlsx)
    report.add(Row("2x", f"for comparison: normalise only the {len(xlsx)} xlsx that pandas loaded (warm process)",
                   f"{fmt_s(t_xlsx)} vs {fmt_s(t_pandas)}", f"{t_xlsx / t_pandas:.2f}", "(no goal)", "recorded"))
    report.noisy(1)


@dataclass
class Throughput:
    """Figures shared between comparisons (filled as they are measured)."""

    processed: Path | None = None
    reports: Path | None = None
    batch_per_report: float | None = None
    batch_peak: int = 0
    batch_noise: float | None = None
    shell_noise: float | None = None
    floor_noise: float | None = None
    batch_reports: int = 0
    shell_per_report: float | None = None
    floor_per_report: float | None = None


def compare_build(report: Report, work: Path, tp: Throughput) -> None:
    """3 (and 1b, 5's large batch): the CLI full build, a no-op rebuild, a one-file rebuild."""
    s = report.settings
    pristine = network(work, s.tambons, report)
    base = fresh(work / "build")
    raw = base / "raw"
    shutil.copytree(pristine, raw)
    processed, reports = base / "processed", base / "reports"
    nb = notebooks_dir()

    def build(label: str) -> tuple[Done, Done]:
        print(f"{label}: siianalysis normalise + report …", flush=True)
        report.mark()
        norm = check(siianalysis_cli("normalise", raw, "--out", processed, "--jobs", s.jobs, "--quiet"),
                     "siianalysis normalise")
        report.step(f"{label}: normalise (CLI)", norm.seconds)
        rep = check(siianalysis_cli("report", "--processed", processed, "--out", reports, "--notebooks", nb,
                                    "--jobs", s.jobs, "--quiet", memory=True), "siianalysis report")
        report.step(f"{label}: report (CLI)", rep.seconds)
        return norm, rep

    source = package_state()
    norm, rep = build("full build")
    full = norm.seconds + rep.seconds
    full_noise = max((load for _, _, load in report.steps[-2:] if load is not None), default=None)
    tp.batch_noise = report.steps[-1][2]
    tp.processed, tp.reports = processed, reports
    counts = parse_report_summary(rep.stdout)
    if counts:
        rendered, _, failed, elapsed = counts
        if failed:
            report.notes.append(f"full build: {failed} report(s) failed: {rep.stdout.strip()[-800:]}")
        tp.batch_per_report = elapsed / max(1, rendered)
        tp.batch_peak, tp.batch_reports = rep.peak_rss, rendered
    if "1" in s.only:
        if counts:
            report.add(Row("1b", f"project batch: `siianalysis report --jobs {s.jobs}` (default engine), "
                                 f"{rendered} reports = {rendered - 1} tambons + the network report",
                           f"{fmt_s(tp.batch_per_report)}/report ({elapsed:.0f} s in the batch; "
                           f"{rep.seconds:.0f} s with process start-up)"))
            report.noisy(0, tp.batch_noise)
        else:
            report.na("1b", "project batch", "no summary line from `siianalysis report`")

    if "3" not in s.only:
        return
    report.add(Row("3a", f"full build through the CLI ({s.tambons} tambons: normalise + report, fresh folders)",
                   f"{fmt_s(full)} ({norm.seconds:.1f} s + {rep.seconds:.1f} s)"))
    report.noisy(0, full_noise)
    if package_state() != source:  # edited during the full build: both rebuilds would redo everything
        for key, what in (("3b", "rebuild, nothing changed"), ("3c", "rebuild, one worksheet changed")):
            report.add(Row(key, what, "not run", result="invalid"))
            report.notes.append(f"{key}: {EDITED}.")
        return
    norm2, rep2 = build("no-op rebuild")
    noop = norm2.seconds + rep2.seconds
    c2 = parse_report_summary(rep2.stdout)
    edited = package_state() != source
    report.add(Row("3b", "rebuild, nothing changed (same two commands)",
                   f"{fmt_s(noop)} ({norm2.seconds:.1f} s + {rep2.seconds:.1f} s; "
                   f"{c2[0] if c2 else '?'} rendered)",
                   f"{100 * noop / full:.1f}% of full", "≤ 5%",
                   "invalid" if edited else verdict(noop / full, 0.05, at_least=False)))
    report.noisy(2, full_noise)
    if edited:
        report.notes.append(f"3b: {EDITED}.")
    try:
        path, code = rewrite_one(raw, s.tambons)
    except Exception as exc:  # noqa: BLE001 - the generator's internals moved
        report.na("3c", "rebuild, one worksheet changed", f"could not rewrite a worksheet: {exc}")
        return
    before = html_stamps(reports)
    norm3, rep3 = build("one-file rebuild")
    c3 = parse_report_summary(rep3.stdout)
    after = html_stamps(reports)
    redone = sorted(k for k, v in after.items() if before.get(k) != v)
    rendered3 = c3[0] if c3 else len(redone)
    shown = ", ".join(redone[:4]) + (f" and {len(redone) - 4} more" if len(redone) > 4 else "")
    expected = {"network", f"tambon/{code}"}
    edited = package_state() != source
    report.add(Row("3c", f"rebuild, one worksheet rewritten with other content (tambon {code}, `{path.name}`)",
                   f"{fmt_s(norm3.seconds + rep3.seconds)} ({norm3.seconds:.1f} s + {rep3.seconds:.1f} s); "
                   f"HTML rewritten: {shown or 'none'}",
                   f"{rendered3} rendered", "2 (that tambon's + the network report)",
                   "invalid" if edited else ("pass" if rendered3 == 2 and set(redone) == expected else "FAIL")))
    report.noisy(2)
    if edited:
        report.notes.append(f"3c: {EDITED}.")


def compare_page_weight(report: Report, work: Path, tp: Throughput, sample: int = 20) -> None:
    """4: median tambon HTML vs nbconvert's default lab template on the same executed notebooks."""
    from nbconvert import HTMLExporter

    if tp.reports is None:
        report.na("4", "page weight", "no reports were built")
        return
    htmls = sorted((tp.reports / "tambon").glob("*.html"))
    pairs = [(h, h.with_suffix(".ipynb")) for h in htmls if h.with_suffix(".ipynb").is_file()]
    if not pairs:
        report.na("4", "page weight", "the batch keeps no executed .ipynb beside the HTML")
        return
    chosen = [pairs[int(i * len(pairs) / min(sample, len(pairs)))] for i in range(min(sample, len(pairs)))]
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    report.mark()
    start = time.perf_counter()
    lab = [len(exporter.from_filename(str(nb))[0].encode("utf-8")) for _, nb in chosen]
    report.step(f"nbconvert lab template on {len(chosen)} executed notebooks", time.perf_counter() - start)
    ours = statistics.median(h.stat().st_size for h, _ in chosen)
    ours_all = statistics.median(h.stat().st_size for h in htmls)
    ratio = ours / statistics.median(lab)
    report.add(Row("4", f"page weight: median tambon HTML vs nbconvert `lab` template (embed_images) on the "
                        f"same {len(chosen)} executed notebooks",
                   f"{fmt_kib(ours)} vs {fmt_kib(statistics.median(lab))} (all {len(htmls)}: "
                   f"{fmt_kib(ours_all)})",
                   f"{ratio:.2f}", "≤ 0.40", verdict(ratio, 0.40, at_least=False)))
    compare_pdf(report, [h for h, _ in chosen[:5]])


def compare_pdf(report: Report, htmls: list[Path]) -> None:
    """4b: what `report --pdf` adds: a tambon page printed to an A4 PDF (WeasyPrint), time and size."""
    try:
        from siianalysis.report.exporters.pdf import PdfExportError, html_to_pdf, prepare

        prepare(None)
    except (ImportError, PdfExportError) as exc:
        report.na("4b", "PDF of a tambon page", f"no PDF here: {exc}")
        return
    report.mark()
    start = time.perf_counter()
    sizes = [len(html_to_pdf(h.read_text(encoding="utf-8"), h.parent)) for h in htmls]
    seconds = (time.perf_counter() - start) / len(htmls)
    report.step(f"PDF of {len(htmls)} tambon pages", seconds * len(htmls))
    report.add(Row("4b", f"PDF (`report --pdf`): {len(htmls)} tambon pages printed to A4 by WeasyPrint",
                   f"{seconds:.2f} s/report, median {fmt_kib(statistics.median(sizes))}"))


def compare_shell(report: Report, work: Path, tp: Throughput) -> None:
    """1a: a user's shell loop: papermill CLI then jupyter nbconvert --no-input, per tambon."""
    s = report.settings
    nb = notebooks_dir() / "tambon_report.ipynb"
    out = fresh(work / "shell")
    ids = spread(tambon_ids(tp.processed), s.shell_k)
    print(f"shell loop over {len(ids)} tambons …", flush=True)
    report.mark()
    start = time.perf_counter()
    for tid in ids:
        executed = out / f"{tid}.ipynb"
        check(run([BIN / "papermill", nb, executed, "-r", "tambon_id", tid, "-r", "processed_dir", tp.processed,
                   "-r", "lang", "th", "--cwd", nb.parent]), "papermill")
        check(run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed]), "jupyter nbconvert")
    elapsed = time.perf_counter() - start
    report.step(f"shell loop, {len(ids)} tambons", elapsed)
    tp.shell_per_report = elapsed / len(ids)
    report.add(Row("1a", f"shell loop: `papermill` CLI then `jupyter nbconvert --to html --no-input`, "
                         f"{len(ids)} tambons one after another", f"{fmt_s(tp.shell_per_report)}/report"))
    report.noisy(1)
    tp.shell_noise = report.last_noise()


def compare_fresh(report: Report, work: Path, tp: Throughput, engine: dict[str, bool]) -> None:
    """1c: the batch with a fresh kernel per report (the old way), on a subset."""
    s = report.settings
    if not engine["fresh_kernel"]:
        report.na("1c", "batch with `fresh_kernel=True`", "engine lacks fresh_kernel")
        return
    ids = spread(tambon_ids(tp.processed), s.fresh_reports)
    print(f"batch with fresh_kernel=True over {len(ids)} tambons …", flush=True)
    out = fresh(work / "fresh")
    report.mark()
    done = child_batch(processed=str(tp.processed), out=str(out), notebooks=str(notebooks_dir()),
                       tambon_ids=ids, jobs=s.jobs, kwargs={"fresh_kernel": True})
    r = done.result()
    report.step(f"batch fresh_kernel=True, {len(ids)} reports", done.seconds)
    if "error" in r:
        report.na("1c", "batch with `fresh_kernel=True`", r["error"])
        return
    per = r["elapsed"] / max(1, r["rendered"])
    ratio = f"{per / tp.batch_per_report:.1f}× the default batch's s/report" if tp.batch_per_report else ""
    report.add(Row("1c", f"batch with `fresh_kernel=True`, jobs={s.jobs}, {r['rendered']} tambons",
                   f"{fmt_s(per)}/report" + (f" ({r['failed']} failed)" if r["failed"] else ""), ratio))
    report.noisy(1)


def compare_floor(report: Report, work: Path, tp: Throughput) -> None:
    """1d: the notebook's code without a kernel, 2 processes (bench/floor.py)."""
    s = report.settings
    cmd = [sys.executable, BENCH / "floor.py", tp.processed, fresh(work / "floor"), "--processes", s.jobs,
           "--notebook", notebooks_dir() / "tambon_report.ipynb", "--json"]
    if s.floor_reports and s.floor_reports < s.tambons:
        for tid in spread(tambon_ids(tp.processed), s.floor_reports):
            cmd += ["--tambon", tid]
    print("floor (no kernel) …", flush=True)
    report.mark()
    done = check(run(cmd, memory=True), "bench/floor.py")
    r = done.result() if CHILD_MARK in done.stdout else json.loads(done.stdout.strip().splitlines()[-1])
    report.step(f"floor, {r['reports']} reports", done.seconds)
    tp.floor_per_report = r["per_report"]
    report.add(Row("1d", f"floor: the same cells in-process without a kernel, {s.jobs} processes, "
                         f"{r['reports']} tambons (`bench/floor.py`)",
                   f"{fmt_s(r['per_report'])}/report (one report alone {r['median_report_seconds']:.2f} s; "
                   f"peak {fmt_mib(done.peak_rss)})"))
    report.noisy(1)
    tp.floor_noise = report.last_noise()


def throughput_ratios(report: Report, tp: Throughput) -> None:
    if tp.shell_per_report and tp.batch_per_report:
        r = tp.shell_per_report / tp.batch_per_report
        report.add(Row("1a/1b", "shell loop / project batch (s/report)",
                       f"{fmt_s(tp.shell_per_report)} / {fmt_s(tp.batch_per_report)}",
                       f"{r:.1f}×", "≥ 6×", verdict(r, 6, at_least=True)))
        report.noisy(0, tp.shell_noise, tp.batch_noise)
    if tp.batch_per_report and tp.floor_per_report:
        r = tp.batch_per_report / tp.floor_per_report
        report.add(Row("1b/1d", "project batch / floor (s/report)",
                       f"{fmt_s(tp.batch_per_report)} / {fmt_s(tp.floor_per_report)}",
                       f"{r:.2f}×", "≤ 2.5×", verdict(r, 2.5, at_least=False)))
        report.noisy(0, tp.batch_noise, tp.floor_noise)


def compare_memory(report: Report, work: Path, tp: Throughput, processed: Path | None = None,
                   small: int | None = None, large: tuple[int, int] | None = None, key: str = "5") -> None:
    """5: peak memory of the process tree, a small batch vs the large one (same engine, same CLI)."""
    s = report.settings
    processed = processed or tp.processed
    small = small or s.memory_small
    big_peak, big_n = large or (tp.batch_peak, tp.batch_reports)
    if not big_peak:
        report.na(key, "memory", "no large batch measured")
        return
    ids = spread(tambon_ids(processed), small)
    print(f"memory: a batch of {len(ids)} tambons …", flush=True)
    args = ["report", "--processed", processed, "--out", fresh(work / f"memory-{small}"),
            "--notebooks", notebooks_dir(), "--jobs", s.jobs, "--quiet"]
    for tid in ids:
        args += ["--tambon", tid]
    report.mark()
    done = check(siianalysis_cli(*args, memory=True), "siianalysis report (memory)")
    report.step(f"memory: batch of {len(ids)} tambons (CLI)", done.seconds)
    counts = parse_report_summary(done.stdout)
    n_small = counts[0] if counts else len(ids) + 1
    ratio = big_peak / done.peak_rss
    proxy = " — a proxy for 100 vs 1,000 (`--large`)" if key == "5" else ""
    report.add(Row(key, f"peak RSS of the process tree (main + workers + kernels), {n_small}-report vs "
                        f"{big_n}-report batch{proxy}",
                   f"{fmt_mib(done.peak_rss)} vs {fmt_mib(big_peak)}",
                   f"{ratio:.2f}", "≤ 1.2", verdict(ratio, 1.2, at_least=False)))


def compare_cluster(report: Report, work: Path, tp: Throughput, engine: dict[str, bool]) -> None:
    """6: scheduler="local" with 1 worker vs 2 workers: throughput growth."""
    s = report.settings
    if not engine["scheduler"]:
        report.na("6", "cluster: `scheduler=\"local\"` 1 vs 2 workers", "engine lacks scheduler")
        return
    ids = spread(tambon_ids(tp.processed), s.cluster_reports)
    per = {}
    for workers in (1, 2):
        print(f"cluster: scheduler=local, {workers} worker(s), {len(ids)} reports …", flush=True)
        out = fresh(work / f"cluster-{workers}")
        report.mark()
        done = child_batch(processed=str(tp.processed), out=str(out),
                           notebooks=str(notebooks_dir()), tambon_ids=ids, jobs=workers,
                           kwargs={"scheduler": "local"})
        r = done.result()
        report.step(f"cluster: scheduler=local, {workers} worker(s), {len(ids)} reports", done.seconds)
        if "error" in r:
            report.na("6", "cluster", r["error"])
            return
        if r["failed"]:
            report.notes.append(f"cluster {workers} worker(s): {r['failed']} failed: {r['failures']}")
        per[workers] = r["elapsed"] / max(1, r["rendered"])
    growth = per[1] / per[2]
    report.add(Row("6", f"cluster: `scheduler=\"local\"`, {len(ids)} reports, 1 worker vs 2 workers",
                   f"{fmt_s(per[1])}/report vs {fmt_s(per[2])}/report", f"{growth:.2f}× throughput",
                   "recorded", "recorded"))
    report.noisy(2)


def large_sizes(report: Report, work: Path, tp: Throughput) -> None:
    """--large: normalise and batch at 1,000 and 7,255 tambons; memory 100 vs 1,000."""
    s = report.settings
    for n in s.large:
        raw = network(work, n, report)
        base = fresh(work / f"large-{n}")
        processed, reports = base / "processed", base / "reports"
        print(f"large: {n} tambons: normalise + report …", flush=True)
        report.mark()
        norm = check(siianalysis_cli("normalise", raw, "--out", processed, "--jobs", s.jobs, "--quiet"),
                     "siianalysis normalise")
        report.step(f"large {n}: normalise (CLI)", norm.seconds)
        rep = check(siianalysis_cli("report", "--processed", processed, "--out", reports, "--notebooks",
                                    notebooks_dir(), "--jobs", s.jobs, "--quiet", memory=True), "siianalysis report")
        report.step(f"large {n}: report (CLI)", rep.seconds)
        counts = parse_report_summary(rep.stdout)
        rendered, elapsed = (counts[0], counts[3]) if counts else (n + 1, rep.seconds)
        report.add(Row(f"L{n}", f"{n} tambons through the CLI: normalise; report ({rendered} reports)",
                       f"normalise {fmt_s(norm.seconds)}; report {fmt_s(elapsed)} = "
                       f"{fmt_s(elapsed / max(1, rendered))}/report; peak {fmt_mib(rep.peak_rss)}"))
        report.noisy(2)
        if "5" in s.only:
            compare_memory(report, work, tp, processed=processed, small=min(s.large_memory_small, max(1, n // 10)),
                           large=(rep.peak_rss, rendered), key=f"5L{n}")


# ====================================================================== main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes: 40 tambons, 200 worksheets (a few minutes)")
    p.add_argument("--large", action="store_true", help="also the 1,000 and 7,255 tambon sizes (hours)")
    p.add_argument("--large-sizes", default="1000,7255", help="sizes for --large (default 1000,7255)")
    p.add_argument("--tambons", type=int, help="tambons in the throughput network (default 200)")
    p.add_argument("--worksheets", type=int, help="worksheets for the normalise comparison (default 1000)")
    p.add_argument("--shell-k", type=int, dest="shell_k", help="tambons in the shell loop (default 6)")
    p.add_argument("--fresh-reports", type=int, dest="fresh_reports", help="reports for fresh_kernel=True")
    p.add_argument("--floor-reports", type=int, dest="floor_reports", help="reports for the floor (0: all)")
    p.add_argument("--cluster-reports", type=int, dest="cluster_reports", help="reports per cluster run")
    p.add_argument("--jobs", type=int, help="worker processes (default 2)")
    p.add_argument("--only", help="comparisons to run, e.g. 1,4 (default: all; 4 and 5 need 3's build)")
    p.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder (default bench/work)")
    p.add_argument("--out", type=Path, help="results file (default bench/results.md, or -quick/-large/-custom)")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="first wait (at most this long) until other processes leave the CPU idle")
    p.add_argument("--snapshot", action="store_true",
                   help="run a copy of siianalysis/ and notebooks/ taken at the start (for a tree being edited)")
    p.add_argument("--child-batch", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_batch:
        return _child_batch_main(args.child_batch)
    s = Settings.from_args(args)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    out = args.out or BENCH / ("results.md" if s.mode == "default" else f"results-{s.mode}.md")
    if args.snapshot:
        take_snapshot(work)
    if args.wait_idle:
        wait_idle(args.wait_idle)
    report = Report(s)
    machine = machine_info()
    engine = engine_features()
    print("machine: " + "; ".join(f"{k}: {v}" for k, v in machine[:5]), flush=True)
    print("engine: " + ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in engine.items()), flush=True)
    tp = Throughput()

    steps: list[tuple[str, Callable[[], None]]] = []
    if "2" in s.only:
        steps.append(("2", lambda: compare_normalise(report, work)))
    if s.only & set("13456"):
        steps.append(("3", lambda: compare_build(report, work, tp)))
    if "4" in s.only:
        steps.append(("4", lambda: compare_page_weight(report, work, tp)))
    if "1" in s.only:
        steps += [("1a", lambda: compare_shell(report, work, tp)),
                  ("1c", lambda: compare_fresh(report, work, tp, engine)),
                  ("1d", lambda: compare_floor(report, work, tp)),
                  ("1", lambda: throughput_ratios(report, tp))]
    if "5" in s.only:
        steps.append(("5", lambda: compare_memory(report, work, tp)))
    if "6" in s.only:
        steps.append(("6", lambda: compare_cluster(report, work, tp, engine)))
    if s.large:
        steps.append(("L", lambda: large_sizes(report, work, tp)))
    for key, fn in steps:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - one broken comparison must not lose the others
            report.na(key, "comparison failed", f"{type(exc).__name__}: {str(exc)[:300]}")
        if tp.processed is None and key == "3" and s.only & set("1456"):
            break

    order = {k: i for i, k in enumerate(["1a", "1b", "1c", "1d", "1a/1b", "1b/1d", "2", "2x", "3a", "3b", "3c", "4",
                                         "5", "6"])}
    report.rows.sort(key=lambda r: order.get(r.key, len(order)))  # stable: --large rows keep their order
    text = report.markdown(machine, engine)
    out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
