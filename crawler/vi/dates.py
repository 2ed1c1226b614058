"""Vietnamese publication dates: ``parse_date(text, now=None) -> aware datetime | None``.

Day-first always, Asia/Ho_Chi_Minh unless the text names an offset. Common shapes go through precompiled
regular expressions; anything else falls back to dateparser with the day, month and year required. A date in
the future (beyond a small clock skew) or before the web existed is rejected: None, never a guess.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(1993, 1, 1, tzinfo=timezone.utc)  # no Vietnamese web page is older
CLOCK_SKEW = timedelta(hours=12)

_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?(?!\d)"
)
_LONG_VI = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|năm)?\s*(\d{4})(?!\d)")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s?([/.-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d/])")
_YMD_SLASH = re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)")
_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s?(?::|h|g|giờ)\s?(\d{2})(?::(\d{2}))?(?:\s*(am|pm|sa|ch)\b)?(?![\d/])")
_OFFSET = re.compile(r"(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
_RELATIVE = re.compile(r"(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước")
_RELATIVE_UNITS = {
    "giây": timedelta(seconds=1), "phút": timedelta(minutes=1), "giờ": timedelta(hours=1),
    "tiếng": timedelta(hours=1), "ngày": timedelta(days=1), "tuần": timedelta(weeks=1),
}
_DAY_WORDS = {"hôm nay": 0, "hôm qua": 1, "hôm kia": 2}


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """Parse a Vietnamese date/time string into a timezone-aware datetime (local time zone unless stated).

    ``now`` is the crawl time: relative expressions ("2 giờ trước", "Hôm qua") count back from it, and no
    result may lie after it. Returns None when the text holds no plausible date.
    """
    if not text:
        return None
    now = _aware(now) if now else datetime.now(timezone.utc)
    norm = _normalize(text)
    result = _parse_fast(norm, now)
    if result is None:
        result = _parse_dateparser(norm, now)
    if result is None or not (EARLIEST <= result <= now + CLOCK_SKEW):
        return None
    return result


def has_time(text: str | None) -> bool:
    """The text states a clock time ("19:25", "8h30", "2:48 PM", "T08:07"), not only a day."""
    return bool(text) and _TIME.search(_normalize(text)) is not None


def to_utc_iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def to_local_iso(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).isoformat()


def local_display(iso: str | None) -> str | None:
    """A stored UTC time ("2026-12-02T07:01:00Z") as a person in Vietnam reads it: "2026-12-02 14:01"."""
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return _aware(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").casefold()
    return " ".join(text.split())


def _parse_fast(text: str, now: datetime) -> datetime | None:
    iso = _ISO.search(text)
    if iso:
        return _from_iso(iso, text)
    date, span = _find_date(text)
    if date is None:
        return _relative(text, now)
    rest = text[: span[0]] + " " + text[span[1]:]
    hour = minute = second = 0
    time = _TIME.search(rest)
    if time:
        hour, minute, second = _time_parts(time)
        if hour is None:
            return None
    tz = _offset(text) or LOCAL_TZ
    try:
        return datetime(date[0], date[1], date[2], hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _find_date(text: str) -> tuple[tuple[int, int, int] | None, tuple[int, int]]:
    match = _LONG_VI.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return (year, month, day), match.span()
    match = _YMD_SLASH.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return (year, month, day), match.span()
    match = _DMY.search(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), match.group(4)
        return (_full_year(year), month, day), match.span()
    return None, (0, 0)


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    value = int(year)
    return 2000 + value if value <= (datetime.now().year % 100) + 1 else 1900 + value


def _time_parts(match: re.Match) -> tuple[int | None, int, int]:
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = match.group(4)
    if meridiem:
        if not 1 <= hour <= 12:
            return None, 0, 0
        if meridiem in ("pm", "ch") and hour != 12:
            hour += 12
        elif meridiem in ("am", "sa") and hour == 12:
            hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None, 0, 0
    return hour, minute, second


_BARE_UTC = re.compile(r"\b(?:utc|gmt)\b(?!\s*[+-]\s*\d)")


def _offset(text: str) -> timezone | None:
    """The offset the text names: "(GMT+7)", "UTC+07:00", or a bare "UTC"/"GMT" (zero)."""
    match = _OFFSET.search(text)
    if not match:
        return timezone.utc if _BARE_UTC.search(text) else None
    sign = -1 if match.group(1) == "-" else 1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(sign * delta)


def _from_iso(match: re.Match, text: str) -> datetime | None:
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
    zone = match.group(7)
    if zone is None:
        tz = _offset(text) or LOCAL_TZ
    elif zone == "z":
        tz = timezone.utc
    else:
        digits = zone[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = timezone(delta if zone[0] == "+" else -delta)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _relative(text: str, now: datetime) -> datetime | None:
    local_now = now.astimezone(LOCAL_TZ)
    match = _RELATIVE.search(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "tháng":
            return _shift_months(local_now, -amount)
        if unit == "năm":
            return _shift_months(local_now, -12 * amount)
        return local_now - amount * _RELATIVE_UNITS[unit]
    if "vừa xong" in text or "vừa đăng" in text:
        return local_now
    for words, days_back in _DAY_WORDS.items():
        if words in text:
            day = (local_now - timedelta(days=days_back)).date()
            time = _TIME.search(text)
            hour, minute, second = _time_parts(time) if time else (0, 0, 0)
            if hour is None:
                return None
            return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LOCAL_TZ)
    return None


def _shift_months(value: datetime, months: int) -> datetime:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, 28)
    return value.replace(year=year, month=month + 1, day=day)


_dateparser = None


def _parse_dateparser(text: str, now: datetime) -> datetime | None:
    """Fallback for shapes the fast path does not know; dateparser is imported only when needed."""
    global _dateparser
    if not any(ch.isdigit() for ch in text):
        return None
    if _dateparser is None:
        import dateparser

        _dateparser = dateparser
    settings = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RELATIVE_BASE": now.astimezone(LOCAL_TZ).replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
    }
    try:
        result = _dateparser.parse(text, languages=["vi", "en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return _aware(result) if result else None
