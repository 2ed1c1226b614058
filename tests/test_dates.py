"""Vietnamese date parsing: every shape the seeds and saved pages show, always timezone-aware, never a guess."""
from datetime import datetime, timezone

import pytest

from crawler.vi.dates import parse_date, to_local_iso, to_utc_iso

NOW = datetime(2026, 11, 22, 5, 0, tzinfo=timezone.utc)  # 12:00 in Hà Nội

CASES = [
    # the five seeds
    ("2019-11-15T02:53:00.000Z", "2019-11-15T02:53:00Z"),
    ("Thứ ba 11/12/2018 06:00", "2018-12-10T23:00:00Z"),
    ("09:06, 08/06/2017", "2017-06-08T02:06:00Z"),
    ("15/11/2022 08:31", "2022-11-15T01:31:00Z"),
    ("08:22 15/08/2012", "2012-08-15T01:22:00Z"),
    # saved real pages
    ("27/05/2019 | 4:40 PM", "2019-05-27T09:40:00Z"),
    ("Ngày đăng 17/05/2022 | 07:00 PM | View count: 25", "2022-05-17T12:00:00Z"),
    ("Publish date 09/07/2015 | 12:00 AM | View count: 454", "2015-07-08T17:00:00Z"),
    ("Thứ năm, 2/11/2023, 19:20 (GMT+7)", "2023-11-02T12:20:00Z"),
    ("2025-06-17T13:43:02+0700", "2025-06-17T06:43:02Z"),
    ("2023-11-02T19:20:45+07:00", "2023-11-02T12:20:45Z"),
    ("28/09/17 15:32", "2017-09-28T08:32:00Z"),
    ("2017-10-03 15:24:00", "2017-10-03T08:24:00Z"),
    # labels, places, other separators
    ("Cập nhật: 10:15 14/11/2022", "2022-11-14T03:15:00Z"),
    ("Ngày đăng: 03-02-2021 | 14:05", "2021-02-03T07:05:00Z"),
    ("Đăng lúc 10:15 ngày 14/11/2022", "2022-11-14T03:15:00Z"),
    ("Hà Nội, ngày 14 tháng 11 năm 2022", "2022-11-13T17:00:00Z"),
    ("08 Tháng 9 2021", "2021-09-07T17:00:00Z"),
    ("15.11.2022", "2022-11-14T17:00:00Z"),
    ("CHỦ NHẬT, 05/03/2023 - 10:30 SA", "2023-03-05T03:30:00Z"),
    ("05/03/2023 02:15 CH", "2023-03-05T07:15:00Z"),
    ("THỨ HAI, 14/11/2022 10:15", "2022-11-14T03:15:00Z"),
    ("Thứ 2, 14/11/2022 - 10:15", "2022-11-14T03:15:00Z"),
    ("chủ nhật 13/11/2022 | 07:05", "2022-11-13T00:05:00Z"),
    ("4/7/2021 9:05", "2021-07-04T02:05:00Z"),
    ("14-11-2022 lúc 10:15", "2022-11-14T03:15:00Z"),
    ("Ngày xuất bản: 14/11/2022 10:15:30", "2022-11-14T03:15:30Z"),
    ("Thời gian: 14/11/2022 lúc 10 giờ 15", "2022-11-14T03:15:00Z"),
    ("10h15 ngày 14/11/2022", "2022-11-14T03:15:00Z"),
    ("Thứ Hai, 14/11/2022, 10:15 GMT+07:00", "2022-11-14T03:15:00Z"),
    ("2022-11-14T10:15:00", "2022-11-14T03:15:00Z"),
    ("2022-11-14 10:15:00 UTC", "2022-11-14T10:15:00Z"),
    # relative to the crawl time
    ("2 giờ trước", "2026-11-22T03:00:00Z"),
    ("17 phút trước", "2026-11-22T04:43:00Z"),
    ("Hôm qua 10:30", "2026-11-21T03:30:00Z"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_parses_to_aware_utc(text, expected):
    value = parse_date(text, now=NOW)
    assert value is not None and value.tzinfo is not None, text
    assert to_utc_iso(value) == expected


def test_dateparser_bug_on_weekday_nam_does_not_affect_us():
    """Plain dateparser reads "Thứ năm 12/10/2017" as 2 October ("năm" = five); see bench/dates.py."""
    assert to_utc_iso(parse_date("Thứ năm 12/10/2017 17:14", now=NOW)) == "2017-10-12T10:14:00Z"


@pytest.mark.parametrize("text", ["", "hello", "31/02/2020", "01/01/2030 08:00", "12/12/1980", "View count: 25",
                                  "25:61 01/01/2020", "tháng 5/2021"])
def test_returns_none_rather_than_guess(text):
    assert parse_date(text, now=NOW) is None


def test_day_first_always():
    assert to_utc_iso(parse_date("03/04/2020 00:00", now=NOW)) == "2020-04-02T17:00:00Z"


def test_local_rendering_is_plus_seven():
    assert to_local_iso(parse_date("2019-11-15T02:53:00Z", now=NOW)) == "2019-11-15T09:53:00+07:00"


def test_dateparser_fallback_still_day_first():
    value = parse_date("ngày 5 tháng 3, 2021 lúc 9 giờ sáng", now=NOW)
    assert value is not None and (value.year, value.month, value.day) == (2021, 3, 5)
