"""The "summary first" boxes (``analysis.summary``, ``sections.summary``) on a hand-built
network of five tambons, every sentence asserted in Thai and English.

- ดอนแก้ว (STRONG): every outcome, no review, plans in Table 4;
- ริมใต้ (WEAK, same district as ดอนแก้ว): one outcome per table; its plan carries a
  phone number and ``<script>``;
- สันทรายหลวง (PARTIAL, same province): Table 3 not sent, no plan;
- ไชยสถาน (REVIEWED, Nan): every outcome, three suggestions of the experts;
- ผาสิงห์ (Nan): all but MC7.

Overall coverage: 100%, 100%, 95.2%, 34.3%, 18.1% (median 95.2%); MC7 is the outcome
the fewest reached (2 of 5).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from siianalysis.analysis import summary as facts
from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.scores import scorecard_frame
from siianalysis.sections import html as h
from siianalysis.sections import summary as summ
from siianalysis.words import t

STRONG, WEAK, PARTIAL, REVIEWED, FIFTH = "500101", "500102", "500201", "550101", "550102"
XSS = "<script>alert(1)</script>"
ALL = {"people": ["PC1", "PC2", "PC3", "PC4", "PC5"],
       "mechanism": ["MC1", "MC2", "MC3", "MC4", "MC5", "MC6", "MC7"],
       "data": ["DC1", "DC2", "DC3", "DC4", "DC5"]}
# tambon -> table -> row -> outcomes ticked on it
TICKS = {
    STRONG: {"people": {"P1": ALL["people"], "P2": ["PC1", "PC2"]}, "mechanism": {"M1": ALL["mechanism"]},
             "data": {"D1": ALL["data"], "D5": ["DC1"]}},
    WEAK: {"people": {"P1": ["PC1"]}, "mechanism": {"M1": ["MC1"]}, "data": {"D1": ["DC1"]}},
    PARTIAL: {"people": {"P1": ["PC1", "PC2"]}, "mechanism": {"M1": ["MC1", "MC2"]}},
    REVIEWED: {"people": {"P1": ALL["people"]}, "mechanism": {"M1": ALL["mechanism"]}, "data": {"D1": ALL["data"]}},
    FIFTH: {"people": {"P1": ALL["people"]}, "mechanism": {"M1": ALL["mechanism"][:-1]}, "data": {"D1": ALL["data"]}},
}
PLACES = [  # id, tambon, amphoe, province, code, amphoe code, English names, tables sent
    (STRONG, "ดอนแก้ว", "แม่ริม", "เชียงใหม่", "50", "5001", ("Don Kaeo", "Mae Rim", "Chiang Mai"),
     "people,mechanism,data,summary"),
    (WEAK, "ริมใต้", "แม่ริม", "เชียงใหม่", "50", "5001", ("Rim Tai", "Mae Rim", "Chiang Mai"),
     "people,mechanism,data"),
    (PARTIAL, "สันทรายหลวง", "สันทราย", "เชียงใหม่", "50", "5002", ("San Sai Luang", "San Sai", "Chiang Mai"),
     "people,mechanism,summary"),
    (REVIEWED, "ไชยสถาน", "เมืองน่าน", "น่าน", "55", "5501", ("Chai Sathan", "Mueang Nan", "Nan"),
     "people,mechanism,data,summary"),
    (FIFTH, "ผาสิงห์", "เมืองน่าน", "น่าน", "55", "5501", ("Pha Sing", "Mueang Nan", "Nan"),
     "people,mechanism,data"),
]
PLANS = [  # tambon, table, row, plan text
    (STRONG, "summary", "S1", "- ขยายเครือข่ายผู้นำ\n- ค่ายเยาวชน"),
    (STRONG, "summary", "S2", "ทบทวนธรรมนูญสุขภาพตำบล"),
    (STRONG, "data", "D1", "สำรวจข้อมูลด้วยโปรแกรม TCNAP"),
    (WEAK, "people", "P1", f"อบรมแกนนำ {XSS} โทร 081-234-5678"),
]
FEEDBACK = [  # pillar, priority, suggestion
    ("people", "medium", "ถอดบทเรียนคนต้นแบบ"),
    ("data", "high", "ใช้ข้อมูล TCNAP ทำแผน ติดต่อ 089-111-2222"),
    ("overall", "high", "ทำแผนรวมของตำบล"),
]


def build(feedback: bool = True) -> Dataset:
    tambons = pd.DataFrame([{
        "tambon_id": tid, "resolved": True, "tambon_th": tam, "amphoe_th": amp, "province_th": prov,
        "province_code": pcode, "worksheet_date": "2020-10-27", "source_file": f"{tid}.xlsx",
        "tambon_en": en[0], "amphoe_en": en[1], "province_en": en[2], "amphoe_code": acode, "tables": tables,
    } for tid, tam, amp, prov, pcode, acode, en, tables in PLACES])
    rows, ticks = [], []
    for tid, tables in TICKS.items():
        for table, per_row in tables.items():
            for row, outcomes in per_row.items():
                rows.append({"tambon_id": tid, "table": table, "row_code": row, "label": "", "source": "codebook"})
                ticks += [{"tambon_id": tid, "table": table, "row_code": row, "criterion_code": o, "ticked": True}
                          for o in outcomes]
    texts = pd.DataFrame([{"tambon_id": tid, "table": table, "row_code": row, "field": "plan", "text": text}
                          for tid, table, row, text in PLANS])
    rows += [{"tambon_id": tid, "table": table, "row_code": row, "label": "", "source": "codebook"}
             for tid, table, row, _ in PLANS if table == "summary"]
    fb = pd.DataFrame([{"tambon_id": REVIEWED, "pillar": p, "reviewer": "ดร.สมชาย", "suggestion": s, "priority": q,
                        "reviewed_on": "2020-11-01", "source_file": "review.xlsx"} for p, q, s in FEEDBACK]
                      if feedback else [])
    return Dataset.from_frames(tambons, pd.DataFrame(rows), pd.DataFrame(ticks), texts, feedback=fb)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build()


class _Lines(HTMLParser):
    """Top-level ``<li>`` of a summary box as text: the first ``<strong>`` is the lead;
    entities stay escaped (``convert_charrefs=False``), tags go."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth, self.lines, self.in_lead = 0, [], False

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.depth += 1
            if self.depth == 1:
                self.lines.append(["", ""])
        if tag == "strong" and self.depth == 1 and not self.lines[-1][0]:
            self.in_lead = True

    def handle_endtag(self, tag):
        if tag == "li":
            self.depth -= 1
        if tag == "strong":
            self.in_lead = False

    def _text(self, text):
        if self.depth:
            self.lines[-1][0 if self.in_lead else 1] += text

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")


