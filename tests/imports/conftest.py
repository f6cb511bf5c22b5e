"""A hand-written ServiceNow audit export in the UCI event-log column set,
using the cast's teams, category and CI, and helpers to run the importer
the way the command line does."""

import csv
import io
from pathlib import Path

import pytest

from opsdesk.cli import main
from opsdesk.core.models import TimelineEvent
from opsdesk.imports.models import ImportedRecord
from opsdesk.incidents.models import Incident

HEADER = [
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at"]

# The fields every event of a ticket shares (the UCI log repeats the final
# ones on every row); each event then sets what changed.
TICKETS = {
    "INC0010001": dict(
        caller_id="赵敏", opened_by="Opened by 8", opened_at="2/11/2026 09:05",
        contact_type="Phone", location="亦庄机房", category="虚拟机磁盘变更",
        subcategory="?", u_symptom="数据盘已满", cmdb_ci="vm-web-01", impact="2 - Medium",
        urgency="1 - High", priority="3 - Moderate", knowledge="true", vendor="?",
        closed_code="Solved (Permanently)", resolved_by="engineer_chen",
        resolved_at="2/11/2026 15:40", closed_at="5/11/2026 10:00", made_sla="true",
        reopen_count="0"),
    "INC0010002": dict(
        caller_id="钱多", opened_by="Opened by 8", opened_at="3/11/2026 22:10",
        contact_type="Email", location="?", category="虚拟机磁盘变更", subcategory="?",
        u_symptom="?", cmdb_ci="?", impact="1 - High", urgency="1 - High",
        priority="1 - Critical", knowledge="false", vendor="华为",
        closed_code="Solved (Work Around)", resolved_by="Resolver 9",
        resolved_at="6/11/2026 11:00", closed_at="9/11/2026 09:00", made_sla="false",
        reopen_count="1"),
    "INC0010003": dict(
        caller_id="Caller 7", opened_by="?", opened_at="4/11/2026 08:00",
        contact_type="Self service", location="?", category="?", subcategory="?",
        u_symptom="打印机卡纸", cmdb_ci="?", impact="3 - Low", urgency="3 - Low",
        priority="4 - Low", knowledge="false", vendor="?", closed_code="?", resolved_by="?",
        resolved_at="?", closed_at="?", made_sla="true", reopen_count="0"),
}
# (ticket, state, group, assignee, reassignments, reopens, updated at, updated by)
EVENTS = [
    ("INC0010001", "New", "服务台", "?", 0, 0, "2/11/2026 09:06", "agent_li"),
    ("INC0010001", "Active", "二线系统组", "engineer_chen", 1, 0, "2/11/2026 09:30",
     "agent_li"),
    ("INC0010002", "New", "服务台", "?", 0, 0, "3/11/2026 22:12", "Updated by 5"),
    ("INC0010001", "Resolved", "二线系统组", "engineer_chen", 1, 0, "2/11/2026 15:40",
     "engineer_chen"),
    ("INC0010001", "Closed", "二线系统组", "engineer_chen", 1, 0, "5/11/2026 10:00",
     "Updated by 908"),
    ("INC0010002", "Active", "一线支持组", "?", 1, 0, "4/11/2026 08:30", "Updated by 5"),
    ("INC0010002", "Resolved", "一线支持组", "?", 1, 0, "4/11/2026 17:00", "Updated by 6"),
    ("INC0010002", "Active", "二线系统组", "engineer_sun", 2, 1, "5/11/2026 09:00",
     "Updated by 6"),
    ("INC0010003", "New", "服务台", "?", 0, 0, "4/11/2026 08:01", "agent_li"),
    ("INC0010002", "Awaiting User Info", "二线系统组", "engineer_sun", 2, 1, "5/11/2026 10:00",
     "engineer_sun"),
    ("INC0010003", "Awaiting Vendor", "服务台", "agent_li", 0, 0, "4/11/2026 09:00",
     "agent_li"),
    ("INC0010002", "Resolved", "二线系统组", "engineer_sun", 2, 1, "6/11/2026 11:00",
     "engineer_sun"),
    ("INC0010002", "Closed", "二线系统组", "engineer_sun", 2, 1, "9/11/2026 09:00",
     "Updated by 908"),
]
LATER_EVENTS = [
    ("INC0010003", "Resolved", "服务台", "agent_li", 0, 0, "6/11/2026 14:00", "agent_li"),
]


def row(ticket, state, group, assignee, reassignments, reopens, at, by, **overrides) -> dict:
    values = dict.fromkeys(HEADER, "?")
    values.update(TICKETS[ticket])
    values.update(
        number=ticket, incident_state=state, active=str(state != "Closed").lower(),
        reassignment_count=str(reassignments), reopen_count=str(reopens), sys_mod_count="0",
        sys_updated_at=at, sys_updated_by=by, assignment_group=group, assigned_to=assignee,
        notify="Do Not Notify", u_priority_confirmation="false")
    values.update(overrides)
    return values


def export(events, *, extra_rows=()) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(row(*event))
    for values in extra_rows:
        writer.writerow(values)
    return out.getvalue()


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def servicenow_file(tmp_path) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text(export(EVENTS), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def written() -> tuple[int, int, int]:
    return (Incident.objects.count(), TimelineEvent.objects.count(),
            ImportedRecord.objects.count())


def incident_of(number: str) -> Incident:
    return ImportedRecord.objects.select_related("incident").get(
        external_number=number).incident


def status_sequence(incident) -> list[str]:
    """The status after each imported event, as the timeline tells it
    ("pending:vendor" for pending with whom it waits on)."""
    now, sequence = {"status": None, "waiting_on": None}, []
    for event in TimelineEvent.objects.filter(subject_type="incident", subject_id=incident.pk,
                                              kind="imported").order_by("id"):
        for name in now:
            if name in event.changes:
                now[name] = event.changes[name][1]
        sequence.append(now["status"] + (f":{now['waiting_on']}" if now["waiting_on"] else ""))
    return sequence
