"""raw worksheets → processed tables: read, parse, resolve, de-duplicate, validate, write.

Every file is read on its own; one that cannot be read becomes an ``error`` in
the problems log and the run goes on. Raw files are never modified.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from siianalysis.codebook import load_codebook
from siianalysis.filecache import FileCache
from siianalysis.parse import ParsedWorksheet, parse_worksheets
from siianalysis.parse.dates import parse_date
from siianalysis.parse.outside import is_handout_text
from siianalysis.parse.resolve import resolve_place
from siianalysis.problems import Problem, ProblemLog
from siianalysis.processed import SetWriter
from siianalysis.readers import (
    ARCHIVE_SUFFIXES,
    MAX_FILE_BYTES,
    Grid,
    RawDocument,
    UnreadableFile,
    brief,
    is_lock_file,
    lock_file_message,
    read_at_most,
    read_file,
    refusal_before_reading,
)
from siianalysis.readers.archive import MAX_ARCHIVE_BYTES, MAX_ENTRIES, declared_entries
from siianalysis.readers.archive import members as archive_members
from siianalysis.readers.isolation import Failure, WorkerLimits, run_isolated
from siianalysis.rounds import check_rule, ordered, round_from_path, sort_key
from siianalysis.schemas import columns, validate
from siianalysis.submissions import Submission, assign_rounds, current_worksheets
from siianalysis.text import drop_control_characters
from siianalysis.workshop.review import feedback_frame, read_review

# Our own notes in a raw folder are not worksheets.
_SKIPPED_NAMES = {"readme.md", "readme.txt", ".gitkeep"}
# A grid's lazy style source is no data: cached results keep the cells (review workbooks need no more).
_NOT_CACHED = frozenset({(Grid, "styles")})
# Errors a summary lists when no problems table was written to show them.
_SHOWN_ERRORS = 10


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
    # False when nothing was written: no ``out_dir``, or no worksheet read (``out_dir`` left as it was)
    written: bool = False
    # the files read this run (not from the cache), in file order
    read_afresh: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines_of_rounds = self.tables["tambons"]
        tambons = lines_of_rounds.drop_duplicates("tambon_id")  # a tambon once, whatever its rounds
        problems = self.tables["problems"]
        by_severity = Counter(problems["severity"])
        resolved = int(tambons["resolved"].sum()) if len(tambons) else 0
        rounds = Counter(lines_of_rounds["round"])
        lines = [
            f"files read:  {self.files_read}",
            f"worksheets:  {self.worksheets}",
            f"suggestions: {len(self.tables['feedback'])} from expert-review workbooks",
            f"tambons:     {len(tambons)} ({resolved} resolved to a DOPA code, {len(tambons) - resolved} unresolved)",
        ]
        if len(rounds) > 1:
            lines.append("rounds:      " + ", ".join(f"{r or '(none)'}: {rounds[r]} tambons" for r in ordered(rounds)))
        lines += [
            f"problems:    {by_severity.get('error', 0)} errors, {by_severity.get('warning', 0)} warnings, "
            f"{by_severity.get('info', 0)} notes",
        ]
        texts = self.tables["texts"]
        outside = int((texts["table"] == load_codebook().outside_tables.table).sum()) if len(texts) else 0
        if outside:  # nothing a team wrote is dropped: text outside the tables is kept (parse.outside)
            lines.insert(4, f"outside:     {outside} texts written outside the tables, kept as notes "
                            "(texts, table 'note'; shown in the tambon reports)")
        for code, n in Counter(problems["code"]).most_common(8):
            lines.append(f"  {n:4d} × {code}")
        if self.written:
            lines.append(f"written to: {self.out_dir}")
        elif self.out_dir is not None:
            lines.append(f"nothing written: no worksheet was read, so the processed data in {self.out_dir} "
                         "was left as it was")
            errors = problems[problems["severity"] == "error"]
            for row in errors.head(_SHOWN_ERRORS).itertuples():
                lines.append(f"  {row.source_file}: {row.code}: {row.message}")
            if len(errors) > _SHOWN_ERRORS:
                lines.append(f"  … and {len(errors) - _SHOWN_ERRORS} more errors")
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
            if any(p.severity == "error" for p in parsed.problems):
                continue  # the parser said why (a blank worksheet: ``worksheet-unfilled``)
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


def _read_reviews(docs: list[RawDocument], current: list[Submission],
                  rule: str = "auto") -> tuple[pd.DataFrame, list[Problem]]:
    """The experts' suggestions; a row naming a tambon with no current worksheet is a problem.

    A review belongs to the round its folder names (rules ``auto`` and ``folder``) when
    the tambon has a worksheet in that round, else to the tambon's latest round.
    """
    rounds: dict[str, list[str]] = {}
    for s in current:
        rounds.setdefault(s.place.tambon_id, []).append(s.round)
    codebook = load_codebook()
    records: list[dict[str, str]] = []
    problems: list[Problem] = []
    for doc in docs:
        read = read_review(doc, codebook, known_tambons=set(rounds))
        if read is not None:
            named = round_from_path(doc.source_file) if rule in ("auto", "folder") else None
            for record in read.feedback:
                theirs = rounds.get(record["tambon_id"], [""])
                record["round"] = named if named in theirs else max(theirs, key=sort_key)
            records.extend(read.feedback)
            problems.extend(read.problems)
    return feedback_frame(records, codebook).reset_index(drop=True), problems


def _frames(current: list[Submission], problems: list[Problem]) -> dict[str, pd.DataFrame]:
    # a tuple per line, in the order of the names below (a dict per line cost twice as much)
    tambons, rows, ticks, texts = [], [], [], []
    note_table = load_codebook().outside_tables.table
    for s in current:
        p, ws, rnd = s.place, s.worksheet, s.round
        tid = p.tambon_id
        tambons.append((
            tid, rnd, p.resolved, p.tambon_th, p.amphoe_th, p.province_th, p.province_code, s.worksheet_date,
            ws.source, p.tambon_en, p.amphoe_en, p.province_en, p.amphoe_code,
            ",".join(code for code in ("people", "mechanism", "data", "summary") if code in ws.tables_found),
        ))
        for r in ws.rows:
            rows.append((tid, rnd, r.table, r.row_code, r.label, r.source))
            ticks.extend((tid, rnd, r.table, r.row_code, code, bool(t)) for code, t in r.ticks.items())
            texts.extend((tid, rnd, r.table, r.row_code, name, text, "") for name, text in r.texts.items() if text)
        # text written outside the tables (parse.outside): the worksheet's notes, in reading order
        texts.extend((tid, rnd, note_table, "", "note", n.text, n.source) for n in ws.notes)
    codebook = load_codebook()
    row_order = {code: i for i, code in enumerate(r.code for t in codebook.tables for r in t.rows)}
    out_order = {o.code: i for i, o in enumerate(codebook.outcomes)}
    frames = {
        "tambons": _sorted(_frame(tambons, "tambons", _TAMBON_FIELDS), ["tambon_id", "round"], row_order),
        "rows": _sorted(_frame(rows, "rows", _ROW_FIELDS), ["tambon_id", "round", "row_code"], row_order),
        "ticks": _sorted(_frame(ticks, "ticks", _TICK_FIELDS),
                         ["tambon_id", "round", "row_code", "criterion_code"], row_order, out_order),
        "texts": _sorted(_frame(texts, "texts", _TEXT_FIELDS), ["tambon_id", "round", "row_code", "field"],
                         row_order),
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


_TAMBON_FIELDS = ("tambon_id", "round", "resolved", "tambon_th", "amphoe_th", "province_th", "province_code",
                  "worksheet_date", "source_file", "tambon_en", "amphoe_en", "province_en", "amphoe_code", "tables")
_ROW_FIELDS = ("tambon_id", "round", "table", "row_code", "label", "source")
_TICK_FIELDS = ("tambon_id", "round", "table", "row_code", "criterion_code", "ticked")
_TEXT_FIELDS = ("tambon_id", "round", "table", "row_code", "field", "text", "source")


def _frame(lines: list[tuple], table: str, fields: tuple[str, ...]) -> pd.DataFrame:
    """The lines (tuples of ``fields``) as a frame with the table's declared columns, in their order."""
    return pd.DataFrame(lines, columns=list(fields)).reindex(columns=columns(table))


