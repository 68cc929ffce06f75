"""Masking names, phone numbers, e-mail addresses and Thai citizen IDs in text and HTML.

Names are masked since issue 10 (people's names after a title or role word): the
three realistic texts below that name people expect the names masked."""

from __future__ import annotations

import base64
import html
import io
import re
import struct
import time
import zlib
from collections import Counter

import pytest

from siianalysis.workshop.privacy import (
    citizen_id_valid,
    find_personal_data,
    mask_html,
    mask_personal_data,
    mask_text,
)

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def valid_id(first12: str) -> str:
    """``first12`` plus its check digit."""
    total = sum(int(c) * (13 - i) for i, c in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def invalid_id(first12: str) -> str:
    good = valid_id(first12)
    return good[:12] + str((int(good[12]) + 1) % 10)


def official(cid: str, sep: str = "-") -> str:
    return sep.join((cid[0], cid[1:5], cid[5:10], cid[10:12], cid[12]))


VID = valid_id("110170020345")   # 1101700203450
VID2 = valid_id("350990012776")
BAD = invalid_id("110170020345")


def digits(text: str) -> str:
    return "".join(c for c in text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")) if c.isdigit())


# --- the check digit --------------------------------------------------------------------


def test_check_digit():
    assert citizen_id_valid(VID) and citizen_id_valid(official(VID)) and citizen_id_valid(VID.translate(THAI))
    assert not citizen_id_valid(BAD)
    assert not citizen_id_valid(VID[:12])
    # every wrong last digit fails
    assert sum(citizen_id_valid(VID[:12] + str(d)) for d in range(10)) == 1


# --- realistic Thai text ----------------------------------------------------------------


def test_realistic_paragraph_exact():
    text = (f"ติดต่อ นายสมชาย ใจดี โทร. 081-234-5678 หรือ ๐๘๑ ๒๓๔ ๕๖๗๘ อีเมล somchai.j@gmail.com "
            f"เลขบัตร {official(VID)} งบประมาณ 150,000 บาท ประชุม 27/10/2563 เวลา 18.00 น. รหัสตำบล 500707")
    expected = ("ติดต่อ นายส*** ใ*** โทร. 0xx-xxx-xx78 หรือ ๐xx xxx xx๗๘ อีเมล s***@gmail.com "
                f"เลขบัตร x-xxxx-xxxxx-xx-{VID[-1]} งบประมาณ 150,000 บาท ประชุม 27/10/2563 เวลา 18.00 น. รหัสตำบล 500707")
    assert mask_personal_data(text) == expected
    found = find_personal_data(text)
    assert [m.kind for m in found] == ["name", "phone", "phone", "email", "citizen_id"]
    for m in found:
        assert text[m.start:m.end] == m.original
    assert mask_text(text)[1] == Counter(phone=2, email=1, citizen_id=1, name=1)


def test_worksheet_cell_with_several_people():
    text = (f"คณะทำงาน: นางสาวมาลี ศรีสุข (ประธาน) 089-876-5432, malee.s@hotmail.com; "
            f"นายบุญมี ดีงาม โทร 0 5311 2233 ต่อ 12 บัตร ปชช. {VID2} "
            f"ประชุมทุกวันที่ 5 ของเดือน เวลา 09.00 – 12.00 น. ณ ศาลา หมู่ 3 (12 หมู่บ้าน)")
    out = mask_personal_data(text)
    assert out == (f"คณะทำงาน: นางสาวม*** ศ*** (ประธาน) 0xx-xxx-xx32, m***@hotmail.com; "
                   f"นายบ*** ด*** โทร 0 xxxx xx33 ต่อ 12 บัตร ปชช. xxxxxxxxxxxx{VID2[-1]} "
                   f"ประชุมทุกวันที่ 5 ของเดือน เวลา 09.00 – 12.00 น. ณ ศาลา หมู่ 3 (12 หมู่บ้าน)")


# --- citizen IDs --------------------------------------------------------------------------


@pytest.mark.parametrize("written, masked", [
    (VID, "xxxxxxxxxxxx0"),
    (official(VID), "x-xxxx-xxxxx-xx-0"),
    (official(VID, " "), "x xxxx xxxxx xx 0"),
    (official(VID, "."), "x.xxxx.xxxxx.xx.0"),
    (official(VID, " - "), "x - xxxx - xxxxx - xx - 0"),
    (official(VID, "–"), "x–xxxx–xxxxx–xx–0"),
    (f"{VID[0]}-{VID[1:5]} {VID[5:10]}-{VID[10:12]}{VID[12]}", "x-xxxx xxxxx-xx0"),
    (VID.translate(THAI), "xxxxxxxxxxxx๐"),
    (official(VID).translate(THAI), "x-xxxx-xxxxx-xx-๐"),
])
def test_citizen_id_forms(written, masked):
    assert VID[-1] == "0"
    for around in ("{}", "เลขประจำตัวประชาชน {}", "เลขบัตร{}ค่ะ", "({})", "{}."):
        text = around.format(written)
        assert mask_personal_data(text) == around.format(masked)
        (m,) = find_personal_data(text)
        assert m.kind == "citizen_id" and m.original == written


@pytest.mark.parametrize("text", [
    BAD, official(BAD), official(BAD, " "), BAD.translate(THAI),
    f"งบประมาณรวม {BAD} บาท", "เลขที่อ้างอิง 1234567890123",
    VID + "4",            # 14 digits: not an ID
    "9" + VID,            # 14 digits
    f"{VID}-2", f"12-{VID}", f"1.{VID}",  # part of a longer number
])
def test_not_citizen_ids(text):
    assert not citizen_id_valid("1234567890123")
    assert all(m.kind != "citizen_id" for m in find_personal_data(text))
    assert mask_personal_data(text) == text


def test_masked_id_cannot_be_reidentified():
    for cid in (VID, VID2, valid_id("512345678901"), valid_id("300000000001")):
        for written in (cid, official(cid), official(cid, " ")):
            out = mask_personal_data(f"บัตร {written}")
            assert digits(out) == cid[-1]


# --- phone numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("written, masked", [
    ("081-234-5678", "0xx-xxx-xx78"),
    ("0812345678", "0xxxxxxx78"),
    ("08-1234-5678", "0x-xxxx-xx78"),
    ("081 234 5678", "0xx xxx xx78"),
    ("081.234.5678", "0xx.xxx.xx78"),
    ("(081) 234-5678", "(0xx) xxx-xx78"),
    ("061-234-5678", "0xx-xxx-xx78"),
    ("099 999 9999", "0xx xxx xx99"),
    ("02-123-4567", "0x-xxx-xx67"),
    ("02 123 4567", "0x xxx xx67"),
    ("(02) 123 4567", "(0x) xxx xx67"),
    ("0-2123-4567", "0-xxxx-xx67"),
    ("053-123456", "0xx-xxxx56"),
    ("053 112 233", "0xx xxx x33"),
    ("0 5311 2233", "0 xxxx xx33"),
    ("074-212-345", "0xx-xxx-x45"),
    ("+66 8 1234 5678", "+66 x xxxx xx78"),
    ("+668-1234-5678", "+66x-xxxx-xx78"),
    ("+66 81 234 5678", "+66 xx xxx xx78"),
    ("+66812345678", "+66xxxxxxx78"),
    ("+66 (0) 81 234 5678", "+66 (0) xx xxx xx78"),
    ("+66-2-123-4567", "+66-x-xxx-xx67"),
    ("๐๘๑-๒๓๔-๕๖๗๘", "๐xx-xxx-xx๗๘"),
    ("๐๘๑๒๓๔๕๖๗๘", "๐xxxxxxx๗๘"),
    ("๐ ๕๓๑๑ ๒๒๓๓", "๐ xxxx xx๓๓"),
])
def test_phone_forms(written, masked):
    for around in ("{}", "โทร. {}", "โทร.{}", "โทรศัพท์ {} (ผู้ใหญ่บ้าน)", "ติดต่อ({})", "{}, 2563"):
        text = around.format(written)
        assert mask_personal_data(text) == around.format(masked), text
        (m,) = find_personal_data(text)
        assert m.kind == "phone" and m.original.endswith(written.lstrip("("))


