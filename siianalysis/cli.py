"""The ``siianalysis`` command: thin entry points over library functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from siianalysis import config


def _normalise(args: argparse.Namespace) -> int:
    from siianalysis.normalise import normalise

    raw = Path(args.raw_dir)
    if not raw.is_dir():
        print(f"siianalysis normalise: no such folder: {raw}", file=sys.stderr)
        return 2
    result = normalise(raw, Path(args.out), jobs=args.jobs, progress=not args.quiet)
    print(result.summary())
    if result.worksheets == 0:
        print("siianalysis normalise: no worksheet could be read; see problems.csv", file=sys.stderr)
        return 1
    return 0


def _template(args: argparse.Namespace) -> int:
    from siianalysis.template import write_template

    path = write_template(Path(args.out), lang=args.lang)
    print(f"blank worksheet written to {path}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from siianalysis.sample import generate_sample

    files = generate_sample(Path(args.out), n_tambons=args.n, seed=args.seed)
    print(f"{len(files)} sample files written to {args.out}")
    return 0


def _build(args: argparse.Namespace) -> int:
    root = config.project_root()
    raw = Path(args.raw) if args.raw else config.raw_dir(root)
    processed = Path(args.processed) if args.processed else config.processed_dir(root)
    ns = argparse.Namespace(raw_dir=raw, out=processed, jobs=args.jobs, quiet=args.quiet)
    return _normalise(ns)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="siianalysis",
        description="S-I-I area-management worksheets: normalise, analyse, report.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    n = sub.add_parser("normalise", aliases=["normalize"], help="raw worksheets → processed tables")
    n.add_argument("raw_dir", help="folder of worksheets as teams sent them (read recursively)")
    n.add_argument("--out", required=True, help="folder for the processed tables")
    n.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    n.add_argument("--quiet", action="store_true", help="no progress bar")
    n.set_defaults(func=_normalise)

    t = sub.add_parser("template", help="write a blank worksheet workbook (.xlsx)")
    t.add_argument("out", help="path of the .xlsx to write")
    t.add_argument("--lang", choices=["th", "en"], default="th")
    t.set_defaults(func=_template)

    s = sub.add_parser("sample", help="generate the bundled sample network of worksheets")
    s.add_argument("out", help="folder to write into")
    s.add_argument("--n", type=int, default=48, help="number of tambons")
    s.add_argument("--seed", type=int, default=2563)
    s.set_defaults(func=_sample)

    b = sub.add_parser("build", help="the whole job: data/raw → data/processed (→ reports)")
    b.add_argument("--raw", help="raw folder (default: data/raw of the project)")
    b.add_argument("--processed", help="processed folder (default: data/processed)")
    b.add_argument("--jobs", type=int, default=None)
    b.add_argument("--quiet", action="store_true")
    b.set_defaults(func=_build)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
