"""Anonymity: nobody at an agency reaches answers, by page or API. Progress per agency and
group for officers, and for agency staff their own respondents' names and status only."""
import pytest
from django.urls import reverse

from surveys.models import Invitation
from surveys.selectors.lists import survey_progress

from .helpers import submit

pytestmark = pytest.mark.django_db
SECRET = "Ý kiến rất riêng của người trả lời"


@pytest.fixture
def answered(survey, invite, commune, agency_a, agency_b):
    """Commune XA: An answered (with a comment), Bình opened, Cường was only invited."""
    an, _ = invite(commune, "an@example.vn", name="Nguyễn Văn An")
    submit(survey, an, {agency_a: "D", agency_b: "C"}, text=SECRET)
    binh, _ = invite(commune, "binh@example.vn", name="Trần Thị Bình")
    Invitation.objects.filter(pk=binh.pk).update(status=Invitation.Status.OPENED, opened_at=survey.step.opens_at)
    invite(commune, "cuong@example.vn", name="Lê Văn Cường")
    return survey


def test_progress_counts_per_agency_and_group(answered, commune, agency_a, invite):
    invite(agency_a, "giamdoc@example.vn", group_obj=answered.lds)
    rows = {(r.agency.code, r.group.code): r for r in survey_progress(campaign=answered.campaign)}
    xa = rows[(commune.code, "LDX")]
    assert (xa.respondents, xa.invited, xa.opened, xa.answered) == (3, 3, 2, 1)
    sa = rows[(agency_a.code, "LDS")]
    assert (sa.respondents, sa.invited, sa.opened, sa.answered) == (1, 1, 0, 0)
    mine = survey_progress(campaign=answered.campaign, agency_ids=[commune.pk])
    assert [(r.agency.code, r.group.code) for r in mine] == [(commune.code, "LDX")]


def test_agency_staff_see_names_and_status_never_answers(answered, commune_staff, login):
    client = login(commune_staff)
    html = client.get(reverse("surveys:progress", kwargs={"pk": answered.campaign.pk})).content.decode()
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        assert name in html
    assert "Đã trả lời" in html and "Đã mở" in html
    assert SECRET not in html and 'value="D"' not in html
    only_late = client.get(reverse("surveys:progress", kwargs={"pk": answered.campaign.pk}) + "?status=not_answered")
    assert "Nguyễn Văn An" not in only_late.content.decode() and "Lê Văn Cường" in only_late.content.decode()


def test_staff_cannot_reach_answers_by_any_page(answered, commune_staff, staff_a, login):
    pk = answered.campaign.pk
    for user in (commune_staff, staff_a):
        client = login(user)
        for name in ("surveys:points", "surveys:flags", "surveys:import", "surveys:export", "surveys:group_create"):
            assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404, name
        for gid in (answered.ldx.pk, answered.lds.pk):
            assert client.get(reverse("surveys:group_preview", kwargs={"pk": pk, "gid": gid})).status_code == 404
        for name in ("surveys:overview", "surveys:progress"):
            page = client.get(reverse(name, kwargs={"pk": pk}))
            assert SECRET not in page.content.decode()


def test_staff_cannot_reach_answers_by_the_api(answered, commune_staff, staff_a, api, commune):
    pk = answered.campaign.pk
    for user in (commune_staff, staff_a):
        client = api.as_user(user)
        assert client.get(f"/api/v1/campaigns/{pk}/survey-points/").status_code == 403
        for path in (f"/api/v1/campaigns/{pk}/respondents/?agency={commune.code}",
                     f"/api/v1/campaigns/{pk}/survey-progress/", f"/api/v1/campaigns/{pk}/respondents/"):
            r = client.get(path)
            assert r.status_code in (200, 404)
            assert SECRET not in r.content.decode() and '"option"' not in r.content.decode()
    rows = api.as_user(commune_staff).get(f"/api/v1/campaigns/{pk}/respondents/?agency={commune.code}").json()
    assert {r["status"] for r in rows} == {"answered", "opened", "sent"}
    assert set(rows[0]) == {"id", "full_name", "position", "group_code", "email", "phone", "status", "agency_code"}
    assert api.as_user(staff_a).get(f"/api/v1/campaigns/{pk}/respondents/?agency={commune.code}").status_code == 404
    schema = api.as_user(commune_staff).get("/api/schema/").content.decode()
    assert "survey-points" in schema


def test_the_officer_sees_points_but_not_who_gave_them(answered, officer, login):
    page = login(officer).get(reverse("surveys:points", kwargs={"pk": answered.campaign.pk}))
    html = page.content.decode()
    assert page.status_code == 200 and "chưa đủ phiếu" in html
    assert "Nguyễn Văn An" not in html


@pytest.mark.parametrize("extra", [3, 30])
def test_progress_pages_take_a_fixed_number_of_queries(answered, commune, agency_a, invite, officer, commune_staff,
                                                        login, django_assert_max_num_queries, extra):
    for n in range(extra):
        invite(commune, f"them{n}@example.vn", name=f"Người {n}")
        invite(agency_a, f"so{n}@example.vn", group_obj=answered.lds, name=f"Cán bộ {n}")
    url = reverse("surveys:progress", kwargs={"pk": answered.campaign.pk})
    for user, limit in ((officer, 14), (commune_staff, 16)):
        client = login(user)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
    client = login(officer)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("surveys:overview", kwargs={"pk": answered.campaign.pk})).status_code == 200
    client = login(commune_staff)
    with django_assert_max_num_queries(19):
        page = client.get(reverse("surveys:list_detail", kwargs={"pk": answered.campaign.pk, "code": commune.code}))
        assert page.status_code == 200