def test_phone_lists_and_extensions():
    assert mask_personal_data("081-234-5678 089-876-5432") == "0xx-xxx-xx78 0xx-xxx-xx32"
    assert mask_personal_data("081-234-5678/089-876-5432") == "0xx-xxx-xx78/0xx-xxx-xx32"
    assert mask_personal_data("081-234-5678,089-876-5432") == "0xx-xxx-xx78,0xx-xxx-xx32"
    # two landlines written the Thai way: the second line's digit stays, one digit says nothing
    assert mask_personal_data("โทร 02-123-4567-8") == "โทร 0x-xxx-xx67-8"
    assert mask_personal_data("โทร 053-123456 ต่อ 12") == "โทร 0xx-xxxx56 ต่อ 12"


def test_masked_phone_keeps_trunk_and_two_digits():
    for written, kept in (("081-234-5678", "078"), ("+66 8 1234 5678", "6678"), ("02-123-4567", "067"),
                          ("๐๘๑ ๒๓๔ ๕๖๗๘", "078"), ("+66 (0) 81 234 5678", "66078")):
        assert digits(mask_personal_data(f"โทร {written}")) == kept


@pytest.mark.parametrize("text", [
    "ประชุม 27/10/2563", "วันที่ 2563-10-27", "27.10.2563", "05/10/2563", "05.10.2563 09.00 น.",
    "08.10.63 09.00", "๒๗ ตุลาคม ๒๕๖๓", "๐๕/๑๐/๒๕๖๓",
    "งบประมาณ 150,000 บาท", "1,200,000", "1,200,000.00 บาท", "0.5 ล้านบาท", "๑๕๐,๐๐๐ บาท",
    "12 หมู่บ้าน", "หมู่ 05 บ้านเลขที่ 123/4", "รหัสตำบล 500707", "รหัสไปรษณีย์ 50180", "ปี 2563 และ 2564",
    "เวลา 18.00 – 20.00 น.", "08.00-16.30 น.", "08.30 - 12.00 น.", "เวลา 09.00 น. 10.00 น. 11.00 น.",
    "08.00 09.00 10.00 11.00", "08 10 2563",
    "1101700203452", "เลขที่หนังสือ 0023/2563", "สัดส่วน 0.8123 ของครัวเรือน",
    "ร้อยละ 80.25 (45 จาก 56 คน)", "TCNAP 2563 รอบที่ 2", "09:00-12:00", "ป.1-ป.6",
    "02-123-45678", "081-234-56789",
    "12.0812345678", "0812345678.5",
])
def test_false_positives(text):
    assert find_personal_data(text) == []
    assert mask_personal_data(text) == text


