"""A bounced invitation e-mail marks its invitation `bounced`, and the agency's list shows
that the e-mail could not be delivered."""
import pytest
from django.urls import reverse

from cchc_portal.notifications.models import Outbox
from cchc_portal.notifications.services import outbox_mark, outbox_send_due
from surveys.models import Invitation
from surveys.services import invitations as invitation_services
from tests.notifications.conftest import smtp_sink  # noqa: F401 - the SMTP server fixture

from .test_invitations import approved

pytestmark = pytest.mark.django_db


def test_a_recipient_refused_at_send_time_bounces_the_invitation(survey, agency_a, smtp_sink):  # noqa: F811
    smtp_sink.reject = {"sai@example.vn"}
    approved(survey, agency_a, "dung@example.vn", "sai@example.vn")
    invitation_services.invitations_send(campaign=survey.campaign)
    outbox_send_due()
    by_email = {i.respondent.email: i for i in Invitation.objects.select_related("respondent")}
    assert by_email["sai@example.vn"].status == Invitation.Status.BOUNCED
    assert by_email["dung@example.vn"].status == Invitation.Status.SENT
    assert Outbox.objects.get(to="sai@example.vn").status == Outbox.Status.BOUNCED


def test_a_bounce_reported_later_bounces_the_invitation_but_not_an_answered_one(survey, agency_a):
    approved(survey, agency_a, "an@example.vn", "binh@example.vn")
    invitation_services.invitations_send(campaign=survey.campaign)
    Outbox.objects.update(status=Outbox.Status.SENT)
    answered = Invitation.objects.get(respondent__email="binh@example.vn")
    Invitation.objects.filter(pk=answered.pk).update(status=Invitation.Status.ANSWERED)
    for row in Outbox.objects.filter(key__startswith="invite:"):
        outbox_mark(row=row, status=Outbox.Status.BOUNCED, note="550 mailbox unavailable")
    assert Invitation.objects.get(respondent__email="an@example.vn").status == Invitation.Status.BOUNCED
    assert Invitation.objects.get(pk=answered.pk).status == Invitation.Status.ANSWERED


def test_other_bounces_touch_no_invitation(survey, agency_a):
    approved(survey, agency_a, "an@example.vn")
    invitation_services.invitations_send(campaign=survey.campaign)
    assert invitation_services.invitation_mark_bounced(key="set-password:1:abc") == 0
    assert invitation_services.invitation_mark_bounced(key="invite:khong-phai-so") == 0
    assert Invitation.objects.get().status == Invitation.Status.SENT


def test_the_agency_list_shows_the_undelivered_email(survey, agency_a, staff_a, staff_b, login):
    approved(survey, agency_a, "an@example.vn")
    invitation_services.invitations_send(campaign=survey.campaign)
    Invitation.objects.update(status=Invitation.Status.BOUNCED)
    url = reverse("surveys:list_detail", kwargs={"pk": survey.campaign.pk, "code": agency_a.code})
    page = login(staff_a).get(url).content.decode()
    assert "E-mail không gửi được" in page and "an@example.vn" in page
    assert login(staff_b).get(url).status_code in (403, 404)


def test_bounce_reports_are_recorded_from_the_command_line(survey, agency_a, officer, tmp_path):
    from django.core.management import call_command

    from cchc_portal.core.models import CommandRun

    approved(survey, agency_a, "an@example.vn", "binh@example.vn")
    invitation_services.invitations_send(campaign=survey.campaign)
    Outbox.objects.update(status=Outbox.Status.SENT)
    report = tmp_path / "bounces.txt"
    report.write_text("# from the mail server\nAN@example.vn\n", encoding="utf-8")
    call_command("mark_bounced", "--file", str(report), user=officer.username)
    statuses = dict(Invitation.objects.values_list("respondent__email", "status"))
    assert statuses == {"an@example.vn": Invitation.Status.BOUNCED, "binh@example.vn": Invitation.Status.SENT}
    run = CommandRun.objects.get(command="mark_bounced")
    assert run.user == officer and "1 thư" in run.outcome
