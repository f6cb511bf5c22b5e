from datetime import timedelta

from django.contrib.auth import authenticate

from opsdesk.core.models import TimelineEvent, User
from opsdesk.demo import load_demo
from opsdesk.incidents.choices import Channel, ClosureCode, Kind, Status
from opsdesk.incidents.models import Incident
from opsdesk.knowledge.models import Article
from opsdesk.knowledge.search import search_articles

from ..conftest import FROZEN_AT
from .conftest import opsdesk


def _counts() -> tuple[int, int, int]:
    return Incident.objects.count(), User.objects.count(), TimelineEvent.objects.count()


def test_demo_twice_changes_nothing_the_second_time(shared_db):
    first = opsdesk("demo", env=shared_db, timeout=300)
    assert first.returncode == 0, first.stderr
    loaded = _counts()
    second = opsdesk("demo", env=shared_db, timeout=300)

    assert second.returncode == 0, second.stderr
    assert _counts() == loaded
    assert loaded[0] >= 300
    assert "already loaded; nothing changed" in second.stdout
    assert "agent_li" in second.stdout and "opsdesk" in second.stdout


def test_demo_covers_every_status_closure_code_channel_and_kind(db, frozen):
    load_demo()

    incidents = Incident.objects.all()
    assert set(incidents.values_list("status", flat=True)) == set(Status.values)
    closed = incidents.filter(status=Status.CLOSED)
    assert set(closed.values_list("closure_code", flat=True)) == set(ClosureCode.values)
    assert set(incidents.values_list("channel", flat=True)) == set(Channel.values)
    assert set(incidents.values_list("kind", flat=True)) == set(Kind.values)
    assert incidents.filter(duplicate_of__isnull=False).exists()
    assert incidents.filter(copied_from__isnull=False).exists()
    assert incidents.filter(priority_override__isnull=False).exists()
    assert incidents.filter(team__tier="vendor").exists()
    articles = Article.objects.all()
    assert sorted(articles.values_list("status", flat=True)) == ["draft"] + ["reviewed"] * 5
    reviewed = articles.filter(status="reviewed").first()
    requester = User.objects.get(username="requester_zhao")
    assert reviewed in search_articles(reviewed.title, user=requester, limit=3)


def test_demo_spreads_two_months_of_real_timelines_and_documents_its_logins(db, frozen):
    load_demo()

    registered = Incident.objects.values_list("registered_at", flat=True)
    assert min(registered) >= FROZEN_AT - timedelta(days=61)
    assert max(registered) < FROZEN_AT
    assert max(registered) - min(registered) > timedelta(days=45)
    logged = TimelineEvent.objects.filter(subject_type="incident", kind="logged")
    assert logged.count() == Incident.objects.count()
    for incident in Incident.objects.filter(status=Status.CLOSED)[:50]:
        events = TimelineEvent.objects.filter(subject_type="incident", subject_id=incident.pk)
        assert list(events.order_by("id").values_list("at", flat=True)) == sorted(
            events.values_list("at", flat=True))
        assert events.filter(kind="logged").get().at == incident.registered_at
        assert incident.closed_at <= FROZEN_AT
    for username in ("admin", "agent_li", "engineer_chen", "lead_wang", "requester_zhao"):
        assert authenticate(username=username, password="opsdesk") is not None
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="requester_zhao").customer.is_vip
    assert not User.objects.get(username="monitoring").has_usable_password()
