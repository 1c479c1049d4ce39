"""Postdeck's one way of writing dates and times in English (FORMAT_MODULE_PATH).

Minutes are always shown ("10:00", never "10 a.m."), clocks are 24-hour and a
date-and-time names its zone ("30 Nov 2026, 10:00 UTC"), as
cms.scheduling.format_local writes a post's wall time. Input formats are
Django's own for English.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
