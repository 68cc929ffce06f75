"""What a batch renders: the network report and one report per tambon, as render tasks.

The site a batch writes (``out_dir``; ``.html`` is ``RenderOptions.format``)::

    index.html                links to everything, grouped by province (``index``)
    network.html (+ .ipynb)   network_report.ipynb
    tambon/<tambon_id>.html   tambon_report.ipynb with ``tambon_id`` (+ .ipynb)
    .manifest.json            what each report was rendered from (``report.manifest``)

A report's key is ``"network"`` or ``"tambon/<tambon_id>"``; its title the place's
names and id, in the report's language, or the network report's title
(``site.network_title`` in ``report_text.yaml``). A tambon id becomes a file name
only when it is a well-formed id (``siianalysis.ids``); any other is reported as
failed, never rendered.

Skipping and peer comparisons: a tambon report's digest covers its notebook, the
package code it runs (``code_digest``), its parameters and *its own tambon's data
only* (``tables``). Tambon reports that compare a tambon with the network (medians,
ranks) therefore keep the peer figures of the run that rendered them until
``force=True`` (``--force``) refreshes them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, Iterable

from siianalysis.export import safe_filename
from siianalysis.ids import is_tambon_id
from siianalysis.processed import MARKER, ProcessedSetError, check_processed_set
from siianalysis.report import exporters
from siianalysis.report.batch import warmup
from siianalysis.report.batch.tables import TABLES, data_digests, read_tables
from siianalysis.report.code_digest import code_digest
from siianalysis.report.errors import ReportUserError
from siianalysis.report.manifest import report_digest
from siianalysis.report.options import RenderOptions
from siianalysis.report.render import RenderResult
from siianalysis.report.storage import Storage
from siianalysis.report.tasks import RenderTask
from siianalysis.rounds import latest_rounds
from siianalysis.words import t

TAMBON_NOTEBOOK = "tambon_report.ipynb"
NETWORK_NOTEBOOK = "network_report.ipynb"
NETWORK_KEY = "network"
TAMBON_DIR = "tambon"


class ReportInputError(ReportUserError, ValueError):
    """Unusable inputs, found before anything runs (missing, empty or torn processed data,
    missing notebooks, unknown ids)."""


class UnknownTambonError(ReportInputError):
    """A requested tambon id is not in ``tambons.parquet``."""


def tambon_key(tambon_id: str) -> str:
    return f"{TAMBON_DIR}/{tambon_id}"


def valid_tambon_id(tambon_id: str) -> bool:
    """A DOPA code or an unresolved ``u-`` id, and safe as a file name as is."""
    return is_tambon_id(tambon_id) and safe_filename(tambon_id) == tambon_id


def document(key: str, suffix: str) -> str:
    """A report's document, relative to the site: ``network.html``, ``tambon/<id>.html``."""
    return f"{NETWORK_KEY}{suffix}" if key == NETWORK_KEY else f"{TAMBON_DIR}/{key.split('/', 1)[1]}{suffix}"


def title(row: dict[str, Any] | None, lang: str) -> str:
    """A report's title: the place's names (escaped by the template) and id; the network
    report's title for ``row=None``."""
    if row is None:
        return t("site.network_title", "th" if lang == "th" else "en")
    suffix = "en" if lang == "en" else "th"
    names = [str(row.get(f"{f}_{suffix}") or row.get(f"{f}_th") or "") for f in ("tambon", "amphoe", "province")]
    return " · ".join(n for n in names if n) + f" ({row['tambon_id']})"


