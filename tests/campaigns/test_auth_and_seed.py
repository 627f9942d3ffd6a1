import pytest
from django.core import mail
from django.core.management import call_command

from campaigns.models import Agency, Campaign, Extension, Membership, Step, User


@pytest.mark.django_db
def test_axes_locks_out_after_repeated_failures(client, staff_a):
    for _ in range(3):  # AXES_FAILURE_LIMIT = 3 in test settings
        client.post("/accounts/login/", {"username": "staff_a", "password": "wrong"})
    r = client.post("/accounts/login/", {"username": "staff_a", "password": "Pass-1234"})
    assert r.status_code == 429 and "tạm bị khóa" in r.content.decode()


@pytest.mark.django_db
def test_login_with_right_password(client, staff_a):
    r = client.post("/accounts/login/", {"username": "staff_a", "password": "Pass-1234"})
    assert r.status_code == 302 and r["Location"] == "/"


@pytest.mark.django_db
def test_password_reset_by_email(client, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/accounts/password-reset/", {"email": "staff_a@example.gov.vn"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def snapshot():
    return {
        "agencies": sorted(Agency.objects.values_list("code", "name", "group__code", "parent__code", "active")),
        "users": sorted(User.objects.values_list("username", "full_name", "password")),
        "memberships": sorted(Membership.objects.values_list("user__username", "agency__code", "role")),
        "campaigns": sorted(Campaign.objects.values_list("year", "name", "status", "owner__code")),
        "steps": sorted(Step.objects.values_list("campaign__name", "kind", "opens_at", "closes_at")),
        "extensions": Extension.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_data(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert Agency.objects.filter(group__code="department", active=True).count() >= 14
    assert Agency.objects.filter(group__code="commune", active=True).count() >= 20
    # the older campaign in the three-level shape: districts with communes under them
    assert Agency.objects.filter(group__code="commune", parent__group__code="district").exists()
    assert Campaign.objects.filter(owner__group__code="district").exists()
    current = Campaign.objects.get(year=__import__("datetime").date.today().year, owner=None, kind="agencies")
    from django.utils import timezone

    sa = current.steps.get(kind="self_assessment")
    assert current.status == "open" and sa.opens_at <= timezone.now() < sa.closes_at
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"staff", "leader"}
    assert {g for u in User.objects.all() for g in u.groups.values_list("name", flat=True)} == \
        {"admin", "officer", "appraiser"}
    assert User.objects.get(username="canbo.snv").check_password("Demo@2026")


@pytest.mark.django_db
def test_seed_demo_without_debug_sets_no_passwords(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert not User.objects.get(username="canbo.snv").has_usable_password()