def items(section) -> dict[str, str]:
    """The summary's lines as {lead: text} (text after the lead's ": ")."""
    parser = _Lines()
    parser.feed(str(section))
    return {lead: text.removeprefix(": ") for lead, text in parser.lines}


def lead(key: str, lang: str, **kw) -> str:
    return str(h.esc(t(f"summary.tambon.lead.{key}", lang, **kw)))


# --- a strong tambon -------------------------------------------------------------------------


def test_strong_tambon_facts(ds):
    f = facts.tambon_summary_facts(ds, STRONG)
    s = f.standing
    assert (s.band, s.outcomes_reached, s.outcomes_total, s.tables_sent) == ("all", 17, 17, 3)
    assert (s.breadth.rank, s.breadth.tied, s.breadth.n, s.breadth.versus_median) == (1, 2, 5, "above")
    card = scorecard_frame(ds, STRONG).set_index("pillar").loc["overall"]  # the scorecard's own numbers
    assert s.breadth.value == card["outcome_coverage"] and s.depth.value == card["tick_rate"]
    assert [o.outcome_code for o in f.strongest] == ["PC1", "PC2", "DC1"] and f.strongest_tied_more == 0
    assert not f.weakest_are_gaps and f.gaps_total == 0 and f.biggest_gap is None and f.peers == ()
    assert [o.outcome_code for o in f.weakest] == ["PC3", "PC4", "PC5"] and f.weakest_tied_more == 4
    assert f.expert is None and f.not_sent == ()


