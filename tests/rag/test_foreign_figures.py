"""Figures and dates in Chinese and Thai: read as numbers for the check, written out for the reader."""

from __future__ import annotations

import pytest

from rag.foreign_figures import figures_for_reader, passage_numbers


@pytest.mark.parametrize(("text", "expected"), [
    ("首批200名中国籍", 200), ("累计2,876人", 2876), ("约33万人", 330_000), ("资金100余亿元", 1e10),
    ("共1,200万人", 1.2e7), ("共有２０００人", 2000),
    ("ราว 600 ล้านบาทต่อปี", 6e8), ("วันที่ 5 กุมภาพันธ์ 2568", 2025), ("จำนวน ๒๗ คน", 27),
])
def test_figures_are_read_in_any_script(text: str, expected: float) -> None:
    assert expected in passage_numbers(text)


@pytest.mark.parametrize(("text", "shown"), [
    # A myriad multiplies the whole grouped figure, not its last three digits.
    ("吸引中国33万人参与网络赌博", "吸引中国 330,000 人参与网络赌博"),
    ("共1,200万人", "共 12 million 人"),
    ("涉案资金100余亿元（约14亿美元）", "涉案资金 more than 10 billion 元（约 1.4 billion 美元）"),
    ("ราว 600 ล้านบาทต่อปี", "ราว 600 million บาทต่อปี"),
    ("จำนวน ๒๗ คน", "จำนวน 27 คน"),
    # A Thai date: the month in English, the Buddhist-era year as the Common Era one.
    ("รายงานเมื่อวันที่ 20 ตุลาคม 2568 ว่าทหารบุกเข้าพื้นที่เมื่อวันที่ 16 ตุลาคม",
     "รายงานเมื่อวันที่ 20 October 2025 ว่าทหารบุกเข้าพื้นที่เมื่อวันที่ 16 October"),
    ("ภายในสิ้นเดือนกุมภาพันธ์", "ภายในสิ้นเดือน February"),
    ("เมื่อ 3 ต.ค. 2566 และ พ.ศ. 2567", "เมื่อ 3 October 2023 และ 2024"),
    # A count written without a month or era is not a year; English text is left as it is.
    ("อุปกรณ์ 2,500 ชุด", "อุปกรณ์ 2,500 ชุด"),
    ("At least 120,000 people in 2023.", "At least 120,000 people in 2023."),
])
def test_figures_and_thai_dates_are_written_for_an_english_reader(text: str, shown: str) -> None:
    assert figures_for_reader(text) == shown
