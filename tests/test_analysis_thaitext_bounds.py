"""Text analysis has a bounded cost: a pathological text is read in part, and says so.

One 10 MB cell (a pasted document) kept the network report's themes cell busy for
495 s before issue 10: PyThaiNLP's newmm takes longer than linear on long texts.
"""

from __future__ import annotations

import re
import signal
import time
import warnings

import pandas as pd
import pytest

from siianalysis.analysis import Dataset
from siianalysis.analysis import thaitext as tt
from siianalysis.sections import network as net
from tests.test_analysis_data import T1, T2, example_frames

FILLER = "ชาวบ้านช่วยกันปลูกต้นไม้ริมถนนในหมู่บ้าน "  # no theme of themes.yaml in it


def huge(head: str, tail: str, chars: int) -> str:
    body = (FILLER * (chars // len(FILLER) + 1))[: chars - len(head) - len(tail)]
    return head + body + tail


class Alarm(Exception):
    pass


def within(seconds: int):
    """Raise ``Alarm`` in this thread after ``seconds`` (the code before issue 10 took minutes)."""
    def ring(signum, frame):
        raise Alarm(f"still running after {seconds} s")

    signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)


def test_a_10_mb_cell_through_the_network_themes_comes_out_quickly():
    frames = example_frames()
    text = huge("กองทุนหลักประกันสุขภาพ ", " ธรรมนูญสุขภาพ", 10_000_000)
    frames["texts"] = pd.concat([frames["texts"], pd.DataFrame(
        [(T1, "people", "P1", "plan", text)], columns=frames["texts"].columns)], ignore_index=True)
    ds = Dataset.from_frames(**frames)
    started = time.monotonic()
    within(90)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            section = net.themes_terms(ds, "th")
    finally:
        signal.alarm(0)
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    themes = section.data["themes"].set_index("theme")
    # read: the head of the huge text (T1) and T3's plan; not read: the tail past the bound
    assert themes.loc["health_fund", "tambons"] == 2
    assert themes.loc["health_charter", "tambons"] == 1
    assert not section.data["terms"].empty
    said = [str(w.message) for w in caught if issubclass(w.category, tt.TextCutWarning)]
    assert said and all(re.search(rf"tambon {T1} people P1 plan: first 1?\d,\d{{3}} of 10,000,000 characters", s)
                        for s in said), said


def test_bounds_per_text_and_per_tambon_are_listed_with_what_was_read():
    texts = pd.DataFrame([
        (T1, "people", "P1", "method", "อบรม " * 10),        # 50 characters
        (T1, "people", "P2", "method", "ประชุม " * 10),      # 70: over the tambon's budget of 100
        (T1, "data", "D1", "plan", "สำรวจ"),                 # past the budget: nothing read
        (T2, "people", "P1", "plan", "ก" * 200),             # one text over the text bound
        (T2, "people", "P2", "plan", "ข" * 10),              # within T2's own budget
    ], columns=["tambon_id", "table", "row_code", "field", "text"])
    with pytest.warns(tt.TextCutWarning, match=r"read 3 text\(s\) in part"):
        read, cuts = tt.bounded_texts(texts, max_chars=90, max_tambon_chars=100)
    assert [len(x) for x in read] == [50, 48, 0, 90, 10]
    assert read[1] == " ".join(["ประชุม"] * 7)  # ended at a space, not inside a word
    assert cuts[["row_code", "chars", "read"]].values.tolist() == [["P2", 70, 48], ["D1", 5, 0], ["P1", 200, 90]]
    assert list(cuts["tambon_id"]) == [T1, T1, T2]
    # nothing over the bounds: the texts as they are, no warning, no copy of the work
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read, cuts = tt.bounded_texts(texts.iloc[:1])
    assert cuts.empty and read.tolist() == ["อบรม " * 10]


def test_tag_themes_and_top_terms_keep_the_text_and_list_what_they_cut():
    text = huge("กองทุนหลักประกันสุขภาพ ", " ธรรมนูญสุขภาพ", 50_000)
    texts = pd.DataFrame([(T1, "people", "P1", "plan", text)],
                         columns=["tambon_id", "table", "row_code", "field", "text"])
    with pytest.warns(tt.TextCutWarning):
        tagged = tt.tag_themes(texts)
    assert list(tagged["theme"]) == ["health_fund"] and tagged["text"].iloc[0] == text
    assert tagged.attrs["cut"][["chars"]].values.tolist() == [[50_000]]
    with pytest.warns(tt.TextCutWarning):
        top = tt.top_terms(texts, by=None)
    assert len(top.attrs["cut"]) == 1 and "กองทุนหลักประกันสุขภาพ" in set(top["term"])
    with pytest.warns(tt.TextCutWarning, match="tokenize read the first"):
        assert len("".join(tt.tokenize(text))) < 20_000