def check_inputs(processed_dir: Path, notebooks_dir: Path, *, network: bool = True,
                 check_processed: bool = True) -> None:
    """Raise ``ReportInputError`` with a helpful message if nothing could be rendered.

    Args:
        processed_dir: must hold ``tambons.parquet`` (unless ``check_processed`` is False).
        notebooks_dir: must hold the tambon notebook (and the network one if ``network``).
    """
    processed_dir, notebooks_dir = Path(processed_dir), Path(notebooks_dir)
    if check_processed and not (processed_dir / "tambons.parquet").is_file():
        raise ReportInputError(
            f"no processed tables in {processed_dir} (tambons.parquet missing); "
            "run `siianalysis normalise RAW --out PROCESSED` first"
        )
    needed = [TAMBON_NOTEBOOK] + ([NETWORK_NOTEBOOK] if network else [])
    missing = [n for n in needed if not (notebooks_dir / n).is_file()]
    if missing:
        raise ReportInputError(f"report notebooks missing in {notebooks_dir}: {', '.join(missing)}")


def checked_tables(processed_dir: Path) -> dict[str, Any]:
    """The processed tables, once they are known to be one whole, non-empty set: ``tambons`` as
    a frame, the others as functions that read one (``tables.data_digests`` reads each in turn
    and lets it go, so planning never holds the whole set).

    Reports are never made, and above all never set aside, from a set that is torn (a
    normalise stopped half-way: a set with a marker is checked against it,
    ``siianalysis.processed``), unreadable, or empty (a normalise of an empty or wrong
    folder): every tambon would look gone. ``ReportInputError`` says which, and that the
    reports were left as they were. A set written before markers is read as it is.
    """
    kept = "the reports were left as they are"
    if (processed_dir / MARKER).is_file():
        try:
            check_processed_set(processed_dir)
        except (ProcessedSetError, FileNotFoundError) as exc:
            raise ReportInputError(f"{exc}; {kept}") from exc
    try:
        tables: dict[str, Any] = read_tables(processed_dir, ("tambons",))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
        raise _unreadable(processed_dir, exc) from exc
    # the others are read one at a time by ``data_digests`` and let go: never all held at once
    tables |= {name: _reader(processed_dir, name) for name in TABLES if name != "tambons"}
    tambons = tables["tambons"]
    if tambons.empty or "tambon_id" not in tambons.columns:
        raise ReportInputError(f"the processed data in {processed_dir} holds no tambon (tambons.parquet is "
                               "empty): normalise read no worksheet; check the raw folder and run "
                               f"`siianalysis normalise` again; {kept}")
    return tables


def _unreadable(processed_dir: Path, exc: Exception) -> ReportInputError:
    return ReportInputError(f"the processed tables in {processed_dir} cannot be read ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:200]}); run `siianalysis normalise` again; "
                            "the reports were left as they are")


def _reader(processed_dir: Path, name: str) -> Callable[[], Any]:
    def read() -> Any:
        try:
            return read_tables(processed_dir, (name,))[name]
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
            raise _unreadable(processed_dir, exc) from exc
    return read


def batch_options(options: RenderOptions | None = None, **changes: Any) -> RenderOptions:
    """``RenderOptions.of(options, **changes)``, with the warm-up of a report kernel (``warmup``)
    where the options leave it to the caller."""
    return RenderOptions.of(options, **changes).with_defaults(warm_modules=warmup.MODULES,
                                                               warm_calls=warmup.CALLS)


@dataclass
class Plan:
    """What ``build_reports`` will render: tasks in order, the tambons table, invalid ids, and
    the options every task carries."""

    tasks: list[RenderTask]
    tambons: Any  # pandas.DataFrame of tambons.parquet
    invalid: list[RenderResult]
    options: RenderOptions


def _declared_parameters(notebook: Path) -> set[str] | None:
    """Names assigned in the notebook's ``parameters`` cell (None when it has none), as
    papermill's ``inspect_notebook`` gives them for a Python notebook.

    Read as JSON and ``ast``, not through papermill: importing papermill (nbformat's JSON
    schemas, jsonschema's URI grammar) cost the batch's own process ~2 CPU-s and ~0.1 GiB
    it kept for the whole run, to read one cell. Its workers import papermill to render."""
    import ast
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        cell = next(c for c in cells if c.get("cell_type") == "code"
                    and "parameters" in c.get("metadata", {}).get("tags", []))
        source = cell.get("source", "")
        tree = ast.parse(source if isinstance(source, str) else "".join(source))
    except (OSError, ValueError, StopIteration, SyntaxError, AttributeError):
        return None  # no parameters cell, or a broken notebook: it fails later, with a cell to show
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names or None


