"""What every tambon report reads of the network, computed once per processed set and shared.

A tambon report compares its tambon with the network (positions, medians, ranks, "reached by
x of n", the peers that reached a gap and what they wrote). Computed in each report kernel
from the whole network, that cost each kernel the whole loaded tables plus the network-wide
results built from them: ≈ 0.4 GiB more at 7,255 tambons than at 200, in every kernel.

So the batch writes them once, before its kernels start (``ensure``, in a process of its own
so that the batch's process stays small), into the processed folder::

    <processed>/.shared/<key>/index.arrow   per tambon (sorted ids): where its lines start, how many
    <processed>/.shared/<key>/<name>.arrow  one table each (Arrow IPC, uncompressed: memory-mapped)

``key`` is a digest of the set's id (``_SET.json``), the codebook and the code that computes
these tables: another set, codebook or formula is another folder, never a stale one; folders
of other keys are removed when a new one is written. A folder appears whole or not at all
(written beside, then renamed). A set without a marker (frames written by hand) gets none.

``tambon_view(folder, tambon_id)`` is the Dataset a tambon report needs: the whole
``tambons``, ``problems`` and ``feedback`` (small), the tambon's own lines of ``rows``,
``ticks`` and ``texts`` (and of every round, in ``history``), and its memo filled with the
network-wide results, for the tambon (its own lines of per-tambon tables) or whole (medians,
counts). Such a Dataset refuses to compute any other network-wide result from its partial
frames (``Dataset.share``). ``siianalysis.load(folder, tambon_id=…)`` returns it when the
folder holds the shared tables, else the whole Dataset; a researcher's ``load(folder)`` is the
whole Dataset as ever.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from siianalysis.codebook import Codebook, load_codebook
from siianalysis.processed import set_id

from . import gaps, scores
from .dataset import Dataset, load

FOLDER = ".shared"
PEER_KEY = ("gaps", "peer_tables")
# memo key -> table: one group of lines per tambon (the view holds its own group)
PER_TAMBON = {("scores", "table_scores"): "table_scores", ("scores", "outcome_reach"): "outcome_reach",
              ("scores", "pillar_scores"): "pillar_scores", ("gaps", "tick_rows"): "tick_rows"}
# memo key -> table: whole (a network median or count is read from them)
WHOLE = {("scores", "tambon_scores"): "tambon_scores", ("scores", "lens_scores"): "lens_scores"}
RAW = ("rows", "ticks", "texts")  # the processed tables held per tambon (the rest whole)
_CODE = ("dataset.py", "scores.py", "standing.py", "gaps.py", "places.py", "shared_tables.py")


def position_scores(codebook: Codebook) -> list[str]:
    """The ``tambon_scores`` columns a tambon report places its tambon on."""
    pillars = [*scores.SCORED_TABLES, "overall"]
    return ([f"{p}_{m}" for p in pillars for m in ("outcome_coverage", "tick_rate")]
            + [f"lens_{lens.code}" for lens in codebook.lenses])


def store_key(folder: Path, codebook: Codebook) -> str | None:
    """The shared tables' key for the set in ``folder`` (None: no marker, no shared tables)."""
    ident = set_id(folder)
    if not ident:
        return None
    h = hashlib.sha256(ident.encode())
    here = Path(__file__).parent
    for name in _CODE:
        h.update((here / name).read_bytes())
    h.update(Path(codebook.source).read_bytes() if codebook.source else repr(codebook).encode())
    return h.hexdigest()[:24]


# --- writing -----------------------------------------------------------------------------


def _arrow(frame: pd.DataFrame):
    import pyarrow as pa

    frame = frame.reset_index(drop=True)
    if "lens" in frame.columns and frame["lens"].dtype == object:  # tuples of lens codes
        frame = frame.assign(lens=frame["lens"].map(list))
    return pa.Table.from_pandas(frame, preserve_index=False)


