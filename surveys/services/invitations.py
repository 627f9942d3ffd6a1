"""Invitations: personal links e-mailed, printed, re-issued, bounced; the tick's due sending."""
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from cchc_portal.notifications.services import outbox_enqueue
from surveys.models import (
    Invitation,
    LinkPrint,
    Respondent,
)
from surveys.selectors import answering as answering_selectors
from surveys.selectors import lists as list_selectors
from surveys.services.common import SURVEY, require_officer, when
from surveys.tokens import answer_url, new_token, seal, token_hash

INVITATION_SUBJECT = "Mời trả lời phiếu điều tra xã hội học – {campaign}"


def _letter_context() -> dict:
    """Who signs the survey's letters: the province's Sở Nội vụ and whom to call."""
    province = getattr(settings, "PROVINCE_NAME", "")
    return {"authority_name": f"UBND TỈNH {province.upper()}" if province else "ỦY BAN NHÂN DÂN TỈNH",
            "office_name": "SỞ NỘI VỤ", "office_full": f"Sở Nội vụ tỉnh {province}" if province else "Sở Nội vụ",
            "contact": getattr(settings, "SURVEY_CONTACT", "")}


def _email_context(*, invitation, respondent, token, window, link=None) -> dict:
    campaign = respondent.campaign
    closes = timezone.localtime(window.closes_at) if window else None
    return {
        **_letter_context(),
        "deadline": f"{closes:%d/%m/%Y}" if closes else "", "deadline_time": f"{closes:%H:%M}" if closes else "",
        "full_name": respondent.full_name, "group_name": respondent.group.name,
        "form_code": respondent.group.form_code, "campaign_name": campaign.name, "year": campaign.year,
        "agency_name": respondent.respondent_list.agency.name,
        "opens_at": when(window.opens_at) if window else "", "closes_at": when(window.closes_at) if window else "",
        # The link travels sealed: the outbox row is in the database, the token must not be.
        "sealed_url": seal(link or answer_url(token)),
    }


def _enqueue_link(*, invitation, respondent, token, window, key, template="survey_invitation", subject=None):
    subject = subject or INVITATION_SUBJECT.format(campaign=respondent.campaign.name)
    return outbox_enqueue(to=respondent.email, subject=subject, template=template, key=key,
                          context=_email_context(invitation=invitation, respondent=respondent, token=token,
                                                 window=window))


def invitation_email_preview(*, respondent, window) -> tuple[str, str]:
    """(subject, text) of the invitation this respondent would receive, for the officer's
    confirmation page: the personal link is shown as a placeholder, no token is made."""
    context = _email_context(invitation=None, respondent=respondent, token="", window=window,
                             link=f"{settings.SITE_URL}/s/…/ (liên kết riêng của từng người)")
    subject = INVITATION_SUBJECT.format(campaign=respondent.campaign.name)
    return subject, render_to_string("emails/survey_invitation.txt",
                                     {"site_url": settings.SITE_URL, "subject": subject, **context})


@dataclass
class InviteReport:
    sent: int = 0
    skipped_closed: int = 0
    waiting: int = 0
    invitations: list = field(default_factory=list)


def invitations_send(*, campaign, user=None, now=None, only_open=False) -> InviteReport:
    """Invite every respondent of an approved list who has no invitation yet: a personal
    link by e-mail. Respondents whose answering window has closed are skipped; with
    `only_open` (the periodic tick) so are those whose window has not opened yet."""
    require_officer(user)
    now = now or timezone.now()
    if campaign.status != Campaign.Status.OPEN:
        raise ConflictError(_("Đợt đánh giá chưa mở hoặc đã kết thúc; không gửi thư mời."))
    if not campaign.steps.filter(kind=SURVEY).exists():
        raise ConflictError(_("Kế hoạch chưa có bước trả lời phiếu điều tra XHH."))
    candidates = list_selectors.invitation_candidates(campaign=campaign, now=now, only_open=only_open)
    report = InviteReport(skipped_closed=candidates.skipped_closed, waiting=candidates.waiting)
    for respondent, window in candidates.due:
        token = new_token()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(respondent=respondent, token_hash=token_hash(token),
                                                       status=Invitation.Status.SENT, sent_at=now)
                _enqueue_link(invitation=invitation, respondent=respondent, token=token, window=window,
                              key=f"invite:{invitation.pk}")
        except IntegrityError:
            continue  # invited at the same moment by another worker
        report.sent += 1
        report.invitations.append(invitation)
    return report


def invitation_mark_bounced(*, key, to="", now=None) -> int:
    """The e-mail of an invitation (outbox key "invite:<id>" or "invite:<id>:<n>") bounced:
    a sent or opened invitation becomes `bounced`, so the agency sees the address is wrong
    (an answered or voided one stays). Returns how many changed."""
    parts = key.split(":")
    if len(parts) < 2 or parts[0] != "invite" or not parts[1].isdigit():
        return 0
    return Invitation.objects.filter(
        pk=int(parts[1]), status__in=[Invitation.Status.PENDING, Invitation.Status.SENT, Invitation.Status.OPENED],
    ).update(status=Invitation.Status.BOUNCED, updated_at=now or timezone.now())