def _sorted(df: pd.DataFrame, by: list[str], row_order: dict[str, int],
            out_order: dict[str, int] | None = None) -> pd.DataFrame:
    """Codebook order for codes (P2 before P10), rounds in time order, text order for the rest."""
    # mapped as objects: a text column's own ``map`` casts every value back to text
    keys = {"row_code": lambda s: row_order, "criterion_code": lambda s: out_order or {},
            "round": lambda s: {v: sort_key(v) for v in s.unique()}}
    return df.sort_values(by, key=lambda s: s.astype(object).map(keys[s.name](s)) if s.name in keys else s,
                          kind="stable")


def read_in_worker(copy: str, display_name: str) -> FileResult:
    """``process_file`` in a worker process (``readers.isolation``) of ``copy``: the private
    copy of the bytes the caller read and hashed, so what is parsed is what was hashed,
    whatever happens to the raw file meanwhile."""
    return process_file(Path(copy), display_name)


def result_cache(folder: Path, earlier: Path | None = None) -> FileCache[FileResult]:
    """The per-file cache of ``FileResult`` s in ``folder`` (``earlier``: the previous set's)."""
    return FileCache(folder, FileResult, earlier=earlier, skip=_NOT_CACHED, list_types={ProblemLog: Problem})


def _refused(display_name: str, code: str, message: str) -> FileResult:
    return FileResult(display_name, problems=[Problem(display_name, "whole file", "error", code, message)])