def _write_table(path: Path, frame: pd.DataFrame) -> None:
    import pyarrow as pa

    table = _arrow(frame)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _by_tambon(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by tambon_id, each tambon's lines in their order (a stable sort)."""
    return frame.sort_values("tambon_id", kind="stable").reset_index(drop=True)


def tables_of(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Every shared table of ``ds`` (a whole Dataset), per-tambon ones sorted by tambon_id."""
    scores.tambon_scores(ds)  # computes and memoises every score table
    gaps.tick_rows(ds)
    per = {name: _by_tambon(ds.memo(key, _missing(key))) for key, name in PER_TAMBON.items()}
    out = {**per, **{name: ds.memo(key, _missing(key)) for key, name in WHOLE.items()}}
    out["positions"] = _by_tambon(pd.concat([scores.network_positions(ds, s) for s in position_scores(ds.codebook)],
                                            ignore_index=True))
    out["reach_counts"] = gaps.reach_counts(ds).reset_index()
    places = gaps.place_codes(ds.tambons, ds.codebook)
    out["places"] = places.reset_index()
    out["reachers"] = gaps.reacher_lines(gaps.tick_rows(ds), places)
    for name in RAW:
        out[name] = _by_tambon(getattr(ds, name))
        if ds.history is not None:
            out[f"history.{name}"] = _by_tambon(getattr(ds.history, name))
    for name in ("tambons", "problems", "feedback"):
        out[name] = getattr(ds, name)
        if ds.history is not None:
            out[f"history.{name}"] = getattr(ds.history, name)
    return out


def _missing(key: Any):
    def fail() -> Any:
        raise LookupError(f"{key} was not computed")
    return fail


def _index(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per tambon id (sorted): ``<table>`` where its lines start and ``<table>.n`` how many."""
    grouped = [name for name, frame in tables.items() if name in _grouped_names(tables)]
    ids = sorted(set().union(*(set(tables[n]["tambon_id"]) for n in grouped)))
    index = pd.DataFrame({"tambon_id": pd.Series(ids, dtype="str")})
    for name in grouped:
        col = tables[name]["tambon_id"]
        starts = np.searchsorted(col.to_numpy(dtype=object), np.asarray(ids, dtype=object), side="left")
        ends = np.searchsorted(col.to_numpy(dtype=object), np.asarray(ids, dtype=object), side="right")
        index[name] = starts.astype("int64")
        index[f"{name}.n"] = (ends - starts).astype("int64")
    return index


def _grouped_names(tables: dict[str, pd.DataFrame]) -> list[str]:
    return [*PER_TAMBON.values(), "positions", *RAW, *(f"history.{n}" for n in RAW if f"history.{n}" in tables)]


def write(folder: Path | str, codebook: Codebook | None = None) -> Path | None:
    """Writes the shared tables of the set in ``folder`` unless they are there; returns their
    folder (None for a set without a marker)."""
    folder = Path(folder)
    codebook = codebook or load_codebook()
    key = store_key(folder, codebook)
    if key is None:
        return None
    home = folder / FOLDER
    target = home / key
    if (target / "index.arrow").is_file():
        return target
    ds = load(folder, codebook, cache=False)
    tables = tables_of(ds)
    tmp = home / f".{key}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    tmp.mkdir(parents=True)
    try:
        for name, frame in tables.items():
            _write_table(tmp / f"{name}.arrow", frame)
        _write_table(tmp / "index.arrow", _index(tables))
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / "index.arrow").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for other in home.iterdir():  # another set's, codebook's or code's: never read again
        if other.name != key and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return target


# --- reading -----------------------------------------------------------------------------


def _mapped(path: Path):
    import pyarrow as pa

    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()  # zero-copy: pages read as touched


class _Store:
    """One shared folder: its small tables (the index, those read whole) memory-mapped once per
    process; the per-tambon ones mapped anew for each tambon's Dataset (``_Lines``), so that the
    pages a report touched (its own lines, its peers') are let go with it, not held by the
    kernel for the rest of its life."""

    def __init__(self, path: Path):
        self.path = path
        self.names = {p.stem for p in path.glob("*.arrow")} - {"index"}
        self.index = _mapped(path / "index.arrow")
        self.ids = self.index.column("tambon_id")
        self._whole: dict[str, Any] = {}

    def table(self, name: str):
        if name not in self._whole:
            self._whole[name] = _mapped(self.path / f"{name}.arrow")
        return self._whole[name]

    def reachers(self) -> _Reachers:
        if "reachers:lookup" not in self._whole:
            self._whole["reachers:lookup"] = _Reachers(self.table("reachers"))
        return self._whole["reachers:lookup"]

    def whole(self, name: str) -> pd.DataFrame:
        if f"{name}:frame" not in self._whole:
            self._whole[f"{name}:frame"] = _pandas(self.table(name))
        return self._whole[f"{name}:frame"]

    def row(self, tambon_id: str) -> int:
        import pyarrow.compute as pc

        return pc.index(self.ids, str(tambon_id)).as_py()


class _Lines:
    """The per-tambon tables of a ``_Store``, mapped for one tambon's Dataset."""

    def __init__(self, store: _Store):
        self.store = store
        self.tables: dict[str, Any] = {}

    def lines(self, name: str, row: int) -> pd.DataFrame:
        if name not in self.tables:
            self.tables[name] = _mapped(self.store.path / f"{name}.arrow")
        table = self.tables[name]
        if row < 0:
            return _pandas(table.slice(0, 0))
        start, n = (self.store.index.column(c)[row].as_py() for c in (name, f"{name}.n"))
        return _pandas(table.slice(start, n))

    def of(self, name: str, tambon_id: str) -> pd.DataFrame:
        return self.lines(name, self.store.row(tambon_id))


def _pandas(table) -> pd.DataFrame:
    import pyarrow as pa

    frame = table.to_pandas()
    if "lens" in frame.columns and pa.types.is_list(table.schema.field("lens").type):
        frame["lens"] = frame["lens"].map(tuple)  # outcome_reach's tuples of lens codes
    return frame


_OPEN: dict[Path, _Store] = {}


def _store(folder: Path, codebook: Codebook) -> _Store | None:
    key = store_key(folder, codebook)
    path = folder / FOLDER / key if key else None
    if path is None or not (path / "index.arrow").is_file():
        return None
    if path not in _OPEN:
        _OPEN.clear()  # one set at a time: an older one's maps are let go
        _OPEN[path] = _Store(path)
    return _OPEN[path]


class _Reachers(Mapping):
    """``PeerTables.reachers`` read per outcome from the shared ``reachers`` table (sorted by
    outcome: one slice each)."""

    def __init__(self, table):
        import pyarrow.compute as pc

        self.table = table
        counts = pc.value_counts(table.column("criterion_code")).to_pylist()  # in order of appearance
        ends = np.cumsum([c["counts"] for c in counts])
        self.at = {c["values"]: (int(end - c["counts"]), int(c["counts"])) for c, end in zip(counts, ends)}

    def __getitem__(self, code: str) -> dict:
        start, n = self.at[code]
        frame = self.table.slice(start, n).to_pandas()
        return {"tambon_id": frame["tambon_id"].to_numpy(dtype=object),
                **{c: frame[c].to_numpy() for c in frame.columns if c not in ("criterion_code", "tambon_id")}}

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)


