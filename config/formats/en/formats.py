"""English: day, short month, year ("2 Dec 2026"), as the mission's European readers write it; 24-hour times."""

from django.conf.locale.en.formats import (  # noqa: F401 (the input formats stay Django's)
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j\xa0M\xa0Y"  # no-break spaces: a date never wraps
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j\xa0M\xa0Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday
