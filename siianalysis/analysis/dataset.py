"""The processed worksheets as one ``Dataset``: six tidy frames and the codebook.

The processed directory (written by ``siianalysis normalise``) holds
``tambons``, ``rows``, ``ticks``, ``texts``, ``problems`` and ``feedback`` (the
experts' suggestions, read from the review workbooks) as Parquet (CSV twins
exist; Parquet is read because it keeps types). ``problems`` and ``feedback``
may be absent (a clean run, no review yet): they are then empty frames with
their columns. ``load`` reads them and makes their types dependable for the
analysis:

- every id and label column is a string column with ``""`` for missing, so a
  DOPA code "500707" never becomes the number 500707 and merges between
  frames compare like with like (pandas 3 ``str`` dtype on both sides);
- ``resolved`` and ``ticked`` are booleans even if a file wrote "True"/"1";
- a frame without one of the contract's columns gets it (empty), so code
  downstream can rely on the columns being there.

``load`` memoises: a second ``load`` of an unchanged folder in the same process
(a warm report kernel rendering report after report) returns the *same*
``Dataset`` object without reading Parquet again. The key is the resolved
folder, the codebook and each Parquet file's (name, size, mtime_ns), so a
rewritten file is read again. The last ``LOAD_CACHE_SIZE`` datasets are kept;
``load(..., cache=False)`` bypasses the cache and ``clear_cache()`` empties it.

Rounds (``siianalysis.rounds``): every table has a ``round`` column and a tambon
may have a worksheet in several rounds. A ``Dataset``'s frames are each tambon's
*latest* round (what the reports describe and compare, so nothing an analysis
does changes with rounds); ``history`` holds every round (``None`` when each
tambon has one), ``rounds`` names them in time order and ``in_round(code)`` is
the network as it was in one round. Data written before rounds existed loads as
one round (``round`` ``""``).

A ``Dataset`` is therefore shared and read-only: never change its frames in
place (``ds.rows["x"] = ...``, ``inplace=True``); take a ``.copy()`` first.
Network-level results computed from it (``analysis.scores``) are memoised on
the Dataset itself (``Dataset.memo``) and would go stale otherwise.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from siianalysis.codebook import Codebook, load_codebook
from siianalysis.processed import check_processed_set, set_id
from siianalysis.rounds import latest_rounds, ordered
from siianalysis.schemas import BOOL_COLUMNS, COLUMNS, REQUIRED

_TRUE = frozenset({"true", "t", "1", "yes", "y"})


def _as_str(s: pd.Series) -> pd.Series:
    """A string column with "" for missing; integral numbers without ".0"."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        # an id column that went through a spreadsheet: 500707.0 -> "500707"
        def text(v: Any) -> str:
            if pd.isna(v):
                return ""
            return str(int(v)) if float(v).is_integer() else str(v)

        return s.map(text).astype("str")
    if isinstance(s.dtype, pd.StringDtype):
        # already text (Parquet's strings): filled in place of a round trip through one Python
        # object per cell, which at 7,255 tambons left a kernel ~0.4 GB larger for good
        return s.fillna("").astype("str")
    return s.astype(object).where(s.notna(), "").astype("str")


def _as_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    return s.map(lambda v: False if pd.isna(v) else str(v).strip().casefold() in _TRUE).astype(bool)


