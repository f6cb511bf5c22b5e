"""Every change to an incident goes through a function of this package.

Each entry point runs in one durable transaction: it locks the row, checks
the rule (rules.check) and the caller's version, writes with update_fields,
and appends a timeline event that says who, through what and why. Views, the
API, the CLI and the demo loader all call these; nothing else writes
incidents.
"""

from .intake import log_incident
from .lifecycle import (
    accept,
    assign,
    close,
    confirm,
    pend,
    reject,
    resolve,
    resolver_role_for,
    resume,
)
from .onsite import record_arrival
from .records import (
    add_attachment,
    comment,
    escalate,
    intervene,
    link_duplicate,
    override_priority,
    update_incident,
)

__all__ = [
    "accept", "add_attachment", "assign", "close", "comment", "confirm", "escalate",
    "intervene", "link_duplicate", "log_incident", "override_priority", "pend", "record_arrival",
    "reject", "resolve", "resolver_role_for", "resume", "update_incident",
]
