"""Imported history feeds the KPIs (issue 6 item 5): what the source tool
recorded and OpsDesk has no incident field for — knowledge used, re-opened —
counts as if it had happened here."""

from decimal import Decimal

import pytest

from opsdesk.knowledge.models import Article, ArticleUse
from tests.imports.conftest import EVENTS, export, incident_of, run

from .kpi_helpers import NOVEMBER, at, numbers, pct, rows


@pytest.fixture
def imported(cast, tmp_path, capsys):
    """The importer's three November tickets: INC0010001 used knowledge,
    INC0010002 was re-opened once in ServiceNow, INC0010003 neither."""
    path = tmp_path / "incidents.csv"
    path.write_text(export(EVENTS), encoding="utf-8")
    code, _out, err = run(capsys, "import", "servicenow", str(path))
    assert code == 0, err
    return {number: incident_of(number).number
            for number in ("INC0010001", "INC0010002", "INC0010003")}


def test_imported_incidents_are_in_the_total(imported):
    assert numbers("incidents_total") == (Decimal(3), 3, None)
    assert rows("incidents_total") == set(imported.values())


def test_knowledge_use_counts_what_the_source_recorded(imported):
    assert numbers("knowledge_use_rate") == (pct(1, 3), 1, 3)
    assert rows("knowledge_use_rate") == {imported["INC0010001"]}


def test_knowledge_used_here_and_in_the_source_counts_once(imported, cast):
    article = Article.objects.create(
        number="KB-0001", title="清理数据盘", solution="删除旧日志", author=cast.engineer_chen,
        edited_by=cast.engineer_chen, created_at=at(10, 1), updated_at=at(10, 1))
    for number in ("INC0010001", "INC0010003"):
        incident = incident_of(number)
        ArticleUse.objects.create(incident=incident, article=article, user=cast.engineer_chen,
                                  at=incident.occurred_at)
    assert numbers("knowledge_use_rate") == (pct(2, 3), 2, 3)
    assert rows("knowledge_use_rate") == {imported["INC0010001"], imported["INC0010003"]}


def test_a_ticket_the_source_reopened_is_not_resolved_first_time(imported):
    # (tickets − re-opened) / tickets = (3 − 1) / 3.
    assert numbers("first_time_resolution_rate") == (pct(2, 3), 2, 3)
    assert rows("first_time_resolution_rate") == {imported["INC0010001"],
                                                  imported["INC0010003"]}
    assert rows("first_time_resolution_rate", part="denominator") == set(imported.values())


def test_a_ticket_reopened_several_times_is_one_reopened_ticket(imported):
    record = incident_of("INC0010002").imported
    record.reopen_count = 4
    record.save(update_fields=["reopen_count"])
    assert numbers("first_time_resolution_rate", NOVEMBER)[1:] == (2, 3)
