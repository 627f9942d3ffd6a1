"""The respondent's page `/s/<token>/`: no account, phone first, saved as you go.

What a link holder sees: the questionnaire while the window is open; the thank-you once
sent (never the answers); a plain "not valid" page, the same for an unknown and an
expired link; "replaced" for a link that a newer one superseded; "not yet" before the
window. Every request is rate-limited per link and per address.
"""
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.core.ratelimit import client_ip
from cchc_portal.core.views import error_json
from surveys.selectors import answering as answering_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services
from surveys.services import invitations as invitation_services

from . import ratelimit
from .models import Invitation, Question
from .tokens import token_hash, user_agent

INVALID = gettext_lazy("Liên kết không hợp lệ hoặc đã hết hạn.")


def _page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: never sent to other sites
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid(request, *, json=False):
    if json:
        return error_json(ApplicationError(INVALID, status=404))
    return _page(request, "surveys/answer_invalid.html", status=404)


def _too_many(request, *, json=False):
    text = _("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")
    if json:
        return error_json(ApplicationError(text, status=429))
    return _page(request, "surveys/answer_message.html", {"title": text, "status_text": text}, status=429)


def _within_limits(ip, token) -> bool:
    """Every answer request counts once: per address, per link, and an address that tried
    too many unknown links is refused whatever it asks."""
    return ratelimit.within(("BAD_TOKEN_IP", ip, False), ("IP", ip, True),
                            ("TOKEN", token_hash(token or "")[:20], True))


def _message(request, title, text, *, status=200, json=False):
    if json:
        return error_json(ApplicationError(title, status=409 if status == 200 else status))
    return _page(request, "surveys/answer_message.html", {"title": title, "status_text": text}, status=status)


def _link(request, token, now, *, json=False):
    """(invitation, window, None) for a link that may answer now; (None, None, the page
    that says why) otherwise: unknown, sent already, replaced, outside its window."""
    invitation, replaced = answering_selectors.invitation_by_token(token)
    if invitation is None:
        ratelimit.hit("BAD_TOKEN_IP", client_ip(request))
        return None, None, _invalid(request, json=json)
    if invitation.status == Invitation.Status.ANSWERED:
        if json:
            return None, None, error_json(ConflictError(answering_services.ALREADY_SENT))
        return None, None, _page(request, "surveys/answer_thanks.html", {"answered_at": invitation.answered_at})
    if replaced:
        return None, None, _message(
            request, _("Liên kết này đã được thay bằng liên kết mới"),
            _("Sở Nội vụ đã gửi cho ông/bà một đường liên kết mới (qua thư điện tử hoặc bản in mã QR). Các câu đã "
              "trả lời vẫn được giữ; vui lòng dùng liên kết mới nhất."), status=410, json=json)
    try:
        window = answering_services.check_answer_window(invitation=invitation, now=now)
    except answering_services.NotYetOpen as exc:
        when = timezone.localtime(exc.window.opens_at).strftime("%H:%M %d/%m/%Y")
        return None, None, _message(
            request, _("Chưa đến thời gian trả lời phiếu"),
            _("Phiếu mở để trả lời từ %(when)s. Vui lòng quay lại bằng chính liên kết này.") % {"when": when},
            status=403 if json else 200, json=json)
    except DeadlineError:
        return None, None, _invalid(request, json=json)  # expired looks exactly like unknown
    return invitation, window, None


_OPTION_START = '\n        <label class="sv-opt"><input type="radio" name="'


def _matrix_options(question) -> list[tuple[str, str, str, str]]:
    """A matrix row's radio buttons as text around the row's field name and its "checked":
    (option key, start, middle, end), escaped once for the question's options. Each button
    carries its key and its full label ("A · Tốt"): the labels change from question to
    question. The page has some 90 rows of five options; the template language took most
    of its time on them."""
    return [(o["key"], _OPTION_START, f'" value="{escape(o["key"])}"',
             f'><span class="sv-key"><span><b>{escape(o["key"])}</b> · {escape(o["label"])}</span></span></label>')
            for o in question.options]


def _view_rows(questionnaire, answers, missing_keys):
    """The page as plain data: sections (the screens of the paged page, each with its
    rows, answered rows and missing rows) → questions → matrix rows with their answers."""
    sections = []
    for number, section in enumerate(questionnaire.sections, start=1):
        items, counts = [], {"rows": 0, "answered": 0, "missing": 0, "first_missing": ""}

        def count(anchor, answered, missing, counts=counts):
            counts["rows"] += 1
            counts["answered"] += bool(answered)
            if missing:
                counts["missing"] += 1
                counts["first_missing"] = counts["first_missing"] or anchor

        for q in section.questions:
            item = {"q": q, "anchor": f"q{q.pk}", "name": f"q{q.pk}", "missing": (q.pk, None) in missing_keys}
            if q.kind == Question.Kind.RATING:
                rows = []
                options = _matrix_options(q)
                for a in questionnaire.rated:
                    value = (answers.get((q.pk, a.pk)) or [None])[0]
                    name = f"q{q.pk}_a{a.pk}"
                    rows.append({"agency": a, "name": name, "value": value, "missing": (q.pk, a.pk) in missing_keys,
                                 "options_html": mark_safe("".join(  # noqa: S308 - parts escaped in _matrix_options
                                     [f'{start}{name}{middle}{" checked" if key == value else ""}{end}'
                                      for key, start, middle, end in options]))})
                    count(name, value, rows[-1]["missing"])
                item["rows"] = rows
                item["answered"] = sum(1 for r in rows if r["value"])
                item["missing"] = any(r["missing"] for r in rows)
            elif q.kind == Question.Kind.TEXT:
                item["value"] = answers.get((q.pk, None)) or ""
                count(item["anchor"], item["value"].strip(), item["missing"])
            else:
                item["values"] = answers.get((q.pk, None)) or []
                count(item["anchor"], item["values"], item["missing"])
            items.append(item)
        sections.append({"number": number, "title": section.title, "items": items, **counts})
    for section in sections:
        section["count"] = len(sections)
    return sections


