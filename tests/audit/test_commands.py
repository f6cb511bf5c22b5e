"""`opsdesk audit verify`: "OK: N records, M events" and status 0 on a clean
database; every break named and status 1 otherwise."""

from datetime import timedelta

import pytest

from opsdesk.cli import main
from opsdesk.core import timeline

from ..cli.conftest import opsdesk
from .conftest import chain_of, sql, worked

pytestmark = pytest.mark.usefixtures("english_cli")


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_clean_database_verifies(incident, cast, capsys):
    timeline.record(cast.ci, actor=None, source="cli", kind="created")
    assert run(capsys, "audit", "verify") == (0, "OK: 2 records, 5 events\n", "")
    assert run(capsys, "audit", "verify", "--type", "ci") == (0, "OK: 1 records, 1 events\n",
                                                               "")


def test_each_break_is_a_line_and_the_status_is_one(incident, cast, frozen, capsys):
    other = worked(cast, frozen, title="邮件系统无法登录")
    events, others = chain_of(incident), chain_of(other)
    sql("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    sql("UPDATE {table} SET kind = 'resolved' WHERE id = %s", [others[3].pk])
    status, out, err = run(capsys, "audit", "verify")
    assert status == 1
    assert out.splitlines() == [
        f"incident {incident.number} (#{incident.pk}): 1 event before event {events[2].pk} "
        "(no. 3) is missing: deleted.",
        f"incident {other.number} (#{other.pk}): Event {others[3].pk} (no. 4, resolved) does "
        "not match its hash: it was changed, or inserted by hand.",
    ]
    assert err == "BROKEN: 2 breaks in 2 records, 7 events\n"


def test_since_walks_only_records_active_since_then(incident, cast, frozen, capsys):
    sql("UPDATE {table} SET note = '改过' WHERE id = %s", [chain_of(incident)[0].pk])
    frozen.shift(timedelta(days=2))
    timeline.record(cast.ci, actor=None, source="cli", kind="created")
    assert run(capsys, "audit", "verify", "--since", "2026-11-25")[:2] == (
        0, "OK: 1 records, 1 events\n")
    assert run(capsys, "audit", "verify", "--since", "2026-11-23")[0] == 1


def test_bad_arguments_are_refused(db, capsys):
    status, _out, err = run(capsys, "audit", "verify", "--type", "ticket")
    assert status == 1 and err.startswith("opsdesk: --type: Choose one of: ")
    assert "incident" in err
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "audit", "verify", "--since", "23/11/2026")
    assert exit_.value.code == 2
    assert "give a date as YYYY-MM-DD" in capsys.readouterr().err


def test_verify_checks_an_export_file(incident, cast, tmp_path, capsys):
    export = tmp_path / "timeline.csv"
    status = main(["audit", "export", "--from", "2026-11-23", "--to", "2026-11-23"])
    assert status == 0
    export.write_text(capsys.readouterr().out, encoding="utf-8")
    assert run(capsys, "audit", "verify", "--file", str(export))[:2] == (
        0, "OK: 1 records, 4 events\n")
    export.write_text(export.read_text(encoding="utf-8").replace("转二线", "转三线"),
                      encoding="utf-8")
    status, out, _err = run(capsys, "audit", "verify", "--file", str(export))
    assert status == 1 and out.startswith(f"incident #{incident.pk}: Event ")


def test_the_real_command_exits_with_one_on_a_break(shared_db, cast_in_db):
    incident = cast_in_db
    assert opsdesk("audit", "verify", env=shared_db).stdout == "OK: 1 records, 4 events\n"
    sql("UPDATE {table} SET public = NOT public WHERE id = %s", [chain_of(incident)[1].pk])
    done = opsdesk("audit", "verify", env=shared_db)
    assert done.returncode == 1 and "(no. 2, assigned) does not match its hash" in done.stdout
