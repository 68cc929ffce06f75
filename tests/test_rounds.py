"""The round rule (``siianalysis.rounds``): folder, then a written field, then the worksheet date's BE year."""

import pytest

from siianalysis.rounds import mixed, ordered, round_from_date, round_from_path, round_in_text, round_of


@pytest.mark.parametrize("text, expected", [
    ("2567", "2567"), ("ปี 2567", "2567"), ("ปีงบประมาณ ๒๕๖๗", "2567"), ("2024", "2567"), ("พ.ศ.2566", "2566"),
    ("รอบที่ 2", "r2"), ("รอบ1", "r1"), ("ครั้งที่ 3", "r3"), ("Round 2", "r2"), ("R2", "r2"), ("round_3", "r3"),
    ("year2", None), ("2566-2567", None), ("12", None), ("worksheets", None), ("รอบที่ 12", None), ("", None),
    ("เชียงใหม่", None), ("2", None),
])
def test_a_text_names_a_year_or_a_round_number(text, expected):
    assert round_in_text(text) == expected


def test_a_lone_digit_names_a_round_only_as_a_folder():
    assert round_in_text("2", bare_number=True) == "r2"
    assert round_from_path("2/ต.แม่แรม.xlsx") == "r2"
    assert round_in_text("2") is None


def test_the_folder_nearest_the_file_names_the_round():
    assert round_from_path("2566/เชียงใหม่/ต.แม่แรม.xlsx") == "2566"
    assert round_from_path("2566/รอบที่ 2/ต.แม่แรม.xlsx") == "r2"
    assert round_from_path("รอบที่ 2.zip!/ต.แม่แรม.xlsx") == "r2"  # a zip named for its round
    assert round_from_path("เชียงใหม่/ต.แม่แรม.xlsx") is None
    assert round_from_path("ต.แม่แรม_2567.xlsx") is None  # the file's own name is not a folder


def test_the_rule_folder_then_field_then_date_and_the_switch():
    assert round_of("2566/a.xlsx", "ปี 2567", "2024-11-03") == "2566"
    assert round_of("a.xlsx", "ปี 2567", "2023-11-03") == "2567"
    assert round_of("a.xlsx", "", "2023-11-03") == "2566"  # CE 2023 is BE 2566
    assert round_of("a.xlsx") == ""
    assert round_of("2566/a.xlsx", "ปี 2567", "2024-11-03", rule="date") == "2567"
    assert round_of("2566/a.xlsx", "ปี 2567", "2024-11-03", rule="field") == "2567"
    assert round_of("a.xlsx", "ปี 2567", "2024-11-03", rule="folder") == ""
    assert round_of("2566/a.xlsx", "ปี 2567", "2024-11-03", rule="none") == ""
    with pytest.raises(ValueError, match="rounds must be one of"):
        round_of("a.xlsx", rule="year")


def test_rounds_sort_in_time_order():
    assert round_from_date("2024-01-31") == "2567" and round_from_date("") is None
    assert ordered(["2567", "r2", "", "2566", "r10"]) == ["", "r2", "r10", "2566", "2567"]
    assert mixed(["2567", "r2"]) and not mixed(["2566", "2567", ""])
