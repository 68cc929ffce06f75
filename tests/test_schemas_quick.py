"""schemas.validate: the quick check (pandas alone) lets through only what pandera's schemas let
through; a table it doubts is pandera's to judge, so a broken table still fails with pandera's
SchemaError naming what is wrong."""

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from siianalysis.normalise import normalise
from siianalysis.schemas import _checks, _passes, schemas, validate

REJECTED = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)
SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return normalise(SAMPLE, None, jobs=1, progress=False, cache=False).tables


def _broken(tables):
    """(table, how, frame) with one rule broken each."""
    t = {k: v.copy() for k, v in tables.items()}
    out = []

    def one(name, how, change):
        df = t[name].copy()
        change(df)
        out.append((name, how, df))

    one("tambons", "bad id", lambda d: d.__setitem__("tambon_id", d["tambon_id"].where(d.index != 0, "12x")))
    one("tambons", "missing text", lambda d: d.__setitem__("tambon_en", d["tambon_en"].where(d.index != 0, np.nan)))
    one("tambons", "object dtype", lambda d: d.__setitem__("tambon_th", d["tambon_th"].astype(object)))
    one("tambons", "bool as text", lambda d: d.__setitem__("resolved", d["resolved"].astype(str)))
    one("tambons", "columns out of order", lambda d: d.insert(0, "round_", d.pop("round")))
    one("tambons", "duplicate key", lambda d: d.__setitem__("tambon_id", d["tambon_id"].iloc[0]))
    one("rows", "unknown row code", lambda d: d.__setitem__("row_code", d["row_code"].where(d.index != 3, "P99")))
    one("ticks", "unknown outcome", lambda d: d.__setitem__("criterion_code", "XX1"))
    one("texts", "empty text", lambda d: d.__setitem__("text", d["text"].where(d.index != 1, "")))
    one("texts", "note with a row", lambda d: d.__setitem__("table", d["table"].where(d.index != 0, "note")))
    one("texts", "bad field", lambda d: d.__setitem__("field", d["field"].where(d.index != 2, "remark.ZZ")))
    one("texts", "extra column", lambda d: d.__setitem__("extra", "x"))
    one("problems", "bad severity", lambda d: d.__setitem__("severity", d["severity"].where(d.index != 0, "fatal")))
    one("problems", "bad code", lambda d: d.__setitem__("code", d["code"].where(d.index != 0, "Bad Code")))
    return out


def test_quick_check_passes_what_normalise_writes_and_pandera_agrees(tables):
    checks, full = _checks(), schemas()
    assert set(tables) == set(full)
    for name, df in tables.items():
        assert _passes(name, df, checks), name
        full[name].validate(df)  # pandera passes them too
    validated = validate(tables)
    assert all(validated[name] is tables[name] for name in tables)


def test_a_broken_table_fails_with_pandera_error(tables):
    checks, full = _checks(), schemas()
    broken = _broken(tables)
    assert len(broken) == 14
    for name, how, df in broken:
        assert not _passes(name, df, checks), how
        pandera_rejects = True
        try:
            full[name].validate(df)
            pandera_rejects = False
        except REJECTED:
            pass
        if pandera_rejects:
            with pytest.raises(REJECTED):
                validate({**tables, name: df})
        else:  # the quick check doubted (a dtype pandera accepts): pandera's word stands
            assert validate({**tables, name: df})[name] is not None, how


def test_quick_check_is_no_looser_than_pandera_on_random_damage(tables):
    checks, full = _checks(), schemas()
    rng = np.random.default_rng(14)
    values = ["", "x", "1", "2567", "r2", "PC1", "P2", "note", "error", "a-b", "๑๒", "123456", "u-0123456789"]
    for name, df in tables.items():
        if not len(df):
            continue
        for _ in range(25):
            d = df.copy()
            col = d.columns[rng.integers(len(d.columns))]
            if d[col].dtype == bool:
                continue
            i = int(rng.integers(len(d)))
            d[col] = d[col].where(d.index != d.index[i], values[rng.integers(len(values))])
            if _passes(name, d, checks):
                full[name].validate(d)  # pandera must pass it too