def _given_up(display_name: str, failure: Failure, limits: WorkerLimits) -> FileResult:
    """The error row of a file whose reading was given up (``readers.isolation.Failure``)."""
    if failure.limit == "memory":
        return _refused(display_name, "file-too-demanding",
                        f"reading this file needed more memory than the limit of {limits.memory_words()} "
                        f"for one file ({failure.detail}); it was not read")
    if failure.limit == "time":
        return _refused(display_name, "file-too-demanding",
                        f"reading this file took longer than the limit of {limits.seconds:g} seconds for one "
                        f"file ({failure.detail}); it was not read")
    if failure.limit == "crash":
        return _refused(display_name, "corrupt-file",
                        f"the reader stopped on this file, twice ({failure.detail}): the file is damaged or "
                        "made to break readers; it was not read")
    return _refused(display_name, "parse-failed", f"could not interpret this file: {failure.detail}")


def _files_in(archive: bytes) -> int:
    """How many entries a zip says it holds (its time limit is one file's per entry)."""
    try:
        return min(declared_entries(io.BytesIO(archive)) or 1, MAX_ENTRIES)
    except (OSError, ValueError, struct.error):
        return 1


def _before_reading(path: Path, display_name: str) -> FileResult | None:
    """The result of a file that is not read at all: a lock file, a format not read, too large,
    gone. Decided on its name and size before a byte of it is read (no 2 GB file in memory)."""
    if is_lock_file(display_name):
        return FileResult(display_name, problems=[_lock_file_note(display_name)])
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _refused(display_name, "corrupt-file", f"cannot open the file ({brief(exc)})")
    refusal = refusal_before_reading(display_name, size)
    return _refused(display_name, refusal.code, str(refusal)) if refusal is not None else None


def _warm_up() -> None:
    """Loads before the first worker is forked what each would load on its first file (0.2 s):
    the codebook, geothai's names (a place looked up), the handout's lines, the readers.
    Forked workers share them (Linux, ``readers.isolation``); spawned ones would not."""
    if sys.platform != "linux":
        return
    import siianalysis.forms.exports  # noqa: F401  (read_file looks for a form export in every workbook)
    import siianalysis.readers.spreadsheet  # noqa: F401
    import siianalysis.readers.word  # noqa: F401

    is_handout_text("", load_codebook())
    resolve_place("x")


