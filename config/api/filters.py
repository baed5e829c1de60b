"""Filter types shared by the API's filtersets."""

import django_filters
from django import forms

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An integer id, bounded so that no value can overflow the database's integer type.

    A plain id rather than a model choice: a choice field would answer "invalid choice" for an id that does not
    exist but not for one outside the caller's scope, and so tell the two apart.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