def invitation_reissue(*, invitation, user=None, now=None, send_email=True, template="survey_invitation",
                       key=None) -> str | None:
    """A new personal link for an invitation not yet answered; the old link stops working
    (it then says it was replaced). Returns the new token — the only moment it exists —
    or None when `key` names an e-mail already queued (nothing changes then)."""
    now = now or timezone.now()
    token = new_token()
    with transaction.atomic():
        updated = (Invitation.objects.filter(pk=invitation.pk, token_hash=invitation.token_hash)
                   .exclude(status__in=[Invitation.Status.ANSWERED, Invitation.Status.VOIDED])
                   .update(previous_token_hash=F("token_hash"), token_hash=token_hash(token),
                           issue_count=F("issue_count") + 1, reissued_at=now, reissued_by=user, updated_at=now))
        if not updated:
            raise ConflictError(_("Thư mời đã được trả lời, đã hủy hoặc vừa được cấp lại liên kết."))
        invitation.refresh_from_db()
        if send_email:
            respondent = invitation.respondent
            window = answering_selectors.answer_window(invitation=invitation)
            subject = None
            if template == "survey_reminder":
                subject = f"Nhắc trả lời phiếu điều tra xã hội học – {respondent.campaign.name}"
            row = _enqueue_link(invitation=invitation, respondent=respondent, token=token, window=window,
                                key=key or f"invite:{invitation.pk}:{invitation.issue_count}", template=template,
                                subject=subject)
            if row is None:
                transaction.set_rollback(True)
                return None
    return token


@dataclass
class PrintedLink:
    respondent: Respondent
    url: str


def invitations_print(*, campaign, agency, user, respondent_ids=None, now=None) -> list[PrintedLink]:
    """Fresh links for a printable QR sheet (handed out in person): an officer's action only,
    since whoever holds a live link can answer in the respondent's name. Since only hashes
    are stored, printing re-issues each link and e-mails the new one too; answers already
    saved stay with the invitation, so a respondent resumes with either copy. The sheet is
    recorded (`LinkPrint`: who, when, which invitations) and each invitation keeps it, so
    the answer given through it goes to the integrity review (`survey_flags_scan`)."""
    if user is None or not campaign_selectors.user_is_officer(user):
        raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được in mã QR (cấp lại liên kết trả lời phiếu)."), status=403)
    now = now or timezone.now()
    qs = (Invitation.objects.filter(respondent__campaign=campaign, respondent__respondent_list__agency=agency)
          .exclude(status__in=[Invitation.Status.ANSWERED, Invitation.Status.VOIDED])
          .select_related("respondent__group", "respondent__respondent_list__agency", "respondent__campaign")
          .order_by("respondent__group__code", "respondent__full_name"))
    if respondent_ids is not None:
        qs = qs.filter(respondent_id__in=list(respondent_ids))
    with transaction.atomic():
        record = LinkPrint.objects.create(campaign=campaign, agency=agency, printed_by=user, printed_at=now)
        out, printed = [], []
        for invitation in qs:
            try:
                token = invitation_reissue(invitation=invitation, user=user, now=now)
            except ConflictError:
                continue  # answered or re-issued a moment ago: not on this sheet
            out.append(PrintedLink(invitation.respondent, answer_url(token)))
            printed.append(invitation.pk)
        if not printed:
            transaction.set_rollback(True)
            return []
        Invitation.objects.filter(pk__in=printed).update(printed_in=record)
        record.invitations.add(*printed)
    return out


def survey_due_invitations(*, now=None) -> int:
    """Due work of the `survey` step: once it has opened, every approved respondent not yet
    invited is invited (idempotent: an invitation is unique per respondent)."""
    now = now or timezone.now()
    sent = 0
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN, steps__kind=SURVEY,
                                        steps__opens_at__lte=now).distinct()
    for campaign in campaigns:
        sent += invitations_send(campaign=campaign, now=now, only_open=True).sent
    return sent


def survey_unanswered_recipients(*, campaign, now=None) -> list[Invitation]:
    """Invitations of respondents who have not answered while their window is open, each
    with its effective `window` attached: whom a survey reminder goes to."""
    now = now or timezone.now()
    invitations = list(
        Invitation.objects.filter(respondent__campaign=campaign,
                                  status__in=[Invitation.Status.SENT, Invitation.Status.OPENED])
        .select_related("respondent__respondent_list__agency", "respondent__group", "respondent__campaign")
        .order_by("respondent__full_name", "pk"))
    windows = campaign_selectors.step_windows(campaign=campaign, kind=SURVEY,
                                              agency_ids={i.respondent.respondent_list.agency_id for i in invitations})
    out = []
    for invitation in invitations:
        window = windows.get(invitation.respondent.respondent_list.agency_id)
        if window is not None and window.is_open(now):
            invitation.window = window
            out.append(invitation)
    return out


def invitation_resend_by_email(*, email, now=None) -> int:
    """A respondent who lost the link asks for a new one by the listed e-mail address: every
    unanswered invitation of that address whose window is open is re-issued and e-mailed
    there (and nowhere else). The caller shows the same answer whatever the count."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    sent = 0
    invitations = (Invitation.objects.filter(respondent__email=email,
                                             status__in=[Invitation.Status.SENT, Invitation.Status.OPENED],
                                             respondent__campaign__status=Campaign.Status.OPEN)
                   .select_related("respondent__respondent_list__agency", "respondent__group",
                                   "respondent__campaign"))
    for invitation in invitations:
        window = answering_selectors.answer_window(invitation=invitation)
        if window is None or not window.is_open(now):
            continue
        try:
            invitation_reissue(invitation=invitation, now=now)
        except ConflictError:
            continue
        sent += 1
    return sent
