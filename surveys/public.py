"""The respondent's page `/s/<token>/`: no account, phone first, saved as you go.

What a link holder sees: the questionnaire while the window is open; the thank-you once
sent (never the answers); a plain "not valid" page, the same for an unknown and an
expired link; "replaced" for a link that a newer one superseded; "not yet" before the
window. Every request is rate-limited per link and per address.
"""
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError

from . import ratelimit, selectors, services
from .models import Invitation, Question
from .tokens import client_ip, token_hash, user_agent

INVALID = _("Liên kết không hợp lệ hoặc đã hết hạn.")


def _page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: never sent to other sites
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid(request, *, json=False):
    if json:
        return JsonResponse({"detail": INVALID}, status=404)
    return _page(request, "surveys/answer_invalid.html", status=404)


def _too_many(request, *, json=False):
    text = _("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")
    if json:
        return JsonResponse({"detail": text}, status=429)
    return _page(request, "surveys/answer_message.html", {"title": text, "status_text": text}, status=429)


def _within_limits(ip, token) -> bool:
    """Every answer request counts once: per address, per link, and an address that tried
    too many unknown links is refused whatever it asks."""
    return ratelimit.within(("BAD_TOKEN_IP", ip, False), ("IP", ip, True),
                            ("TOKEN", token_hash(token or "")[:20], True))


class _Gate:
    """With what link, once the request is within the rate limits (_within_limits): the
    checks every answer request goes through."""

    def __init__(self, request, token, *, ip, now, json=False):
        self.request, self.token, self.json = request, token, json
        self.page = request.method != "POST"  # a posted form is written, not shown
        self.ip, self.now = ip, now
        self.invitation, self.window, self.refusal = None, None, None
        self._check()

    def _check(self):
        ip = self.ip
        invitation, replaced = selectors.invitation_by_token(self.token, page=self.page)
        if invitation is None:
            ratelimit.hit("BAD_TOKEN_IP", ip)
            self.refusal = _invalid(self.request, json=self.json)
            return
        if invitation.status == Invitation.Status.ANSWERED:
            self.refusal = self._thanks(invitation)
            return
        if replaced:
            self.refusal = self._message(_("Liên kết này đã được thay bằng liên kết mới"),
                                         _("Sở Nội vụ đã gửi cho ông/bà một đường liên kết mới (qua thư điện tử hoặc "
                                           "bản in mã QR). Các câu đã trả lời vẫn được giữ; vui lòng dùng liên kết "
                                           "mới nhất."), status=410)
            return
        window = selectors.answer_window(invitation=invitation)
        campaign = invitation.context.campaign
        campaign_open = campaign.status == campaign.Status.OPEN
        if invitation.status == Invitation.Status.VOIDED or not campaign_open or window is None \
                or self.now >= window.closes_at:
            self.refusal = _invalid(self.request, json=self.json)  # expired looks exactly like unknown
            return
        if self.now < window.opens_at:
            when = timezone.localtime(window.opens_at).strftime("%H:%M %d/%m/%Y")
            self.refusal = self._message(_("Chưa đến thời gian trả lời phiếu"),
                                         _("Phiếu mở để trả lời từ %(when)s. Vui lòng quay lại bằng chính liên kết "
                                           "này.") % {"when": when}, status=403 if self.json else 200)
            return
        self.invitation, self.window = invitation, window

    def _message(self, title, text, status=200):
        if self.json:
            return JsonResponse({"detail": str(title)}, status=409 if status == 200 else status)
        return _page(self.request, "surveys/answer_message.html", {"title": title, "status_text": text},
                     status=status)

    def _thanks(self, invitation):
        if self.json:
            return JsonResponse({"detail": services.ALREADY_SENT}, status=409)
        return _page(self.request, "surveys/answer_thanks.html", {"answered_at": invitation.answered_at})


_OPTION_START = '\n        <label class="sv-opt"><input type="radio" name="'


def _matrix_options(question) -> list[tuple[str, str, str, str]]:
    """A matrix row's radio buttons as text around the row's field name and its "checked":
    (option key, start, middle, end), escaped once for the question's options. The page
    has some 90 rows of five options; the template language took most of its time on them."""
    return [(o["key"], _OPTION_START, f'" value="{escape(o["key"])}"',
             f'><span class="sv-key">{escape(o["key"])}</span>'
             f'<span class="sr-only">. {escape(o["label"])}</span></label>') for o in question.options]


def _view_rows(questionnaire, answers, missing_keys):
    """The page as plain data: sections → questions → matrix rows with their stored answers."""
    sections = []
    for section in questionnaire.sections:
        items = []
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
                item["rows"] = rows
                item["answered"] = sum(1 for r in rows if r["value"])
                item["missing"] = any(r["missing"] for r in rows)
            elif q.kind == Question.Kind.TEXT:
                item["value"] = answers.get((q.pk, None)) or ""
            else:
                item["values"] = answers.get((q.pk, None)) or []
            items.append(item)
        sections.append({"title": section.title, "items": items})
    return sections


def _questionnaire(invitation):
    context = invitation.context
    return selectors.questionnaire_cached(group=context.group, respondent_agency=context.agency,
                                          campaign=context.campaign)


