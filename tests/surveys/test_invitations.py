"""Invitations: strong tokens stored only as hashes, the sealed link in the outbox, sending
once, the survey step's due work, re-issued links, printed QR codes, "I lost my link"."""
import math
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from cchc_portal.notifications.models import Outbox
from surveys import tokens
from surveys.models import Invitation, LinkPrint, RespondentList
from surveys.services import invitations as invitation_services
from surveys.services.invitations import invitations_send, survey_due_invitations
from surveys.services.lists import respondent_add
from tests.confirming import confirm_post, confirm_value

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s\"<]+/s/([A-Za-z0-9_-]+)/")


def approved(survey, agency, *emails, group=None):
    for e in emails:
        respondent_add(campaign=survey.campaign, agency=agency, user=None, full_name=f"Người {e}", email=e,
                       group=group or survey.ldx)
    RespondentList.objects.filter(campaign=survey.campaign, agency=agency).update(status=RespondentList.Status.APPROVED)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`sent(fn, ...)`: call fn and deliver the e-mails it queued (the outbox sends on commit)."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run


def links_in_mail():
    found = {}
    for message in mail.outbox:
        for token in LINK.findall(message.body):
            found[message.to[0]] = token
    return found


def test_tokens_carry_at_least_128_random_bits():
    samples = {tokens.new_token() for _ in range(2000)}
    assert len(samples) == 2000
    for token in list(samples)[:50]:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) * 6 >= 128 * 1.5  # 43 url-safe characters: 256 bits from secrets
    alphabet = set("".join(samples))
    assert len(alphabet) >= 60  # the whole url-safe alphabet shows up: not a narrow generator
    assert math.log2(len(alphabet)) * 43 >= 128


def test_the_raw_token_is_nowhere_in_the_database(survey, commune, officer, sent):
    approved(survey, commune, "an@example.vn", "binh@example.vn")
    report = sent(invitations_send, campaign=survey.campaign, user=officer)
    assert report.sent == 2
    links = links_in_mail()
    assert set(links) == {"an@example.vn", "binh@example.vn"}
    invitation = Invitation.objects.get(respondent__email="an@example.vn")
    assert invitation.token_hash == tokens.token_hash(links["an@example.vn"])
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
            dump += [repr(row) for row in cursor.fetchall()]
    text = "\n".join(dump)
    for token in links.values():
        assert token not in text
        assert tokens.token_hash(token) in text
    row = Outbox.objects.get(to="an@example.vn")
    assert row.template == "survey_invitation" and "sealed_url" in row.context
    assert tokens.unseal(row.context["sealed_url"]).endswith(f"/s/{links['an@example.vn']}/")


def test_the_invitation_mail_has_the_link_the_window_and_a_qr_code(survey, commune, officer, sent):
    approved(survey, commune, "an@example.vn")
    sent(invitations_send, campaign=survey.campaign, user=officer)
    [message] = mail.outbox
    assert "Phiếu 03" in message.body and "Lãnh đạo UBND cấp xã" in message.body
    assert timezone.localtime(survey.step.closes_at).strftime("%d/%m/%Y") in message.body
    year = survey.campaign.year
    assert f"năm {year} (" in message.body and f"năm {year} (" in message.alternatives[0][0]  # never "2.026"
    html = message.alternatives[0][0]
    assert "<svg" in html and LINK.search(html)


def test_only_approved_lists_are_invited_and_only_once(survey, commune, agency_a, officer):
    approved(survey, commune, "an@example.vn")
    respondent_add(campaign=survey.campaign, agency=agency_a, user=None, full_name="Chưa duyệt",
                   email="draft@example.vn", group=survey.lds)
    assert invitations_send(campaign=survey.campaign, user=officer).sent == 1
    assert invitations_send(campaign=survey.campaign, user=officer).sent == 0
    assert Outbox.objects.count() == 1
    assert not Invitation.objects.filter(respondent__email="draft@example.vn").exists()


def test_respondents_whose_window_closed_are_not_invited(survey, commune, officer):
    approved(survey, commune, "an@example.vn")
    later = survey.step.closes_at + timedelta(minutes=1)
    report = invitations_send(campaign=survey.campaign, user=officer, now=later)
    assert (report.sent, report.skipped_closed) == (0, 1)


def test_a_campaign_that_is_not_open_sends_nothing(survey, commune, officer):
    approved(survey, commune, "an@example.vn")
    Campaign.objects.filter(pk=survey.campaign.pk).update(status=Campaign.Status.CLOSED)
    survey.campaign.refresh_from_db()
    with pytest.raises(ConflictError):
        invitations_send(campaign=survey.campaign, user=officer)


