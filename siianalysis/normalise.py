"""raw worksheets → processed tables: read, parse, resolve, de-duplicate, validate, write.

Every file is read on its own; one that cannot be read becomes an ``error`` in
the problems log and the run goes on. Raw files are never modified.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from siianalysis.codebook import load_codebook
from siianalysis.export import write_table
from siianalysis.filecache import FileCache
from siianalysis.parse import ParsedWorksheet, parse_worksheets
from siianalysis.parse.dates import parse_date
from siianalysis.parse.resolve import Place, resolve_place
from siianalysis.problems import Problem, ProblemLog
from siianalysis.readers import (
    ARCHIVE_SUFFIXES, RawDocument, UnreadableFile, is_lock_file, lock_file_message, read_file,
)
from siianalysis.readers.archive import members as archive_members
from siianalysis.workshop.review import feedback_frame, read_review
from siianalysis.schemas import PROCESSED_TABLES, columns, schemas

# Our own notes in a raw folder are not worksheets.
_SKIPPED_NAMES = {"readme.md", "readme.txt", ".gitkeep"}


@dataclass(slots=True)
class Submission:
    """One worksheet as sent: where it is from, when, and what it says."""

    place: Place
    worksheet_date: str
    worksheet: ParsedWorksheet


@dataclass(slots=True)
class FileResult:
    source_file: str
    submissions: list[Submission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Filled expert-review workbooks: read once every worksheet is known (their rows name tambons).
    reviews: list[RawDocument] = field(default_factory=list)


@dataclass(slots=True)
class NormaliseResult:
    """What a run produced, in memory (also written to ``out_dir``)."""

    tables: dict[str, pd.DataFrame]
    files_read: int
    worksheets: int
    out_dir: Path | None = None

    def summary(self) -> str:
        tambons = self.tables["tambons"]
        problems = self.tables["problems"]
        by_severity = Counter(problems["severity"])
        resolved = int(tambons["resolved"].sum()) if len(tambons) else 0
        lines = [
            f"files read:  {self.files_read}",
            f"worksheets:  {self.worksheets}",
            f"suggestions: {len(self.tables['feedback'])} from expert-review workbooks",
            f"tambons:     {len(tambons)} ({resolved} resolved to a DOPA code, {len(tambons) - resolved} unresolved)",
            f"problems:    {by_severity.get('error', 0)} errors, {by_severity.get('warning', 0)} warnings, "
            f"{by_severity.get('info', 0)} notes",
        ]
        for code, n in Counter(problems["code"]).most_common(8):
            lines.append(f"  {n:4d} × {code}")
        if self.out_dir is not None:
            lines.append(f"written to: {self.out_dir}")
        return "\n".join(lines)


def list_raw_files(raw_dir: Path) -> list[Path]:
    """Every file under raw_dir, sorted, hidden files and our README aside.

    Office lock files ("~$book.xlsx", LibreOffice's ".~lock.book.ods#") are
    listed: ``process_file`` notes them as not read, so a folder's every file is
    accounted for.
    """
    files = []
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parent.parts):
            continue
        if path.name.startswith(".") and not is_lock_file(path.name):
            continue
        if path.name.lower() in _SKIPPED_NAMES:
            continue
        files.append(path)
    return files


def _lock_file_note(display_name: str) -> Problem:
    return Problem(display_name, "whole file", "info", "lock-file-skipped", lock_file_message())


def _process_archive(path: Path, display_name: str) -> FileResult:
    """Every file in a zip read as if sent on its own (``sent.zip!/member``); refusals are error rows."""
    result = FileResult(display_name)
    try:
        for member in archive_members(path, display_name):
            if member.refused is not None:
                result.problems.append(Problem(member.name, "whole file", "error", member.refused.code,
                                               str(member.refused)))
            elif member.lock_file:
                result.problems.append(_lock_file_note(member.name))
            else:
                part = process_file(member.path, member.name)
                for f in fields(FileResult):
                    if f.name != "source_file":
                        getattr(result, f.name).extend(getattr(part, f.name))
    except UnreadableFile as exc:  # the archive as a whole; members already read are kept
        result.problems.append(Problem(display_name, "whole file", "error", exc.code, str(exc)))
    return result


def process_file(path: Path, display_name: str) -> FileResult:
    """Reads, parses and resolves one file (a zip: every file in it). Never raises for a bad file."""
    if is_lock_file(display_name):
        return FileResult(display_name, problems=[_lock_file_note(display_name)])
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        return _process_archive(path, display_name)
    result = FileResult(display_name)
    try:
        documents = read_file(path, display_name)
    except UnreadableFile as exc:
        result.problems.append(Problem(display_name, "whole file", "error", exc.code, str(exc)))
        return result
    codebook = load_codebook()
    for doc in documents:
        try:
            parsed = parse_worksheets(doc, codebook)
        except Exception as exc:  # a parser bug must not stop the batch; it is reported
            result.problems.append(Problem(display_name, "whole file", "error", "parse-failed",
                                           f"could not interpret this file: {type(exc).__name__}: {exc}"))
            continue
        if not parsed.worksheets:
            if read_review(doc, codebook) is not None:
                result.reviews.append(doc)
                continue
            result.problems.extend(parsed.problems)
            result.problems.append(Problem(
                display_name, "whole file", "error", "not-a-worksheet",
                "no worksheet table (people, mechanism, data or summary) and no expert-review sheet "
                "was found in this file",
            ))
            continue
        if len(parsed.worksheets) == 1:  # the file's own problems are the worksheet's
            parsed.worksheets[0].problems[:0] = parsed.problems
        else:
            result.problems.extend(parsed.problems)
        for worksheet in parsed.worksheets:
            result.submissions.append(_submission(worksheet, display_name, result.problems))
    return result


def _submission(worksheet: ParsedWorksheet, display_name: str, problems_out: list[Problem]) -> Submission:
    """Resolves a worksheet's place and date; its problems go to ``problems_out`` under its tambon."""
    ident = worksheet.identity
    place = resolve_place(ident.get("tambon"), ident.get("amphoe"), ident.get("province"), worksheet.source)
    problems = ProblemLog(worksheet.problems)
    if place.problem_code:
        where = ident.locations.get("tambon", worksheet.part or "whole file")
        problems.warning(display_name, where, place.problem_code, place.problem)
    date = parse_date(ident.get("worksheet_date"))
    if ident.get("worksheet_date") and date is None:
        problems.warning(display_name, ident.locations.get("worksheet_date", ""), "bad-date",
                         f"cannot read the date {ident.get('worksheet_date')!r}")
    elif not ident.get("worksheet_date"):
        problems.warning(display_name, worksheet.part or "whole file", "no-date", "the worksheet has no date")
    problems_out.extend(
        Problem(p.source_file, p.location, p.severity, p.code, p.message, place.tambon_id) for p in problems
    )
    return Submission(place, date.isoformat() if date else "", worksheet)


def _current(submissions: list[Submission]) -> tuple[list[Submission], list[Problem]]:
    """One worksheet per tambon: the latest date wins, ties go to the later file path."""
    by_tambon: dict[str, list[Submission]] = {}
    for s in submissions:
        by_tambon.setdefault(s.place.tambon_id, []).append(s)
    current, problems = [], []
    for tambon_id in sorted(by_tambon):
        group = sorted(by_tambon[tambon_id], key=lambda s: (s.worksheet_date, s.worksheet.source))
        winner = group[-1]
        current.append(winner)
        for loser in group[:-1]:
            problems.append(Problem(
                loser.worksheet.source_file, loser.worksheet.part or "whole file", "warning", "superseded",
                f"another worksheet for the same tambon is current: {winner.worksheet.source} "
                f"(dated {winner.worksheet_date or 'no date'}; this one {loser.worksheet_date or 'no date'})",
                tambon_id,
            ))
    return current, problems


def _read_reviews(docs: list[RawDocument], current: list[Submission]) -> tuple[pd.DataFrame, list[Problem]]:
    """The experts' suggestions; a row naming a tambon with no current worksheet is a problem."""
    known = {s.place.tambon_id for s in current}
    codebook = load_codebook()
    records: list[dict[str, str]] = []
    problems: list[Problem] = []
    for doc in docs:
        read = read_review(doc, codebook, known_tambons=known)
        if read is not None:
            records.extend(read.feedback)
            problems.extend(read.problems)
    return feedback_frame(records, codebook).reset_index(drop=True), problems


def _frames(current: list[Submission], problems: list[Problem]) -> dict[str, pd.DataFrame]:
    tambons, rows, ticks, texts = [], [], [], []
    for s in current:
        p, ws = s.place, s.worksheet
        tambons.append({
            "tambon_id": p.tambon_id, "resolved": p.resolved, "tambon_th": p.tambon_th,
            "amphoe_th": p.amphoe_th, "province_th": p.province_th, "province_code": p.province_code,
            "worksheet_date": s.worksheet_date, "source_file": ws.source, "tambon_en": p.tambon_en,
            "amphoe_en": p.amphoe_en, "province_en": p.province_en, "amphoe_code": p.amphoe_code,
            "tables": ",".join(code for code in ("people", "mechanism", "data", "summary") if code in ws.tables_found),
        })
        for r in ws.rows:
            rows.append({"tambon_id": p.tambon_id, "table": r.table, "row_code": r.row_code,
                         "label": r.label, "source": r.source})
            ticks.extend({"tambon_id": p.tambon_id, "table": r.table, "row_code": r.row_code,
                          "criterion_code": code, "ticked": bool(t)} for code, t in r.ticks.items())
            texts.extend({"tambon_id": p.tambon_id, "table": r.table, "row_code": r.row_code,
                          "field": name, "text": text} for name, text in r.texts.items() if text)
    codebook = load_codebook()
    row_order = {code: i for i, code in enumerate(r.code for t in codebook.tables for r in t.rows)}
    out_order = {o.code: i for i, o in enumerate(codebook.outcomes)}
    frames = {
        "tambons": pd.DataFrame(tambons, columns=columns("tambons")).sort_values("tambon_id"),
        "rows": _sorted(pd.DataFrame(rows, columns=columns("rows")), ["tambon_id", "row_code"], row_order),
        "ticks": _sorted(pd.DataFrame(ticks, columns=columns("ticks")),
                         ["tambon_id", "row_code", "criterion_code"], row_order, out_order),
        "texts": _sorted(pd.DataFrame(texts, columns=columns("texts")), ["tambon_id", "row_code", "field"], row_order),
        "problems": pd.DataFrame([p.as_dict() for p in problems], columns=columns("problems"))
        .sort_values(["source_file", "severity", "location", "code", "message"], kind="stable"),
    }
    for name, df in frames.items():
        df = df.reset_index(drop=True)
        for col in df.columns:
            if col not in ("resolved", "ticked"):
                df[col] = df[col].astype(str)
            else:
                df[col] = df[col].astype(bool)
        frames[name] = df
    return frames


def _sorted(df: pd.DataFrame, by: list[str], row_order: dict[str, int],
            out_order: dict[str, int] | None = None) -> pd.DataFrame:
    """Codebook order for codes (P2 before P10), text order for the rest."""
    keys = {"row_code": lambda s: s.map(row_order), "criterion_code": lambda s: s.map(out_order or {})}
    return df.sort_values(by, key=lambda s: keys[s.name](s) if s.name in keys else s, kind="stable")


def _process_files(files: list[Path], names: list[str], jobs: int | None, progress: bool):
    """``process_file`` over the files, in worker processes when there are enough of them."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = dict(total=len(files), desc="normalise", unit="file", disable=not progress or len(files) < 20)
    if jobs == 1 or len(files) < 2 * jobs:
        return [process_file(p, n) for p, n in tqdm(zip(files, names), **bar)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(32, len(files) // (jobs * 8)))
        return list(tqdm(pool.map(process_file, files, names, chunksize=chunk), **bar))


def normalise(raw_dir: Path | str, out_dir: Path | str | None = None, *, jobs: int | None = None,
              progress: bool = True, cache: bool = True) -> NormaliseResult:
    """Reads every file under ``raw_dir`` and writes the processed tables to ``out_dir``.

    Args:
        raw_dir: the folder of worksheets as teams sent them (searched recursively).
        out_dir: where to write ``<table>.parquet`` and ``<table>.csv``; ``None`` writes nothing.
        jobs: worker processes (default: the machine's cores; 1 reads in this process).
        progress: show a progress bar.
        cache: reuse the results of files that did not change since the last run into the same
            ``out_dir`` (kept in ``out_dir/.cache``); ``False`` reads every file afresh.

    Returns:
        The validated tables in memory, with counts for the summary.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    files = list_raw_files(raw_dir)
    names = [p.relative_to(raw_dir).as_posix() for p in files]
    store = FileCache(Path(out_dir) / ".cache") if cache and out_dir is not None else None
    keys = [store.key(p, n) for p, n in zip(files, names)] if store else []
    results: list[FileResult | None] = [store.get(k) for k in keys] if store else [None] * len(files)
    todo = [i for i, r in enumerate(results) if r is None]
    for i, result in zip(todo, _process_files([files[i] for i in todo], [names[i] for i in todo], jobs, progress)):
        results[i] = result
        if store:
            store.put(keys[i], result)
    if store:
        store.keep_only(set(keys))
    submissions = [s for r in results for s in r.submissions]
    problems = [p for r in results for p in r.problems]
    current, superseded = _current(submissions)
    feedback, review_problems = _read_reviews([d for r in results for d in r.reviews], current)
    frames = _frames(current, problems + superseded + review_problems)
    frames["feedback"] = feedback
    for name, schema in schemas().items():
        frames[name] = schema.validate(frames[name])
    if out_dir is not None:
        out_dir = Path(out_dir)
        for name in PROCESSED_TABLES:
            write_table(frames[name], out_dir, name)
    return NormaliseResult(frames, len(files), len(submissions), Path(out_dir) if out_dir else None)
