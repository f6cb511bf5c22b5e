"""What is wrong with an export is reported with its line numbers, unknown
values with their column and count, and nothing is written."""

import pytest

from opsdesk.core.models import Category, ConfigurationItem, Team, TimelineEvent

from .conftest import EVENTS, export, incident_of, row, run, written

pytestmark = pytest.mark.usefixtures("english")


def test_malformed_rows_are_reported_with_their_line(cast, tmp_path, capsys):
    text = export(EVENTS, extra_rows=[
        row("INC0010003", "Resolved", "服务台", "?", 0, 0, "31/2/2026 10:00", "agent_li"),
        row("INC0010003", "Closed", "服务台", "?", "x", 0, "7/11/2026 10:00", "agent_li",
            made_sla="maybe", closed_code="Solved (Permanently)"),
    ])
    text += "INC0010003,Closed,false\n"
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "import", "servicenow", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "broken.csv line 15: sys_updated_at: “31/2/2026 10:00” is not a date and time "
        "(expected %d/%m/%Y %H:%M / %d/%m/%Y %H:%M:%S / %Y-%m-%d %H:%M:%S / ISO 8601)",
        "broken.csv line 16: reassignment_count: “x” is not a whole number",
        "broken.csv line 16: made_sla: “maybe” is not true or false",
        "broken.csv line 17: 3 cells where the header has 36",
        "4 problems; nothing was imported.",
    ]
    assert written() == (0, 0, 0)


def test_unknown_values_are_reported_never_guessed(cast, tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    path.write_text(export(EVENTS, extra_rows=[
        row("INC0010003", "Awaiting Evidence", "Group 70", "?", 1, 0, "5/11/2026 10:00", "x",
            category="Category 55", subcategory="Subcategory 170"),
        row("INC0010003", "Awaiting Evidence", "Group 70", "?", 1, 0, "5/11/2026 11:00", "x",
            category="Category 55", subcategory="Subcategory 170", contact_type="Walk-in"),
    ]), encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(path))
    assert code == 1
    assert err.splitlines() == [
        "unknown.csv unknown category “Category 55 / Subcategory 170” in column "
        "category+subcategory: lines 15, 16 (2 rows)",
        "unknown.csv unknown channel “Walk-in” in column contact_type: line 16 (1 row)",
        "unknown.csv unknown status “Awaiting Evidence” in column incident_state: lines 15, 16 "
        "(2 rows)",
        "unknown.csv unknown team “Group 70” in column assignment_group: lines 15, 16 (2 rows)",
        "4 problems; nothing was imported.",
        "Map unknown values in a mapping file (--mapping), or let --create-missing create "
        "categories, teams and CIs.",
    ]
    assert written() == (0, 0, 0)


def test_a_mapping_file_maps_them_and_create_missing_creates_the_rest(cast, tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    path.write_text(export(EVENTS, extra_rows=[
        row("INC0010003", "Awaiting Evidence", "Group 70", "?", 1, 0, "5/11/2026 10:00", "x",
            category="Category 55", subcategory="Subcategory 170", cmdb_ci="cmdb_ci 31"),
    ]), encoding="utf-8")
    mapping = tmp_path / "ours.toml"
    mapping.write_text('[values.status]\n"Awaiting Evidence" = "pending:requester"\n'
                       '[values.team]\n"Group 70" = "三线专家组"\n', encoding="utf-8")
    code, out, err = run(capsys, "import", "servicenow", str(path), "--mapping", str(mapping),
                         "--create-missing")
    assert code == 0, err
    assert "Created 2 categories, 0 teams and 1 configuration items." in out
    third = incident_of("INC0010003")
    assert (third.status, third.waiting_on, third.team) == ("pending", "requester", cast.l3)
    assert str(third.category) == "Category 55 / Subcategory 170"
    assert third.ci == ConfigurationItem.objects.get(name="cmdb_ci 31")
    assert Category.objects.filter(name="Category 55", parent=None).exists()
    assert Team.objects.count() == 5
    # The new CI's own history says where it came from.
    assert TimelineEvent.objects.filter(subject_type="ci", subject_id=third.ci_id,
                                        kind="ci_created", source="import").count() == 1


def test_a_dry_run_with_create_missing_counts_what_it_would_create(cast, tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    path.write_text(export(EVENTS, extra_rows=[
        row("INC0010003", "Active", "Group 70", "?", 1, 0, "5/11/2026 10:00", "x")]),
        encoding="utf-8")
    code, out, _err = run(capsys, "import", "servicenow", str(path), "--create-missing",
                          "--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == ("Would create 0 categories, 1 teams and 0 configuration "
                                    "items.")
    assert (written(), Team.objects.count()) == ((0, 0, 0), 5)


def test_a_closed_ticket_needs_a_closure_code(cast, tmp_path, capsys):
    path = tmp_path / "nocode.csv"
    path.write_text(export(EVENTS, extra_rows=[
        row("INC0010003", "Closed", "服务台", "?", 0, 0, "7/11/2026 10:00", "agent_li")]),
        encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(path))
    assert code == 1
    assert err.splitlines()[0] == (
        "nocode.csv line 15: closed_code: ticket INC0010003 is closed without a closure code; "
        "map one, or give a default in the mapping ([defaults] closure_code = …)")


@pytest.mark.parametrize(("toml", "message"), [
    ("[fields\n", "The mapping is not valid TOML"),
    ("colour = 1\n", "Mapping: unknown key “colour”."),
    ("[fields]\nmood = \"x\"\n", "Mapping: unknown field “mood”."),
    ("[create]\nteam_tier = \"l9\"\n", "Mapping: create.team_tier must be one of"),
])
def test_a_bad_mapping_is_refused_before_reading(cast, servicenow_file, tmp_path, capsys,
                                                 toml, message):
    mapping = tmp_path / "bad.toml"
    mapping.write_text(toml, encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(servicenow_file), "--mapping",
                          str(mapping))
    assert code == 1
    assert err.startswith(f"opsdesk: incidents.csv: {message}")
    assert written() == (0, 0, 0)


def test_a_file_without_a_needed_column_is_refused(cast, tmp_path, capsys):
    path = tmp_path / "short.csv"
    path.write_text("number,incident_state\nINC1,New\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(path))
    assert code == 1
    assert err == ("opsdesk: short.csv: Columns missing from the header: contact_type, impact, "
                   "opened_at, sys_updated_at, urgency.\n")
    assert written() == (0, 0, 0)


def test_other_mapped_columns_may_be_absent_and_read_as_empty(cast, tmp_path, capsys):
    path = tmp_path / "narrow.csv"
    path.write_text("number,incident_state,contact_type,impact,urgency,opened_at,sys_updated_at\n"
                    "INC1,New,Phone,3 - Low,3 - Low,1/11/2026 10:00,1/11/2026 10:01\n",
                    encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(path))
    assert code == 0, err
    assert any(line.startswith("narrow.csv columns not in the file, read as empty: "
                               "assigned_to, assignment_group, ") for line in err.splitlines())
    assert (incident_of("INC1").title, incident_of("INC1").priority) == ("INC1", 4)
