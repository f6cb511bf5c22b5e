"""Issue 6: the KPI snapshots in the admin: what the worker collected when,
and "collect again" after tickets were corrected."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from opsdesk.core.models import User
from opsdesk.reports import kpi_snapshots
from opsdesk.reports.kpi_snapshot_models import KpiSnapshot

from .dashboard_helpers import run
from .kpi_helpers import Records, at

CHANGELIST = reverse("admin:reports_kpisnapshot_changelist")


@pytest.fixture(autouse=True)
def whole_service_only(settings):
    """One scope per month is enough here: the whole service."""
    settings.OPSDESK_KPI_BREAKDOWNS = ()


@pytest.fixture
def collected(cast):
    """Two October incidents, and every snapshot of the trend collected."""
    records = Records(cast)
    records.resolved(at(10, 2), 3)
    records.resolved(at(10, 3), 5)
    while kpi_snapshots.collect_one() is not None:
        pass
    return records


@pytest.fixture
def admin_client(client, cast):
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    client.cookies["django_language"] = "en"
    return client


def snapshot(month: int, year: int = 2026) -> KpiSnapshot:
    return KpiSnapshot.objects.get(month=f"{year}-{month:02d}-01", scope="")


def october_total(cast) -> tuple[str, str]:
    """The management dashboard's total of October, and its note."""
    with translation.override("en"):
        panel = run("kpi_scorecard", cast.leader_ma, period="month", year=2026, month=10)
    return panel.rows[0][1].text, panel.note


def collect_again(client, *snapshots):
    return client.post(CHANGELIST, {"action": "collect_again",
                                    "_selected_action": [row.pk for row in snapshots]},
                       follow=True)


def test_the_list_shows_month_scope_collection_time_and_figures(collected, admin_client):
    KpiSnapshot.objects.create(month="2026-12-01", scope="team=7")

    page = admin_client.get(CHANGELIST)

    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-10" in html and "2025-12" in html and "2026-12" in html
    assert "whole service" in html and "team=7" in html
    assert html.count('alt="True"') == 12 and html.count('alt="False"') == 1
    assert "Collect the selected snapshots again" in html


def test_collect_again_reads_live_until_the_worker_has_collected_anew(collected, cast,
                                                                      admin_client):
    collected.resolved(at(10, 20), 2)  # a correction after the collection
    assert october_total(cast)[0] == "2"  # the snapshot's figure
    november_before = snapshot(11).collected_at

    response = collect_again(admin_client, snapshot(10))

    assert response.status_code == 200
    assert "1 snapshot will be collected again by the worker" in response.content.decode()
    assert snapshot(10).collected_at is None
    assert snapshot(11).collected_at == november_before
    total, note = october_total(cast)
    assert total == "3" and "Figures as of" not in note  # computed live meanwhile
    assert LogEntry.objects.get().object_id == str(snapshot(10).pk)

    assert str(kpi_snapshots.collect_one()) == "2026-10 *"
    assert kpi_snapshots.collect_one() is None
    total, note = october_total(cast)
    assert total == "3" and "Figures as of 2026-11-23 10:00." in note


def test_snapshots_older_than_the_trend_are_said_to_be_computed_live(collected, admin_client):
    old = KpiSnapshot.objects.create(month="2025-01-01", scope="", figures=[],
                                     collected_at=snapshot(10).collected_at)

    response = collect_again(admin_client, old, snapshot(9))

    html = response.content.decode()
    assert "1 snapshot will be collected again by the worker" in html
    assert "1 snapshot is older than the twelve-month trend" in html
    old.refresh_from_db()
    assert old.collected_at is None
    assert str(kpi_snapshots.collect_one()) == "2026-09 *"
    assert kpi_snapshots.collect_one() is None


def test_staff_who_may_only_view_get_no_action(collected, client):
    viewer = User.objects.create_user("auditor", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_kpisnapshot"))
    client.force_login(viewer)
    before = list(KpiSnapshot.objects.order_by("pk").values_list("collected_at", flat=True))

    page = client.get(CHANGELIST)
    collect_again(client, snapshot(10))

    assert page.status_code == 200 and "collect_again" not in page.content.decode()
    assert list(KpiSnapshot.objects.order_by("pk").values_list("collected_at", flat=True)) \
        == before


def test_snapshots_cannot_be_added_edited_or_deleted(collected, admin_client):
    october = snapshot(10)

    assert admin_client.get(reverse("admin:reports_kpisnapshot_add")).status_code == 403
    change = reverse("admin:reports_kpisnapshot_change", args=[october.pk])
    assert admin_client.post(change, {"collected_at": ""}).status_code == 403
    delete = reverse("admin:reports_kpisnapshot_delete", args=[october.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert snapshot(10).collected_at is not None