def normalise_frame(df: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """``df`` with the contract's columns for ``name``, typed (see module doc).

    Extra columns are kept after the contract's ones.
    """
    df = pd.DataFrame() if df is None else df.copy()
    columns = COLUMNS[name]
    for col in columns:
        if col not in df.columns:
            df[col] = pd.Series(False if col in BOOL_COLUMNS else "", index=df.index)
        df[col] = _as_bool(df[col]) if col in BOOL_COLUMNS else _as_str(df[col])
    extra = [c for c in df.columns if c not in columns]
    return df[list(columns) + extra].reset_index(drop=True)


@dataclass(frozen=True)
class Dataset:
    """The processed worksheets: ``tambons``, ``rows``, ``ticks``, ``texts``,
    ``problems``, ``feedback`` (pandas frames, columns as ``siianalysis.schemas.COLUMNS``) and the ``codebook``.

    Build one with ``load(dir)`` or, from frames in memory (tests, notebooks),
    ``Dataset.from_frames(...)``.

    Read-only: ``load`` hands the same object to every caller, and network-level
    results are memoised on it (``memo``); never change a frame in place.
    """

    tambons: pd.DataFrame = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    ticks: pd.DataFrame = field(repr=False)
    texts: pd.DataFrame = field(repr=False)
    problems: pd.DataFrame = field(repr=False)
    codebook: Codebook = field(repr=False)
    path: Path | None = None
    # last, with a default: code that builds a Dataset from the first five frames keeps working
    feedback: pd.DataFrame = field(default_factory=lambda: normalise_frame(None, "feedback"), repr=False)
    # every round, when a tambon has worksheets in more than one (see the module doc); None: one round each
    history: Dataset | None = field(default=None, repr=False, compare=False)
    # results computed from this very object (see ``memo``); not an init field, so
    # ``replace``/``for_tambon`` give the new Dataset an empty one
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # a tambon report's view (``share``): (namespaces it may not compute in, keys it may)
    _guard: tuple = field(default=(), init=False, repr=False, compare=False)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, run once per ``key`` for this Dataset object and kept on it.

        For network-level results (scores, positions): the caller must not mutate
        what it gets back (``analysis.scores`` hands out copies).
        """
        memo = self._memo
        try:
            return memo[key]
        except KeyError:
            if self._guard and key[0] in self._guard[0] and key not in self._guard[1]:
                # a view holds one tambon's lines: a network-wide result computed from them would be wrong
                raise LookupError(f"{key} is not among the network's shared results this tambon's Dataset was "
                                  "given (analysis.shared_tables); load the whole Dataset to compute it") from None
            value = memo[key] = compute()
            return value

    def share(self, results: dict, guarded: tuple[str, ...], free: tuple = ()) -> None:
        """Makes this Dataset a view of one tambon (``analysis.shared_tables``): ``results`` are its
        memo (network-wide results computed once, elsewhere, from the whole network), and a memo
        key of the ``guarded`` namespaces that is not among them (nor in ``free``) raises instead
        of being computed from this Dataset's partial frames. Datasets cut from it (``for_tambon``,
        ``in_round``) are ordinary ones."""
        self._memo.update(results)
        object.__setattr__(self, "_guard", (frozenset(guarded), frozenset(free)))

    def __getstate__(self) -> dict:
        # pickled (e.g. to a worker) without the memo: it is rebuilt on demand
        return {k: v for k, v in self.__dict__.items() if k not in ("_memo", "_guard")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "_memo", {})
        object.__setattr__(self, "_guard", ())

    @classmethod
    def from_frames(
        cls,
        tambons: pd.DataFrame,
        rows: pd.DataFrame | None = None,
        ticks: pd.DataFrame | None = None,
        texts: pd.DataFrame | None = None,
        problems: pd.DataFrame | None = None,
        codebook: Codebook | None = None,
        path: Path | None = None,
        feedback: pd.DataFrame | None = None,
    ) -> Dataset:
        """A Dataset from frames; each is typed as ``load`` does, missing ones are empty.

        Frames with several rounds of a tambon give each tambon's latest round, with every
        round in ``history`` (module doc).
        """
        frames = {name: normalise_frame(df, name) for name, df in dict(
            tambons=tambons, rows=rows, ticks=ticks, texts=texts, problems=problems, feedback=feedback).items()}
        codebook = codebook or load_codebook()
        if not frames["tambons"]["tambon_id"].duplicated().any():
            return cls(**frames, codebook=codebook, path=path)
        history = cls(**frames, codebook=codebook, path=path)
        latest = _latest_rounds(frames["tambons"])
        return cls(**{name: _in_keys(df, latest) for name, df in frames.items()}, codebook=codebook, path=path,
                   history=history)

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return (
            f"Dataset({len(self.tambons)} tambons, {len(self.rows)} rows, {len(self.ticks)} ticks, "
            f"{len(self.texts)} texts, {len(self.problems)} problems, "
            f"{len(self.feedback)} suggestions{where})"
        )

    @property
    def notes(self) -> pd.DataFrame:
        """What the teams wrote outside the tables (``parse.outside``): the ``texts`` lines of
        the codebook's note table (``outside_tables.table``), ``tambon_id, text, source``
        (where: "file: cell" or "file: text N, paragraph M (after table K)"), in reading
        order. Every other ``texts`` line belongs to a table's row."""
        texts = self.texts
        mine = texts[texts["table"] == self.codebook.outside_tables.table]
        return mine[["tambon_id", "text", "source"]].reset_index(drop=True)

    @property
    def rounds(self) -> list[str]:
        """The rounds of the worksheets, in time order (``[""]`` for data without rounds)."""
        return ordered((self.history or self).tambons["round"]) or [""]

    def in_round(self, round_code: str) -> Dataset:
        """The network as it was in one round: every tambon's worksheet of ``round_code``."""
        whole = self.history or self
        if round_code not in set(whole.tambons["round"]):
            raise KeyError(f"no round {round_code!r} in the dataset (rounds: {', '.join(self.rounds)})")
        keys = whole.tambons.loc[whole.tambons["round"] == round_code, ["tambon_id", "round"]]
        return replace(whole, **{name: _in_keys(getattr(whole, name), keys) for name in COLUMNS}, history=None)

    def rounds_of(self, tambon_id: str) -> list[str]:
        """The rounds in which ``tambon_id`` sent a worksheet, in time order."""
        whole = (self.history or self).tambons
        return ordered(whole.loc[whole["tambon_id"] == str(tambon_id), "round"])

    @property
    def tambon_ids(self) -> list[str]:
        """Ids of the current tambons, in file order."""
        return list(dict.fromkeys(self.tambons["tambon_id"]))

    def tambon(self, tambon_id: str) -> dict[str, Any]:
        """The ``tambons`` line of ``tambon_id`` as a dict (KeyError if unknown)."""
        hit = self.tambons[self.tambons["tambon_id"] == str(tambon_id)]
        if hit.empty:
            raise KeyError(f"no tambon {tambon_id!r} in the dataset ({len(self.tambons)} tambons)")
        return hit.iloc[0].to_dict()

    def lines_of(self, name: str, tambon_id: str) -> pd.DataFrame:
        """The lines of the frame ``name`` (``rows``, ``texts``, …) about ``tambon_id``, in file
        order, with their index: ``frame[frame["tambon_id"] == tambon_id]``, found through an
        index built once per Dataset (``memo``) instead of a scan of the whole network's frame
        for every report (at 7,255 tambons such scans were a quarter of a report's time)."""
        frame = getattr(self, name)
        where = self.memo(("dataset", "lines_of", name), lambda: frame.groupby("tambon_id", sort=False).indices)
        pos = where.get(str(tambon_id))
        if pos is None:
            return frame.iloc[0:0]
        if pos[-1] - pos[0] + 1 == len(pos):  # a tambon's lines are together in the file: a slice, no copy
            return frame.iloc[pos[0]:pos[-1] + 1]
        return frame.take(pos)

    def for_tambon(self, tambon_id: str) -> Dataset:
        """This dataset cut down to one tambon (every frame, problems and feedback included)."""
        self.tambon(tambon_id)  # fail early on an unknown id
        tid = str(tambon_id)
        return replace(
            self,
            **{name: self.lines_of(name, tid).reset_index(drop=True) for name in COLUMNS},
            history=self.history.for_tambon(tid) if self.history is not None else None,
        )


