"""The calls linked to an incident show on its page."""

from opsdesk.calls.actions import CallDraft, record_calls


def test_the_incident_page_lists_its_calls(cast, as_user):
    incident = cast.log()
    record_calls([CallDraft(source="avaya", external_id="C-9", offered_at=incident.registered_at,
                            answer_seconds=7, caller_name="赵敏", agent="agent_li",
                            incident=incident.number)], actor=cast.agent_li)
    page = as_user(cast.agent_li).get(incident.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="calls"' in html and "7 seconds" in html and "avaya · C-9" in html


def test_an_incident_without_calls_shows_no_calls_section(cast, as_user):
    incident = cast.log()
    html = as_user(cast.agent_li).get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="calls"' not in html
