"""`opsdesk check`: liveness readings, exit status 1 when one is wrong."""

from datetime import timedelta

from django.db import transaction
from django.utils import translation

from opsdesk.core import outbox
from opsdesk.core.health import Reading, readings
from opsdesk.core.models import NotificationTarget

from .conftest import deliver_all, opsdesk


def _queue(cast, recipients):
    incident = cast.log()
    with transaction.atomic():
        return outbox.enqueue(incident, event="escalated", recipients=recipients,
                              context={"incident": incident, "reason": "—"})


def _dead_letter(cast) -> None:
    hook = NotificationTarget.objects.create(name="hook", kind="webhook",
                                             url="http://127.0.0.1:9/")
    _queue(cast, [hook])
    hook.enabled = False
    hook.save()
    assert deliver_all() == 1  # dead at once: the target was disabled


def test_readings_count_the_backlog_its_age_and_the_dead(cast, frozen, settings):
    settings.OPSDESK_CHECK_MAX_DELAY_MINUTES = 15
    with translation.override("en"):
        assert readings() == [
            Reading("Notifications waiting to be sent", "0", ok=True),
            Reading("Oldest undelivered notification", "none", ok=True,
                    hint="older than 15 minutes: is the worker running and the mail server "
                         "reachable?"),
            Reading("Dead notifications", "0", ok=True,
                    hint="see Notifications in the admin; retry them there"),
            Reading("Incidents overdue but not escalated", "0", ok=True,
                    hint="is the worker running?"),
        ]
        _dead_letter(cast)
        frozen.shift(timedelta(minutes=1))
        _queue(cast, [cast.engineer_chen, cast.lead_wang])

        frozen.shift(timedelta(minutes=15))
        backlog, age, dead, overdue = readings()
        # The first response fell due at 10:15 and it is 10:16: not yet a minute late.
        assert (overdue.value, overdue.ok) == ("0", True)
        assert (backlog.value, backlog.ok) == ("2", True)
        assert (age.value, age.ok) == ("15\xa0minutes", True)
        assert (dead.value, dead.ok) == ("1", False)

        frozen.shift(timedelta(minutes=1))
        assert readings()[1].ok is False


def test_check_on_a_quiet_outbox_says_ok_and_exits_0(shared_db):
    result = opsdesk("check", env=shared_db)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[OK] Notifications waiting to be sent: 0",
        "[OK] Oldest undelivered notification: none",
        "[OK] Dead notifications: 0",
        "[OK] Incidents overdue but not escalated: 0",
    ]


def test_check_fails_on_an_old_backlog_and_dead_letters(tx_cast, shared_db):
    _dead_letter(tx_cast)
    # Queued at the frozen test time, a day before the subprocess's real clock.
    _queue(tx_cast, [tx_cast.engineer_chen])

    result = opsdesk("check", env={**shared_db, "OPSDESK_CHECK_MAX_DELAY_MINUTES": "30"})

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "[OK] Notifications waiting to be sent: 1"
    assert lines[1].startswith("[WRONG] Oldest undelivered notification: 1\xa0day")
    assert lines[1].endswith("(older than 30 minutes: is the worker running and the mail "
                             "server reachable?)")
    assert lines[2] == ("[WRONG] Dead notifications: 1 "
                        "(see Notifications in the admin; retry them there)")
    # Both incidents were logged a day ago, and no sweep has run since.
    assert lines[3] == "[WRONG] Incidents overdue but not escalated: 2 (is the worker running?)"
    assert result.stderr == "opsdesk: 3 readings are wrong.\n"


def test_check_on_a_database_without_tables_asks_for_migrate(cli_env):
    result = opsdesk("check", env=cli_env)

    assert result.returncode == 1
    assert "Run “opsdesk migrate” first" in result.stderr