def test_strong_tambon_sentences_th(ds):
    got = items(summ.tambon_summary(ds, STRONG, "th"))
    assert got[lead("standing", "th")] == (
        "ทำเครื่องหมายผลลัพธ์ครบทุกข้อ (17 จาก 17 ข้อ) สูงกว่าค่ามัธยฐานของเครือข่าย (95.2%) "
        "เป็น 1 ใน 2 ตำบลที่ได้ 100.0% (อันดับ 1 ร่วมกัน จาก 5 ตำบล)")
    assert got[lead("depth", "th")] == (
        "ทำเครื่องหมาย 74.1% ของช่องทั้งหมด (แถวที่รายงาน × ผลลัพธ์) เท่ากับค่ามัธยฐานของเครือข่าย (74.1%) "
        "อันดับ 3 จาก 5 ตำบล")
    assert got[lead("strongest", "th")] == (
        "PC1 4 องค์กรหลักร่วมพัฒนาคน (2 จาก 2 แถว) · PC2 ใช้ข้อมูลค้นหา-พัฒนาผู้นำ (2 จาก 2 แถว) · "
        "DC1 4 องค์กรหลักมีส่วนร่วม (2 จาก 2 แถว)")
    assert got[lead("no_gaps", "th")] == (
        "ไม่มีช่องว่างในตารางที่ส่ง ผลลัพธ์ที่ทำเครื่องหมายไว้ในสัดส่วนแถวน้อยที่สุด: "
        "PC3 เปิดพื้นที่ให้ผู้นำสร้างรูปธรรม (1 จาก 2 แถว) · PC4 ชุมชนเชื่อมั่น-ยอมรับผู้นำ (1 จาก 2 แถว) · "
        "PC5 พัฒนาคนต่อเนื่อง-สานเครือข่าย (1 จาก 2 แถว) และอีก 4 ข้อที่ได้เท่ากับข้อสุดท้าย")
    # Table 4's plan first, bullets folded into one line; a pillar without Table 4 text: its row plan
    assert got[lead("plans", "th")] == ("คน: ขยายเครือข่ายผู้นำ / ค่ายเยาวชน"
                                        "กลไก: ทบทวนธรรมนูญสุขภาพตำบล"
                                        "ข้อมูล: สำรวจข้อมูลด้วยโปรแกรม TCNAP")  # one line each
    # depth first (as the scorecard); no review: no expert line; no gap: no peer line; all tables
    # sent: no "not submitted" line
    assert list(got)[:2] == [lead("depth", "th"), lead("standing", "th")]
    assert set(got) == {lead(k, "th") for k in ("standing", "depth", "strongest", "no_gaps", "plans")}


def test_strong_tambon_sentences_en(ds):
    got = items(summ.tambon_summary(ds, STRONG, "en"))
    assert got[lead("standing", "en")] == ("Ticked every outcome (17 of 17); above the network median (95.2%); "
                                           "one of 2 tambons at 100.0% (rank 1 of 5, shared)")
    assert got[lead("no_gaps", "en")].startswith("No gap in the tables sent; ticked on the smallest share of rows: "
                                                 "PC3 Space for leaders to act (1 of 2 rows)")
    assert got[lead("no_gaps", "en")].endswith("and 4 more level with the last")


# --- a weak tambon ---------------------------------------------------------------------------


