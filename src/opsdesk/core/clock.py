"""The one source of "now". Tests freeze it with time_machine."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today_local():
    return timezone.localdate(now())
