from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Campaign, Extension, Step, StepKind
from cchc_portal.core.exceptions import ApplicationError, ConflictError

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.mark.django_db
def test_step_close_must_follow_open(campaign, officer):
    with pytest.raises(ApplicationError, match="sau thời điểm bắt đầu"):
        services.step_set(campaign=campaign, kind="survey", opens_at=at(2026, 12, 1), closes_at=at(2026, 12, 1),
                          user=officer)
    assert not campaign.steps.filter(kind="survey").exists()


@pytest.mark.django_db
def test_step_must_be_aware_and_known(campaign, officer):
    with pytest.raises(ApplicationError, match="múi giờ"):
        services.step_set(campaign=campaign, kind="survey", opens_at=datetime(2026, 12, 1),
                          closes_at=datetime(2026, 12, 2), user=officer)
    with pytest.raises(ApplicationError):
        services.step_set(campaign=campaign, kind="party", opens_at=at(2026, 12, 1), closes_at=at(2026, 12, 2))


@pytest.mark.django_db
def test_later_step_cannot_open_before_earlier_one(campaign, officer):
    sa = campaign.steps.get(kind="self_assessment")
    with pytest.raises(ApplicationError, match="không thể bắt đầu trước"):
        services.step_set(campaign=campaign, kind="appraisal", opens_at=sa.opens_at - timedelta(days=1),
                          closes_at=sa.closes_at, user=officer)
    step = services.step_set(campaign=campaign, kind="appraisal", opens_at=sa.closes_at,
                             closes_at=sa.closes_at + timedelta(days=7), user=officer)
    assert step.pk


@pytest.mark.django_db
def test_database_refuses_a_step_that_closes_before_it_opens(campaign):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(campaign=campaign, kind="survey", opens_at=at(2026, 12, 2), closes_at=at(2026, 12, 1))


@pytest.mark.django_db
def test_effective_deadline_without_and_with_extension(campaign, agency_a, agency_b, officer):
    step = campaign.steps.get(kind="self_assessment")
    w = selectors.step_window_for(agency=agency_a, campaign=campaign, kind="self_assessment")
    assert w.closes_at == step.closes_at and not w.extended
    new_close = step.closes_at + timedelta(days=3)
    services.extension_grant(step=step, agency=agency_a, closes_at=new_close, reason="Mất điện", user=officer)
    w = selectors.step_window_for(agency=agency_a, campaign=campaign, kind="self_assessment")
    assert w.closes_at == new_close and w.extended and w.reason == "Mất điện"
    # only that agency: B keeps the common deadline
    assert selectors.step_window_for(agency=agency_b, campaign=campaign, kind="self_assessment").closes_at == \
        step.closes_at
    after_common = step.closes_at + timedelta(hours=1)
    assert selectors.step_is_open_for(agency=agency_a, campaign=campaign, kind="self_assessment", now=after_common)
    assert not selectors.step_is_open_for(agency=agency_b, campaign=campaign, kind="self_assessment",
                                          now=after_common)
    bulk = selectors.step_windows(campaign=campaign, kind="self_assessment")
    assert bulk[agency_a.pk].closes_at == new_close and bulk[agency_b.pk].closes_at == step.closes_at


@pytest.mark.django_db
def test_boundary_is_half_open(campaign, agency_a):
    step = campaign.steps.get(kind="self_assessment")
    assert selectors.step_is_open_for(agency=agency_a, campaign=campaign, kind="self_assessment",
                                      now=step.closes_at - timedelta(microseconds=1))
    assert not selectors.step_is_open_for(agency=agency_a, campaign=campaign, kind="self_assessment",
                                          now=step.closes_at)


@pytest.mark.django_db
def test_latest_extension_wins_and_never_shortens(campaign, agency_a, officer):
    step = campaign.steps.get(kind="self_assessment")
    services.extension_grant(step=step, agency=agency_a, closes_at=step.closes_at + timedelta(days=5),
                             reason="Lần 1", user=officer)
    services.extension_grant(step=step, agency=agency_a, closes_at=step.closes_at + timedelta(days=2),
                             reason="Lần 2", user=officer, now=timezone.now() + timedelta(seconds=1))
    w = selectors.step_window_for(agency=agency_a, campaign=campaign, kind="self_assessment")
    assert w.closes_at == step.closes_at + timedelta(days=2) and w.reason == "Lần 2"
    with pytest.raises(ApplicationError, match="sau hạn chung"):
        services.extension_grant(step=step, agency=agency_a, closes_at=step.closes_at - timedelta(days=1),
                                 reason="Ngắn hơn", user=officer)
    with pytest.raises(ApplicationError, match="lý do"):
        services.extension_grant(step=step, agency=agency_a, closes_at=step.closes_at + timedelta(days=9),
                                 reason="  ", user=officer)
    assert Extension.objects.count() == 2


