"""`{{ share|percent }}`: a share (0.14) as the reader's percentage, "14%" / "14 %" (config.formats.percent)."""

from django import template

from config.formats import percent as percent_of_share

register = template.Library()


@register.filter
def percent(share, digits: int = 0) -> str:
    """`{{ 0.1432|percent }}` is "14%"; `{{ 0.1432|percent:1 }}` is "14.3%"."""
    return percent_of_share(share, int(digits))


@register.filter
def percent_value(value, digits: int = 0) -> str:
    """`{{ 14.3|percent_value }}` for a figure already in percent (0 to 100)."""
    return percent_of_share(None if value is None else float(value) / 100, int(digits))
