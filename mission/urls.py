"""Public pages of the mission: the manage page behind a report's signed link (no login)."""

from django.urls import re_path

from . import views

# The language is in the path, so that even a broken link answers in the recipient's language.
LINK = r"^reports/(?P<language>en|uk)/subscription/(?P<token>[A-Za-z0-9_:\-]+)/"

urlpatterns = [
    re_path(LINK + r"$", views.manage, name="report-subscription-manage"),
    re_path(LINK + r"change/$", views.manage_change, name="report-subscription-change"),
]
