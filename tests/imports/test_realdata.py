"""Acceptance: the UCI ServiceNow event-log sample (../shared/realdata,
outside the repository; skipped where absent) imports, and every incident's
state sequence and counts match the file, read here independently."""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from opsdesk.core.models import TimelineEvent
from opsdesk.imports.models import ImportedRecord

from .conftest import run, written

SAMPLE = (Path(__file__).resolve().parents[3] / "shared" / "realdata" / "eventlogs"
          / "uci_servicenow_incident_sample" / "incident_event_log_first3000.csv")
STATES = {"New": "new", "Active": "in_progress", "Awaiting User Info": "pending:requester",
          "Awaiting Vendor": "pending:vendor", "Awaiting Problem": "pending",
          "Resolved": "resolved", "Closed": "closed"}
# The sample anonymises its closure codes ("code 1" … "code 17"): which is
# which cannot be known, so the site decides; two closed tickets have none.
MAPPING = "\n".join(["[values.closure_code]",
                     *(f'"code {n}" = "successful"' for n in range(1, 18)),
                     "[defaults]", 'closure_code = "unsuccessful"'])

pytestmark = [pytest.mark.acceptance, pytest.mark.usefixtures("english"),
              pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/realdata is not here")]


def source_tickets() -> dict[str, list[dict]]:
    tickets = defaultdict(list)
    with SAMPLE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            tickets[row["number"]].append(row)
    return tickets


def imported_states() -> dict[int, list[str]]:
    """Each incident's status after each of its imported events."""
    states, now = defaultdict(list), {}
    for subject_id, changes in TimelineEvent.objects.filter(
            subject_type="incident", kind="imported").order_by("id").values_list(
            "subject_id", "changes"):
        current = now.setdefault(subject_id, {"status": None, "waiting_on": None})
        for name in current:
            if name in changes:
                current[name] = changes[name][1]
        states[subject_id].append(
            current["status"] + (f":{current['waiting_on']}" if current["waiting_on"] else ""))
    return states


def test_the_uci_sample_imports_with_every_state_and_count(cast, tmp_path, capsys):
    mapping = tmp_path / "uci.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    code, out, err = run(capsys, "import", "servicenow", str(SAMPLE), "--mapping", str(mapping),
                         "--create-missing")
    assert code == 0, err
    tickets = source_tickets()
    assert f"Read 3000 events of {len(tickets)} tickets." in out
    assert written() == (len(tickets), 3000 + 1, len(tickets))  # + the created CI's event
    states = imported_states()
    records = ImportedRecord.objects.select_related("incident")
    assert records.count() == len(tickets)
    for record in records:
        rows = tickets[record.external_number]
        assert states[record.incident_id] == [STATES[row["incident_state"]] for row in rows], \
            record.external_number
        assert record.incident.reassignment_count == int(rows[-1]["reassignment_count"])
        assert record.reopen_count == int(rows[-1]["reopen_count"])
        assert record.used_knowledge == (rows[-1]["knowledge"] == "true")
        assert record.incident.resolve_breached == (rows[-1]["made_sla"] == "false")

    before = written()
    code, out, _err = run(capsys, "import", "servicenow", str(SAMPLE), "--mapping",
                          str(mapping), "--create-missing")
    assert code == 0
    assert f"0 incidents new, 0 updated, {len(tickets)} unchanged" in out
    assert written() == before