def test_weak_tambon_sentences_th(ds):
    section = summ.tambon_summary(ds, WEAK, "th")
    got = items(section)
    assert got[lead("standing", "th")] == (
        "ทำเครื่องหมายผลลัพธ์ได้ไม่ถึงครึ่ง 3 จาก 17 ข้อ (ความครอบคลุม 18.1%) "
        "ต่ำกว่าค่ามัธยฐานของเครือข่าย (95.2%) อันดับ 5 จาก 5 ตำบล")
    assert got[lead("depth", "th")] == (
        "ทำเครื่องหมาย 17.6% ของช่องทั้งหมด (แถวที่รายงาน × ผลลัพธ์) ต่ำกว่าค่ามัธยฐานของเครือข่าย (74.1%) "
        "อันดับ 5 จาก 5 ตำบล")
    assert got[lead("gaps", "th", n=14)] == (
        "PC2 ใช้ข้อมูลค้นหา-พัฒนาผู้นำ (ทำได้ 4 จาก 5 ตำบล) · MC2 เข้าใจปัญหา-ความต้องการ-ศักยภาพ (ทำได้ 4 จาก 5 ตำบล) · "
        "PC3 เปิดพื้นที่ให้ผู้นำสร้างรูปธรรม (ทำได้ 3 จาก 5 ตำบล) และอีก 11 ข้อ ดูหัวข้อจุดแข็งและช่องว่าง")
    # the peers for the biggest gap (PC2), closest first, linked as strengths_gaps links them
    assert got[lead("peers", "th")] == ("สำหรับ PC2 ใช้ข้อมูลค้นหา-พัฒนาผู้นำ (ใกล้ที่สุดก่อน): "
                                        "ต.ดอนแก้ว อ.แม่ริม จ.เชียงใหม่ (อำเภอเดียวกัน) · "
                                        "ต.สันทรายหลวง อ.สันทราย จ.เชียงใหม่ (จังหวัดเดียวกัน)")
    html = str(section)
    assert f'<a href="{h.tambon_href(STRONG)}">ต.ดอนแก้ว อ.แม่ริม จ.เชียงใหม่</a>' in html
    assert f'<a href="{h.tambon_href(PARTIAL)}">' in html
    assert '<a href="#sii-tambon-strengths-gaps">' in html
    # the plan: phone masked, <script> escaped
    assert got[lead("plans", "th")] == "คน: อบรมแกนนำ &lt;script&gt;alert(1)&lt;/script&gt; โทร 0xx-xxx-xx78"
    assert "081-234-5678" not in html and "<script" not in html
    # the strongest of a weak tambon is said as it is: one of one row
    assert got[lead("strongest", "th")].startswith("PC1 4 องค์กรหลักร่วมพัฒนาคน (1 จาก 1 แถว)")


def test_weak_tambon_sentences_en(ds):
    section = summ.tambon_summary(ds, WEAK, "en")
    got = items(section)
    assert got[lead("standing", "en")] == ("Ticked fewer than half of the outcomes: 3 of 17 (coverage 18.1%); "
                                           "below the network median (95.2%); rank 5 of 5 tambons")
    assert got[lead("peers", "en")] == ("for PC2 Data used to find and develop leaders (closest first): "
                                        "Don Kaeo, Mae Rim, Chiang Mai (same district); "
                                        "San Sai Luang, San Sai, Chiang Mai (same province)")
    assert got[lead("gaps", "en", n=14)].startswith(
        "PC2 Data used to find and develop leaders (reached by 4 of 5 tambons); ")
    # never praise: no word of quality in any summary
    for tid in (STRONG, WEAK, PARTIAL, REVIEWED, FIFTH):
        text = str(summ.tambon_summary(ds, tid, "en")).lower()
        assert not any(w in text for w in ("excellent", "good", "poor", "outstanding", "weak "))


# --- a partial tambon (Table 3 not sent) -------------------------------------------------------