def test_invitations_go_out_by_themselves_once_the_survey_step_opens(survey, commune, sent):
    approved(survey, commune, "an@example.vn")
    survey.step.opens_at = timezone.now() + timedelta(days=1)
    survey.step.save()
    assert survey_due_invitations(now=timezone.now()) == 0
    opened = survey.step.opens_at + timedelta(minutes=5)
    assert sent(survey_due_invitations, now=opened) == 1
    assert sent(survey_due_invitations, now=opened + timedelta(minutes=5)) == 0  # the tick running twice
    assert len(mail.outbox) == 1


def test_reissue_replaces_the_link_and_mails_the_new_one(survey, commune, officer, client, sent):
    approved(survey, commune, "an@example.vn")
    sent(invitations_send, campaign=survey.campaign, user=officer)
    old = links_in_mail()["an@example.vn"]
    invitation = Invitation.objects.get()
    new = sent(invitation_services.invitation_reissue, invitation=invitation, user=officer)
    invitation.refresh_from_db()
    assert invitation.issue_count == 2 and invitation.reissued_by == officer
    assert invitation.token_hash == tokens.token_hash(new) and invitation.previous_token_hash == tokens.token_hash(old)
    assert len(mail.outbox) == 2 and new in mail.outbox[1].body
    assert client.get(reverse("surveys:answer", kwargs={"token": new})).status_code == 200
    assert client.get(reverse("surveys:answer", kwargs={"token": old})).status_code == 410


def test_an_answered_invitation_cannot_be_reissued(survey, invite, commune):
    invitation, _ = invite(commune, "an@example.vn")
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ANSWERED)
    invitation.refresh_from_db()
    with pytest.raises(ConflictError):
        invitation_services.invitation_reissue(invitation=invitation)


def test_the_printed_sheet_has_fresh_links_as_qr_codes(survey, commune, officer, login, sent):
    approved(survey, commune, "an@example.vn", "binh@example.vn")
    sent(invitations_send, campaign=survey.campaign, user=officer)
    first = links_in_mail()
    mail.outbox.clear()
    page = sent(login(officer).post, reverse("surveys:list_print", kwargs={"pk": survey.campaign.pk,
                                                                          "code": commune.code}))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert html.count("class=\"qr-card\"") == 2 and html.count("<svg") >= 2
    printed = set(LINK.findall(html))
    assert len(printed) == 2 and not printed & set(first.values())
    assert set(links_in_mail().values()) == printed  # the same new links were e-mailed


def test_printing_is_an_officers_action_and_is_recorded(survey, commune, commune_staff, officer, login):
    """An agency holding its respondents' live links could answer for them: its staff can
    neither print nor see the button; an officer's sheet is recorded (who, when, whom)."""
    approved(survey, commune, "an@example.vn", "binh@example.vn", "chi@example.vn")
    invitations_send(campaign=survey.campaign, user=officer)
    Invitation.objects.filter(respondent__email="chi@example.vn").update(status=Invitation.Status.ANSWERED)
    url = reverse("surveys:list_print", kwargs={"pk": survey.campaign.pk, "code": commune.code})
    detail = reverse("surveys:list_detail", kwargs={"pk": survey.campaign.pk, "code": commune.code})
    staff = login(commune_staff)
    assert "In mã QR" not in staff.get(detail).content.decode()
    assert staff.post(url).status_code == 403
    with pytest.raises(ApplicationError):
        invitation_services.invitations_print(campaign=survey.campaign, agency=commune, user=commune_staff)
    assert set(Invitation.objects.values_list("issue_count", flat=True)) == {1} and not LinkPrint.objects.exists()

    officer_client = login(officer)
    assert "In mã QR (2 người chưa trả lời)" in officer_client.get(detail).content.decode()
    assert officer_client.post(url).status_code == 200
    record = LinkPrint.objects.get()
    assert (record.printed_by, record.agency, record.campaign) == (officer, commune, survey.campaign)
    assert {i.respondent.email for i in record.invitations.all()} == {"an@example.vn", "binh@example.vn"}
    assert set(Invitation.objects.filter(printed_in=record).values_list("respondent__email", flat=True)) == {
        "an@example.vn", "binh@example.vn"}
    assert Invitation.objects.get(respondent__email="chi@example.vn").printed_in is None


