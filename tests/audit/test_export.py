"""The timeline of a period as CSV (with BOM) and JSON Lines, from the web,
the API and the command line: every event of the period and no other, with
the fields and hashes to re-check it offline."""

import csv
import io
import json
from datetime import timedelta

import pytest

from opsdesk.audit import offline
from opsdesk.cli import main
from opsdesk.core import chain, timeline

from ..api.conftest import Api
from .conftest import chain_of, worked

PERIOD = {"from": "2026-11-23", "to": "2026-11-23"}


@pytest.fixture
def history(cast, frozen):
    """Yesterday's incident (not in PERIOD), today's two incidents and a CI."""
    frozen.shift(timedelta(days=-1))
    yesterday = worked(cast, frozen, title="昨天的事件")
    frozen.shift(timedelta(days=1))
    today = [worked(cast, frozen), worked(cast, frozen, title="邮件系统无法登录")]
    timeline.record(cast.ci, actor=cast.lead_wang, source="web", kind="updated",
                    changes={"location": ["上海一号机房", "上海二号机房"]}, note="机房搬迁")
    return yesterday, today


def download(client, **params) -> str:
    response = client.get("/audit/export/", params)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_has_a_bom_and_every_event_of_the_period(history, as_user, cast):
    _yesterday, today = history
    text = download(as_user(cast.lead_wang), **PERIOD)
    assert text.startswith("\ufeffid,subject_type,subject_id,record,seq,at,")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    expected = [event.pk for incident in today for event in chain_of(incident)]
    expected += [event.pk for event in chain_of(cast.ci)]
    assert sorted(int(row["id"]) for row in rows) == sorted(expected)
    ci_row = rows[-1]
    assert (ci_row["record"], ci_row["actor"], ci_row["note"]) == ("vm-web-01", "lead_wang",
                                                                   "机房搬迁")
    assert json.loads(ci_row["changes"]) == {"location": ["上海一号机房", "上海二号机房"]}
    assert rows[0]["record"] == today[0].number
    assert offline.check_file(text.encode()).ok


def test_jsonl_of_one_type_checks_offline(history, as_user, cast):
    text = download(as_user(cast.lead_wang), format="jsonl", type="ci", **PERIOD)
    [row] = [json.loads(line) for line in text.splitlines()]
    event = chain_of(cast.ci)[0]
    assert row["hash"] == event.hash and row["previous_hash"] == "" and row["seq"] == 1
    assert row["at"] == chain.utc_text(event.at) == "2026-11-23T02:24:00.000000Z"
    assert offline.check_file(text.encode()).ok


def test_an_export_edited_afterwards_fails_the_offline_check(history, as_user, cast):
    text = download(as_user(cast.lead_wang), format="jsonl", **PERIOD)
    edited = text.replace("正在检查负载均衡", "一切正常", 1)
    report = offline.check_file(edited.encode())
    assert [b.kind for b in report.breaks] == ["comment"]
    rows = text.splitlines()
    del rows[1]
    [gap] = offline.check_file("\n".join(rows).encode()).breaks
    assert (gap.problem, gap.missing, gap.seq) == ("missing", 1, 3)


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-11-23"}, "to"),
    ({"from": "23.11.2026", "to": "2026-11-23"}, "from"),
    ({"from": "2026-11-24", "to": "2026-11-23"}, "to"),
    ({**PERIOD, "type": "ticket"}, "type"),
    ({**PERIOD, "format": "xlsx"}, "format"),
])
def test_bad_parameters_are_explained(cast, as_user, params, field):
    response = as_user(cast.lead_wang).get("/audit/export/", params)
    assert response.status_code == 422
    assert f"<li>{field}: " in response.content.decode()


def test_the_export_form_and_its_permissions(cast, as_user):
    assert 'data-testid="export-form"' in as_user(cast.lead_wang).get(
        "/audit/export/").content.decode()
    assert as_user(cast.agent_li).get("/audit/export/", PERIOD).status_code == 403
    assert as_user(cast.requester_zhao).get("/audit/export/", PERIOD).status_code == 403


# ------------------------------------------------------------------ API


def test_the_api_pages_through_the_period(history, cast):
    _yesterday, today = history
    api = Api(cast.lead_wang)
    first = api.get("/audit/events", {**PERIOD, "limit": 5})
    assert first.status_code == 200, first.content
    body = first.json()
    assert len(body["items"]) == 5 and body["next_cursor"]
    rest = api.get("/audit/events", {**PERIOD, "limit": 100, "cursor": body["next_cursor"]})
    items = body["items"] + rest.json()["items"]
    assert rest.json()["next_cursor"] is None
    assert len(items) == 9 and [item["id"] for item in items] == sorted(
        item["id"] for item in items)
    one = api.get("/audit/events", {**PERIOD, "type": "incident", "id": today[1].pk}).json()
    assert [item["seq"] for item in one["items"]] == [1, 2, 3, 4]
    assert one["items"][1]["previous_hash"] == one["items"][0]["hash"]
    assert one["items"][0]["actor"] == "agent_li"


def test_the_api_wants_a_token_an_auditor_and_good_input(cast):
    assert Api().get("/audit/events", PERIOD).status_code == 401
    refused = Api(cast.agent_li).get("/audit/events", PERIOD)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert Api(cast.requester_zhao).get("/audit/events", PERIOD).status_code == 403
    auditor = Api(cast.lead_wang)
    for params, field in [({"from": "2026-11-23"}, "to"),
                          ({"from": "yesterday", "to": "2026-11-23"}, "from"),
                          ({**PERIOD, "limit": 0}, "limit"),
                          ({**PERIOD, "type": "ticket"}, "type"),
                          ({"from": "2026-11-24", "to": "2026-11-23"}, "to")]:
        response = auditor.get("/audit/events", params)
        assert response.status_code == 422, params
        assert field in response.json()["fields"], response.json()


# ------------------------------------------------------------------ CLI


def test_the_command_exports_what_the_web_does(history, as_user, cast, capfdbinary):
    web = download(as_user(cast.lead_wang), format="jsonl", **PERIOD)
    status = main(["audit", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                   "--format", "jsonl"])
    out = capfdbinary.readouterr().out.decode()
    assert status == 0 and out == web
