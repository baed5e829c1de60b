"""The product's date and number formats, one per language (FORMAT_MODULE_PATH), and shares as percentages.

English and Ukrainian each get one date format everywhere (the admin, the dashboard, the mails): "2 Dec 2026" and
"02.12.2026", 24-hour times, and numbers grouped by thousands ("86,000", "86 000"). Input formats stay Django's, plus
ISO, which every date field accepts.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext


def percent(share: float | int | None, digits: int = 0) -> str:
    """A share (0.14) as the reader's percentage ("14%" in English, "14 %" in Ukrainian); "–" when there is none."""
    if share is None:
        return "–"
    value = round(float(share) * 100, digits)
    shown = number_format(value, decimal_pos=digits if digits and value != int(value) else 0, force_grouping=True)
    # Translators: a percentage; Ukrainian puts a non-breaking space before the sign.
    return gettext("%(value)s%%") % {"value": shown}
