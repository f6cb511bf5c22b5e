from opsdesk.incidents import actions
from opsdesk.incidents.choices import Status


def test_phone_incident_walks_to_closure(cast):
    incident = cast.log()
    assert incident.number == "INC-20261123-0001"
    assert incident.priority == 3
    incident = actions.assign(incident, actor=cast.agent_li, source="web",
                              expected_version=incident.version, team=cast.l2)
    incident = actions.accept(incident, actor=cast.engineer_chen, source="web",
                              expected_version=incident.version)
    incident = actions.resolve(incident, actor=cast.engineer_chen, source="web",
                               expected_version=incident.version, closure_code="workaround",
                               solution="重启了应用服务")
    assert incident.status == Status.RESOLVED and incident.needs_problem
    original, copy = actions.reject(incident, actor=cast.agent_li, source="web",
                                    expected_version=incident.version, reason="仍然很慢")
    assert original.status == Status.CLOSED and original.closure_code == "unsuccessful"
    assert copy.assignee == cast.engineer_chen and copy.status == Status.ASSIGNED