def test_partial_tambon_says_what_was_not_sent(ds):
    f = facts.tambon_summary_facts(ds, PARTIAL)
    assert f.not_sent == ("data",) and f.overall_over_sent
    assert (f.standing.outcomes_reached, f.standing.outcomes_total, f.standing.tables_sent) == (4, 12, 2)
    assert f.gaps_total == 8 and not any(o.table == "data" for o in (*f.weakest, *f.strongest))
    assert f.plans == () and f.expert is None
    got = items(summ.tambon_summary(ds, PARTIAL, "th"))
    assert list(got)[:3] == [lead("not_sent", "th"), lead("depth", "th"), lead("standing", "th")]  # said first
    assert got[lead("not_sent", "th")] == ("ตารางที่ 3 การพัฒนา “ระบบข้อมูลชุมชน” ไม่ได้ส่งมา จึงไม่นับเป็นช่องว่าง "
                                           "และคิดภาพรวมจาก 2 ตารางที่ส่ง")
    # the overall over the two pillars sent: (2/5 + 2/7) / 2 = 34.3%, rank 4 of 5
    assert got[lead("standing", "th")] == (
        "ทำเครื่องหมายผลลัพธ์ได้ไม่ถึงครึ่ง 4 จาก 12 ข้อ ใน 2 ตารางที่ส่ง (ความครอบคลุม 34.3%) "
        "ต่ำกว่าค่ามัธยฐานของเครือข่าย (95.2%) อันดับ 4 จาก 5 ตำบล")
    assert "DC" not in got[lead("gaps", "th", n=8)]
    assert lead("plans", "th") not in got  # no plan written: nothing said
    en = items(summ.tambon_summary(ds, PARTIAL, "en"))
    assert en[lead("not_sent", "en")] == ('Table 3, Developing the &quot;community data system&quot;: not submitted, '
                                          "so not counted as gaps; the overall is over the 2 tables sent")


# --- a tambon with reviews, and one without ----------------------------------------------------


def test_reviewed_tambon_gets_the_experts_top_priority(ds):
    f = facts.tambon_summary_facts(ds, REVIEWED)
    assert f.expert == facts.ExpertFact(pillar="data", priority="high",
                                        suggestion="ใช้ข้อมูล TCNAP ทำแผน ติดต่อ 089-111-2222", reviewer="ดร.สมชาย",
                                        same_priority=2, total=3)
    section = summ.tambon_summary(ds, REVIEWED, "th")
    got = items(section)
    assert got[lead("expert", "th")] == ("ระดับเร่งด่วน ด้านข้อมูล: ใช้ข้อมูล TCNAP ทำแผน ติดต่อ 0xx-xxx-xx22 "
                                         "และอีก 1 ข้อในระดับเดียวกัน (ทั้งหมด 3 ข้อ)")
    assert '<a href="#sii-tambon-experts">' in str(section) and "089-111-2222" not in str(section)
    en = items(summ.tambon_summary(ds, REVIEWED, "en"))
    assert en[lead("expert", "en")] == ("High, Data: ใช้ข้อมูล TCNAP ทำแผน ติดต่อ 0xx-xxx-xx22 "
                                        "and 1 more at that priority (3 in all)")
    # no review: no expert sentence at all
    for tid in (STRONG, WEAK, PARTIAL, FIFTH):
        assert facts.tambon_summary_facts(ds, tid).expert is None
        assert lead("expert", "th") not in str(summ.tambon_summary(ds, tid, "th"))


def test_suggestions_without_priority_are_said_so():
    fb_ds = build()
    fb = fb_ds.feedback.assign(priority="")
    plain = Dataset.from_frames(fb_ds.tambons, fb_ds.rows, fb_ds.ticks, fb_ds.texts, feedback=fb)
    got = items(summ.tambon_summary(plain, REVIEWED, "th"))
    assert got[lead("expert", "th")] == ("ข้อเสนอแนะ 3 ข้อ ไม่ได้ระบุความเร่งด่วน ข้อแรก ด้านคน: ถอดบทเรียนคนต้นแบบ "
                                         "(ทั้งหมด 3 ข้อ)")


