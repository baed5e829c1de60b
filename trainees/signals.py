"""Signals that let the mission layer react to events here without this app importing it."""

from django.dispatch import Signal

# Sent after a count return is approved and committed: kwargs `count_return`.
count_return_approved = Signal()
