"""The masker's new cases: people's names after a title or role word (places, roles with
no name and organisations left alone), numbers broken over two lines, full-width and
Thai digits, and HTML where a line break splits a number."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from siianalysis.analysis.person_names import DATA, name_lists, name_words
from siianalysis.analysis.personal_data import KINDS, NUMBER_KINDS, find_personal_data, mask_text
from siianalysis.sections.html import esc
from siianalysis.workshop.privacy import mask_html

LABELLED = Path(__file__).resolve().parent / "fixtures" / "privacy" / "labelled.yaml"


def masked(text: str) -> str:
    return mask_text(text)[0]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, expected", [
    ("ติดต่อ นายสมชาย ใจดี โทร. 081-234-5678", "ติดต่อ นายส*** ใ*** โทร. 0xx-xxx-xx78"),
    ("ผู้ประสานงาน นางสาวจันทร์ทิพย์ ไชยวงศ์", "ผู้ประสานงาน นางสาวจ*** ไ***"),
    ("เลขานุการ น.ส.อำพร ปินตา (ครู กศน.)", "เลขานุการ น.ส.อ*** ป*** (ครู กศน.)"),
    ("นาย ทองใบ ปัญญาดี", "นาย ท*** ป***"),
    ("นายสมหมาย\nทองมา", "นายส***\nท***"),                       # the family name on the next line
    ("นางศรีนวลเป็นแกนนำกลุ่มทอผ้า", "นางศ***เป็นแกนนำกลุ่มทอผ้า"),  # a name written into the sentence
    ("ให้นางสาวมาลัยรวบรวมข้อมูล", "ให้นางสาวม***รวบรวมข้อมูล"),
    ("ขอบคุณนายสุเมธ คำฟู ที่มอบที่ดิน", "ขอบคุณนายส*** ค*** ที่มอบที่ดิน"),
    ("ติดต่อคุณแดง 0812223344", "ติดต่อคุณแ*** 0xxxxxxx44"),
    ("กำนันทองสุข เรือนแก้ว เป็นที่ปรึกษา", "กำนันท*** เ*** เป็นที่ปรึกษา"),  # a role, a name the lists know
    ("นายกสุรพล จันทร์ตา ลงนาม MOU", "นายกส*** จ*** ลงนาม MOU"),
    ("วิทยากร ผศ.ดร.อรุณี มาลัย", "วิทยากร ผศ.ดร.อ*** ม***"),
    ("ด.ช.ธนากร บุญยืน และ ด.ญ.ชุติมา มณีวรรณ", "ด.ช.ธ*** บ*** และ ด.ญ.ช*** ม***"),
    ("พระครูสุวรรณธรรมโชติ นำเยาวชนปฏิบัติธรรม", "พระครูส*** นำเยาวชนปฏิบัติธรรม"),
    ("Contact: Mr. Somchai Jaidee, tel.", "Contact: Mr. S*** J***, tel."),
    ("Team leader Ms Malee Srisuk", "Team leader Ms M*** S***"),
    ("สมศักดิ์ ใจเย็น 081-345-6789", "ส*** ใ*** 0xx-xxx-xx89"),      # no title: both name lists agree
])
def test_names_masked(written, expected):
    assert masked(written) == expected
    assert masked(expected) == expected  # masking twice changes nothing


@pytest.mark.parametrize("text", [
    # places: ตำบล/อำเภอ/บ้าน + a name, official names that start like a title
    "ต.นางแล อ.เมืองเชียงราย จ.เชียงราย", "ตำบลนางแล อำเภอเมืองเชียงราย", "อ.นายายอาม จ.จันทบุรี",
    "บ้านนางแล หมู่ 2", "บ้านแม่นาง ต.บ้านปง", "ต.นายาง อ.ชะอำ", "ต.พระบาท อ.เมืองลำปาง", "วัดพระธาตุดอยสุเทพ",
    "เขตอ่าวนาง จ.กระบี่", "บ้านนายาว ม.6", "ต.หนองนาง", "จัดเวทีที่วัดนางเหลียว", "นางแล เป็นตำบลต้นแบบ",
    "เครือข่ายตำบลนางแล-แม่ยาว", "ตำบลคุณพระ", "ต.นางรำ อ.ประทาย",
    # roles with no name after them
    "กำนัน ผู้ใหญ่บ้าน นายก อบต. ร่วมขับเคลื่อนเรื่องชุมชนปลอดเหล้า", "นายก อบต. เป็นประธานเปิดเวที",
    "นายกเทศมนตรีตำบลแม่แรมร่วมลงนาม", "นายอำเภอแม่ริมมอบนโยบาย", "ผู้ใหญ่บ้านหมู่ 3 และหมู่ 5", "กำนันตำบลแม่แรม",
    "ผู้ใหญ่บ้านบ้านดอนแก้ว", "อสม. เยี่ยมบ้านผู้ป่วยเรื้อรังร่วมกับ รพ.สต.", "พัฒนา อสม. เป็น อสม.หมอประจำบ้าน",
    "อสม.ร่วมเก็บข้อมูลทุกครัวเรือน", "ผู้ใหญ่ในชุมชนเป็นแบบอย่าง", "ครูภูมิปัญญาท้องถิ่น", "พ่อหลวงและแม่หลวงทุกหมู่บ้าน",
    "ตายายเล่านิทานให้หลานฟัง", "นายกับนางร่วมกันดูแลสวน", "ครู กศน. ร่วมสอนหนังสือผู้สูงอายุ",
    # words that start with a title
    "คุณภาพชีวิตผู้สูงอายุ", "ส่งเสริมคุณธรรมและจริยธรรม", "ผู้ทรงคุณวุฒิ", "ขอบคุณทุกภาคส่วน", "นางพยาบาลจาก รพ.สต.",
    "ลดการพึ่งพานายทุนจากภายนอก", "พระพุทธรูปประจำวัด", "สืบสานพระราชดำริ", "ระบบพี่เลี้ยง",
    # the codebook's row labels and organisations
    "คนต้นแบบ", "ผู้นำการเปลี่ยนแปลง", "ผู้นำรุ่นใหม่", "แกนนำ-ผู้นำเยาวชน", "ชมรมผู้สูงอายุบ้านนางแล",
    "ใช้โปรแกรม MS Excel วิเคราะห์ข้อมูล",
])
def test_not_names(text):
    assert find_personal_data(text) == [], text


def test_role_alone_needs_a_name_the_lists_know():
    given, family = name_lists()
    assert "สมชาย" in given and "ทองสุข" in given and "ร่วม" not in given
    assert masked("อสม.สมชาย เก็บข้อมูล") == "อสม.ส*** เก็บข้อมูล"
    assert masked("อสม.ร่วม เก็บข้อมูล") == "อสม.ร่วม เก็บข้อมูล"


def test_names_only_when_asked():
    text = "ติดต่อ นายสมชาย ใจดี โทร 081-234-5678"
    assert mask_text(text, NUMBER_KINDS) == ("ติดต่อ นายสมชาย ใจดี โทร 0xx-xxx-xx78", Counter(phone=1))
    assert mask_text(text, ("name",)) == ("ติดต่อ นายส*** ใ*** โทร 081-234-5678", Counter(name=1))
    with pytest.raises(ValueError, match="unknown"):
        find_personal_data(text, ("address",))


def test_the_words_are_data_with_reasons():
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    for section in ("titles", "roles", "place_words", "not_names"):
        for group in data[section]:
            assert group["words"] and len(group["reason"]) > 20, (section, group)
    words = name_words()
    for expected in ("นาย", "นาง", "นางสาว", "น.ส.", "คุณ", "ด.ช.", "ด.ญ.", "พระครู"):
        assert expected in words.titles
    for expected in ("ผู้ใหญ่บ้าน", "ผู้ใหญ่", "กำนัน", "นายก", "อสม.", "พระ"):
        assert expected in words.roles
    assert {"Mr", "Mrs", "Ms"} <= words.english_titles
    assert not words.titles & words.roles and not words.cues & words.place_words


def test_project_words_are_never_masked():
    """Every label of the codebook, every word of the reports and the themes: hard negatives."""
    data = Path(DATA).parent

    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for k, v in x.items():
                yield from strings(k)
                yield from strings(v)
        elif isinstance(x, list):
            for v in x:
                yield from strings(v)

    for name in ("codebook.yaml", "report_text.yaml", "themes.yaml"):
        found = [(s, m.original) for s in strings(yaml.safe_load((data / name).read_text(encoding="utf-8")))
                 for m in find_personal_data(s)]
        assert found == [], name


def test_masking_is_idempotent_on_the_labelled_set():
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["items"]
    for item in items:
        once, _ = mask_text(item["text"])
        assert mask_text(once) == (once, Counter()), item["text"]


# --- numbers broken over lines, wide and Thai digits ------------------------------------------


@pytest.mark.parametrize("written, expected", [
    ("โทร 081-234-\n5678", "โทร 0xx-xxx-\nxx78"),
    ("โทร 081-234-\r\n5678", "โทร 0xx-xxx-\r\nxx78"),
    ("ติดต่อ 089 111\n2233", "ติดต่อ 0xx xxx\nxx33"),
    ("โทร.\n086-555-0101", "โทร.\n0xx-xxx-xx01"),
    ("053-112-\n 233", "0xx-xxx-\n x33"),
    ("เลขบัตรประชาชน 3-2601-81590-\n83-5", "เลขบัตรประชาชน x-xxxx-xxxxx-\nxx-5"),
    ("1 1661 31860\n91 0", "x xxxx xxxxx\nxx 0"),
    ("โทร ０８１-２３４-５６７８", "โทร ０xx-xxx-xx７８"),
    ("เบอร์ ０８９－７６５－４３２１", "เบอร์ ０xx－xxx－xx２１"),
    ("เบอร์ ０８９　７６５　４３２１", "เบอร์ ０xx　xxx　xx２１"),
    ("（０５３）１１２２３３", "（０xx）xxxx３３"),
    ("เลขบัตร ３５７４９１１８６２５２１", "เลขบัตร xxxxxxxxxxxx１"),
    ("โทร ๐๘๑-๒๓๔-\n๕๖๗๘", "โทร ๐xx-xxx-\nxx๗๘"),
    ("เลขบัตร ๓๙๗๕๔๓๒๓๑๙๔๘๕", "เลขบัตร xxxxxxxxxxxx๕"),
    ("อีเมล ｓｏｍｃｈａｉ＠ｇｍａｉｌ．ｃｏｍ", "อีเมล ｓ***＠ｇｍａｉｌ．ｃｏｍ"),
    ("０８１２３４５６７８＠gmail.com", "０***＠gmail.com"),
])
def test_split_wide_and_thai_numbers(written, expected):
    assert masked(written) == expected
    assert masked(expected) == expected


@pytest.mark.parametrize("text", [
    "ปี 2563\n2564", "เวลา 08.30\n09.00 น.", "งบ 150,000\n200,000 บาท", "หมู่ 3\n12 หมู่บ้าน",
    "รหัส 500707\n500708", "๒๗ ตุลาคม\n๒๕๖๓", "ครั้งที่ 1/2563\n08.10.63", "เลขที่อ้างอิง 3260181590838",
    "０８.３０\n０９.００ น.", "งบ １５０，０００ บาท", "เลขที่ ３２６０１８１５９０８３８",
])
def test_numbers_of_a_report_stay(text):
    assert find_personal_data(text) == [], text


@pytest.mark.parametrize("written, expected, counts", [
    # how the reports write a line break inside a worksheet value (sections.html.esc)
    (f"<td>{esc('โทร 081-234-' + chr(10) + '5678')}</td>", "<td>โทร 0xx-xxx-<br>\nxx78</td>", Counter(phone=1)),
    ("<td>โทร 081-234-<br>5678</td>", "<td>โทร 0xx-xxx-<br>xx78</td>", Counter(phone=1)),
    ("<p>3-2601-<br/>81590-83-5</p>", "<p>x-xxxx-<br/>xxxxx-xx-5</p>", Counter(citizen_id=1)),
    ("<td>นายสมชาย<br>\nใจดี</td>", "<td>นายส***<br>\nใ***</td>", Counter(name=1)),
    # cells are not lines: two numbers in two cells stay two texts
    ("<td>081-234-</td><td>5678</td>", "<td>081-234-</td><td>5678</td>", Counter()),
    ("<td>นาง</td><td>สมศรี</td>", "<td>นาง</td><td>สมศรี</td>", Counter()),
])
def test_html_line_breaks_inside_a_value(written, expected, counts):
    found: Counter = Counter()
    assert mask_html(written, found) == expected
    assert found == counts


def test_kinds():
    assert KINDS == ("citizen_id", "phone", "email", "name")
