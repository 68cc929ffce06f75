"""Issue 14's scale figures: the same tambon reports at 200, 1,000 and 7,255 tambons.

    .venv/bin/python bench/large.py                      # 200,1000,7255 → bench/results-large.md
    .venv/bin/python bench/large.py --sizes 200,1000     # fewer sizes
    .venv/bin/python bench/large.py --network 7255       # also the network report alone at that size
    .venv/bin/python bench/large.py --country            # the whole country through the CLI (about an hour)

Per size (networks of ``bench/run.py``: ``generate_network(n, 2563, xlsx+docx)``, reused
from ``bench/work/net-N/raw``): ``normalise`` through the CLI (wall, peak memory of the
process tree), then the same ``--reports`` tambon reports (ids present at every size)
rendered twice:

- through the CLI as issue 14 measured it: ``report --tambon …×20 --force --jobs 2`` (the
  network report is rendered alongside, as the CLI does);
- tambon reports alone (``build_reports(network=False)`` in a fresh process): s/report.

Peak memory is the summed VmRSS of the command's process tree (kernels included), sampled
every 0.2 s. ``--network N`` renders the network report alone at N tambons. ``--rebuild``
also times a no-change rebuild of those reports. ``--country`` runs the whole 7,255-tambon
network through the CLI from a snapshot of the package (edits during the run change
nothing): normalise, ``report`` of every tambon + network + index, the same again with
nothing changed, then one worksheet changed (a tick cell of one xlsx), normalise and
report again — wall time, peak memory, the process tree's CPU seconds and the share of
the machine other processes used meanwhile. Each figure is appended as one JSON line
to ``--out`` (default ``bench/results-large-runs.jsonl``); ``bench/results-large.md`` says
what was measured, on what machine and load, and what was extrapolated from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run as bench  # noqa: E402  the helpers of bench/run.py (process-tree sampling, networks)


def append_rows(out: Path, rows: list[dict]) -> int:
    """Append ``rows`` to ``out``, one JSON line each, stamped with the time of the run."""
    stamp = time.strftime("%Y-%m-%d %H:%M")
    with out.open("a", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"at": stamp, **r}, ensure_ascii=False) + "\n")
    print(f"appended to {out}")
    return 0


def common_ids(processed: dict[int, Path], k: int) -> list[str]:
    """``k`` tambon ids present at every size, spread through the smallest network."""
    sets = [set(bench.tambon_ids(p)) for p in processed.values()]
    both = sorted(set.intersection(*sets))
    return bench.spread(both, k)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="200,1000,7255")
    p.add_argument("--reports", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--network", type=int, default=0, help="render the network report alone at this size")
    p.add_argument("--rebuild", action="store_true", help="also a no-change rebuild of the same reports")
    p.add_argument("--country", action="store_true", help="the whole 7,255 network through the CLI, then rebuilds")
    p.add_argument("--work", type=Path, default=bench.BENCH / "work")
    p.add_argument("--out", type=Path, default=bench.BENCH / "results-large-runs.jsonl")
    args = p.parse_args(argv)
    if args.country:
        return country(args)
    sizes = [int(x) for x in args.sizes.split(",")]

    class Quiet:
        def step(self, *a, **k): print("  ", *a, flush=True)
        def mark(self): pass

    processed: dict[int, Path] = {}
    rows: list[dict] = []
    for n in sizes:
        proc = args.work / f"large-{n}" / "processed"
        raw = args.work / f"net-{n}" / "raw"
        if not (proc / "_SET.json").is_file() and not (raw.is_dir() and sum(1 for _ in raw.iterdir()) == n):
            raw = bench.network(args.work, n, Quiet())  # (re)generated when the generator changed
        if not (proc / "_SET.json").is_file():
            done = bench.check(bench.siianalysis_cli("normalise", raw, "--out", proc, "--jobs", args.jobs, "--quiet",
                                                     memory=True), "normalise")
            rows.append({"size": n, "what": "normalise (CLI)", "seconds": round(done.seconds, 1),
                         "peak_mib": round(done.peak_rss / 2**20)})
            print(rows[-1], flush=True)
        processed[n] = proc
    # the same tambons whichever sizes this run measures: those present at every size there is
    every = {m: args.work / f"large-{m}" / "processed" for m in (200, 1000, 7255, *sizes)}
    ids = common_ids({m: q for m, q in every.items() if (q / "_SET.json").is_file()}, args.reports)
    print(f"the same {len(ids)} tambons at every size: {', '.join(ids)}", flush=True)
    for n in sizes:
        out = args.work / f"large-{n}" / "reports-20"
        tambon_args = [a for tid in ids for a in ("--tambon", tid)]
        done = bench.check(bench.siianalysis_cli("report", "--processed", processed[n], "--out", out, "--notebooks",
                                                 bench.notebooks_dir(), *tambon_args, "--force", "--jobs", args.jobs,
                                                 "--quiet", memory=True), "report")
        counts = bench.parse_report_summary(done.stdout)
        rows.append({"size": n, "what": f"report --tambon ×{len(ids)} --force --jobs {args.jobs} (CLI, with the "
                     "network report)", "seconds": round(done.seconds, 1), "peak_mib": round(done.peak_rss / 2**20),
                     "rendered": counts[0] if counts else None})
        print(rows[-1], flush=True)
        child = bench.child_batch(processed=str(processed[n]), out=str(args.work / f"large-{n}" / "reports-20b"),
                                  notebooks=str(bench.notebooks_dir()), tambon_ids=ids, jobs=args.jobs, network=False)
        res = child.result()
        rows.append({"size": n, "what": f"{len(ids)} tambon reports alone (build_reports, fresh process)",
                     "seconds": round(res["elapsed"], 1), "s_per_report": round(res["elapsed"] / max(1, res["rendered"]), 2),
                     "peak_mib": round(child.peak_rss / 2**20), "rendered": res["rendered"], "failed": res["failed"]})
        print(rows[-1], flush=True)
        if args.rebuild:
            again = bench.check(bench.siianalysis_cli("report", "--processed", processed[n], "--out", out,
                                                      "--notebooks", bench.notebooks_dir(), *tambon_args, "--jobs",
                                                      args.jobs, "--quiet", memory=True), "report (rebuild)")
            rows.append({"size": n, "what": "the same, nothing changed (rebuild)", "seconds": round(again.seconds, 1),
                         "peak_mib": round(again.peak_rss / 2**20)})
            print(rows[-1], flush=True)
    if args.network:
        import resource

        n = args.network
        # CPU seconds too: wall time on a shared machine says little (the child waits for its kernel)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = bench.child_batch(processed=str(processed.get(n) or args.work / f"large-{n}" / "processed"),
                                  out=str(args.work / f"large-{n}" / "reports-net"),
                                  notebooks=str(bench.notebooks_dir()), tambon_ids=[], jobs=1, network=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        res = child.result()
        rows.append({"size": n, "what": "network report alone (build_reports, fresh process)",
                     "seconds": round(res["elapsed"], 1), "peak_mib": round(child.peak_rss / 2**20),
                     "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
                     "rendered": res["rendered"], "failed": res["failed"]})
        print(rows[-1], flush=True)
    return append_rows(args.out, rows)


def timed_cli(what: str, *cli: object) -> tuple[bench.Done, dict]:
    """One CLI command with wall time, peak tree memory, the tree's CPU seconds and others' CPU share."""
    import resource

    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = bench.CpuSnapshot()
    done = bench.check(bench.siianalysis_cli(*cli, memory=True), what)
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    other = bench.CpuSnapshot().other_since(before)
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    row = {"size": 7255, "what": what, "seconds": round(done.seconds, 1), "cpu_seconds": round(cpu, 1),
           "peak_mib": round(done.peak_rss / 2**20),
           "other_cpu_share": None if other is None else round(other, 2)}
    counts = bench.parse_report_summary(done.stdout)
    if counts:
        row.update(rendered=counts[0], skipped=counts[1], failed=counts[2])
    print(row, flush=True)
    return done, row


def change_one_worksheet(raw: Path) -> str:
    """Flip one tick cell of the first xlsx worksheet (as a team re-sending a corrected file would)."""
    import openpyxl

    path = sorted(raw.glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in {"✓", "✔", "/", "√"}:
                    cell.value = None
                    wb.save(path)
                    return f"{path.name}: {ws.title}!{cell.coordinate}"
    raise RuntimeError(f"no tick found in {path}")


def committed_snapshot(base: Path, rev: str = "HEAD") -> str:
    """``base/snapshot``: the package and notebooks as committed at ``rev`` (not the working
    tree, which may hold unfinished edits), run instead of the source for the whole run."""
    import io
    import subprocess
    import tarfile

    commit = subprocess.run(["git", "rev-parse", rev], cwd=bench.ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    tar = subprocess.run(["git", "archive", commit, "siianalysis", "notebooks"], cwd=bench.ROOT,
                         capture_output=True, check=True).stdout
    snap = bench.fresh(base / "snapshot")
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(snap, filter="data")
    bench.SNAPSHOT = snap
    sys.path.insert(0, str(snap))
    return commit[:12]


def country(args: argparse.Namespace) -> int:
    """The whole country through the CLI: build, rebuild nothing changed, rebuild one worksheet changed."""
    import shutil

    n = 7255
    base = args.work / "country"
    commit = committed_snapshot(base)  # measured code: the last commit, fixed for the whole run
    print(f"measuring commit {commit}", flush=True)
    net = args.work / f"net-{n}" / "raw"
    if not (net.is_dir() and sum(1 for _ in net.iterdir()) == n):
        net = bench.network(args.work, n, type("Quiet", (), {"step": lambda *a, **k: None})())
    raw = base / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copytree(net, raw)
    proc, out = base / "processed", base / "reports"
    shutil.rmtree(proc, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    rows = [{"size": n, "what": "commit measured", "commit": commit}]
    report = ("report", "--processed", proc, "--out", out, "--notebooks", bench.notebooks_dir(), "--jobs", args.jobs,
              "--quiet")
    rows.append(timed_cli("normalise (CLI, every worksheet)", "normalise", raw, "--out", proc, "--jobs", args.jobs,
                          "--quiet")[1])
    rows.append(timed_cli("whole country: report of every tambon + network + index (CLI)", *report)[1])
    rows.append(timed_cli("whole country again, nothing changed (CLI)", *report)[1])
    changed = change_one_worksheet(raw)
    print("changed", changed, flush=True)
    rows.append(timed_cli(f"normalise after one worksheet changed ({changed})", "normalise", raw, "--out", proc,
                          "--jobs", args.jobs, "--quiet")[1])
    rows.append(timed_cli("report after one worksheet changed (CLI)", *report)[1])
    return append_rows(args.out, rows)


if __name__ == "__main__":
    sys.exit(main())
