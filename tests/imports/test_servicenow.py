"""`opsdesk import servicenow`: a hand-written export of three tickets folded
into three incidents with their timelines, and imported again."""

from datetime import UTC, datetime

import pytest

from opsdesk.core.models import Team, TimelineEvent
from opsdesk.imports.models import ImportedRecord
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from .conftest import EVENTS, LATER_EVENTS, export, incident_of, run, status_sequence, written

pytestmark = pytest.mark.usefixtures("english")


def shanghai(day, hour, minute=0):
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def test_each_ticket_becomes_one_incident_with_its_history(cast, servicenow_file, capsys):
    code, out, err = run(capsys, "import", "servicenow", str(servicenow_file))
    assert code == 0, err
    assert out.splitlines() == [
        "Read 13 events of 3 tickets.",
        out.splitlines()[1]]
    assert out.splitlines()[1].startswith(
        "3 incidents new, 0 updated, 0 unchanged; 13 timeline events written in ")
    assert written() == (3, 13, 3)
    assert status_sequence(incident_of("INC0010001")) == [
        "new", "in_progress", "resolved", "closed"]
    assert status_sequence(incident_of("INC0010002")) == [
        "new", "in_progress", "resolved", "in_progress", "pending:requester", "resolved",
        "closed"]
    assert status_sequence(incident_of("INC0010003")) == ["new", "pending:vendor"]


