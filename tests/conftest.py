"""A fixed cast: admin, officer, appraiser, staff and leader of agency A, staff of agency B,
a commune's staff, and anonymous. Every view and API test includes someone refused."""
import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Role

from .factories import AgencyFactory, CampaignFactory, MembershipFactory, StepFactory, UserFactory, group

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PASSWORD = "Pass-1234"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")  # Debian's; tests/e2e/conftest.py drives it
NO_CHROMIUM = f"BROWSER JOURNEYS NOT RUN: {CHROMIUM} is missing (apt-get install chromium; CI installs it)"


def pytest_collection_modifyitems(config, items):
    """Without chromium the browser journeys are left out (deselected, not one skip line each)."""
    if os.path.exists(CHROMIUM):
        return
    journeys = [item for item in items if item.get_closest_marker("e2e")]
    if journeys:
        config.hook.pytest_deselected(items=journeys)
        items[:] = [item for item in items if not item.get_closest_marker("e2e")]


def pytest_terminal_summary(terminalreporter, config):
    """... and said once, loudly, at the end (under xdist too: this runs in the controller)."""
    if not os.path.exists(CHROMIUM) and "not e2e" not in (config.getoption("markexpr", "") or ""):
        terminalreporter.write_sep("!", NO_CHROMIUM, yellow=True, bold=True)


def _province_user(username, role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def agency_a(db):
    return AgencyFactory(code="SA", name="Sở Tài chính", group=group("department"))


@pytest.fixture
def agency_b(db):
    return AgencyFactory(code="SB", name="Sở Tư pháp", group=group("department"))


@pytest.fixture
def commune(db):
    return AgencyFactory(code="XA", name="Xã Yên Sơn", group=group("commune"))


@pytest.fixture
def admin_user(db):
    return _province_user("admin", Role.ADMIN)


@pytest.fixture
def officer(db):
    return _province_user("officer", Role.OFFICER)


@pytest.fixture
def appraiser(db):
    return _province_user("appraiser", Role.APPRAISER)


@pytest.fixture
def staff_a(agency_a):
    return MembershipFactory(user=UserFactory(username="staff_a"), agency=agency_a, role=Role.STAFF).user


@pytest.fixture
def leader_a(agency_a):
    return MembershipFactory(user=UserFactory(username="leader_a"), agency=agency_a, role=Role.LEADER).user


@pytest.fixture
def staff_b(agency_b):
    return MembershipFactory(user=UserFactory(username="staff_b"), agency=agency_b, role=Role.STAFF).user


@pytest.fixture
def commune_staff(commune):
    return MembershipFactory(user=UserFactory(username="commune_staff"), agency=commune, role=Role.STAFF).user


@pytest.fixture
def campaign(agency_a, agency_b, commune):
    """An open campaign covering A, B and the commune, self-assessment open for 5 more days."""
    c = CampaignFactory()
    c.groups.set([group("department"), group("commune")])
    c.agencies.set([agency_a, agency_b, commune])
    now = timezone.now()
    StepFactory(campaign=c, kind="self_assessment", opens_at=now - timedelta(days=5),
                closes_at=now + timedelta(days=5))
    return c


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates with a token like an integrator."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def login(client):
    """`login(user)` logs the Django test client in."""
    def do(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client
    return do


@pytest.fixture
def media(settings, tmp_path):
    """Uploads stored in a fresh directory of the test's own, with no virus scanner."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_VIRUS_SCAN = ""


@pytest.fixture(autouse=True)
def _vietnamese_by_default():
    """Each test starts in Vietnamese: a request that switched to English (LocaleMiddleware
    activates per request and leaves it active in the thread) must not leak into the next."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