def test_another_agency_cannot_print_links(survey, commune, staff_b, officer, login):
    approved(survey, commune, "an@example.vn")
    invitations_send(campaign=survey.campaign, user=officer)
    r = login(staff_b).post(reverse("surveys:list_print", kwargs={"pk": survey.campaign.pk, "code": commune.code}))
    assert r.status_code == 404
    assert Invitation.objects.get().issue_count == 1


def test_lost_link_goes_to_the_listed_address_only_and_the_page_reveals_nothing(survey, commune, officer, client,
                                                                               sent):
    approved(survey, commune, "an@example.vn")
    invitations_send(campaign=survey.campaign, user=officer)
    mail.outbox.clear()
    page_url = reverse("surveys:link_request")
    known = sent(client.post, page_url, {"email": "AN@example.vn"})
    unknown = sent(client.post, page_url, {"email": "nobody@example.vn"})

    def main(r):
        html = r.content.decode()
        return html[html.index("<main"):html.index("</main>")]

    assert known.status_code == unknown.status_code == 200
    assert main(known) == main(unknown)
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert Invitation.objects.get().issue_count == 2


def test_one_respondent_gets_a_new_link_from_the_list_page(survey, commune, commune_staff, staff_b, officer, login,
                                                          sent):
    approved(survey, commune, "an@example.vn")
    sent(invitations_send, campaign=survey.campaign, user=officer)
    invitation = Invitation.objects.get()
    url = reverse("surveys:respondent_resend", kwargs={"pk": survey.campaign.pk, "code": commune.code,
                                                       "rid": invitation.respondent_id})
    assert login(staff_b).post(url).status_code == 404
    page = login(commune_staff).get(reverse("surveys:list_detail", kwargs={"pk": survey.campaign.pk,
                                                                           "code": commune.code}))
    assert "Gửi liên kết mới" in page.content.decode()
    assert sent(login(commune_staff).post, url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.issue_count == 2 and invitation.reissued_by == commune_staff
    assert len(mail.outbox) == 2


def test_sending_invitations_from_the_page_asks_first_with_the_counts_and_one_email(
        survey, commune, agency_a, officer, staff_a, login):
    approved(survey, commune, "an@example.vn", "binh@example.vn")
    approved(survey, agency_a, "chi@example.vn", group=survey.lds)
    url = reverse("surveys:invitations_send", args=[survey.campaign.pk])
    assert login(staff_a).post(url).status_code == 404
    client = login(officer)
    r = client.post(url)
    page = r.content.decode()
    assert r.status_code == 200 and not Outbox.objects.exists() and not Invitation.objects.exists()
    assert confirm_value(r) == "3" and "<strong>3</strong>" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", page)
    assert sorted(rows) == sorted([(commune.name, survey.ldx.name, "2"), (agency_a.name, survey.lds.name, "1")])
    preview = page[page.index('class="email-preview"'):]
    assert "Kính gửi ông/bà Người" in preview and "liên kết riêng của từng người" in preview
    assert not LINK.search(preview)  # no personal link is made for the preview
    r = client.post(url, confirm_post(r))
    assert r.status_code == 302 and Outbox.objects.count() == 3
    r = client.post(url)
    assert "Không có thư mời nào cần gửi" in r.content.decode() and confirm_value(r) is None


def test_invitations_confirmed_for_a_number_that_changed_are_asked_again(survey, commune, officer, login):
    approved(survey, commune, "an@example.vn")
    client = login(officer)
    url = reverse("surveys:invitations_send", args=[survey.campaign.pk])
    data = confirm_post(client.post(url))
    approved(survey, commune, "binh@example.vn")
    r = client.post(url, data)
    assert r.status_code == 200 and "Số liệu đã thay đổi" in r.content.decode() and confirm_value(r) == "2"
    assert not Outbox.objects.exists()


def test_the_invitation_confirmation_does_not_grow_in_queries_with_respondents(
        survey, commune, agency_a, officer, login, django_assert_max_num_queries):
    client = login(officer)
    url = reverse("surveys:invitations_send", args=[survey.campaign.pk])
    approved(survey, commune, "first@example.vn")
    client.post(url)
    for n in (2, 12):
        approved(survey, commune, *[f"x{n}-{i}@example.vn" for i in range(n)])
        approved(survey, agency_a, *[f"y{n}-{i}@example.vn" for i in range(n)], group=survey.lds)
        with django_assert_max_num_queries(12):
            assert client.post(url).status_code == 200