def test_the_incident_carries_the_last_event(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    first = incident_of("INC0010001")
    assert first.number == "INC-20261102-0001"
    assert (first.title, first.symptoms, first.reporter_name) == (
        "INC0010001 数据盘已满", "数据盘已满", "赵敏")
    assert first.description == "Opened by: Opened by 8\nLocation: 亦庄机房"
    assert (first.status, first.closure_code, first.channel, first.kind) == (
        "closed", "successful", "phone", "fault")
    assert (first.team, first.assignee, first.category, first.ci) == (
        cast.l2, cast.engineer_chen, cast.category, cast.ci)
    assert (first.resolved_by, first.resolved_team, first.resolver_role) == (
        cast.engineer_chen, cast.l2, "l2")
    assert (first.registered_at, first.occurred_at) == (shanghai(2, 9, 5), shanghai(2, 9, 5))
    assert (first.responded_at, first.accepted_at, first.first_accepted_at) == (
        shanghai(2, 9, 30), shanghai(2, 9, 30), shanghai(2, 9, 30))
    assert (first.resolved_at, first.closed_at) == (shanghai(2, 15, 40), shanghai(5, 10))
    assert (first.reassignment_count, first.resolve_breached) == (1, False)
    # The matrix says P3 for medium impact and high urgency, as the source does.
    assert (first.impact, first.urgency, first.priority, first.priority_override) == (
        "medium", "high", 3, None)
    assert first.imported.used_knowledge and first.imported.reopen_count == 0


def test_counts_breaches_and_priority_come_from_the_source(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    second = incident_of("INC0010002")
    assert (second.reassignment_count, second.imported.reopen_count) == (2, 1)
    assert second.resolve_breached is True  # made_sla false
    assert (second.closure_code, second.failure_vendor) == ("workaround", "华为")
    assert (second.channel, second.assignee, second.resolved_by) == (
        "email", cast.l2_colleague_sun, None)  # "Resolver 9" is nobody here
    # ServiceNow's 1 - Critical stands, though our matrix gives P2 for high × high.
    assert (second.matrix_priority, second.priority, second.priority_override,
            second.priority_override_reason) == (2, 1, 1, "servicenow: P1")
    open_one = incident_of("INC0010003")
    assert (open_one.status, open_one.waiting_on, open_one.channel) == (
        "pending", "vendor", "portal")
    assert (open_one.resolved_at, open_one.closed_at, open_one.closure_code) == (
        None, None, "")
    assert open_one.next_escalation_at is None and open_one.response_due_at is None


def test_events_keep_their_time_source_and_the_source_user(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    events = list(TimelineEvent.objects.filter(
        subject_id=incident_of("INC0010001").pk, subject_type="incident").order_by("id"))
    assert [(e.at, e.actor, e.source) for e in events] == [
        (shanghai(2, 9, 6), cast.agent_li, "import"),
        (shanghai(2, 9, 30), cast.agent_li, "import"),
        (shanghai(2, 15, 40), cast.engineer_chen, "import"),
        (shanghai(5, 10), None, "import")]
    assert events[1].changes == {"status": ["new", "in_progress"],
                                 "team": ["服务台", "二线系统组"],
                                 "assignee": [None, "engineer_chen"],
                                 "reassignment_count": [0, 1]}
    assert events[3].note == "servicenow INC0010001 · Closed · Updated by 908"


def test_importing_the_same_file_again_changes_nothing(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    before = (written(), list(Incident.objects.values_list("number", "version", "status")))
    code, out, _err = run(capsys, "import", "servicenow", str(servicenow_file))
    assert code == 0
    assert "0 incidents new, 0 updated, 3 unchanged; 0 timeline events written" in out
    assert (written(), list(Incident.objects.values_list("number", "version", "status"))) \
        == before


def test_a_later_export_appends_only_the_newer_events(cast, servicenow_file, tmp_path, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    later = tmp_path / "later.csv"
    later.write_text(export(EVENTS + LATER_EVENTS), encoding="utf-8")
    code, out, _err = run(capsys, "import", "servicenow", str(later))
    assert code == 0
    assert "0 incidents new, 1 updated, 2 unchanged; 1 timeline events written" in out
    third = incident_of("INC0010003")
    assert status_sequence(third) == ["new", "pending:vendor", "resolved"]
    assert (third.status, third.waiting_on, third.resolved_at, third.version) == (
        "resolved", "", shanghai(6, 14), 2)
    assert third.imported.incident_version == 2
    # An export of only the new events is the same news: nothing more.
    delta = tmp_path / "delta.csv"
    delta.write_text(export(LATER_EVENTS), encoding="utf-8")
    assert "0 incidents new, 0 updated, 1 unchanged" in run(
        capsys, "import", "servicenow", str(delta))[1]
    assert written() == (3, 14, 3)


def test_newer_events_do_not_overwrite_a_change_made_here(cast, servicenow_file, tmp_path,
                                                          capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    third = incident_of("INC0010003")
    actions.update_incident(third, actor=cast.agent_li, source="web",
                            expected_version=third.version, changes={"title": "打印机卡纸（三楼）"})
    later = tmp_path / "later.csv"
    later.write_text(export(EVENTS + LATER_EVENTS), encoding="utf-8")
    code, out, err = run(capsys, "import", "servicenow", str(later))
    assert code == 0
    assert "0 incidents new, 0 updated, 2 unchanged; 0 timeline events written" in out
    assert (f"INC0010003 ({third.number}): 1 newer events not applied: the incident was "
            "changed in OpsDesk since it was imported.") in err
    third.refresh_from_db()
    assert (third.title, third.status) == ("打印机卡纸（三楼）", "pending")


def test_a_dry_run_checks_everything_and_writes_nothing(cast, servicenow_file, capsys):
    code, out, err = run(capsys, "import", "servicenow", str(servicenow_file), "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        "Read 13 events of 3 tickets.",
        "Dry run, nothing written: 3 incidents would be new, 0 would get newer events, "
        "0 are unchanged; 13 timeline events would be written."]
    assert written() == (0, 0, 0)


def test_people_without_an_account_are_told_not_refused(cast, servicenow_file, capsys):
    _code, _out, err = run(capsys, "import", "servicenow", str(servicenow_file))
    assert ("incidents.csv column resolved_by: 1 name has no user here and is kept as text: "
            "Resolver 9") in err.splitlines()


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(cast, servicenow_file, capsys):
    _code, _out, err = run(capsys, "import", "servicenow", str(servicenow_file))
    assert "writing events: 13/13 (100%)" in err.splitlines()


def test_records_name_their_source(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    assert sorted(ImportedRecord.objects.values_list("source", "external_number")) == [
        ("servicenow", "INC0010001"), ("servicenow", "INC0010002"),
        ("servicenow", "INC0010003")]
    assert Team.objects.count() == 5  # nothing was created
