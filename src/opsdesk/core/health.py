"""Liveness readings for `opsdesk check`.

Each entry of CHECKS names a function returning a list of Readings; a reading
that is not ok makes the command exit non-zero. Apps add their own here
(e.g. the SLA sweep's "overdue but not escalated", which must be 0).
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string

CHECKS = [
    "opsdesk.core.outbox.health_readings",
    "opsdesk.sla.sweep.health_readings",
]


@dataclass(frozen=True)
class Reading:
    label: str
    value: str
    ok: bool
    hint: str = ""


def readings() -> list[Reading]:
    return [reading for path in CHECKS for reading in import_string(path)()]
