"""Helpers for the audit tests: incidents with a history written through the
real actions, and raw SQL that tampers with the timeline behind the
application's back, as someone with database access could."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

from opsdesk.core.models import TimelineEvent
from opsdesk.incidents import actions

from ..cli.conftest import cli_env, shared_db  # noqa: F401  (the real command's database)
from ..console.conftest import as_user  # noqa: F401  (signed-in test client)

TABLE = TimelineEvent._meta.db_table


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", TABLE), params)


def chain_of(subject) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(
        subject_type=subject.TIMELINE_TYPE, subject_id=subject.pk).order_by("seq"))


def worked(cast, frozen, title="网银系统登录缓慢"):
    """An incident logged, assigned to L2, accepted and commented on: four events."""
    incident = cast.log(title=title)
    frozen.shift(timedelta(minutes=3))
    incident = actions.assign(incident, actor=cast.agent_li, source="web", expected_version=None,
                              team=cast.l2, assignee=cast.engineer_chen, note="转二线")
    frozen.shift(timedelta(minutes=5))
    incident = actions.accept(incident, actor=cast.engineer_chen, source="web",
                              expected_version=None)
    incident = actions.comment(incident, actor=cast.engineer_chen, source="api",
                               body="正在检查负载均衡", public=True)
    return incident


@pytest.fixture
def incident(cast, frozen):
    return worked(cast, frozen)


@pytest.fixture
def cast_in_db(tx_cast, frozen):
    """A worked incident committed for real, for a command in another process."""
    return worked(tx_cast, frozen)


@pytest.fixture
def english_cli(settings):
    """`opsdesk` in this process speaks OPSDESK_LANGUAGE (settings.LANGUAGE_CODE)."""
    settings.LANGUAGE_CODE = "en"
    yield
    translation.deactivate()
