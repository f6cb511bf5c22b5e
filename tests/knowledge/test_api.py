"""The articles API: search, read, create, edit, review and record a use,
each with its permission and bad-input cases."""

from opsdesk.knowledge.models import Article, ArticleUse
from tests.api.conftest import Api, assert_error, in_progress

from .conftest import published, write


def test_search_returns_the_best_match_first(cast):
    in_body = published(cast.agent_li, cast.lead_wang, "网络故障", symptoms="影响打印机")
    in_title = published(cast.agent_li, cast.lead_wang, "打印机卡纸")

    response = Api(cast.agent_li).get("/articles", {"q": "打印机"})

    assert response.status_code == 200
    assert [item["number"] for item in response.json()["items"]] == [in_title.number,
                                                                      in_body.number]


def test_requesters_read_reviewed_articles_without_internal_details(cast):
    article = published(cast.agent_li, cast.lead_wang, "打印机卡纸")
    draft = write(cast.agent_li, "打印机驱动")
    api = Api(cast.requester_zhao)

    listed = api.get("/articles").json()["items"]
    assert [item["number"] for item in listed] == [article.number]
    body = api.get(f"/articles/{article.number}").json()
    assert (body["status"], body["author"], body["reviewer"]) == ("reviewed", None, None)
    assert_error(api.get(f"/articles/{draft.number}"), 404, "not_found")
    assert_error(api.post("/articles", {"title": "x", "solution": "y"}), 403, "forbidden")


def test_create_names_tags_and_refuses_bad_input(cast):
    api = Api(cast.agent_li)

    response = api.post("/articles", {"title": "VPN 证书过期", "solution": "更新证书",
                                      "cis": ["vm-web-01"], "services": ["cloud-vm"],
                                      "category": "虚拟机磁盘变更"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["cis"], body["services"], body["author"]) == (
        "KB-00001", "draft", ["vm-web-01"], ["云主机服务"], "agent_li")

    assert_error(api.post("/articles", {"title": "", "solution": "", "cis": ["nope"]}),
                 422, "invalid", ["cis"])
    assert_error(api.post("/articles", {"title": "", "solution": ""}), 422, "invalid",
                 ["title", "solution"])
    assert_error(api.post("/articles", {"title": "x", "solution": "y", "extra": 1}), 422,
                 "invalid", ["extra"])
    assert Article.objects.count() == 1
    assert_error(Api().get("/articles"), 401, "not_authenticated")


def test_review_through_the_api_follows_the_rules(cast):
    article = write(cast.agent_li, "打印机卡纸")
    number = article.number

    assert_error(Api(cast.agent_li).post(f"/articles/{number}/review",
                                         {"version": 1, "decision": "approve"}),
                 403, "forbidden")
    assert_error(Api(cast.lead_wang).post(f"/articles/{number}/review",
                                          {"version": 7, "decision": "approve"}),
                 409, "version_conflict")
    assert_error(Api(cast.lead_wang).post(f"/articles/{number}/review",
                                          {"version": 1, "decision": "maybe"}),
                 422, "invalid", ["decision"])
    response = Api(cast.lead_wang).post(f"/articles/{number}/review",
                                        {"version": 1, "decision": "approve"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reviewer"]) == ("reviewed", "lead_wang")


def test_edit_through_the_api(cast):
    article = published(cast.agent_li, cast.lead_wang, "打印机卡纸")

    response = Api(cast.agent_li).patch(f"/articles/{article.number}",
                                        {"version": article.version, "cause": "搓纸轮老化"})

    assert response.status_code == 200, response.content
    assert (response.json()["cause"], response.json()["status"]) == ("搓纸轮老化", "draft")


def test_record_a_use_on_an_incident(cast):
    article = published(cast.agent_li, cast.lead_wang, "网银登录缓慢处理")
    incident = in_progress(cast)
    api = Api(cast.engineer_chen)

    response = api.post(f"/articles/{article.number}/uses", {"incident": incident.number})
    assert response.status_code == 201, response.content
    assert response.json()["incident"] == incident.number
    assert_error(api.post(f"/articles/{article.number}/uses", {"incident": incident.number}),
                 422, "invalid", ["article"])
    assert_error(api.post(f"/articles/{article.number}/uses", {"incident": "INC-20990101-0001"}),
                 404, "not_found")
    assert ArticleUse.objects.count() == 1