def test_a_gap_nobody_reached_has_no_peers():
    """A tambon's only gaps are outcomes no one reached: they are said, and no peer is made up."""
    alone = build()
    one = Dataset.from_frames(alone.tambons[alone.tambons["tambon_id"].isin([REVIEWED, FIFTH])],
                              alone.rows, alone.ticks, alone.texts)
    f = facts.tambon_summary_facts(one, FIFTH)
    assert [o.outcome_code for o in f.weakest] == ["MC7"] and f.weakest[0].reached_by == 1
    assert [p.tambon_id for p in f.peers] == [REVIEWED]
    only = Dataset.from_frames(alone.tambons[alone.tambons["tambon_id"] == FIFTH], alone.rows, alone.ticks,
                               alone.texts)
    f = facts.tambon_summary_facts(only, FIFTH)
    assert f.biggest_gap is None and f.peers == ()
    got = items(summ.tambon_summary(only, FIFTH, "th"))
    assert got[lead("gaps", "th", n=1)] == "MC7 ตอบสนองนโยบายภาคี/รัฐ (ยังไม่มีตำบลใดทำได้)"
    assert lead("peers", "th") not in got
    # one tambon: its rank says little, and the sentence says so
    assert "(เครือข่ายมีเพียง 1 ตำบล การเทียบจึงบอกได้น้อย)" in got[lead("standing", "th")]


# --- the network summary ---------------------------------------------------------------------


def findings(section) -> list[str]:
    return [re.sub(r"<[^>]+>", "", x) for x in re.findall(r"<li>(.*?)</li>", str(section), re.DOTALL)]


def test_network_summary_th(ds):
    assert findings(summ.network_summary(ds, "th")) == [
        "5 ตำบลจาก 2 จังหวัดส่งใบงาน ส่งครบทั้ง 4 ตาราง 2 ตำบล ระบุรหัสตำบลของกรมการปกครองได้ 5 ตำบล",
        "2 จาก 5 ตำบลทำเครื่องหมายผลลัพธ์ครบทุกข้อ ค่ามัธยฐานความครอบคลุมผลลัพธ์ภาพรวมของเครือข่ายคือ 95.2%",
        # tick rates 3/17, 4/12, 20/27, 16/17, 17/17
        "ความลึก (อัตราการทำเครื่องหมาย) ภาพรวม: มัธยฐาน 74.1% ครึ่งหนึ่งของตำบลอยู่ระหว่าง 33.3% ถึง 94.1%",
        "ผลลัพธ์ที่ตำบลทำได้น้อยที่สุด: MC7 ตอบสนองนโยบายภาคี/รัฐ ทำได้ 2 จาก 5 ตำบล (40.0%)",
        # the data steps count the 4 tambons that sent Table 3
        ("ระบบข้อมูลชุมชน: 4 จาก 4 ตำบลทำเครื่องหมายผลลัพธ์ในขั้น D1 (การสร้าง-พัฒนาทีมพัฒนาระบบข้อมูลชุมชน) "
         "แต่ในขั้น D5 (การนำใช้ข้อมูลเพื่อการจัดการปัญหาและความต้องการของชุมชน) เหลือ 1 ตำบล "
         "ลดลงมากที่สุดระหว่างขั้น D1 กับ D2 (4 → 0 ตำบล)"),
        ("จังหวัดที่ค่ามัธยฐานความครอบคลุมต่ำกว่าเครือข่าย (95.2%) ตั้งแต่ 10 จุดขึ้นไป "
         "(เฉพาะจังหวัดที่มีอย่างน้อย 2 ตำบล): เชียงใหม่ 34.3% (3 ตำบล)"),
        "ผู้ทรงคุณวุฒิให้ข้อเสนอแนะแล้ว 1 จาก 5 ตำบล (20.0%) ครบทุกด้าน 0 ตำบล ยังรอ 4 ตำบล",
    ]