@pytest.mark.django_db
def test_extension_only_for_covered_agency(campaign, officer):
    from tests.factories import AgencyFactory

    outsider = AgencyFactory(code="OUT")
    step = campaign.steps.get(kind="self_assessment")
    with pytest.raises(ApplicationError, match="không thuộc"):
        services.extension_grant(step=step, agency=outsider, closes_at=step.closes_at + timedelta(days=1),
                                 reason="x", user=officer)


@pytest.mark.django_db
def test_copy_plan_shifts_dates_by_years(officer, agency_a):
    c = services.campaign_create(user=officer, year=2024, name="Chỉ số CCHC năm 2024", groups=["department"],
                                 steps=[{"kind": "self_assessment", "opens_at": at(2024, 2, 29, 8),
                                         "closes_at": at(2024, 3, 31, 17)}])
    new = services.campaign_copy_plan(campaign=c, year=2025, user=officer)
    step = new.steps.get(kind="self_assessment")
    assert new.name == "Chỉ số CCHC năm 2025" and new.previous == c and new.status == Campaign.Status.DRAFT
    assert step.opens_at.astimezone(VN) == at(2025, 2, 28, 8)
    assert step.closes_at.astimezone(VN) == at(2025, 3, 31, 17)
    assert list(new.groups.values_list("code", flat=True)) == ["department"]
    with pytest.raises(ConflictError):
        services.campaign_copy_plan(campaign=c, year=2025, user=officer)


@pytest.mark.django_db
def test_campaign_covers_active_agencies_of_groups_or_a_districts_communes(officer):
    from tests.factories import AgencyFactory, group

    district = AgencyFactory(code="H1", group=group("district"))
    AgencyFactory(code="X1", group=group("commune"), parent=district)
    AgencyFactory(code="X2", group=group("commune"))
    AgencyFactory(code="X3", group=group("commune"), active=False)
    province = services.campaign_create(user=officer, year=2026, name="Tỉnh", groups=["commune"])
    assert set(province.agencies.values_list("code", flat=True)) == {"X1", "X2"}
    run = services.campaign_create(user=officer, year=2026, name="Huyện", groups=["commune"], owner=district)
    assert set(run.agencies.values_list("code", flat=True)) == {"X1"}


@pytest.mark.django_db
def test_campaign_status_transitions_are_conditional(officer, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    campaign.refresh_from_db()
    services.campaign_open(campaign=campaign)
    with pytest.raises(ConflictError):
        services.campaign_open(campaign=campaign)
    services.campaign_close(campaign=campaign)
    assert services.campaign_mark_published(campaign=campaign).status == "published"


@pytest.mark.django_db
def test_step_remove_takes_the_step_and_its_extensions(campaign, officer, agency_a):
    survey = services.step_set(campaign=campaign, kind="survey", opens_at=at(2026, 12, 1),
                               closes_at=at(2026, 12, 10), user=officer)
    Extension.objects.create(step=survey, agency=agency_a, closes_at=at(2026, 12, 20), reason="Mất điện",
                             granted_at=timezone.now(), granted_by=officer)
    assert services.step_remove(campaign=campaign, kind="survey", user=officer) is True
    assert not campaign.steps.filter(kind="survey").exists() and not Extension.objects.exists()
    assert services.step_remove(campaign=campaign, kind="survey", user=officer) is False
    with pytest.raises(ApplicationError):
        services.step_remove(campaign=campaign, kind="party", user=officer)


@pytest.mark.django_db
def test_an_open_campaign_keeps_its_self_assessment_step(campaign, officer, login):
    with pytest.raises(ConflictError, match="không thể bỏ bước tự đánh giá"):
        services.step_remove(campaign=campaign, kind="self_assessment", user=officer)
    sa = campaign.steps.get(kind="self_assessment")
    # the plan page (all steps unticked) goes through the same service and says why
    kinds = services.steps_for_kind(campaign.kind)
    data = {"form-TOTAL_FORMS": str(len(kinds)), "form-INITIAL_FORMS": str(len(kinds))}
    data.update({f"form-{i}-kind": kind for i, kind in enumerate(kinds)})
    response = login(officer).post(f"/campaigns/{campaign.pk}/plan/", data, follow=True)
    assert "không thể bỏ bước tự đánh giá" in response.content.decode()
    # a post with more forms than the campaign's steps is refused, not read (nor a server error)
    data.update({"form-TOTAL_FORMS": str(len(StepKind) + 3), "form-INITIAL_FORMS": str(len(StepKind) + 3)})
    data.update({f"form-{i}-kind": "departments" for i in range(len(kinds), len(StepKind) + 3)})
    response = login(officer).post(f"/campaigns/{campaign.pk}/plan/", data)
    assert response.status_code == 200 and response.context["formset"].non_form_errors()
    assert not campaign.steps.filter(kind="departments").exists()
    assert campaign.steps.get(kind="self_assessment") == sa
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    assert services.step_remove(campaign=campaign, kind="self_assessment", user=officer) is True
