"""Loudspeaker scripts: reading order, numbers as they are read, reading time."""
from __future__ import annotations

import pytest
from conftest import BASE_FILES
from print_support import run

from mobcontent.pipeline.script import (
    read_digits,
    read_number,
    reading_time,
    spell_numbers,
)


@pytest.mark.parametrize("number, words", [
    (0, "không"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"),
    (25, "hai mươi lăm"), (100, "một trăm"), (105, "một trăm linh năm"), (110, "một trăm mười"),
    (1000, "một nghìn"), (1005, "một nghìn không trăm linh năm"), (2026, "hai nghìn không trăm hai mươi sáu"),
    (1_500_000, "một triệu năm trăm nghìn"), (3_000_000_000, "ba tỷ"),
])
def test_numbers_are_read_in_vietnamese(number, words):
    assert read_number(number) == words


@pytest.mark.parametrize("text, spoken", [
    ("Gọi 113 ngay.", "Gọi một một ba ngay."),
    ("số 0262 3852 123", "số không hai sáu hai, ba tám năm hai, một hai ba"),
    ("Ngày 3 tháng 3 hằng năm", "Ngày ba tháng ba hằng năm"),
    ("từ tháng 11 đến tháng 4", "từ tháng mười một đến tháng tư"),
    ("trẻ từ 16-18 tuổi", "trẻ từ mười sáu đến mười tám tuổi"),
    ("hạn 15/10/2026", "hạn mười lăm tháng mười năm hai nghìn không trăm hai mươi sáu"),
    ("30% số hộ, 1,5 triệu đồng, 1.200.000 đồng",
     "ba mươi phần trăm số hộ, một phẩy năm triệu đồng, một triệu hai trăm nghìn đồng"),
    ("vào thứ 4", "vào thứ tư"),
])
def test_numbers_are_written_as_they_are_read(text, spoken):
    assert spell_numbers(text) == spoken


def test_the_zones_hotline_is_read_digit_by_digit_wherever_it_appears():
    assert spell_numbers("liên lạc 1900 hoặc 0911", phones={"1900"}) == "liên lạc một chín không không hoặc không chín một một"
    assert read_digits("+84 262 385") == "không, hai sáu hai, ba tám năm"


def test_reading_time_counts_syllables_at_a_slow_pace():
    assert reading_time("một hai ba " * 40) == (120, 60)


def test_a_script_is_the_leaflet_in_reading_order(make_project, shared_kit):
    root = make_project()
    result = run(root, "build", "--format", "script")
    assert result.exit_code == 0, result.output
    script = (root / "build" / "bien-gioi" / "bien-gioi.vi.txt").read_text(encoding="utf-8")
    header, body = script.split("=" * 40 + "\n\n", 1)
    assert "KỊCH BẢN ĐỌC TRÊN LOA — bien-gioi (vi)" in header and "Thời lượng ước tính: khoảng" in header
    order = ["Biên giới bình yên", "Kính gửi bà con buôn làng", "Bảo vệ cột mốc", "Cột mốc của buôn.",
             "Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk.",
             "Họp vào thứ Bảy, không trùng ngày Chủ nhật.", "Cảnh giác lừa đảo",
             "Không đọc mã OTP cho ai. Gọi một một ba khi nghi ngờ.", "Đường dây nóng: một một ba.",
             "Nhắc lại: một một ba."]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)
    assert "**" not in body and "{" not in body
    assert body.rstrip().endswith("HẾT")


def test_a_bilingual_script_reads_each_block_in_both_languages(make_project, shared_kit):
    leaflet = BASE_FILES["content/leaflets/bien-gioi.yaml"].replace("locales: [vi]", "locales: [vi]\nbilingual: [rad, vi]")
    root = make_project({"content/leaflets/bien-gioi.yaml": leaflet})
    assert run(root, "build", "--format", "script").exit_code == 0
    script = (root / "build" / "bien-gioi" / "bien-gioi.rad+vi.txt").read_text(encoding="utf-8")
    assert "BẢN NHÁP" in script.split("=" * 40)[0]  # rad is not translated: not for broadcast yet
    assert "Không đọc mã OTP cho ai. Gọi một một ba khi nghi ngờ.\nKhông đọc mã OTP cho ai." in script
