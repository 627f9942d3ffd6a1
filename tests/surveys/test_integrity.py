"""Integrity: timing and a hashed fingerprint per response; flags for one device, too fast,
identical patterns; officers dismiss or void (recorded), and void an agency's result."""
from datetime import timedelta

import pytest
from django.urls import reverse

from cchc_portal.core.exceptions import ApplicationError, ConflictError
from surveys.models import Flag, Response, SurveyVoid
from surveys.services import integrity as integrity_services
from surveys.services import invitations as invitation_services
from surveys.tokens import ip_fingerprint

from .helpers import submit


def scan(survey):
    """The tick's integrity scan over the whole answering window."""
    return integrity_services.survey_flags_scan(now=survey.step.closes_at, since=survey.step.opens_at)

pytestmark = pytest.mark.django_db


def test_a_response_keeps_its_timing_and_a_fingerprint_not_the_ip(survey, invite, commune, agency_a, agency_b):
    invitation, _ = invite(commune, "an@example.vn")
    response = submit(survey, invitation, {agency_a: "A", agency_b: "B"}, ip="203.0.113.50",
                      user_agent="Mozilla/5.0 (iPhone) " + "x" * 400, seconds=300)
    response.refresh_from_db()
    assert (response.submitted_at - response.started_at) == timedelta(seconds=300)
    assert response.ip_hash == ip_fingerprint("203.0.113.50") and "203.0.113.50" not in response.ip_hash
    assert len(response.ip_hash) == 64 and len(response.user_agent) == 200
    assert response.rating_rows == 4 and len(response.answers_digest) == 64
    assert response.flags == []


def test_implausibly_fast_answers_are_flagged(survey, invite, commune, agency_a, agency_b):
    invitation, _ = invite(commune, "an@example.vn")
    response = submit(survey, invitation, {agency_a: "A", agency_b: "B"}, seconds=7)  # 4 rows: under 8 s
    assert response.flags == ["too_fast"]
    assert scan(survey) == 1 and scan(survey) == 0  # the tick running twice
    flag = Flag.objects.get(kind=Flag.Kind.TOO_FAST)
    assert list(flag.responses.all()) == [response] and flag.agency == commune
    assert flag.detail == {"seconds": 7.0, "rows": 4}


def test_many_links_answered_from_one_device_are_flagged(survey, invite, commune, agency_a, agency_b):
    responses = []
    for n in range(3):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        responses.append(submit(survey, invitation, {agency_a: "ABC"[n], agency_b: "B"}, ip="198.51.100.1",
                                user_agent="Máy chung"))
    other, _ = invite(commune, "khac@example.vn")
    submit(survey, other, {agency_a: "D", agency_b: "C"}, ip="198.51.100.1", user_agent="Trình duyệt khác")
    scan(survey)
    flag = Flag.objects.get(kind=Flag.Kind.SAME_DEVICE)
    assert set(flag.responses.all()) == set(responses) and flag.agency == commune


def test_answers_from_one_device_far_apart_are_not_flagged(survey, invite, commune, agency_a, agency_b):
    for n in range(3):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        submit(survey, invitation, {agency_a: "ABC"[n], agency_b: "B"}, ip="198.51.100.1", user_agent="Máy chung",
               now=survey.step.opens_at + timedelta(hours=1 + 3 * n))
    scan(survey)
    assert not Flag.objects.filter(kind=Flag.Kind.SAME_DEVICE).exists()


def test_identical_patterns_across_one_agencys_respondents_are_flagged(survey, invite, commune, agency_a, agency_b):
    same = []
    for n in range(3):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        same.append(submit(survey, invitation, {agency_a: "A", agency_b: "A"}, ip=f"198.51.100.{n}"))
    scan(survey)
    flag = Flag.objects.get(kind=Flag.Kind.IDENTICAL)
    assert set(flag.responses.all()) == set(same) and flag.agency == commune