def _read_all(files: list[Path], names: list[str], store: FileCache | None, jobs: int, limits: WorkerLimits,
              progress: bool) -> tuple[list[FileResult], list[str]]:
    """Every file's result, in file order, and the names of those read afresh this run.

    Each file is read once: its bytes are hashed for the cache and, on a miss, written to a
    private copy that a worker process (``readers.isolation``) parses. Files are read one at
    a time, as workers are free for them, so one file at most is held in memory here.
    """
    results: list[FileResult | None] = [None] * len(files)
    keys: dict[int, str] = {}
    bar = tqdm(total=len(files), desc="normalise", unit="file", disable=not progress or len(files) < 20)

    def to_read(handoff: Path):
        warm = False
        for i, (path, name) in enumerate(zip(files, names)):
            result = _before_reading(path, name)
            if result is None:
                try:
                    data = read_at_most(path, MAX_ARCHIVE_BYTES if path.suffix.lower() in ARCHIVE_SUFFIXES
                                        else MAX_FILE_BYTES)
                except UnreadableFile as exc:
                    result = _refused(name, exc.code, str(exc))
                else:
                    if store is not None:
                        keys[i] = store.key(data, name)
                        result = store.get(keys[i])
                    if result is None:
                        if not warm:
                            _warm_up()
                            warm = True
                        copy = handoff / f"{i}{path.suffix.lower()}"
                        copy.write_bytes(data)
                        weight = _files_in(data) if path.suffix.lower() in ARCHIVE_SUFFIXES else 1
                        del data
                        yield i, (str(copy), name), weight
                        continue
            results[i] = result
            bar.update()

    afresh = []
    with bar, tempfile.TemporaryDirectory(prefix="siianalysis-normalise-") as handoff:
        for i, outcome in run_isolated(read_in_worker, to_read(Path(handoff)), jobs=jobs, limits=limits):
            (Path(handoff) / f"{i}{files[i].suffix.lower()}").unlink(missing_ok=True)
            if isinstance(outcome, Failure):
                outcome = _given_up(names[i], outcome, limits)
            elif store is not None:
                store.put(keys[i], outcome)
            results[i] = outcome
            afresh.append(i)
            bar.update()
    return [r for r in results if r is not None], [names[i] for i in sorted(afresh)]


def normalise(raw_dir: Path | str, out_dir: Path | str | None = None, *, jobs: int | None = None,
              progress: bool = True, cache: bool = True, limits: WorkerLimits | None = None,
              rounds: str = "auto") -> NormaliseResult:
    """Reads every file under ``raw_dir`` and writes the processed tables to ``out_dir``.

    Each file is read in a worker process with memory and time limits
    (``readers.isolation``): a file that crashes, aborts or exhausts its reader
    is an ``error`` row and the run goes on. The tables are written as one set
    (``processed.SetWriter``): into a new folder beside ``out_dir``, swapped in
    whole at the end. A run that read no worksheet writes nothing and leaves
    ``out_dir`` as it was (``NormaliseResult.written`` is False).

    Args:
        raw_dir: the folder of worksheets as teams sent them (searched recursively).
        out_dir: where to write ``<table>.parquet`` and ``<table>.csv``; ``None`` writes nothing.
        jobs: worker processes (default: the machine's cores); 1 reads one file at a time, in
            one worker process.
        progress: show a progress bar.
        cache: reuse the results of files that did not change since the last run into the same
            ``out_dir`` (kept in ``out_dir/.cache``); ``False`` reads every file afresh.
        limits: memory and time one file may take (default ``WorkerLimits()``).
        rounds: how a worksheet's round is named (``siianalysis.rounds.RULES``): ``auto``
            (folder, then a written year or round, then the date's BE year), one of those
            alone, or ``none`` (one round). Within a round the latest worksheet of a tambon
            supersedes the others; worksheets of different rounds are all kept.

    Returns:
        The validated tables in memory, with counts for the summary.

    Raises:
        FileNotFoundError: ``raw_dir`` is not a folder.
        ProcessedSetError: ``out_dir`` holds files that are not processed tables (not replaced).
        OSError: the set could not be written (a full disk); ``out_dir`` is left as it was.
    """
    raw_dir = Path(raw_dir)
    check_rule(rounds)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    limits = limits or WorkerLimits()
    files = list_raw_files(raw_dir)
    names = [drop_control_characters(p.relative_to(raw_dir).as_posix()) for p in files]
    writer = SetWriter(Path(out_dir)) if out_dir is not None else None
    try:
        store = result_cache(writer.folder / ".cache", Path(out_dir) / ".cache") if cache and writer else None
        results, afresh = _read_all(files, names, store, max(1, jobs or os.cpu_count() or 1), limits, progress)
        submissions = [s for r in results for s in r.submissions]
        problems = assign_rounds(submissions, [p for r in results for p in r.problems], rounds)
        current, superseded = current_worksheets(submissions)
        feedback, review_problems = _read_reviews([d for r in results for d in r.reviews], current, rounds)
        frames = _frames(current, problems + superseded + review_problems)
        frames["feedback"] = feedback
        frames = validate(frames)
        written = False
        if writer is not None and submissions:
            writer.commit(frames)
            written = True
        elif writer is not None:
            writer.discard()
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    return NormaliseResult(frames, len(files), len(submissions), Path(out_dir) if out_dir is not None else None,
                           written=written, read_afresh=afresh)
