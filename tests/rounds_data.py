"""Hand-built two-round networks for the progress and trends tests (``Dataset.from_frames``
with a ``round`` column): what each tambon ticked and wrote in each round."""

from __future__ import annotations

import pandas as pd

from siianalysis.analysis.dataset import Dataset

# Four tambons, rounds 2563 and 2564:
# GROWS reaches more in 2564 (gains PC3, MC2; loses DC2); SAME is unchanged; LEAVES is in 2563
# only; JOINS is new in 2564.
GROWS, SAME, LEAVES, JOINS = "500101", "500102", "500201", "550101"
PLACES = {GROWS: ("ดอนแก้ว", "แม่ริม", "เชียงใหม่", "50"), SAME: ("ริมใต้", "แม่ริม", "เชียงใหม่", "50"),
          LEAVES: ("สันทรายหลวง", "สันทราย", "เชียงใหม่", "50"), JOINS: ("ไชยสถาน", "เมืองน่าน", "น่าน", "55")}
# (tambon, round) -> table -> row -> outcomes ticked on it
TICKS = {
    (GROWS, "2563"): {"people": {"P1": ["PC1", "PC2"]}, "mechanism": {"M1": ["MC1"]}, "data": {"D1": ["DC1", "DC2"]}},
    (GROWS, "2564"): {"people": {"P1": ["PC1", "PC2", "PC3"], "P2": ["PC1"]}, "mechanism": {"M1": ["MC1", "MC2"]},
                      "data": {"D1": ["DC1"]}},
    (SAME, "2563"): {"people": {"P1": ["PC1"]}, "mechanism": {"M1": ["MC1"]}, "data": {"D1": ["DC1"]}},
    (SAME, "2564"): {"people": {"P1": ["PC1"]}, "mechanism": {"M1": ["MC1"]}, "data": {"D1": ["DC1"]}},
    (LEAVES, "2563"): {"people": {"P1": ["PC1", "PC2", "PC3", "PC4"]}, "mechanism": {"M1": ["MC1"]},
                       "data": {"D1": ["DC1"]}},
    (JOINS, "2564"): {"people": {"P1": ["PC1", "PC2"]}, "mechanism": {"M1": ["MC1", "MC3"]}},
}
XSS = "<script>alert(1)</script>"
TEXTS = [  # tambon, round, table, row, field, text
    (GROWS, "2563", "summary", "S1", "plan", "จัดค่ายพัฒนาแกนนำเยาวชน และตั้งสภาเด็กและเยาวชนตำบล"),
    (GROWS, "2563", "people", "P1", "plan", f"ถอดบทเรียนคนต้นแบบ {XSS} โทร 081-234-5678"),
    (GROWS, "2563", "data", "D1", "plan", "สำรวจข้อมูลครัวเรือนด้วย TCNAP"),
    (GROWS, "2564", "summary", "S1", "achievements", "จัดค่ายพัฒนาแกนนำเยาวชนแล้ว 2 รุ่น มีสภาเด็กและเยาวชนตำบล"),
    (GROWS, "2564", "people", "P1", "method", "ค่ายเยาวชน ระบบพี่เลี้ยง"),
    (GROWS, "2564", "mechanism", "M1", "assets", "คณะทำงานขับเคลื่อนตำบล"),
    (GROWS, "2564", "summary", "S1", "plan", "ขยายเครือข่ายผู้นำรุ่นใหม่"),
    (SAME, "2563", "people", "P1", "plan", "อบรมแกนนำ"),
    (SAME, "2564", "people", "P1", "method", "อบรมแกนนำ"),
]
FEEDBACK = [  # tambon, round, pillar, suggestion
    (GROWS, "2563", "people", "ตั้งสภาเด็กและเยาวชนตำบล และจัดค่ายแกนนำเยาวชน"),
    (GROWS, "2563", "data", "คืนข้อมูลให้ชุมชนผ่านเวทีประชาคมหมู่บ้าน"),
    (GROWS, "2564", "overall", "ทำแผนรวมของตำบล"),
]


def build(ticks=TICKS, texts=TEXTS, feedback=FEEDBACK) -> Dataset:
    place = {tid: PLACES.get(tid, (f"หมู่{tid[-2:]}", "แม่ริม", "เชียงใหม่", "50")) for tid, _ in ticks}
    tambons = pd.DataFrame([{
        "tambon_id": tid, "round": rnd, "resolved": True, "tambon_th": place[tid][0], "amphoe_th": place[tid][1],
        "province_th": place[tid][2], "province_code": place[tid][3], "worksheet_date": f"{int(rnd) - 543}-10-27",
        "source_file": f"{rnd}/{tid}.xlsx", "amphoe_code": "", "tambon_en": "", "amphoe_en": "", "province_en": "",
        "tables": ",".join([*tables, *(["summary"] if any(x[:2] == (tid, rnd) and x[2] == "summary" for x in texts)
                                       else [])]),
    } for (tid, rnd), tables in ticks.items()])
    rows, ticked = [], []
    for (tid, rnd), tables in ticks.items():
        for table, per_row in tables.items():
            for row, outcomes in per_row.items():
                rows.append({"tambon_id": tid, "round": rnd, "table": table, "row_code": row, "label": "",
                             "source": "codebook"})
                ticked += [{"tambon_id": tid, "round": rnd, "table": table, "row_code": row, "criterion_code": o,
                            "ticked": True} for o in outcomes]
    have = {(r["tambon_id"], r["round"], r["row_code"]) for r in rows}
    rows += [{"tambon_id": tid, "round": rnd, "table": table, "row_code": row, "label": "", "source": "codebook"}
             for tid, rnd, table, row, _, _ in texts if (tid, rnd, row) not in have]
    text_frame = pd.DataFrame([{"tambon_id": tid, "round": rnd, "table": table, "row_code": row, "field": f,
                                "text": x, "source": ""} for tid, rnd, table, row, f, x in texts])
    fb = pd.DataFrame([{"tambon_id": tid, "round": rnd, "pillar": p, "reviewer": "ดร.สมชาย", "suggestion": s,
                        "priority": "high", "reviewed_on": f"{int(rnd) - 543}-11-01", "source_file": "review.xlsx"}
                       for tid, rnd, p, s in feedback])
    return Dataset.from_frames(tambons, pd.DataFrame(rows).drop_duplicates(["tambon_id", "round", "row_code"]),
                               pd.DataFrame(ticked), text_frame, feedback=fb)