def _latest_rounds(tambons: pd.DataFrame) -> pd.DataFrame:
    """(tambon_id, round) of each tambon's latest round."""
    return latest_rounds(tambons)[["tambon_id", "round"]]


def _in_keys(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The lines of ``frame`` whose (tambon_id, round) is in ``keys``; lines about no tambon
    (a file-level problem) are kept."""
    wanted = set(zip(keys["tambon_id"], keys["round"], strict=True))
    keep = pd.Series([tid == "" or (tid, rnd) in wanted
                      for tid, rnd in zip(frame["tambon_id"], frame["round"], strict=True)], index=frame.index, dtype=bool)
    return frame[keep].reset_index(drop=True)


# load's memo: (resolved folder, folder as given, codebook id, file signature) -> Dataset, most recent last
LOAD_CACHE_SIZE = 2
_LOADED: OrderedDict[tuple, Dataset] = OrderedDict()
_LOADED_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forgets the datasets ``load`` keeps (the next ``load`` reads the files again)."""
    with _LOADED_LOCK:
        _LOADED.clear()


def _signature(folder: Path) -> tuple:
    """(name, size, mtime_ns) of each Parquet file of the contract; (name, None) if absent."""
    sig = []
    for name in COLUMNS:
        try:
            st = (folder / f"{name}.parquet").stat()
        except FileNotFoundError:
            sig.append((name, None))
        else:
            sig.append((name, st.st_size, st.st_mtime_ns))
    return tuple(sig)


def load(processed_dir: str | Path, codebook: Codebook | str | Path | None = None, cache: bool = True) -> Dataset:
    """Reads the processed Parquet files of ``processed_dir`` into a ``Dataset``.

    ``codebook``: a ``Codebook``, a path to a codebook YAML, or None for the
    bundled one. Raises ``FileNotFoundError`` naming the folder (or the missing
    files) if ``siianalysis normalise`` has not been run.

    ``cache``: return the Dataset already loaded from this folder in this process
    when no Parquet file changed (same size and mtime) and the codebook is the
    same; the same object, shared, read-only (module docstring). ``cache=False``
    always reads (and leaves the cache alone).

    A folder that is not one whole set (a table cut short, or one of another
    normalise run mixed in by a copy or a sync) raises
    ``siianalysis.processed.ProcessedSetError`` saying so.
    """
    folder = Path(processed_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"processed data folder {str(folder)!r} does not exist; "
            "run `siianalysis normalise` first to write it"
        )
    missing = [f"{name}.parquet" for name in REQUIRED if not (folder / f"{name}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"processed data folder {str(folder)!r} lacks {', '.join(missing)}; "
            "run `siianalysis normalise` to (re)write it"
        )
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)  # itself read once per path
    if not cache:
        return _read(folder, codebook)
    # the folder as given too: the Dataset's ``path`` is it
    key = (str(folder.resolve()), str(folder), id(codebook), _signature(folder))
    with _LOADED_LOCK:
        hit = _LOADED.get(key)
        if hit is not None and hit.codebook is codebook:
            _LOADED.move_to_end(key)
            return hit
    ds = _read(folder, codebook)
    with _LOADED_LOCK:
        _LOADED[key] = ds
        _LOADED.move_to_end(key)
        while len(_LOADED) > LOAD_CACHE_SIZE:
            _LOADED.popitem(last=False)
    return ds


def _read(folder: Path, codebook: Codebook) -> Dataset:
    # One whole set or nothing (``processed.check_processed_set``); a set swapped in by a
    # normalise while this one was read is read again, so frames never mix two sets.
    for _ in range(3):
        marker = check_processed_set(folder)
        frames = {
            name: pd.read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").is_file() else None
            for name in COLUMNS
        }
        if marker is None or set_id(folder) == marker["set_id"]:
            break
    return Dataset.from_frames(**frames, codebook=codebook, path=folder)