def _render_form(request, gate, questionnaire, answers, *, missing=None, error=None, saved=False, status=200):
    missing = missing or []
    missing_keys = {(q.pk, a.pk if a else None) for q, a in missing}
    rows = questionnaire.rows()
    answered = sum(1 for q, a in rows if answers.get((q.pk, a.pk if a else None)))
    respondent = selectors.link_respondent(gate.invitation)
    return _page(request, "surveys/answer.html", {
        "respondent": respondent, "group": respondent.group, "campaign": respondent.campaign,
        "sections": _view_rows(questionnaire, answers, missing_keys), "missing": missing,
        "error": error, "saved": saved, "window": gate.window, "answered": answered, "total": len(rows),
        "preview": False, "link_hint": selectors.link_hint(gate.invitation),
    }, status=status)


def _send_posted(request, token, ip, now):
    """The page sent as it is, in one statement, when its link hint names a questionnaire
    that the posted page completes (services.response_submit_posted); None otherwise, and
    then the general path answers (it looks the link up and says why)."""
    post = request.POST
    if post.get("action") != "submit" or post.get("fill"):
        return None
    context = selectors.hinted_context(post.get("link", ""))
    if context is None:
        return None
    questionnaire = selectors.questionnaire_cached(group=context.group, respondent_agency=context.agency,
                                                   campaign=context.campaign)
    if services.response_submit_posted(token=token, context=context, questionnaire=questionnaire, data=post,
                                       ip=ip, user_agent=user_agent(request), now=now) is None:
        return None
    return _back_to_link(request)


def _back_to_link(request):
    """The redirect to the link's own page (the thank-you now). Its address is the path
    just requested, whose token was found: URL-safe base64, so it needs none of
    HttpResponseRedirect's quoting and scheme checks."""
    response = HttpResponse(status=302)
    response["Location"] = request.path
    return response


def answer(request, token):
    ip, now = client_ip(request), timezone.now()
    if not _within_limits(ip, token):
        return _too_many(request)
    if request.method == "POST":
        sent = _send_posted(request, token, ip, now)
        if sent is not None:
            return sent
    gate = _Gate(request, token, ip=ip, now=now)
    if gate.refusal is not None:
        return gate.refusal
    invitation = gate.invitation
    questionnaire = _questionnaire(invitation)
    if request.method != "POST":
        response = services.invitation_open(invitation=invitation, now=gate.now)
        answers = selectors.stored_answers(response=response)
        return _render_form(request, gate, questionnaire, answers, saved=request.GET.get("saved") == "1")
    try:
        answers = services.answers_from_post(request.POST, questionnaire)
    except ApplicationError as exc:
        response = services.invitation_open(invitation=invitation, now=gate.now)
        return _render_form(request, gate, questionnaire, selectors.stored_answers(response=response),
                            error=exc.message, status=400)
    fill = request.POST.get("fill", "")
    if fill:  # "same answer for all" without JavaScript
        qid, _sep, key = fill.partition(":")
        question = questionnaire.by_id.get(int(qid)) if qid.isdigit() else None
        if question is not None and question.kind == Question.Kind.RATING and key in {o["key"] for o in
                                                                                     question.options}:
            for agency in questionnaire.rated:
                answers[(question.pk, agency.pk)] = [key]
    try:
        if request.POST.get("action") == "submit" and not fill:
            services.response_submit(invitation=invitation, questionnaire=questionnaire, answers=answers,
                                     replace_all=True, ip=gate.ip, user_agent=user_agent(request), now=gate.now,
                                     window=gate.window)
            return _back_to_link(request)
        services.response_save(invitation=invitation, answers=answers, replace_all=True, now=gate.now,
                               window=gate.window)
    except services.IncompleteAnswers as exc:
        return _render_form(request, gate, questionnaire, answers, missing=exc.missing, error=exc.message)
    except DeadlineError:
        return _invalid(request)
    except ConflictError:
        return HttpResponseRedirect(request.path)
    anchor = f"#q{fill.partition(':')[0]}" if fill else ""
    return HttpResponseRedirect(f"{request.path}?saved=1{anchor}")


@require_POST
def answer_save(request, token):
    """Partial saves from static/js/survey.js (form-encoded, CSRF-protected)."""
    ip = client_ip(request)
    if not _within_limits(ip, token):
        return _too_many(request, json=True)
    gate = _Gate(request, token, ip=ip, now=timezone.now(), json=True)
    if gate.refusal is not None:
        return gate.refusal
    questionnaire = _questionnaire(gate.invitation)
    try:
        answers = services.answers_from_post(request.POST, questionnaire, partial=True)
        services.response_save(invitation=gate.invitation, answers=answers, now=gate.now, window=gate.window)
    except DeadlineError as exc:
        return JsonResponse({"detail": exc.message}, status=409)
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, "errors": exc.extra.get("errors", {})}, status=exc.status)
    return JsonResponse({"saved": len(answers), "saved_at": timezone.localtime(gate.now).strftime("%H:%M:%S")})


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
            services.invitation_resend_by_email(email=email)
            done = True
    return _page(request, "surveys/link_request.html", {"done": done, "error": error})
