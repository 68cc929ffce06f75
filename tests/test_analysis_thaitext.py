"""Thai tokenising with domain words, top terms and themes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from siianalysis.analysis import (
    domain_words,
    load_themes,
    tag_themes,
    terms,
    theme_counts,
    tokenize,
    top_terms,
)
from siianalysis.analysis.thaitext import squash
from tests.test_analysis_data import T1, T2, T3, T4, example_dataset

KEPT_WHOLE = [
    "ผู้นำการเปลี่ยนแปลง", "ธรรมนูญสุขภาพ", "เวทีประชาคม", "สภาเด็กและเยาวชน", "อสม.", "รพ.สต.",
    "อบต.", "TCNAP", "RECAP", "จปฐ.", "กองทุนหลักประกันสุขภาพ", "ศจค.", "ผังเครือญาติ", "แผนที่เดินดิน",
]


def test_domain_words_file_has_the_brief_words():
    words = domain_words()
    assert set(KEPT_WHOLE) <= words
    assert len(words) > 100
    assert not any(w.startswith("#") for w in words)


@pytest.mark.parametrize("word", KEPT_WHOLE)
def test_domain_words_stay_whole_in_a_sentence(word):
    tokens = tokenize(f"ตำบลของเราจัดให้มี{word}ร่วมกับชุมชน")
    assert word in tokens, tokens


def test_sentence_from_a_worksheet():
    text = "ผู้นำการเปลี่ยนแปลงร่วมกับอสม.และรพ.สต. จัดเวทีประชาคมหมู่บ้าน ใช้โปรแกรม TCNAP และข้อมูล จปฐ."
    tokens = tokenize(text)
    for word in ("ผู้นำการเปลี่ยนแปลง", "อสม.", "รพ.สต.", "TCNAP", "จปฐ."):
        assert word in tokens
    assert " " not in tokens
    assert tokenize("") == [] and tokenize(None) == []


def test_terms_drop_stopwords_punctuation_digits_and_single_letters():
    got = terms("และ การ ที่ 12 ๒๕๖๓ (ก) - ธรรมนูญสุขภาพ ของ ตำบล ผู้สูงอายุ !!")
    assert got == ["ธรรมนูญสุขภาพ", "ผู้สูงอายุ"]  # ตำบล: the project's own stopword list
    assert terms("ธรรมนูญสุขภาพ ผู้สูงอายุ", extra_stopwords=["ผู้สูงอายุ"]) == ["ธรรมนูญสุขภาพ"]


def test_top_terms_by_group_and_overall():
    texts = pd.DataFrame(
        [
            ("1", "people", "P1", "method", "อบรมแกนนำ อบรมแกนนำ อบรมแกนนำ"),
            ("2", "people", "P1", "method", "ธรรมนูญสุขภาพ"),
            ("3", "people", "P2", "method", "ธรรมนูญสุขภาพ"),
            ("3", "people", "P2", "plan", "เวทีประชาคม"),
        ],
        columns=["tambon_id", "table", "row_code", "field", "text"],
    )
    top = top_terms(texts, n=2)
    method = top[top["field"] == "method"]
    # ranked by tambons using the term first: ธรรมนูญสุขภาพ (2 tambons) beats อบรม (1 tambon, 3 times)
    assert list(method["term"]) == ["ธรรมนูญสุขภาพ", "อบรม"]
    assert method.iloc[0][["tambons", "texts", "count", "rank"]].tolist() == [2, 2, 2, 1]
    assert method.iloc[1][["tambons", "texts", "count"]].tolist() == [1, 1, 3]
    assert top[top["field"] == "plan"]["term"].tolist() == ["เวทีประชาคม"]
    overall = top_terms(texts, by=None, n=1)
    assert list(overall.columns) == ["rank", "term", "tambons", "texts", "count"]
    assert overall["term"].tolist() == ["ธรรมนูญสุขภาพ"]
    assert top_terms(texts.iloc[:0]).empty


def test_themes_codebook_is_well_formed():
    themes = load_themes()
    codes = [t.code for t in themes]
    assert len(codes) == len(set(codes)) and len(codes) >= 12
    for wanted in ("health_charter", "welfare_fund", "youth", "elderly_care", "volunteers", "data_tools",
                   "agriculture_food", "alcohol_tobacco", "waste_environment", "local_plan_budget",
                   "core_organisations", "learning_centre", "communication"):
        assert wanted in codes
    for t in themes:
        assert t.th and t.en and (t.keywords or t.patterns), t.code
        for p in t.patterns:
            re.compile(p)


def test_theme_matching_ignores_spaces_dots_and_digits():
    charter = next(t for t in load_themes() if t.code == "health_charter")
    assert charter.matches("จัดทำ ธรรมนูญ สุขภาพ ตำบล")  # stray spaces inside the word
    core = next(t for t in load_themes() if t.code == "core_organisations")
    assert core.matches("ร่วมกับ รพสต") == ["รพ.สต"]
    assert squash("๔ องค์กร หลัก.") == "4องค์กรหลัก"


def test_tag_themes_on_the_example():
    ds = example_dataset()
    tagged = tag_themes(ds.texts)
    assert list(tagged.columns) == ["tambon_id", "table", "row_code", "field", "theme", "theme_th",
                                    "theme_en", "matched", "text"]
    pairs = set(zip(tagged["tambon_id"], tagged["row_code"], tagged["theme"], strict=True))
    assert (T3, "M2", "health_charter") in pairs
    assert (T2, "P3", "youth") in pairs
    assert (T2, "M6", "communication") in pairs
    assert (T1, "D7", "data_tools") in pairs and (T4, "D1", "data_tools") in pairs
    assert (T4, "P4", "alcohol_tobacco") in pairs
    # one line per text × theme: no duplicates
    assert not tagged.duplicated(["tambon_id", "table", "row_code", "field", "theme"]).any()


def test_theme_counts():
    ds = example_dataset()
    counts = theme_counts(tag_themes(ds.texts), n_tambons=4).set_index("theme")
    assert len(counts) == len(load_themes())  # unused themes are listed with 0
    # data_tools: T1 D7 method and T4 D1 method -> 2 tambons, 2 texts
    assert counts.loc["data_tools", ["tambons", "texts"]].tolist() == [2, 2]
    assert counts.loc["data_tools", "tambon_share"] == 0.5
    # health_charter: T3's M2 assets and plan -> 1 tambon, 2 texts
    assert counts.loc["health_charter", ["tambons", "texts"]].tolist() == [1, 2]
    assert counts.loc["waste_environment", "tambons"] == 0
    by_table = theme_counts(tag_themes(ds.texts), by="table")
    assert list(by_table.columns[:2]) == ["table", "theme"]
    mech = by_table[(by_table["table"] == "mechanism") & (by_table["theme"] == "health_charter")]
    assert mech["texts"].tolist() == [2]


def test_written_labels_are_not_content():
    texts = pd.DataFrame(
        [("1", "people", "P1", "written_label", "คนต้นแบบ เยาวชน"), ("1", "people", "P1", "method", "ธรรมนูญสุขภาพ")],
        columns=["tambon_id", "table", "row_code", "field", "text"],
    )
    assert top_terms(texts, by=None)["term"].tolist() == ["ธรรมนูญสุขภาพ"]
    assert tag_themes(texts)["theme"].tolist() == ["health_charter"]
    assert "youth" in tag_themes(texts, skip_fields=())["theme"].tolist()
