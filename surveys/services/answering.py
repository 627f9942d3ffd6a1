"""The respondent's writes: open the page, save as they go, send once.

Services take keyword-only arguments and `now=None`. A submission claims its invitation
with a conditional update that checks the row count, so a double click or two submissions
at the same instant send once.
"""
import hashlib
import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from surveys.answers import VOIDED_REASON, from_data, to_data
from surveys.models import (
    Flag,
    Invitation,
    Question,
    Response,
)
from surveys.selectors import answering as answering_selectors
from surveys.services.common import setting
from surveys.tokens import ip_fingerprint


class IncompleteAnswers(ApplicationError):
    """Required rows are unanswered; `missing` lists (question, agency | None)."""

    def __init__(self, missing):
        super().__init__(_("Còn %(count)s câu/dòng chưa trả lời.") % {"count": len(missing)}, extra={"errors": {
            "missing": [f"{q.number}" + (f" – {a.name}" if a else "") for q, a in missing[:50]]}})
        self.missing = missing


class NotYetOpen(DeadlineError):
    """The survey window of the respondent's agency opens later (`window.opens_at`)."""

    def __init__(self, window):
        super().__init__(_("Chưa đến thời gian trả lời phiếu."))
        self.window = window


ALREADY_SENT = gettext_lazy("Phiếu đã được gửi; cảm ơn ông/bà đã trả lời.")
OPEN_STATUSES = [Invitation.Status.SENT, Invitation.Status.OPENED, Invitation.Status.BOUNCED]
_OPENED = Case(When(status__in=[Invitation.Status.SENT, Invitation.Status.BOUNCED],
                    then=Value(Invitation.Status.OPENED)), default=F("status"))


