"""The survey's invitation and reminder e-mails read as official letters of the province's
Sở Nội vụ: the letterhead, the campaign, the deadline as dd/mm/yyyy, the link, whom to call,
in a plain-text part and an HTML part, rendered in Vietnamese."""
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from surveys.models import Invitation, RespondentList
from surveys.services import invitations as invitation_services
from surveys.services.invitations import invitations_send
from surveys.services.lists import respondent_add

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s\"<]+/s/[A-Za-z0-9_-]+/")


@pytest.fixture
def invited(survey, commune, officer, django_capture_on_commit_callbacks, settings):
    settings.PROVINCE_NAME = "Tuyên Quang"
    settings.SURVEY_CONTACT = "Phòng Cải cách hành chính, điện thoại 0207 3822 123"
    respondent_add(campaign=survey.campaign, agency=commune, user=None, full_name="Nguyễn Văn An",
                   email="an@example.vn", group=survey.ldx)
    RespondentList.objects.filter(campaign=survey.campaign, agency=commune).update(
        status=RespondentList.Status.APPROVED)
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        invitations_send(campaign=survey.campaign, user=officer)
    return survey


def _parts(message):
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return message.body, html


def _letter_checks(survey, text, html):
    deadline = timezone.localtime(survey.step.closes_at)
    for body in (text, html):
        assert "UBND TỈNH TUYÊN QUANG" in body and "SỞ NỘI VỤ" in body
        assert "Sở Nội vụ tỉnh Tuyên Quang" in body
        assert survey.campaign.name in body
        assert f"trước {deadline:%H:%M} ngày {deadline:%d/%m/%Y}" in body
        assert "0207 3822 123" in body and "Mọi thắc mắc xin liên hệ" in body
        assert "Kính gửi ông/bà" in body and "Nguyễn Văn An" in body
        assert LINK.search(body)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "<" not in text  # the plain part is plain: no markup


def test_the_invitation_is_an_official_letter_with_a_text_and_an_html_part(invited):
    [message] = mail.outbox
    text, html = _parts(message)
    _letter_checks(invited, text, html)
    assert "THƯ MỜI" in text and "THƯ MỜI" in html


def test_the_reminder_is_an_official_letter_too(invited, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    invitation = Invitation.objects.get(respondent__email="an@example.vn")
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_reissue(invitation=invitation, template="survey_reminder")
    [message] = mail.outbox
    assert message.subject.startswith("Nhắc trả lời phiếu")
    text, html = _parts(message)
    _letter_checks(invited, text, html)
    assert "THƯ NHẮC" in text and "THƯ NHẮC" in html


def test_without_a_contact_setting_the_letter_names_the_list_s_agency(survey, commune, officer, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.SURVEY_CONTACT = ""
    respondent_add(campaign=survey.campaign, agency=commune, user=None, full_name="Lê Bình", email="b@example.vn",
                   group=survey.ldx)
    RespondentList.objects.filter(campaign=survey.campaign, agency=commune).update(
        status=RespondentList.Status.APPROVED)
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        invitations_send(campaign=survey.campaign, user=officer)
    text, html = _parts(mail.outbox[0])
    for body in (text, html):
        assert f"Mọi thắc mắc xin liên hệ: {commune.name} (đơn vị lập danh sách)" in body