def _with_optional(core: dict[str, Any], optional: dict[str, Any], declared: set[str] | None) -> dict[str, Any]:
    # Optional parameters go in only where the notebook declares them (no papermill warnings).
    extra = {k: v for k, v in optional.items() if declared is not None and k in declared}
    return {**core, **extra}


def plan_reports(processed_dir: Path | str, out_dir: Path | str, *, notebooks_dir: Path | str,
                 tambon_ids: Iterable[str] | None = None, network: bool = True,
                 options: RenderOptions | None = None, **changes: Any) -> Plan:
    """The render tasks with their digests; see ``build_reports`` for the arguments.

    Raises ``ReportInputError`` (missing inputs), ``UnknownTambonError`` or
    ``exporters.UnknownFormatError`` before anything runs.
    """
    options = batch_options(options, **changes)
    exporters.get(options.format)
    processed_dir, notebooks_dir = (Path(p).resolve() for p in (processed_dir, notebooks_dir))
    out = Storage(out_dir)
    check_inputs(processed_dir, notebooks_dir, network=network)
    tables = checked_tables(processed_dir)
    tambons = latest_rounds(tables["tambons"])  # a tambon's page is of its latest round, as load gives it
    tambons["tambon_id"] = tambons["tambon_id"].astype(str)
    all_ids = list(tambons["tambon_id"])
    if tambon_ids is None:
        ids = all_ids
    else:
        ids = list(dict.fromkeys(str(tid) for tid in tambon_ids))
        unknown = [tid for tid in ids if tid not in set(all_ids)]
        if unknown:
            raise UnknownTambonError(f"tambon id(s) not in {processed_dir / 'tambons.parquet'}: {', '.join(unknown)}")
    network_digest, tambon_digests = data_digests(tables)
    fields = options.output_fields()
    lang = options.lang
    tasks: list[RenderTask] = []
    if network:
        nb = notebooks_dir / NETWORK_NOTEBOOK
        params = _with_optional({"processed_dir": str(processed_dir), "lang": lang},
                                {"reports_base": f"{TAMBON_DIR}/", "tambon_link_base": f"{TAMBON_DIR}/"},
                                _declared_parameters(nb))
        tasks.append(RenderTask(
            key=NETWORK_KEY, notebook=str(nb), parameters=params, out=out.url(document(NETWORK_KEY, options.format)),
            digest=report_digest(notebook=nb, parameters=params, data=network_digest, options=fields,
                                 code=code_digest(nb)),
            title=title(None, lang), options=options,
        ))
    nb = notebooks_dir / TAMBON_NOTEBOOK
    code = code_digest(nb)  # read now, once: the code as this batch finds it
    rows = {str(r["tambon_id"]): r for r in tambons.to_dict("records")}
    invalid = []
    for tid in sorted(ids):
        if not valid_tambon_id(tid):
            # Never a path from a malformed id; the index lists it as failed.
            invalid.append(RenderResult(key=tambon_key(tid), status="failed", error_name="InvalidTambonId",
                                        error_message=f"tambon id {tid!r} is neither a DOPA code nor u-<hex>"))
            continue
        params = {"tambon_id": tid, "processed_dir": str(processed_dir), "lang": lang}
        key = tambon_key(tid)
        tasks.append(RenderTask(
            key=key, notebook=str(nb), parameters=params, out=out.url(document(key, options.format)),
            digest=report_digest(notebook=nb, parameters=params, data=tambon_digests[tid], options=fields,
                                 code=code),
            title=title(rows[tid], lang), options=options,
        ))
    return Plan(tasks=tasks, tambons=tambons, invalid=invalid, options=options)