def test_answers_through_a_printed_link_go_to_the_integrity_review(survey, invite, commune, agency_a, agency_b,
                                                                    officer, login, django_capture_on_commit_callbacks):
    from surveys.models import Invitation

    printed, _ = invite(commune, "an@example.vn")
    emailed, _ = invite(commune, "binh@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitations_print(campaign=survey.campaign, agency=commune, user=officer,
                                              respondent_ids=[printed.respondent_id])
    printed = Invitation.objects.get(pk=printed.pk)
    first = submit(survey, printed, {agency_a: "A", agency_b: "B"})
    submit(survey, emailed, {agency_a: "C", agency_b: "D"})
    assert scan(survey) == 1 and scan(survey) == 0
    flag = Flag.objects.get(kind=Flag.Kind.PRINTED_LINK)
    assert list(flag.responses.all()) == [first] and flag.agency == commune and flag.status == Flag.Status.OPEN
    assert flag.detail["printed_by"] == officer.display_name
    page = login(officer).get(reverse("surveys:flags", args=[survey.campaign.pk])).content.decode()
    assert "Phiếu trả lời qua liên kết in mã QR" in page and f"In mã QR: {officer.display_name}" in page


def test_reviewing_a_flag_voids_its_responses_with_a_recorded_reason(survey, invite, commune, agency_a, agency_b,
                                                                       officer, staff_a):
    invitation, _ = invite(commune, "an@example.vn")
    response = submit(survey, invitation, {agency_a: "A", agency_b: "B"}, seconds=2)
    scan(survey)
    flag = Flag.objects.get()
    with pytest.raises(ApplicationError):
        integrity_services.flag_review(flag=flag, user=staff_a, decision="voided", note="x")
    with pytest.raises(ApplicationError):
        integrity_services.flag_review(flag=flag, user=officer, decision="voided", note="  ")
    assert integrity_services.flag_review(flag=flag, user=officer, decision="voided", note="Trả lời trong 2 giây") == 1
    response.refresh_from_db()
    assert response.voided and response.void_reason == "Trả lời trong 2 giây"
    record = SurveyVoid.objects.get()
    assert (record.response, record.flag, record.made_by, record.responses_voided) == (response, flag, officer, 1)
    with pytest.raises(ConflictError):
        integrity_services.flag_review(flag=flag, user=officer, decision="dismissed", note="Đổi ý")


def test_voiding_an_agency_covers_later_responses_too(survey, invite, commune, agency_a, agency_b, officer):
    first, _ = invite(commune, "an@example.vn")
    later, _ = invite(commune, "binh@example.vn")
    submit(survey, first, {agency_a: "A", agency_b: "A"})
    record = integrity_services.agency_survey_void(campaign=survey.campaign, agency=commune,
                                                   reason="Can thiệp trả lời hộ",
                                         user=officer)
    assert record.responses_voided == 1
    response = submit(survey, later, {agency_a: "B", agency_b: "B"})
    assert response.voided
    assert Response.objects.filter(voided=False).count() == 0
    with pytest.raises(ConflictError):
        integrity_services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Lần nữa", user=officer)


def test_the_flags_page_is_for_officers_and_shows_neither_names_nor_answers(
        survey, invite, commune, agency_a, agency_b, officer, commune_staff, staff_a, login):
    invitation, _ = invite(commune, "an@example.vn", name="Nguyễn Văn Bí Mật")
    submit(survey, invitation, {agency_a: "A", agency_b: "B"}, seconds=2, text="Ý kiến riêng tư")
    scan(survey)
    flags_url = reverse("surveys:flags", kwargs={"pk": survey.campaign.pk})
    for user in (commune_staff, staff_a):
        assert login(user).get(flags_url).status_code == 404
    page = login(officer).get(flags_url)
    html = page.content.decode()
    assert page.status_code == 200 and "Trả lời nhanh bất thường" in html
    assert "Bí Mật" not in html and "riêng tư" not in html and "203.0.113" not in html
    flag = Flag.objects.get()
    r = login(officer).post(reverse("surveys:flag_review", kwargs={"pk": survey.campaign.pk, "fid": flag.pk}),
                            {"decision": "dismissed", "note": "Đã xác minh qua điện thoại"})
    assert r.status_code == 302
    flag.refresh_from_db()
    assert flag.status == Flag.Status.DISMISSED and flag.reviewed_by == officer


def test_agency_void_on_the_page(survey, invite, commune, agency_a, agency_b, officer, staff_a, login):
    invitation, _ = invite(commune, "an@example.vn")
    submit(survey, invitation, {agency_a: "A", agency_b: "A"})
    url = reverse("surveys:agency_void", kwargs={"pk": survey.campaign.pk})
    assert login(staff_a).post(url, {"agency": commune.pk, "reason": "x"}).status_code == 404
    login(officer).post(url, {"agency": commune.pk, "reason": "Phát hiện can thiệp"})
    assert SurveyVoid.objects.get().agency == commune and Response.objects.get().voided