def test_network_summary_en_and_without_reviews(ds):
    got = findings(summ.network_summary(ds, "en"))
    assert got[0] == ("5 tambons from 2 provinces sent worksheets; 2 sent all 4 tables and 5 were matched to "
                      "their DOPA code.")
    assert got[3] == "The outcome the fewest tambons reached: MC7 Responds to policy, reached by 2 of 5 (40.0%)."
    assert got[5] == ("Provinces whose median coverage is 10 or more points below the network&#x27;s "
                      "(95.2%; provinces of 2 tambons or more): Chiang Mai 34.3% (3 tambons).")
    assert got[6] == "The experts reviewed 1 of 5 tambons (20.0%), 0 on every pillar; 4 still wait."
    none = findings(summ.network_summary(build(feedback=False), "th"))
    assert none[-1] == "ยังไม่มีตำบลใดได้รับข้อเสนอแนะจากผู้ทรงคุณวุฒิ"


def test_network_summary_ties_and_no_standout():
    """Outcomes tied at the lowest share are all named; no province far from the median: said so."""
    full = build()
    nan = full.tambons["tambon_id"].isin([REVIEWED, FIFTH])
    two = Dataset.from_frames(full.tambons[nan], full.rows, full.ticks, full.texts)
    f = facts.network_summary_facts(two)
    assert [o.outcome_code for o in f.weakest] == ["MC7"] and f.above == () and f.below == ()
    got = findings(summ.network_summary(two, "th"))
    assert got[5] == ("ไม่มีจังหวัดใดที่ค่ามัธยฐานความครอบคลุมห่างจากเครือข่าย (97.6%) ตั้งแต่ 10 จุดขึ้นไป "
                      "(เฉพาะจังหวัดที่มีอย่างน้อย 2 ตำบล)")
    both = Dataset.from_frames(full.tambons[full.tambons["tambon_id"] == REVIEWED], full.rows, full.ticks, full.texts)
    f = facts.network_summary_facts(both)
    assert len(f.weakest) == 17 and all(o.reached_by == 1 and o.of == 1 for o in f.weakest)
    assert findings(summ.network_summary(both, "en"))[3] == "Every tambon reached every outcome."
    three = Dataset.from_frames(full.tambons[full.tambons["tambon_id"].isin([STRONG, WEAK])], full.rows, full.ticks,
                                full.texts)
    assert findings(summ.network_summary(three, "th"))[3] == (
        "ผลลัพธ์ที่ตำบลทำได้น้อยที่สุด: PC2 ใช้ข้อมูลค้นหา-พัฒนาผู้นำ · PC3 เปิดพื้นที่ให้ผู้นำสร้างรูปธรรม · "
        "PC4 ชุมชนเชื่อมั่น-ยอมรับผู้นำ และอีก 11 ข้อ ทำได้ข้อละ 1 จาก 2 ตำบล (50.0%)")


def test_nothing_scored_and_an_empty_network():
    """A worksheet with none of Tables 1–3: said, and no number made up; a network of no tambon."""
    full = build()
    tam = full.tambons.assign(tables=full.tambons["tables"].where(full.tambons["tambon_id"] != PARTIAL, "summary"))
    keep = full.rows["tambon_id"] != PARTIAL
    ds = Dataset.from_frames(tam, full.rows[keep], full.ticks[full.ticks["tambon_id"] != PARTIAL], full.texts)
    f = facts.tambon_summary_facts(ds, PARTIAL)
    assert f.standing is None and f.not_sent == ("people", "mechanism", "data")
    got = items(summ.tambon_summary(ds, PARTIAL, "th"))
    assert got == {lead("not_sent", "th"): "ตารางที่ 1 การพัฒนา “คน” · ตารางที่ 2 การพัฒนา “กลไกการขับเคลื่อน” · "
                                           "ตารางที่ 3 การพัฒนา “ระบบข้อมูลชุมชน” ไม่ได้ส่งมา จึงยังไม่มีคะแนน"}
    empty = Dataset.from_frames(full.tambons.iloc[0:0])
    assert findings(summ.network_summary(empty, "th")) == ["ยังไม่มีตำบลในข้อมูล"]


def test_band_thresholds():
    assert [facts.band_of(x) for x in (1.0, 0.999, 0.8, 0.79, 0.5, 0.49, 0.01, 0.0, float("nan"))] == [
        "all", "most", "most", "over_half", "over_half", "under_half", "under_half", "none", "none"]
