"""Sign-in by e-mailed one-time link: single use, expiry, the same answer
for every address, a rate limit per address, and only digests stored."""

import re
from datetime import timedelta

from django.urls import reverse

from opsdesk.core.models import Notification
from opsdesk.portal.models import SignInLink
from opsdesk.portal.signin import PurgeSignInLinks

from .pages import without_csrf_tokens

LINK = re.compile(r"http://\S+/portal/login/link/(\S+)/")


def ask(client, address: str):
    return client.post(reverse("portal:signin"), {"email": address})


def page_text(response) -> str:
    """The page without what differs by design: the address and CSRF tokens."""
    text = response.content.decode().replace(response.context["email"], "ADDRESS")
    return without_csrf_tokens(text)


def mailed_token(address: str) -> str:
    mail = Notification.objects.get(address=address, event="signin_link")
    return LINK.search(mail.body)[1]


def follow(visitor, token: str):
    return visitor.post(reverse("portal:signin_link", args=[token]))


def signed_in_as(visitor) -> str | None:
    page = visitor.get(reverse("portal:home"))
    return page.context["user"].username if page.status_code == 200 else None


def test_a_requester_gets_a_link_that_signs_them_in_once(cast, visitor):
    response = ask(visitor, "Requester_Zhao@Example.com")
    assert response.status_code == 200
    token = mailed_token("requester_zhao@example.com")
    assert visitor.get(reverse("portal:signin_link", args=[token])).status_code == 200
    assert signed_in_as(visitor) is None  # opening the link alone signs nobody in
    response = follow(visitor, token)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert signed_in_as(visitor) == "requester_zhao"
    visitor.logout()
    assert follow(visitor, token).status_code == 404
    assert signed_in_as(visitor) is None


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(cast, visitor):
    known = ask(visitor, "requester_zhao@example.com")
    unknown = ask(visitor, "nobody@example.com")
    staff = ask(visitor, "agent_li@example.com")
    assert known.status_code == unknown.status_code == staff.status_code == 200
    assert page_text(known) == page_text(unknown) == page_text(staff)
    # Only the requester was mailed: staff sign in with their password.
    assert list(Notification.objects.values_list("address", flat=True)) == [
        "requester_zhao@example.com"]


def test_the_mail_is_in_the_requesters_language(cast, visitor):
    cast.requester_zhao.language = "en"
    cast.requester_zhao.save()
    ask(visitor, "requester_zhao@example.com")
    mail = Notification.objects.get()
    assert mail.language == "en"
    assert mail.subject.endswith("Your sign-in link for the OpsDesk self-service portal")
    assert "It works once, for 15 minutes." in mail.body


def test_a_link_expires(cast, visitor, frozen):
    ask(visitor, "requester_zhao@example.com")
    token = mailed_token("requester_zhao@example.com")
    frozen.shift(timedelta(minutes=15, seconds=1))
    page = visitor.get(reverse("portal:signin_link", args=[token]))
    assert page.status_code == 404
    assert follow(visitor, token).status_code == 404
    assert signed_in_as(visitor) is None


def test_an_unknown_token_signs_nobody_in(cast, visitor):
    assert follow(visitor, "not-a-token").status_code == 404
    assert signed_in_as(visitor) is None


def test_a_deactivated_requester_cannot_use_their_link(cast, visitor):
    ask(visitor, "requester_zhao@example.com")
    token = mailed_token("requester_zhao@example.com")
    cast.requester_zhao.is_active = False
    cast.requester_zhao.save()
    assert follow(visitor, token).status_code == 404


def test_each_address_may_ask_three_times_a_quarter_hour(cast, visitor, frozen):
    for address in ("requester_zhao@example.com", "nobody@example.com"):
        for _ in range(3):
            assert ask(visitor, address).status_code == 200
        refused = ask(visitor, address)
        assert refused.status_code == 429
        assert "Too many sign-in links" in refused.content.decode()
    assert Notification.objects.count() == 3
    frozen.shift(timedelta(minutes=15, seconds=1))
    assert ask(visitor, "requester_zhao@example.com").status_code == 200
    assert Notification.objects.count() == 4


def test_only_digests_are_kept_and_a_used_link_leaves_the_mail(cast, visitor):
    ask(visitor, "requester_zhao@example.com")
    token = mailed_token("requester_zhao@example.com")
    row = SignInLink.objects.get()
    assert token not in str(list(SignInLink.objects.values()))
    assert "requester_zhao" not in row.address_digest
    follow(visitor, token)
    assert token not in Notification.objects.get().body


def test_bad_input_gets_a_clear_error(cast, visitor):
    response = ask(visitor, "not an address")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert not SignInLink.objects.exists()


def test_the_worker_forgets_old_requests(cast, visitor, frozen):
    ask(visitor, "requester_zhao@example.com")
    token = mailed_token("requester_zhao@example.com")
    purge = PurgeSignInLinks()
    assert purge.handle_one() is False
    frozen.shift(timedelta(days=1, seconds=1))
    assert purge.handle_one() is True
    assert not SignInLink.objects.exists()
    assert token not in Notification.objects.get().body
