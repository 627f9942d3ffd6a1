"""Password reset: through the outbox, the link from SITE_URL (never the request's Host),
rate-limited per account, per e-mail address and per client address, and always the same
"sent" page (no account enumeration)."""
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campaigns import services
from cchc_portal.notifications.models import Outbox
from cchc_portal.notifications.services import outbox_render

from ..factories import UserFactory

URL = "/accounts/password-reset/"


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    settings.SITE_URL = "https://cchc.tuyenquang.gov.vn"
    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()
    yield
    cache.clear()


def resets():
    return list(Outbox.objects.filter(template="password_reset").order_by("pk"))


@pytest.mark.django_db
def test_the_link_goes_through_the_outbox_and_comes_from_site_url(client, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(URL, {"email": "STAFF_A@example.gov.vn"}, HTTP_HOST="evil.example.com")
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/done/"
    [row] = resets()
    assert row.to == staff_a.email and row.status == Outbox.Status.SENT
    uid = urlsafe_base64_encode(force_bytes(staff_a.pk))
    assert row.context["url"].startswith(f"https://cchc.tuyenquang.gov.vn/accounts/reset/{uid}/")
    text, html = outbox_render(row)
    assert "evil.example.com" not in text + html and row.context["url"] in text
    [sent] = mail.outbox
    assert "https://cchc.tuyenquang.gov.vn/accounts/reset/" in sent.body and "evil.example.com" not in sent.body
    # the link works: the token is Django's
    token = row.context["url"].rstrip("/").rsplit("/", 1)[-1]
    assert default_token_generator.check_token(staff_a, token)


@pytest.mark.django_db
def test_unknown_inactive_and_known_addresses_get_the_same_page(client, staff_a):
    UserFactory(username="nghi", email="nghi@example.gov.vn", is_active=False)
    pages = [client.post(URL, {"email": email}, follow=True) for email in
             ("staff_a@example.gov.vn", "khong-co@example.gov.vn", "nghi@example.gov.vn")]
    assert {p.redirect_chain[-1][0] for p in pages} == {"/accounts/password-reset/done/"}
    cards = {p.content.decode().split('class="card login-card">')[1].split("</div>")[0] for p in pages}
    assert len(cards) == 1 and "Nếu thư điện tử có trong hệ thống" in cards.pop()
    assert [r.to for r in resets()] == [staff_a.email]


@pytest.mark.django_db
def test_limited_per_account_and_per_address(client, settings, staff_a):
    settings.PASSWORD_RESET_RATE_EMAIL = (3, 3600)
    settings.PASSWORD_RESET_RATE_ACCOUNT = (3, 3600)
    for _ in range(5):
        assert client.post(URL, {"email": staff_a.email})["Location"] == "/accounts/password-reset/done/"
    assert len(resets()) == 3
    # another spelling of the same address counts as the same address
    client.post(URL, {"email": staff_a.email.upper()})
    assert len(resets()) == 3


@pytest.mark.django_db
def test_the_account_limit_holds_across_addresses(settings, staff_a):
    # two accounts share an address (one person, two agencies): each has its own allowance,
    # and one account is not mailed more than its limit even when the address limit is wide
    settings.PASSWORD_RESET_RATE_EMAIL = (100, 3600)
    settings.PASSWORD_RESET_RATE_ACCOUNT = (2, 3600)
    twin = UserFactory(username="staff_a_2", email=staff_a.email)
    for _ in range(4):
        services.user_request_password_reset(email=staff_a.email)
    assert sorted(r.to for r in resets()) == [staff_a.email] * 4
    assert Outbox.objects.filter(template="password_reset", context__username=twin.username).count() == 2


@pytest.mark.django_db
def test_limited_per_client_address(client, settings, staff_a):
    settings.PASSWORD_RESET_RATE_IP = (2, 3600)
    for n in range(4):
        client.post(URL, {"email": f"nguoi{n}@example.gov.vn"}, REMOTE_ADDR="203.0.113.9")
    client.post(URL, {"email": staff_a.email}, REMOTE_ADDR="203.0.113.9")
    assert resets() == []
    client.post(URL, {"email": staff_a.email}, REMOTE_ADDR="203.0.113.10")
    assert len(resets()) == 1


@pytest.mark.django_db
def test_the_window_passes(staff_a):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for _ in range(4):
        services.user_request_password_reset(email=staff_a.email, now=now)
    assert len(resets()) == 3
    services.user_request_password_reset(email=staff_a.email, now=now + timedelta(hours=2))
    assert len(resets()) == 4
