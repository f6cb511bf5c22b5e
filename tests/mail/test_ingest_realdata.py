"""Acceptance: every real mail under ../shared/realdata/emails piped through
`opsdesk mail-ingest` (in-process, as Postfix would run it): nothing crashes,
and no bounce or auto-reply of the sisimai corpus becomes a ticket."""

import io
import sys
from pathlib import Path

import pytest

from opsdesk.cli import main
from opsdesk.mail.models import InboundMessage

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "emails"
SISIMAI = REALDATA / "sisimai_set-of-emails" / "maildir"
MAIL_SUFFIXES = {".eml", ".txt", ".msg", ".mbox"}

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="no ../shared/realdata/emails")


def real_mails() -> list[Path]:
    return sorted(path for path in REALDATA.rglob("*")
                  if path.is_file() and path.suffix.lower() in MAIL_SUFFIXES)


def pipe(path: Path, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    return main(["mail-ingest", "--mailbox", "servicedesk"])


def test_every_real_mail_is_stored_and_no_bounce_becomes_a_ticket(mailbox, settings,
                                                                   monkeypatch, capsys):
    settings.OPSDESK_MAIL_RATE_PER_HOUR = 100_000
    failures, bounces_with_tickets, stored = [], [], 0
    for path in real_mails():
        if not path.read_bytes().strip():
            continue
        before = InboundMessage.objects.count()
        status = pipe(path, monkeypatch)
        if status != 0:
            failures.append((path.relative_to(REALDATA), status, capsys.readouterr().err))
            continue
        stored += 1
        if InboundMessage.objects.count() == before:
            continue  # the same Message-ID seen in another file
        inbound = InboundMessage.objects.latest("pk")
        # sisimai's "not" folder holds its samples of ordinary mail.
        if path.is_relative_to(SISIMAI) and path.parent.name != "not" and inbound.incident_id:
            bounces_with_tickets.append(f"{path.relative_to(REALDATA)}: {inbound.subject!r}")

    assert failures == []
    assert bounces_with_tickets == []
    assert stored > 1000