def _peer_tables(store: _Store, mine: _Lines, ds: Dataset) -> gaps.PeerTables:
    def tick_lines(pairs: list[tuple[str, str]]) -> pd.DataFrame:
        parts = []
        for code, peer in pairs:
            theirs = mine.of("tick_rows", peer)
            parts.append(theirs[theirs["criterion_code"] == code])
        return pd.concat(parts, ignore_index=True) if parts else mine.lines("tick_rows", -1)

    def texts_of(ids: list[str]) -> pd.DataFrame:
        parts = [mine.of("texts", p) for p in ids]
        return pd.concat(parts, ignore_index=True) if parts else mine.lines("texts", -1)

    return gaps.PeerTables(reachers=store.reachers(), places=store.whole("places").set_index("tambon_id"),
                           ident=ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id"),
                           tick_lines=tick_lines, texts_of=texts_of)


def tambon_view(folder: Path | str, tambon_id: str, codebook: Codebook | None = None) -> Dataset | None:
    """The Dataset of one tambon's report (module doc), or None when ``folder`` holds no shared
    tables for its set (then load the whole Dataset)."""
    folder = Path(folder)
    codebook = codebook or load_codebook()
    store = _store(folder, codebook)
    if store is None:
        return None
    tid = str(tambon_id)
    row = store.row(tid)
    mine = _Lines(store)

    def frames(prefix: str) -> dict[str, pd.DataFrame]:
        return {**{name: store.whole(prefix + name) for name in ("tambons", "problems", "feedback")},
                **{name: mine.lines(prefix + name, row) for name in RAW}}

    history = None
    if "history.tambons" in store.names:
        history = Dataset(**frames("history."), codebook=codebook, path=folder)
    ds = Dataset(**frames(""), codebook=codebook, path=folder, history=history)
    shared: dict[Any, Any] = {key: mine.lines(name, row) for key, name in PER_TAMBON.items()}
    shared |= {key: store.whole(name) for key, name in WHOLE.items()}
    positions = mine.lines("positions", row)
    for score, part in positions.groupby("score", sort=False):
        shared[("scores", f"positions:{score}")] = part.reset_index(drop=True).set_index("tambon_id", drop=False)
    shared[("gaps", "reach_counts")] = store.whole("reach_counts").set_index("outcome_code")
    shared[PEER_KEY] = _peer_tables(store, mine, ds)
    ds.share(shared, guarded=("scores", "gaps"), free=(("gaps", "tick_rows_by_tambon"),))
    return ds


def ensure(folder: Path | str) -> str:
    """Writes the shared tables of ``folder`` in a process of its own (its memory is given back
    when it ends); "" when done or not needed, else why not (the reports then load the whole set)."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", __name__, str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"
    return ""


if __name__ == "__main__":
    write(sys.argv[1])