# --- e-mail addresses ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("อีเมล somchai.j@gmail.com ครับ", "อีเมล s***@gmail.com ครับ"),
    ("อีเมลsomchai@gmail.comค่ะ", "อีเมลs***@gmail.comค่ะ"),
    ("ส่งมาที่ a@b.co.", "ส่งมาที่ a***@b.co."),
    ("x.y+tag@mail.cmu.ac.th, z_1@nan.go.th", "x***@mail.cmu.ac.th, z***@nan.go.th"),
    ("mailto:Tambon.Team-2@Example.ORG", "mailto:T***@Example.ORG"),
    ("0812345678@gmail.com", "0***@gmail.com"),
])
def test_emails(text, expected):
    assert mask_personal_data(text) == expected
    assert {m.kind for m in find_personal_data(text)} == {"email"}


@pytest.mark.parametrize("text", ["@somchai", "ราคา 5@10 บาท", "user@localhost", "a@b", "กลุ่มไลน์ @tambon500707"])
def test_not_emails(text):
    assert mask_personal_data(text) == text


def test_plain_text_untouched_and_fast():
    text = "ระบบข้อมูลตำบล TCNAP คืนข้อมูลผ่านเวทีประชาคม 12 หมู่บ้าน งบ 150,000 บาท ปี 2563 " * 2000
    start = time.perf_counter()
    assert mask_personal_data(text) == text
    busy = ("โทร 081-234-5678 อีเมล a.b@c.com เลขบัตร " + VID + " งบ 150,000 บาท 27/10/2563 ") * 2000
    out = mask_personal_data(busy)
    assert time.perf_counter() - start < 5
    assert out.count("0xx-xxx-xx78") == 2000 and out.count("a***@c.com") == 2000


