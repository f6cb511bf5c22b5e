"""Issue 5: the relationship form's picker offers the items whose name
starts with or contains what was typed, and the name finally sent is found
even in another case; no match or an ambiguous one is refused."""

import pytest
from django.utils import translation

from opsdesk.cmdb import lookup
from opsdesk.cmdb.models import CiRelationship
from opsdesk.core.models import ConfigurationItem, TimelineEvent


def offered(response) -> list[str]:
    return [ci.name for ci in response.context["candidates"]]


def candidates(client, ci, typed: str):
    return client.get(f"/cmdb/{ci.pk}/relationships/candidates/", {"other": typed})


def add_items(*names, **fields) -> None:
    ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=name, type_id="virtual_machine", **fields) for name in names)


def relationships_and_events() -> tuple:
    return (list(CiRelationship.objects.order_by("pk").values()),
            TimelineEvent.objects.filter(subject_type="ci").count())


def test_names_starting_with_the_text_come_first_then_names_containing_it(graph, cast,
                                                                          as_user):
    add_items("web-gw-01", "WEB-proxy")
    client = as_user(cast.engineer_chen)

    response = candidates(client, graph["db"], "web")

    assert response.status_code == 200
    assert offered(response) == ["web-gw-01", "WEB-proxy", "app-web", "vm-web-01"]
    assert offered(candidates(client, graph["db"], "VM-")) == ["vm-1", "vm-2", "vm-web-01"]


def test_each_match_shows_its_type_and_customer_and_carries_its_exact_name(graph, cast,
                                                                           as_user):
    response = candidates(as_user(cast.engineer_chen, language="zh-hans"), graph["db"],
                          "vm-web")

    html = response.content.decode()
    assert html.count('data-testid="ci-candidate"') == 1
    assert 'data-ci-candidate="vm-web-01"' in html
    assert "虚拟机" in html and "华信证券" in html


def test_short_text_matches_name_beginnings_only(graph, cast, as_user):
    client = as_user(cast.engineer_chen)

    assert offered(candidates(client, graph["db"], "eb")) == []
    assert offered(candidates(client, graph["db"], "ap")) == ["app-trade", "app-web"]


def test_retired_items_and_the_item_itself_are_not_offered(graph, cast, as_user):
    ConfigurationItem.objects.filter(name="vm-2").update(status="retired")
    client = as_user(cast.engineer_chen)

    response = candidates(client, graph["vm-1"], "vm")

    assert offered(response) == ["vm-web-01"]
    with translation.override("en"):
        nothing = candidates(client, graph["vm-1"], "vm-2")
    assert offered(nothing) == []
    assert "No matching configuration item (retired ones are not offered)." in \
        nothing.content.decode()


def test_at_most_twenty_are_offered(graph, cast, as_user):
    add_items(*(f"node-{number:02d}" for number in range(1, 31)))

    response = candidates(as_user(cast.engineer_chen), graph["db"], "node")

    assert offered(response) == [f"node-{number:02d}" for number in range(1, 21)]
    assert lookup.LIMIT == 20


def test_nothing_typed_offers_nothing(graph, cast, as_user):
    response = candidates(as_user(cast.engineer_chen), graph["db"], "   ")

    assert response.status_code == 200
    assert offered(response) == [] and response.content.decode().strip() == ""


def test_read_only_staff_may_look_items_up(graph, cast, as_user):
    response = candidates(as_user(cast.agent_li), graph["db"], "stor")

    assert offered(response) == ["storage"]


def test_requesters_and_strangers_get_no_items(graph, cast, as_user, client):
    path = f"/cmdb/{graph['db'].pk}/relationships/candidates/?other=vm"

    stranger = client.get(path)
    assert stranger.status_code == 302 and stranger.url.startswith("/login/")

    requester = as_user(cast.requester_zhao).get(path)
    assert requester.status_code == 403
    assert "vm-1" not in requester.content.decode()


def test_the_page_offers_the_picker_on_the_name_field(graph, cast, as_user):
    html = as_user(cast.engineer_chen).get(f"/cmdb/{graph['db'].pk}/").content.decode()

    assert f'hx-get="/cmdb/{graph["db"].pk}/relationships/candidates/"' in html
    assert 'name="other"' in html and "cmdb/ci_picker.js" in html


def test_a_name_in_another_case_finds_the_one_item_so_called(graph, cast, as_user):
    client = as_user(cast.engineer_chen)

    response = client.post(f"/cmdb/{graph['db'].pk}/relationships/", {
        "direction": "out", "kind": "depends_on", "other": " STORAGE "})

    assert response.status_code == 302
    assert CiRelationship.objects.filter(source=graph["db"], kind="depends_on",
                                         target=graph["storage"]).exists()


@pytest.mark.parametrize("existing, message", [
    (("vm-9", "Vm-9"), "Several configuration items are called “VM-9” apart from upper and "
                       "lower case (Vm-9, vm-9): type the exact name."),
    ((), "No configuration item is called “VM-9”."),
])
def test_a_name_that_fits_several_items_or_none_is_refused(graph, cast, as_user, existing,
                                                           message):
    add_items(*existing)
    client = as_user(cast.engineer_chen)
    before = relationships_and_events()

    response = client.post(f"/cmdb/{graph['db'].pk}/relationships/", {
        "direction": "out", "kind": "runs_on", "other": "VM-9"})

    assert response.status_code == 422
    assert response.context["relationship_form"].errors == {"other": [message]}
    assert 'data-testid="field-error-other"' in response.content.decode()
    assert relationships_and_events() == before


def test_the_refusal_is_in_chinese_by_default(graph, cast, as_user):
    client = as_user(cast.engineer_chen, language=None)

    response = client.post(f"/cmdb/{graph['db'].pk}/relationships/", {
        "direction": "out", "kind": "runs_on", "other": "不存在的主机"})

    assert response.status_code == 422
    assert "不存在的主机" in response.content.decode()
    assert "No configuration item" not in response.content.decode()