def _questionnaire(invitation):
    respondent = invitation.respondent
    return questionnaire_selectors.questionnaire_for(group=respondent.group,
                                                     respondent_agency=respondent.respondent_list.agency,
                                       campaign=respondent.campaign)


def _render_form(request, invitation, window, questionnaire, answers, *, missing=None, error=None, saved=False,
                 status=200):
    missing = missing or []
    missing_keys = {(q.pk, a.pk if a else None) for q, a in missing}
    rows = questionnaire.rows()
    answered = sum(1 for q, a in rows if answers.get((q.pk, a.pk if a else None)))
    respondent = invitation.respondent
    return _page(request, "surveys/answer.html", {
        "respondent": respondent, "group": respondent.group, "campaign": respondent.campaign,
        "sections": _view_rows(questionnaire, answers, missing_keys), "missing": missing,
        "error": error, "saved": saved, "window": window, "answered": answered, "total": len(rows),
        "preview": False,
    }, status=status)


def _fill(post, questionnaire, answers) -> str:
    """"Same answer for all" without JavaScript (`fill` = "<question id>:<option>"): every
    row of that matrix question gets the option. Returns the question's anchor, or ""."""
    qid, _sep, key = post.get("fill", "").partition(":")
    question = questionnaire.by_id.get(int(qid)) if qid.isdigit() else None
    if question is None or question.kind != Question.Kind.RATING or key not in {o["key"] for o in question.options}:
        return ""
    for agency in questionnaire.rated:
        answers[(question.pk, agency.pk)] = [key]
    return f"#q{question.pk}"


def answer(request, token):
    """The page: shown (GET), saved ("Lưu tạm", "same answer for all") or sent (POST)."""
    ip, now = client_ip(request), timezone.now()
    if not _within_limits(ip, token):
        return _too_many(request)
    invitation, window, refusal = _link(request, token, now)
    if refusal is not None:
        return refusal
    questionnaire = _questionnaire(invitation)
    if request.method != "POST":
        response = answering_services.invitation_open(invitation=invitation, now=now)
        return _render_form(request, invitation, window, questionnaire,
                            answering_selectors.stored_answers(response=response),
                            saved=request.GET.get("saved") == "1")
    try:
        answers = answering_services.answers_from_post(request.POST, questionnaire)
    except ApplicationError as exc:
        stored = answering_selectors.stored_answers(response=answering_selectors.invitation_response(invitation))
        return _render_form(request, invitation, window, questionnaire, stored, error=exc.message, status=400)
    anchor = _fill(request.POST, questionnaire, answers) if request.POST.get("fill") else ""
    try:
        if request.POST.get("action") == "submit" and not request.POST.get("fill"):
            answering_services.response_submit(invitation=invitation, questionnaire=questionnaire, answers=answers,
                                               replace_all=True, ip=ip, user_agent=user_agent(request), now=now)
            return HttpResponseRedirect(request.path)
        answering_services.response_save(invitation=invitation, answers=answers, replace_all=True, now=now)
    except answering_services.IncompleteAnswers as exc:
        return _render_form(request, invitation, window, questionnaire, answers, missing=exc.missing,
                            error=exc.message)
    except DeadlineError:
        return _invalid(request)
    except ConflictError:
        return HttpResponseRedirect(request.path)
    return HttpResponseRedirect(f"{request.path}?saved=1{anchor}")


@require_POST
def answer_save(request, token):
    """Partial saves from static/js/survey.js (form-encoded, CSRF-protected)."""
    ip, now = client_ip(request), timezone.now()
    if not _within_limits(ip, token):
        return _too_many(request, json=True)
    invitation, _window, refusal = _link(request, token, now, json=True)
    if refusal is not None:
        return refusal
    try:
        answers = answering_services.answers_from_post(request.POST, _questionnaire(invitation), partial=True)
        answering_services.response_save(invitation=invitation, answers=answers, now=now)
    except ApplicationError as exc:
        return error_json(exc)
    return JsonResponse({"saved": len(answers), "saved_at": timezone.localtime(now).strftime("%H:%M:%S")})


def link_request(request):
    """"I lost my link": a new one goes to the listed address, if there is one to send.
    The answer is the same whatever the address, so the page reveals nothing."""
    done = False
    error = ""
    if request.method == "POST":
        ip = client_ip(request)
        email = (request.POST.get("email") or "").strip().lower()
        if not ratelimit.hit("LINK_REQUEST_IP", ip) or not ratelimit.hit("LINK_REQUEST_EMAIL", token_hash(email)[:32]):
            return _too_many(request)
        if "@" not in email or len(email) > 254:
            error = _("Nhập địa chỉ thư điện tử đã đăng ký trong danh sách.")
        else:
            invitation_services.invitation_resend_by_email(email=email)
            done = True
    return _page(request, "surveys/link_request.html", {"done": done, "error": error})