# --- HTML ---------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_with_digit_runs(run: str) -> bytes:
    """A real matplotlib PNG whose base64 contains ``run``: a private chunk after IHDR, 3-byte aligned."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "081-234-5678 " + VID)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    png = buf.getvalue()
    ihdr_end = 8 + 25
    assert ihdr_end % 3 == 0 and len(run) % 4 == 0
    # chunk length + type are 8 bytes; one pad byte puts the data on a 3-byte boundary.
    chunk = _png_chunk(b"ruNs", b"\0" + base64.b64decode(run))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def _page(body: str, png_uri: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"th\"><head><meta charset=\"utf-8\">"
        "<title>ตำบลไชยสถาน 500707</title>\n"
        "<style>.sii .x{width:0812345678px;content:\"081-234-5678 " + VID + "\"}</style>\n"
        "<script>var contact = \"081-234-5678\"; if (a < b && c > d) { id = '" + VID + "'; }</script>\n"
        "</head><body class=\"sii\">\n"
        f"<img class=\"sii-fig\" src=\"{png_uri}\" width=\"200\" alt=\"กราฟ\">\n"
        f"{body}\n<!-- generated 2020-10-27 -->\n</body></html>\n"
    )


def test_mask_html_keeps_everything_but_text():
    import matplotlib.image as mpimg

    run = "A" + VID + "A0812345678AA" + "0" + "53112233Ab"
    while len(run) % 4:
        run += "A"
    png = _png_with_digit_runs(run)
    assert mpimg.imread(io.BytesIO(png), format="png").shape[0] > 0  # still a valid PNG
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    assert run in uri
    assert find_personal_data(uri), "the data URI must look like personal data to make the test meaningful"

    team = (f"&lt;script&gt;alert(1)&lt;/script&gt; ติดต่อ นายสมชาย โทร. 081-234-5678 "
            f"อีเมล somchai.j@gmail.com &amp; เลขบัตร {official(VID)} งบ 150,000 บาท")
    body = (f"<h1>ตำบลไชยสถาน</h1>\n<table class=\"sii-t\"><tr><td class=num>1,200,000</td>"
            f"<td>{team}</td></tr></table>\n<p>ประชุม 27/10/2563 เวลา 18.00 – 20.00 น.</p>")
    doc = _page(body, uri)
    counts: Counter = Counter()
    out = mask_html(doc, counts)
    expected_team = ("&lt;script&gt;alert(1)&lt;/script&gt; ติดต่อ นายส*** โทร. 0xx-xxx-xx78 "
                     "อีเมล s***@gmail.com &amp; เลขบัตร x-xxxx-xxxxx-xx-0 งบ 150,000 บาท")
    assert out == doc.replace(team, expected_team)
    assert uri in out
    assert counts == Counter(phone=1, email=1, citizen_id=1, name=1)
    assert "<script>" not in out.split("</script>")[1]  # the escaped text stayed text


def test_mask_html_entities_and_attributes():
    doc = ('<p title="โทร 081-234-5678" data-phone="081-234-5678" class=x>'
           'โทร&nbsp;081&nbsp;234&nbsp;5678 &#8212; 089&#45;876&#45;5432</p>'
           "<img alt='ติดต่อ a.b@c.com' src=\"x.png\">"
           '<a href="mailto:somchai@gmail.com" title=089-876-5432>somchai@gmail.com</a>'
           '<a href="tel:+66812345678">โทร</a><a href="tambon/500707.html" title="500707">ไชยสถาน</a>'
           '<!-- 081-234-5678 -->')
    counts: Counter = Counter()
    out = mask_html(doc, counts)
    assert out == ('<p title="โทร 0xx-xxx-xx78" data-phone="081-234-5678" class=x>'
                   'โทร\u00a00xx\u00a0xxx\u00a0xx78 \u2014 0xx-xxx-xx32</p>'
                   "<img alt='ติดต่อ a***@c.com' src=\"x.png\">"
                   '<a href="mailto:s***@gmail.com" title="0xx-xxx-xx32">s***@gmail.com</a>'
                   '<a href="tel:+66xxxxxxx78">โทร</a><a href="tambon/500707.html" title="500707">ไชยสถาน</a>'
                   '<!-- 081-234-5678 -->')
    assert counts == Counter(phone=5, email=3)


def test_mask_html_escapes_what_it_changes():
    doc = "<td>a&lt;b &amp; c&gt;d 'q' \"dq\" โทร 081-234-5678</td><td>x &amp; y</td>"
    out = mask_html(doc)
    assert out == "<td>a&lt;b &amp; c&gt;d 'q' \"dq\" โทร 0xx-xxx-xx78</td><td>x &amp; y</td>"
    assert html.unescape(re.sub("<[^>]+>", "", out)).count("<") == 1


def test_mask_html_nothing_to_mask_is_identical():
    doc = ("<html><body><h1>รายงาน</h1><p>งบ 150,000 บาท ปี 2563 รหัส 500707 &lt;b&gt; &amp;nbsp;</p>"
           "<img src=\"data:image/png;base64,iVBORw0KGgo0812345678AAAA\"></body></html>")
    assert mask_html(doc) == doc
    assert mask_html("") == ""


@pytest.mark.parametrize("doc, expected", [
    ("โทร 081-234-5678", "โทร 0xx-xxx-xx78"),                   # a fragment without tags
    ("<p>โทร 081-234-5678", "<p>โทร 0xx-xxx-xx78"),             # unclosed
    ("<p>081-234-5678 <b", "<p>0xx-xxx-xx78 <b"),               # a broken tag at the end
    ("<P TITLE='081-234-5678'>x</P>", "<P TITLE='0xx-xxx-xx78'>x</P>"),
    ("<STYLE>p{x:081-234-5678}</STYLE><p>081-234-5678</p>", "<STYLE>p{x:081-234-5678}</STYLE><p>0xx-xxx-xx78</p>"),
    ("<textarea>081-234-5678</textarea>", "<textarea>0xx-xxx-xx78</textarea>"),
    ("<svg><text x=\"0812345678\">081-234-5678</text></svg>", "<svg><text x=\"0812345678\">0xx-xxx-xx78</text></svg>"),
    ("<p>a\r\nb\n081-234-5678\n</p>", "<p>a\r\nb\n0xx-xxx-xx78\n</p>"),
])
def test_mask_html_odd_documents(doc, expected):
    assert mask_html(doc) == expected
