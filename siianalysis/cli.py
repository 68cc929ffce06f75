"""The ``siianalysis`` command: thin entry points over library functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from siianalysis import __version__, config
from siianalysis.cli_checks import (
    PROCESSED_HINT, Parser, count, file_to_write, folder_problem, folder_to_read, folder_to_write, one_line,
    overlap, processed_folder, province, report_format, reports_location, sample_size, scheduler, tambon_id,
    user_error,
)


def _regions() -> list[str]:
    from siianalysis.forms.settings import form_settings

    return list(form_settings()["regions"])


def _prog(args: argparse.Namespace) -> str:
    """"siianalysis normalize": the command as the user typed it (an alias, or ``build``)."""
    command = getattr(args, "command", None)
    return f"siianalysis {command}" if command else "siianalysis"


def _normalise(args: argparse.Namespace) -> int:
    from siianalysis.normalise import list_raw_files, normalise
    from siianalysis.processed import ProcessedSetError

    raw = Path(args.raw_dir)
    if problem := folder_problem(raw, must_exist=True):  # build's default folder: argparse saw no text
        print(f"{_prog(args)}: {problem}", file=sys.stderr)
        return 2
    if problem := overlap(raw, Path(args.out)):
        print(f"{_prog(args)}: {problem}", file=sys.stderr)
        return 2
    if not list_raw_files(raw):
        print(f"{_prog(args)}: {raw} is empty: no file to read (put the worksheets in it, in any "
              "sub-folders); nothing was written", file=sys.stderr)
        return 2
    try:
        result = normalise(raw, Path(args.out), jobs=args.jobs, progress=not args.quiet,
                           cache=not getattr(args, "no_cache", False), rounds=getattr(args, "rounds", "auto"))
    except ProcessedSetError as exc:
        print(f"{_prog(args)}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: the previous set stays whole
        print(f"{_prog(args)}: could not write the processed data ({exc.strerror or exc}); "
              f"{args.out} was left as it was", file=sys.stderr)
        return 1
    print(result.summary())
    if not result.written:
        print(f"{_prog(args)}: no worksheet was read; the processed data was left as it was "
              "(the errors are listed above)", file=sys.stderr)
        return 1
    return 0


def _template(args: argparse.Namespace) -> int:
    from siianalysis.workshop.template import write_template

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)  # as every other output's folder
    path = write_template(Path(args.out), lang=args.lang)
    print(f"blank worksheet written to {path}")
    return 0


def _xlsform(args: argparse.Namespace) -> int:
    from siianalysis.forms.settings import region_provinces
    from siianalysis.forms.xlsform import write_xlsform
    from siianalysis.workshop.provinces import province_code

    codes = [province_code(p) for p in args.province or ()]
    codes += [c for r in args.region or () for c in region_provinces(r)]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    path = write_xlsform(Path(args.out), provinces=codes or None, lang=args.lang)
    print(f"XLSForm written to {path} (upload it to KoboToolbox or ODK Central; "
          "`siianalysis normalise` reads its exports)")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from siianalysis.sample import generate_sample

    files = generate_sample(Path(args.out), n_tambons=args.n, seed=args.seed)
    print(f"{len(files)} sample files written to {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from siianalysis.report.batch import BatchInterrupted, build_reports
    from siianalysis.report.errors import ReportUserError
    from siianalysis.report.exporters import UnknownFormatError
    from siianalysis.report.storage import is_url

    root = config.project_root()
    processed = Path(args.processed) if args.processed else config.processed_dir(root)
    out = (args.out if is_url(str(args.out)) else Path(args.out)) if args.out else config.reports_dir(root)
    notebooks = Path(args.notebooks) if args.notebooks else root / "notebooks"
    if problem := folder_problem(processed, must_exist=True):
        print(f"{_prog(args)}: {problem}; {PROCESSED_HINT}", file=sys.stderr)
        return 2
    reuse = getattr(args, "reuse_kernel", None)  # --jobs and --reuse-kernel: checked by argparse (count)
    # options left unsaid keep the library's defaults
    given = {"reuse_kernel_reports": reuse, "timeout": getattr(args, "cell_timeout", None)}
    if getattr(args, "format", None):
        given["format"] = "." + args.format.lstrip(".").lower()
    if getattr(args, "pdf", False):
        given["extra_formats"] = (".pdf",)
    try:
        result = build_reports(
            processed, out, notebooks_dir=notebooks, tambon_ids=args.tambon or None, jobs=args.jobs,
            with_code=args.with_code, force=args.force, lang=args.lang, progress=not args.quiet,
            fresh_kernel=getattr(args, "fresh_kernels", False), scheduler=getattr(args, "scheduler", None),
            stale=getattr(args, "stale", False), **{k: v for k, v in given.items() if v is not None},
        )
    except (ReportUserError, UnknownFormatError) as exc:  # bad inputs, a busy folder, no scheduler
        print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(exc.result.summary())
        return 130
    except OSError as exc:  # a full disk stops a batch: its account first, then main's one line
        if (account := getattr(exc, "result", None)) is not None:
            print(account.summary())
        raise
    print(result.summary())
    return 0 if result.ok else 1


def _build(args: argparse.Namespace) -> int:
    from siianalysis.report.batch import ReportInputError, check_inputs

    root = config.project_root()
    raw = Path(args.raw) if args.raw else config.raw_dir(root)
    processed = Path(args.processed) if args.processed else config.processed_dir(root)
    notebooks = Path(args.notebooks) if args.notebooks else root / "notebooks"
    # Fail before the (long) normalise if the report notebooks are not there.
    try:
        check_inputs(processed, notebooks, check_processed=False)
    except ReportInputError as exc:
        print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
        return 2
    if problem := folder_problem(processed, must_exist=False):
        print(f"{_prog(args)}: {problem}", file=sys.stderr)
        return 2
    ns = argparse.Namespace(raw_dir=raw, out=processed, jobs=args.jobs, quiet=args.quiet, command=args.command,
                            rounds=args.rounds)
    code = _normalise(ns)
    if code:
        return code
    ns = argparse.Namespace(processed=processed, out=args.out, notebooks=notebooks, tambon=None,
                            jobs=args.jobs, with_code=args.with_code, force=args.force, lang=args.lang,
                            quiet=args.quiet, fresh_kernels=args.fresh_kernels, scheduler=args.scheduler,
                            reuse_kernel=args.reuse_kernel, format=args.format, command=args.command,
                            cell_timeout=args.cell_timeout, pdf=args.pdf)
    return _report(ns)


def _review_sheet(args: argparse.Namespace) -> int:
    from siianalysis.workshop.review import write_review_sheet

    processed = Path(args.processed) if args.processed else config.processed_dir()
    try:
        path = write_review_sheet(processed, Path(args.out), provinces=args.province or None,
                                  reports_base=args.reports_base, lang=args.lang)
    except (FileNotFoundError, ValueError) as exc:
        print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
        return 2
    print(f"review workbook written to {path}")
    return 0


def _compile(args: argparse.Namespace) -> int:
    from siianalysis.workshop.compile import compile_main

    processed = Path(args.processed) if args.processed else config.processed_dir()
    code = compile_main(processed, Path(args.out), lang=args.lang, html_dir=args.html_dir, mask=not args.no_mask)
    if code == 0 and args.html_dir is not None:
        from siianalysis.report.batch.index import link_compiled

        link_compiled(args.html_dir)  # a site's index written before the pages now links them
    return code


def _bundle(args: argparse.Namespace) -> int:
    from siianalysis.workshop.bundle import bundle_main

    reports = Path(args.reports) if args.reports else config.reports_dir()
    pdf = None
    if args.pdf:
        from siianalysis.report.exporters import pdf as pdf_exporter

        try:
            pdf_exporter.prepare(None)
        except pdf_exporter.PdfExportError as exc:
            print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
            return 2
        pdf = pdf_exporter.html_to_pdf
    return bundle_main(reports, Path(args.out), mask=not args.no_mask, pdf=pdf)


# export --to: what OUT must be (suffix, what is written)
_EXPORT_TARGETS = {"datapackage": ("", "a Data Package folder"), "spss": (".sav", "an SPSS data file"),
                   "stata": (".dta", "a Stata dataset")}


def _export(args: argparse.Namespace) -> int:
    suffix, what = _EXPORT_TARGETS[args.to]
    try:  # OUT checked against --to before anything is read
        out = file_to_write(suffix, what)(args.out) if suffix else folder_to_write(args.out)
    except argparse.ArgumentTypeError as exc:
        print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
        return 2
    from siianalysis.exports.datapackage import DataPackageError, check_target, write_datapackage
    from siianalysis.exports.source import export_dataset

    processed = Path(args.processed) if args.processed else config.processed_dir()
    if problem := folder_problem(processed, must_exist=True):
        print(f"{_prog(args)}: {problem}; {PROCESSED_HINT}", file=sys.stderr)
        return 2
    try:
        if args.to == "datapackage":
            check_target(out)
    except DataPackageError as exc:
        print(f"{_prog(args)}: {one_line(exc)}", file=sys.stderr)
        return 2
    ds = export_dataset(processed, mask=not args.no_mask)
    if args.to == "datapackage":
        path = write_datapackage(ds, out, masked=not args.no_mask)
    else:
        from siianalysis.exports.analysis_file import analysis_file
        from siianalysis.exports.statfile import write_statfile

        path = write_statfile(analysis_file(ds, lang=args.lang), out)
    print(f"{what} written to {path}")
    return 0


def _rounds_flag(parser: argparse.ArgumentParser) -> None:
    from siianalysis.rounds import RULES

    parser.add_argument("--rounds", choices=RULES, default="auto",
                        help="how a worksheet's round (the network's yearly review) is named: auto (default: "
                             "a folder named for it, else a year or round written on the worksheet, else the "
                             "Buddhist-Era year of its date), folder, field or date alone, or none (one round)")


def _kernel_flags(p: argparse.ArgumentParser) -> None:
    """Flags of ``report`` and ``build`` about where and how notebooks run, and what they make."""
    p.add_argument("--format", metavar="FORMAT", type=report_format,
                   help="the reports' document format, a registered exporter (default: html)")
    p.add_argument("--pdf", action="store_true",
                   help="also write an A4 PDF beside each report (tambon/<id>.pdf, network.pdf; Thai shaped by "
                        "WeasyPrint, in the bundled Noto Sans Thai); reports that lack one are rendered")
    p.add_argument("--scheduler", metavar="ADDRESS", type=scheduler,
                   help="run on a dask cluster: tcp://HOST:PORT of a running scheduler, or 'local' for "
                        "a LocalCluster of --jobs worker processes (default: a local process pool)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="a new kernel for every report instead of reusing each worker's warm kernel (slower)")
    p.add_argument("--reuse-kernel", type=count, default=None, metavar="N",
                   help="restart a warm kernel after N reports (default: 100)")
    p.add_argument("--cell-timeout", type=count, default=None, metavar="SECONDS",
                   help="stop a report cell that runs longer than this; its report fails, the others go on "
                        "(default: 600)")


def parser() -> Parser:
    p = Parser(
        prog="siianalysis",
        description="S-I-I area-management worksheets: normalise, analyse, report.",
    )
    p.add_argument("--version", action="version", version=f"siianalysis {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="what to do (`siianalysis COMMAND --help` lists its options)")
    p.commands = sub.choices  # name or alias -> its parser

    n = sub.add_parser("normalise", aliases=["normalize"], help="raw worksheets → processed tables")
    n.add_argument("raw_dir", type=folder_to_read, metavar="RAW_DIR",
                   help="folder of worksheets as teams sent them (read recursively)")
    n.add_argument("--out", required=True, type=folder_to_write, help="folder for the processed tables")
    n.add_argument("--jobs", type=count, default=None, help="worker processes (default: all cores)")
    n.add_argument("--quiet", action="store_true", help="no progress bar")
    n.add_argument("--no-cache", action="store_true", help="read every file afresh (ignore OUT/.cache)")
    _rounds_flag(n)
    n.set_defaults(func=_normalise)

    t = sub.add_parser("template", help="write a blank worksheet workbook (.xlsx)")
    t.add_argument("out", metavar="OUT.xlsx", type=file_to_write(".xlsx", "an Excel workbook"),
                   help="path of the .xlsx to write")
    t.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the worksheet's labels: th, as the handout prints them (default), or en")
    t.set_defaults(func=_template)

    x = sub.add_parser("xlsform", help="the worksheet as an XLSForm for KoboToolbox / ODK (.xlsx)")
    x.add_argument("out", metavar="OUT.xlsx", type=file_to_write(".xlsx", "an XLSForm workbook"),
                   help="path of the .xlsx to write")
    x.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the form's default language: th (default) or en; both are in the form")
    x.add_argument("--province", action="append", metavar="NAME_OR_CODE", type=province,
                   help="offer only this province's tambons: its Thai or English name or its 2-digit code "
                        "(repeatable; default: every province)")
    x.add_argument("--region", action="append", choices=_regions(),
                   help="offer only this region's provinces (repeatable; north: the network's 17)")
    x.set_defaults(func=_xlsform)

    s = sub.add_parser("sample", help="generate the bundled sample network of worksheets")
    s.add_argument("out", metavar="DIR", type=folder_to_write, help="folder to write into")
    s.add_argument("--n", type=sample_size, default=48, help="number of tambons (at least 17; default: 48)")
    s.add_argument("--seed", type=int, default=2563,
                   help="random seed; the same seed and --n give byte-identical files (default: 2563)")
    s.set_defaults(func=_sample)

    r = sub.add_parser("report", help="processed tables → HTML reports (network + one per tambon)")
    r.add_argument("--processed", type=processed_folder, help="processed folder (default: data/processed)")
    r.add_argument("--out", type=reports_location,
                   help="reports folder or fsspec URL, e.g. file:///srv/reports (default: reports/)")
    r.add_argument("--tambon", action="append", metavar="ID", type=tambon_id,
                   help="render only this tambon (repeatable; default: every tambon)")
    r.add_argument("--jobs", type=count, default=None, help="worker processes (default: all cores)")
    r.add_argument("--with-code", action="store_true", help="keep the code in the HTML (researchers)")
    r.add_argument("--force", action="store_true", help="render every report, even unchanged ones")
    r.add_argument("--stale", action="store_true",
                   help="also render the tambon reports that compared with an earlier network (the index marks "
                        "them; without it only reports whose own data changed are rendered)")
    r.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the reports' language: th (default) or en")
    r.add_argument("--notebooks", type=folder_to_read, help="folder of the report notebooks (default: notebooks/)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    _kernel_flags(r)
    r.set_defaults(func=_report)

    b = sub.add_parser("build", help="the whole job: data/raw → data/processed → reports")
    b.add_argument("--raw", type=folder_to_read, help="raw folder (default: data/raw of the project)")
    b.add_argument("--processed", type=folder_to_write, help="processed folder (default: data/processed)")
    b.add_argument("--out", type=reports_location, help="reports folder (default: reports/)")
    b.add_argument("--notebooks", type=folder_to_read, help="folder of the report notebooks (default: notebooks/)")
    b.add_argument("--jobs", type=count, default=None,
                   help="worker processes, for reading and for rendering (default: all cores)")
    b.add_argument("--with-code", action="store_true", help="keep the code in the HTML (researchers)")
    b.add_argument("--force", action="store_true", help="render every report, even unchanged ones")
    b.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the reports' language: th (default) or en")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    _rounds_flag(b)
    _kernel_flags(b)
    b.set_defaults(func=_build)

    v = sub.add_parser("review-sheet", help="an Excel workbook for the expert reviewers")
    v.add_argument("--processed", type=processed_folder, help="processed folder (default: data/processed)")
    v.add_argument("--out", required=True, type=file_to_write(".xlsx", "an Excel workbook"),
                   help="the .xlsx to write")
    v.add_argument("--province", action="append", metavar="NAME_OR_CODE", type=province,
                   help="only this province: its Thai or English name or its 2-digit code (repeatable)")
    v.add_argument("--reports-base", default="reports",
                   help="folder of the reports, relative to the workbook, for its links (default: reports)")
    v.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the workbook's instructions, headers and pillars: th (default) or en")
    v.set_defaults(func=_review_sheet)

    c = sub.add_parser("compile", help="per-tambon compilation: Table 4, plans and experts' suggestions")
    c.add_argument("--processed", type=processed_folder, help="processed folder (default: data/processed)")
    c.add_argument("--out", required=True, type=file_to_write(".xlsx", "an Excel workbook"),
                   help="the .xlsx to write")
    c.add_argument("--html-dir", type=folder_to_write,
                   help="also write HTML pages under HTML_DIR/compiled/ (e.g. reports)")
    c.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the compilation's headings and labels: th (default) or en")
    c.add_argument("--no-mask", action="store_true",
                   help="keep names, phone numbers, e-mails and citizen IDs (internal use only)")
    c.set_defaults(func=_compile)

    e = sub.add_parser("export", help="processed tables → a Data Package, an SPSS or a Stata file for research")
    e.add_argument("--to", required=True, choices=list(_EXPORT_TARGETS),
                   help="datapackage: every table as CSV with datapackage.json (Frictionless, schemas, codes, "
                        "keys); spss or stata: one analysis file, a line per tambon × round, labelled")
    e.add_argument("out", metavar="OUT", help="the folder (datapackage), the .sav (spss) or the .dta (stata) to write")
    e.add_argument("--processed", type=processed_folder, help="processed folder (default: data/processed)")
    e.add_argument("--lang", choices=["th", "en"], default="th",
                   help="the SPSS/Stata variable and value labels: th (default) or en (the Data Package has both)")
    e.add_argument("--no-mask", action="store_true",
                   help="keep names, phone numbers, e-mails and citizen IDs in the texts (internal use only)")
    e.set_defaults(func=_export)

    z = sub.add_parser("bundle", help="pack the report site into a zip to share (personal data masked)")
    z.add_argument("--reports", type=folder_to_read, help="the report site (default: reports/)")
    z.add_argument("--out", required=True, type=file_to_write(".zip", "a zip archive"), help="the .zip to write")
    z.add_argument("--no-mask", action="store_true",
                   help="keep phone numbers, e-mails and citizen IDs (internal use only)")
    z.add_argument("--pdf", action="store_true",
                   help="also an A4 PDF of each report, printed from its page as bundled (masked like it)")
    z.set_defaults(func=_bundle)
    return p


def _name_typed_command(p: Parser, argv: list[str]) -> None:
    """Argument errors name the command as typed ("siianalysis normalize", not the name it aliases)."""
    typed = next((a for a in argv if not a.startswith("-")), None)
    if typed in p.commands:
        p.commands[typed].prog = f"{p.prog} {typed}"


def main(argv: list[str] | None = None) -> int:
    """Runs a command; returns its exit code: 0 done, 1 failed, 2 unusable arguments, 130
    interrupted. An error the user can fix (a full disk, a read-only folder, an input the
    project refuses; ``cli_checks.user_error``) is one line on stderr; a bug keeps its traceback."""
    argv = sys.argv[1:] if argv is None else list(argv)
    p = parser()
    _name_typed_command(p, argv)
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argument refused (its line is printed)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{_prog(args)}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        known = user_error(exc)
        if known is None:
            raise
        code, message = known
        print(f"{_prog(args)}: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