def check_answer_window(*, invitation, now=None):
    """The one rule of when a link may answer: not voided, the campaign open, and `now`
    inside the survey window of the respondent's agency (its extension included). Returns
    the window; raises NotYetOpen before it, DeadlineError otherwise."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.VOIDED:
        raise DeadlineError(_("Liên kết không còn hiệu lực."))
    if invitation.respondent.campaign.status != Campaign.Status.OPEN:
        raise DeadlineError(_("Đợt khảo sát đã kết thúc."))
    window = answering_selectors.answer_window(invitation=invitation)
    if window is None or now >= window.closes_at:
        raise DeadlineError(_("Ngoài thời gian trả lời phiếu."))
    if now < window.opens_at:
        raise NotYetOpen(window)
    return window


def invitation_open(*, invitation, now=None) -> Response:
    """The page's first view: mark the first open and start the response (its
    `started_at` times the answers). Writes only the first time."""
    now = now or timezone.now()
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=now, updated_at=now, status=_OPENED)
        invitation.opened_at = now
        if invitation.status in (Invitation.Status.SENT, Invitation.Status.BOUNCED):
            invitation.status = Invitation.Status.OPENED
    response = answering_selectors.invitation_response(invitation)
    if response is None:
        response, _created = Response.objects.get_or_create(invitation=invitation, defaults={"started_at": now})
        invitation.response = response
    return response


def _take(*, invitation, now) -> Response:
    """The first write of a save's transaction, on the invitation row, so that it locks the
    row (PostgreSQL) or the database (SQLite) before anything is read: a save takes an
    invitation still open (and marks the first open); one already sent updates no row."""
    fields = {"updated_at": now, "opened_at": Coalesce(F("opened_at"), Value(now, output_field=DateTimeField())),
              "status": _OPENED}
    if not Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(**fields):
        raise ConflictError(ALREADY_SENT)
    response, _created = Response.objects.get_or_create(invitation=invitation, defaults={"started_at": now})
    if response.submitted_at is not None:
        raise ConflictError(ALREADY_SENT)
    invitation.response = response
    return response


FIELD_RE = re.compile(r"q(\d+)(?:_a(\d+))?")
TEXT_MAX = 2000  # a short answer's characters (the page's textarea says the same)


def answers_from_post(data, questionnaire, *, partial=False) -> dict:
    """Answers posted by the page (`data`: the request's QueryDict): `q<question>_a<agency>`
    for a matrix row, `q<question>` otherwise (repeated for multiple choice). A partial
    save lists the questions it touches in `touched` so that clearing a multiple choice or
    a text is saved too. A field of another questionnaire (a question or a rated agency
    not on this one) is refused."""
    fields = questionnaire.fields
    posted = {name: data.getlist(name) for name in data}
    if partial:
        for name in data.getlist("touched"):
            posted.setdefault(name, [])
    out, bad = {}, []
    for name, raw in posted.items():
        spec = fields.get(name)
        if spec is None:
            if FIELD_RE.fullmatch(name):
                bad.append(name)
            continue
        qid, agency_id, kind, keys = spec
        values = [v for v in raw if v != ""]
        if kind == Question.Kind.RATING:
            if len(raw) != 1 or raw[0] not in keys:
                bad.append(name)
            else:
                out[(qid, agency_id)] = raw
        elif kind == Question.Kind.TEXT:
            out[(qid, None)] = (raw[-1] if raw else "").strip()[:TEXT_MAX]
        elif (kind == Question.Kind.SINGLE and len(values) > 1) or not set(values) <= keys:
            bad.append(name)
        else:
            out[(qid, None)] = list(dict.fromkeys(values))
    if bad:
        raise ApplicationError(_("Câu trả lời không hợp lệ."), extra={"errors": {"answers": sorted(bad)[:20]}})
    return out


def response_save(*, invitation, answers, replace_all=False, now=None) -> Response:
    """Save answers as the respondent goes (the same link resumes). `replace_all`: the
    posted page is the whole truth (the form's own submit); otherwise the posted answers
    replace theirs and the rest stay. A draft is one row (Response.answers_data)."""
    now = now or timezone.now()
    check_answer_window(invitation=invitation, now=now)
    with transaction.atomic():
        response = _take(invitation=invitation, now=now)
        response.answers_data = to_data(answers, None if replace_all else response.answers_data)
        response.last_saved_at = now
        response.save(update_fields=["answers_data", "last_saved_at"])
    return response


def _digest(questionnaire, answers) -> tuple[str, int]:
    """The rating answers' fingerprint (question, rated agency, option), for identical
    patterns, and the number of matrix rows."""
    keys = questionnaire.rating_keys
    text = "|".join(f"{q}:{a}:" + ",".join(sorted(answers.get((q, a)) or ())) for q, a in keys)
    return (hashlib.sha256(text.encode()).hexdigest() if keys else ""), len(keys)


def _flags(*, started_at, now, rows) -> list[str]:
    """Too fast: fewer than SURVEY_FLAG_SECONDS_PER_ROW seconds a matrix row."""
    too_fast = rows and now - started_at < timedelta(seconds=rows * setting("SURVEY_FLAG_SECONDS_PER_ROW", 2))
    return [Flag.Kind.TOO_FAST.value] if too_fast else []


_SENT_FIELDS = ["answers_data", "answers_pending", "submitted_at", "last_saved_at", "ip_hash", "user_agent",
                "answers_digest", "rating_rows", "flags", "voided", "void_reason"]


def response_submit(*, invitation, questionnaire, answers=None, replace_all=False, ip="", user_agent="",
                    now=None) -> Response:
    """Send the questionnaire once: every required row answered, the posted `answers` (if
    any) saved, the response stamped with its time and a device fingerprint. When rows are
    missing the answers stay saved and IncompleteAnswers lists them.

    One transaction claims the invitation (still open → answered: a conditional update
    that two submissions at the same instant race for; the second updates nothing and gets
    ConflictError) and writes the response as one JSON document; the rows of Answer follow
    off the respondent's path (answers.expand_pending). The other integrity checks run in
    the periodic scan (`survey_flags_scan`)."""
    now = now or timezone.now()
    check_answer_window(invitation=invitation, now=now)
    if answers is not None and not replace_all:
        response_save(invitation=invitation, answers=answers, now=now)
        answers = None
    if answers is not None:
        missing = answering_selectors.missing_rows(questionnaire, answers)
        if missing:
            response_save(invitation=invitation, answers=answers, replace_all=True, now=now)
            raise IncompleteAnswers(missing)
    voided = answering_selectors.agency_voided(invitation=invitation)
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(
            status=Invitation.Status.ANSWERED, answered_at=now, updated_at=now,
            opened_at=Coalesce(F("opened_at"), Value(now, output_field=DateTimeField())))
        if not claimed:
            raise ConflictError(ALREADY_SENT)
        # read under the invitation's lock: a save on the way may have made the response
        response = Response.objects.filter(invitation_id=invitation.pk).first()
        if answers is None:  # send what was saved
            answers = from_data(response.answers_data if response else {})
            missing = answering_selectors.missing_rows(questionnaire, answers)
            if missing:  # nothing was written but the claim: rolling back loses nothing
                raise IncompleteAnswers(missing)
        if response is None:
            response = Response(invitation=invitation, started_at=now)
        digest, rows = _digest(questionnaire, answers)
        response.answers_data = to_data(answers)
        response.answers_pending = True
        response.submitted_at = response.last_saved_at = now
        response.ip_hash, response.user_agent = ip_fingerprint(ip), (user_agent or "")[:200]
        response.answers_digest, response.rating_rows = digest, rows
        response.flags = _flags(started_at=response.started_at, now=now, rows=rows)
        response.voided, response.void_reason = voided, (VOIDED_REASON if voided else "")
        if response.pk is None:
            response.save(force_insert=True)
        else:
            response.save(update_fields=_SENT_FIELDS)
    invitation.status, invitation.answered_at, invitation.response = Invitation.Status.ANSWERED, now, response
    return response
