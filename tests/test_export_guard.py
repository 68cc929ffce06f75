"""The CSV guard over whole frames (export.guard_frame) does what guard_cell does cell by cell."""

import numpy as np
import pandas as pd

from siianalysis.export import _FORMULA_START, guard_cell, guard_frame

TEXTS = [*(start + "x" for start in _FORMULA_START), "'=already", " =a", "ok", "", "ตำบล＝", "=", "\uff0d"]


def _cell_by_cell(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(guard_cell)
    return out


def test_guard_frame_is_guard_cell_on_every_text_dtype():
    n = len(TEXTS) + 1
    df = pd.DataFrame({
        "str": pd.Series([*TEXTS, np.nan], dtype=str),
        "string": pd.Series([*TEXTS, None], dtype="string"),
        "object": pd.Series([*TEXTS, None], dtype=object),
        "mixed": pd.Series([1, 2.5, None, np.nan, b"=x", True, "=y", np.str_("=z"), pd.NA, *TEXTS[:n - 9]],
                           dtype=object),
        "number": range(n),
        "flag": [True] * n,
    }).set_axis([0, 0, *range(n - 2)])  # a repeated label: the guard works by position
    guarded = guard_frame(df)
    pd.testing.assert_frame_equal(guarded, _cell_by_cell(df), check_exact=True)
    assert guarded["str"].iloc[0] == "'" + TEXTS[0] and guarded["string"].iloc[len(_FORMULA_START)] == "'=already"
    assert [guarded["str"].iloc[i][0] for i in range(len(_FORMULA_START))] == ["'"] * len(_FORMULA_START)
    assert guarded["mixed"].iloc[6] == "'=y" and guarded["mixed"].iloc[4] == b"=x"
    assert df["str"].iloc[0] == TEXTS[0]  # the frame given is left as it was


def test_guard_frame_without_formulas_keeps_the_values():
    df = pd.DataFrame({"text": pd.Series(["a", "b", None], dtype=str), "n": [1, 2, 3]})
    pd.testing.assert_frame_equal(guard_frame(df), df)
    assert guard_frame(df.iloc[:0]).empty


def test_csv_text_is_what_to_csv_writes():
    """write_table's CSV (Arrow's string kernels) is byte for byte pandas' to_csv: quoting of
    , " and line feeds, doubled quotes, missing values, True/False, an empty table."""
    import random

    from siianalysis.export import _csv_text

    rnd = random.Random(14)
    alphabet = [*'ab,"\n\r \t\'=+-@;|', "ก่ำ", "\u2028", "\x85", '""', "\r\n", ",,"]
    n = 3000
    df = pd.DataFrame({
        "text": pd.Series(["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6))) for _ in range(n)]
                          + [None, np.nan], dtype=str),
        "flag": [bool(i % 3) for i in range(n + 2)],
        "none": pd.Series([None] * (n + 2), dtype=str),
        "plain": pd.Series([f"P{i}" for i in range(n + 2)], dtype=str),
    })
    for frame in (df, guard_frame(df), df.iloc[:0], df.iloc[n:n + 1], df[["plain", "flag"]]):
        assert _csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")
    assert _csv_text(df[["plain"]]) is None and _csv_text(df.assign(n=1)) is None  # to_csv writes those


def test_write_table_csv_is_guarded_and_as_pandas_writes_it(tmp_path):
    from siianalysis.export import write_table

    df = pd.DataFrame({"a": pd.Series(['=1+1', 'x,"y"', None, "line\nbreak"], dtype=str), "b": [True, False] * 2})
    write_table(df, tmp_path, "t")
    expected = guard_frame(df).to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "t.csv").read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert "'=1+1" in expected and '"x,""y"""' in expected
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), df)


def test_csv_of_a_column_in_several_chunks_is_to_csvs(tmp_path):
    """A text column stitched from two frames (a loaded Dataset's, a concat) is Arrow in
    several chunks: written as ``to_csv`` writes it, not refused."""
    from siianalysis.export import write_table

    first = pd.Series(["a,b", "x"], dtype=str)
    second = pd.Series(['y"', None], dtype=str)
    df = pd.DataFrame({"a": pd.concat([first, second], ignore_index=True),
                       "b": pd.concat([second, first], ignore_index=True)})
    write_table(df, tmp_path, "t")
    expected = guard_frame(df).to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "t.csv").read_bytes() == b"\xef\xbb\xbf" + expected.encode()
