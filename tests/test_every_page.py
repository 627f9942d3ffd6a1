"""Every page as every role: each URL pattern of the portal is resolved, its parameters filled
from one world (an open campaign with a submitted assessment, evidence, an appraisal
assignment, an explanation request, a survey with a respondent and a flag, a job, a
notification, an e-mail; and a second, published campaign), and fetched with GET as
anonymous, staff, leader, appraiser, officer and admin.

Allowed: 200, 301/302, 403, 404, 405 (POST-only views); never a 500. Templates render with
`string_if_invalid` set to an empty string that prints as a marker, so a variable a template
prints but the view does not give shows up (filters such as `|default` still see it empty).

A new URL pattern with parameters is filled by their names (BY_NAME: `campaign_id`,
`agency_code`, `token`…); one with an ambiguous name (`pk`, `code`) fails
`test_every_pattern_is_walked` until it gets an entry in PARAMS (how to fill it from the
world) or in SKIPPED (why it cannot be walked).

The same walk runs with English active (`test_english_pages_have_no_vietnamese_ui_text`):
the world's data is ASCII, so any Vietnamese letter left on a page is an untranslated label.
"""
import copy
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campaigns.models import Agency, Campaign, User
from tests.factories import CampaignFactory, StepFactory, group
from tests.test_i18n import VIETNAMESE

MARKER = "@@MISSING@@"


class Missing(str):
    """What a template gets for a variable its context lacks: empty, so `|default` and the
    other filters still work as in production, but printed bare it shows as MARKER."""

    def __str__(self):
        return MARKER
ROLES = ("anonymous", "staff", "leader", "appraiser", "officer", "admin")
ALLOWED = {200, 301, 302, 403, 404, 405}
API_ALLOWED = ALLOWED | {401}  # the API answers 401 to a request without credentials


# ------------------------------------------------------------------ the world


@dataclass
class World:
    campaign: Campaign  # open: self-assessment, appraisal, explanation, lists and survey steps open
    published: Campaign  # its results published (publication number 1)
    criteria_set: object
    criterion: object
    assessment: object  # agency A's, submitted, with evidence on 1.2
    item_code: str
    document: object
    assignment: object
    explanation_request: object
    respondent_group: object
    question: object
    respondent: object
    token: str
    flag: object
    job: object
    notification: object
    outbox: object
    reset_uid: str
    reset_token: str
    guidance: object = None  # the campaign library's entry (a file)


def build_world(*, campaign, agency_a, agency_b, commune, staff_a, leader_a, appraiser, officer, admin_user) -> World:
    """Through the project's builders and services; every name shown on a page is ASCII."""
    from cchc_portal.notifications.models import Job
    from cchc_portal.notifications.services import notification_create, outbox_enqueue
    from reports.services import publication_create
    from scoring.services.explanations import explanation_request_create
    from surveys.models import Flag, Invitation, Question, RespondentGroup
    from surveys.services.lists import respondent_add
    from surveys.tokens import new_token, token_hash
    from tests.reports.builders import golden_campaign
    from tests.scoring import appraisal_support as support

    now = timezone.now()
    for agency, name in ((agency_a, "Department of Finance"), (agency_b, "Department of Justice"),
                         (commune, "Yen Son Commune")):
        Agency.objects.filter(pk=agency.pk).update(name=name)
        agency.name = name
    for user in User.objects.all():
        User.objects.filter(pk=user.pk).update(full_name=user.username.replace("_", " ").title())
    Campaign.objects.filter(pk=campaign.pk).update(name="PAR index 2026")
    campaign.refresh_from_db()

    w = support.world(campaign, agency_a, now=now)
    for step_kind, days in (("respondent_lists", 2), ("survey", 5)):
        StepFactory(campaign=campaign, kind=step_kind, opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=days))
    assessment = support.submit(w.a, staff=staff_a, leader=leader_a)
    assignment = support.assign(campaign, appraiser, ["1", "2"], officer=officer)
    explanation_request = explanation_request_create(
        assessment=assessment, codes=["1.1"], question="Please explain", due_at=now + timedelta(days=3),
        user=appraiser)
    document = assessment.items.get(criterion__code="1.2").documents.get()

    respondent_group = RespondentGroup.objects.create(
        campaign=campaign, code="LDX", name="Commune leaders", rates_group=group("department"),
        form_code="Form 03", min_answers=1)
    question = Question.objects.create(group=respondent_group, number="1", kind="text", text="Other comments",
                                       options=[], required=False, section="General", order=1)
    respondent = respondent_add(campaign=campaign, agency=agency_a, user=staff_a, full_name="Nguyen Van A",
                                email="respondent@example.gov.vn", group=respondent_group, position="Chair")
    token = new_token()
    Invitation.objects.create(respondent=respondent, token_hash=token_hash(token), status=Invitation.Status.SENT,
                              sent_at=now)
    flag = Flag.objects.create(campaign=campaign, agency=agency_a, kind=Flag.Kind.TOO_FAST, key="walk-flag",
                               detail={"seconds": 12.5, "rows": 4}, created_at=now)

    published = CampaignFactory(name="PAR index 2025", year=2025)
    published.groups.set([group("department")])
    published.agencies.set([agency_a, agency_b])
    golden_campaign(published, agency_a, agency_b)
    publication_create(campaign=published, user=officer, decision_number="12/QD-UBND")

    job = Job.objects.create(kind="export", title="Export", created_by=officer, status=Job.Status.DONE)
    notification = notification_create(user=staff_a, text="Welcome", url="/", key="walk-notification")
    outbox = outbox_enqueue(to=staff_a.email, subject="Hello", template="notice",
                            context={"text": "Hello", "url": "/"}, key="walk-outbox")
    return World(
        campaign=campaign, published=published, criteria_set=w.criteria_set, criterion=w.nodes["1.1"],
        assessment=assessment, item_code="1.2", document=document, assignment=assignment,
        explanation_request=explanation_request, respondent_group=respondent_group, question=question,
        respondent=respondent, token=token, flag=flag, job=job, notification=notification, outbox=outbox,
        reset_uid=urlsafe_base64_encode(force_bytes(staff_a.pk)),
        reset_token=default_token_generator.make_token(staff_a),
        guidance=_guidance(campaign, officer),
    )


def _guidance(campaign, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.library import guidance_create
    from tests.evidence import files

    return guidance_create(campaign=campaign, user=officer, kind="plan", title="Plan", number="1/KH",
                           criteria_codes="1.2", file=SimpleUploadedFile("plan.pdf", files.pdf()))


# ------------------------------------------------------------------ the patterns


def _province(w):
    """A province campaign (the province's own index), its item 2.2 led by agency A (built once)."""
    if getattr(w, "province_pk", None) is None:
        from scoring.models import Criterion
        from tests.scoring.province_support import province_campaign

        campaign, _province_agency, _deps = province_campaign(User.objects.get(username="officer"))
        Criterion.objects.filter(criteria_set__campaign=campaign, code="2.2").update(
            responsible_agency=Agency.objects.get(code="SA"))
        w.province_pk = campaign.pk
    return w.province_pk


def _campaigns(w):
    return [{"pk": w.campaign.pk}, {"pk": w.published.pk}]


def _campaign(w):
    return [{"pk": w.campaign.pk}]


def _assessment(w):
    return [{"pk": w.assessment.pk}]


def _item(w):
    return [{"pk": w.assessment.pk, "code": w.item_code}]


def _survey_list(w):
    return [{"pk": w.campaign.pk, "code": "SA"}]


def _agency_sheet(w):
    return [{"pk": w.campaign.pk, "code": "SA"}, {"pk": w.published.pk, "code": "SA"}]


# URL name → the keyword arguments to fetch it with (a list: some pages are walked twice);
# "?" holds a query string the page needs.
PARAMS = {
    "surveys:answer": lambda w: [{"token": w.token}, {"token": "not-a-token"}],
    "surveys:answer_save": lambda w: [{"token": w.token}],
    "surveys:overview": _campaign,
    "surveys:group_create": _campaign,
    "surveys:group": lambda w: [{"pk": w.campaign.pk, "gid": w.respondent_group.pk}],
    "surveys:group_preview": lambda w: [{"pk": w.campaign.pk, "gid": w.respondent_group.pk}],
    "surveys:question_create": lambda w: [{"pk": w.campaign.pk, "gid": w.respondent_group.pk}],
    "surveys:question_edit": lambda w: [{"pk": w.campaign.pk, "qid": w.question.pk}],
    "surveys:question_delete": lambda w: [{"pk": w.campaign.pk, "qid": w.question.pk}],
    "surveys:import": _campaign,
    "surveys:export": _campaign,
    "surveys:lists": _campaign,
    "surveys:list_detail": _survey_list,
    "surveys:list_import": _survey_list,
    "surveys:list_send": _survey_list,
    "surveys:list_approve": _survey_list,
    "surveys:list_return": _survey_list,
    "surveys:list_print": _survey_list,
    "surveys:respondent_delete": lambda w: [{"pk": w.campaign.pk, "code": "SA", "rid": w.respondent.pk}],
    "surveys:respondent_resend": lambda w: [{"pk": w.campaign.pk, "code": "SA", "rid": w.respondent.pk}],
    "surveys:invitations_send": _campaign,
    "surveys:progress": _campaign,
    "surveys:flags": _campaign,
    "surveys:flag_review": lambda w: [{"pk": w.campaign.pk, "fid": w.flag.pk}],
    "surveys:agency_void": _campaign,
    "surveys:points": _campaign,
    "password_reset_confirm": lambda w: [{"uidb64": w.reset_uid, "token": w.reset_token}],
    "api-campaign": _campaigns,
    "api-campaign-step": lambda w: [{"pk": w.campaign.pk, "kind": "self_assessment"}],
    "api-campaign-extensions": _campaign,
    "api-focal-officers": _campaign,
    "api-focal-officers-agency": lambda w: [{"pk": w.campaign.pk, "agency_code": "SA"}],
    "api-evidence-detail": lambda w: [{"pk": w.document.pk}],
    "api-criteria": lambda w: [{"pk": w.campaign.pk, "?": "group=department"}],
    "api-criteria-validate": lambda w: [{"pk": w.campaign.pk, "?": "group=department"}],
    "api-criteria-import": _campaign,
    "api-criteria-export": lambda w: [{"pk": w.campaign.pk, "?": "group=department"}],
    "api-campaign-open": _campaign,
    "api-campaign-progress": _campaign,
    "api-appraiser-progress": _campaign,
    "api-assessment": _assessment,
    "api-assessment-item": _item,
    "api-assessment-evidence": _assessment,
    "api-assessment-send": _assessment,
    "api-assessment-approve": _assessment,
    "api-assessment-return": _assessment,
    "api-campaign-assignments": _campaign,
    "api-assessment-appraisal": _assessment,
    "api-assessment-item-appraisal": _item,
    "api-assessment-field-accept": lambda w: [{"pk": w.assessment.pk, "code": "1"}],
    "api-assessment-explanation-requests": _assessment,
    "api-explanation-answer": lambda w: [{"pk": w.explanation_request.pk}],
    "api-assessment-finalize": _assessment,
    "api-assessment-reopen": _assessment,
    "api-respondents": _campaign,
    "api-respondents-import": _campaign,
    "api-respondent": lambda w: [{"pk": w.campaign.pk, "rid": w.respondent.pk}],
    "api-respondent-list-send": _survey_list,
    "api-respondent-list-approve": _survey_list,
    "api-respondent-list-return": _survey_list,
    "api-invitations-send": _campaign,
    "api-survey-progress": _campaign,
    "api-survey-points": _campaign,
    "api-campaign-results": _campaigns,
    "api-campaign-publish": _campaign,
    "api-campaign-publications": _campaigns,
    "campaigns:detail": _campaigns,
    "campaigns:plan_edit": _campaign,
    "campaigns:extension_create": _campaign,
    "campaigns:copy": _campaign,
    "notifications:open": lambda w: [{"pk": w.notification.pk}],
    "notifications:outbox_retry": lambda w: [{"pk": w.outbox.pk}],
    "notifications:outbox_mark": lambda w: [{"pk": w.outbox.pk}],
    "notifications:job": lambda w: [{"pk": w.job.pk}],
    "notifications:job_progress": lambda w: [{"pk": w.job.pk}],
    "notifications:reminders": _campaign,
    "evidence:library": lambda w: [{"campaign_id": w.campaign.pk, "agency_code": "SA"}],
    "evidence:upload": lambda w: [{"campaign_id": w.campaign.pk, "agency_code": "SA"}],
    "evidence:download": lambda w: [{"pk": w.document.pk}],
    "evidence:preview": lambda w: [{"pk": w.document.pk}],
    "evidence:edit": lambda w: [{"pk": w.document.pk}],
    "evidence:delete": lambda w: [{"pk": w.document.pk}],
    "evidence:accept_proposal": lambda w: [{"pk": w.document.pk}],
    "evidence:check": lambda w: [{"pk": w.document.pk}],
    "evidence:search": lambda w: [{"campaign_id": w.campaign.pk}],
    "evidence:guidance_edit": lambda w: [{"pk": w.guidance.pk}],
    "evidence:guidance_delete": lambda w: [{"pk": w.guidance.pk}],
    "evidence:guidance_file": lambda w: [{"pk": w.guidance.pk}],
    "scoring:criteria_sets": lambda w: [{"campaign_pk": w.campaign.pk}],
    "scoring:criteria_set_create": lambda w: [{"campaign_pk": w.campaign.pk}],
    "scoring:criteria_set_copy": lambda w: [{"campaign_pk": w.campaign.pk}],
    "scoring:criteria_import": lambda w: [{"campaign_pk": w.campaign.pk, "group": "department"}],
    "scoring:criteria_set": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criterion_create": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_preview": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_validate": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_export": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_set_settings": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_set_lock": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_mapping": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criteria_amendments": lambda w: [{"pk": w.criteria_set.pk}],
    "scoring:criterion_edit": lambda w: [{"pk": w.criterion.pk}],
    "scoring:criterion_move": lambda w: [{"pk": w.criterion.pk}],
    "scoring:criterion_delete": lambda w: [{"pk": w.criterion.pk}],
    "scoring:assessment_page": _assessment,
    "scoring:item_save": _item,
    "scoring:item_history": _item,
    "scoring:item_documents": _item,
    "scoring:item_upload": _item,
    "scoring:item_document_remove": lambda w: [{"pk": w.assessment.pk, "code": w.item_code,
                                                "document_id": w.document.pk}],
    "scoring:assessment_send": _assessment,
    "scoring:assessment_approve": _assessment,
    "scoring:assessment_return": _assessment,
    "scoring:assessment_report_pdf": _assessment,
    "scoring:assessment_report_xlsx": _assessment,
    "scoring:campaign_open": _campaign,
    "scoring:appraisal_queue": _campaign,
    "scoring:assignment_list": _campaign,
    "scoring:assignment_delete": lambda w: [{"pk": w.campaign.pk, "assignment_id": w.assignment.pk}],
    "scoring:imported_figures": _campaign,
    "scoring:appraisal_page": _assessment,
    "scoring:appraisal_item": lambda w: [{"pk": w.assessment.pk, "code": "1.1"}],
    "scoring:appraisal_field_accept": lambda w: [{"pk": w.assessment.pk, "code": "1"}],
    # the province's own index (a province campaign built on first use; SA leads item 2.2)
    "scoring:province_board": lambda w: [{"pk": _province(w)}],
    "scoring:province_assign": lambda w: [{"pk": _province(w)}],
    "scoring:province_board_excel": lambda w: [{"pk": _province(w)}],
    "scoring:province_item_notes": lambda w: [{"pk": _province(w), "item_code": "2.2"}],
    "scoring:province_item_return": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "scoring:province_item_accept": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "scoring:province_department": lambda w: [{"pk": _province(w), "code": "SA"}, {"pk": _province(w), "code": "SNV"}],
    "scoring:province_send": lambda w: [{"pk": _province(w), "code": "SA"}],
    "scoring:province_item_save": lambda w: [{"pk": _province(w), "code": "SA", "item_code": "2.2"}],
    "scoring:province_item_contribute": lambda w: [{"pk": _province(w), "code": "SA", "item_code": "2.2"}],
    "scoring:province_official": lambda w: [{"pk": _province(w)}],
    "scoring:province_official_template": lambda w: [{"pk": _province(w)}],
    "scoring:province_comparison": lambda w: [{"pk": _province(w)}],
    "scoring:province_report": lambda w: [{"pk": _province(w)}],
    "scoring:province_report_pdf": lambda w: [{"pk": _province(w)}],
    "scoring:province_report_docx": lambda w: [{"pk": _province(w)}],
    "api-province-items": lambda w: [{"pk": _province(w), "?": "agency=SA"}, {"pk": _province(w)}],
    "api-province-item": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "api-province-item-notes": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "api-province-item-return": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "api-province-item-accept": lambda w: [{"pk": _province(w), "code": "2.2"}],
    "api-province-send": lambda w: [{"pk": _province(w)}],
    "api-province-responsible": lambda w: [{"pk": _province(w), "code": "2"}],
    "api-province-official": lambda w: [{"pk": _province(w)}],
    "api-province-report": lambda w: [{"pk": _province(w)}],
    "scoring:explanation_request_create": _assessment,
    "scoring:appraisal_finalize": _assessment,
    "scoring:appraisal_reopen": _assessment,
    "scoring:explanations": _assessment,
    "scoring:explanation_answer": lambda w: [{"pk": w.explanation_request.pk}],
    "public-results": _campaigns,
    "public-agency": _agency_sheet,
    "public-pdf": lambda w: [{"pk": w.published.pk, "name": f"chi-so-cchc-{w.published.year}"}],
    "public-xlsx": lambda w: [{"pk": w.published.pk, "name": f"chi-so-cchc-{w.published.year}"}],
    "reports-results": _campaigns,
    "reports-publish": _campaign,
    "reports-settings": _campaigns,
    "reports-board": _campaigns,
    "reports-board-export": _campaigns,
    "reports-ranking-xlsx": _campaigns,
    "reports-ranking-pdf": _campaigns,
    "reports-summary-pdf": _campaigns,
    "reports-campaign-export": _campaigns,
    "reports-export-download": lambda w: [{"job_id": w.job.pk}],
    "reports-score-sheet": _agency_sheet,
    "reports-score-sheet-xlsx": _agency_sheet,
    "reports-score-sheet-pdf": _agency_sheet,
}

# Parameter names that mean one thing wherever they appear: a pattern made only of these is
# walked without a PARAMS entry (`pk` and `code` mean different things, so they need one).
BY_NAME = {
    "campaign_id": lambda w: w.campaign.pk,
    "campaign_pk": lambda w: w.campaign.pk,
    "agency_code": lambda w: "SA",
    "assessment_id": lambda w: w.assessment.pk,
    "document_id": lambda w: w.document.pk,
    "assignment_id": lambda w: w.assignment.pk,
    "job_id": lambda w: w.job.pk,
    "token": lambda w: w.token,
    "gid": lambda w: w.respondent_group.pk,
    "qid": lambda w: w.question.pk,
    "rid": lambda w: w.respondent.pk,
    "fid": lambda w: w.flag.pk,
}

# Patterns not walked, with the reason.
SKIPPED = {
    "admin:view_on_site": "a redirect to an object's own page, which the walk fetches directly",
    "admin/(?P<url>.*)$": "the admin's catch-all: any unknown admin address, a redirect or a 404",
}

# Pages whose third-party templates print an empty variable on purpose, with the reason.
MARKER_EXEMPT = {
    "admin:campaigns_agency_export": "django-import-export's export form leaves `export_url` empty when opened "
                                     "directly, so the form posts back to its own address",
}


@dataclass
class Page:
    key: str  # the URL name, or the route when the pattern has none
    route: str
    names: tuple  # the pattern's parameter names


def _route(pattern) -> str:
    return str(pattern.pattern)


def walk(patterns=None, prefix="", namespace=""):
    """Every URL pattern as a Page, through the resolver's public url_patterns."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + _route(p), ns)
            continue
        route = prefix + _route(p)
        names = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) if isinstance(p.pattern, RoutePattern) or (
            "(?P<" not in route) else tuple(re.findall(r"\(\?P<(\w+)>", route))
        yield Page(f"{namespace}{p.name}" if p.name else route, route, names)


def _admin_kwargs(page):
    """An admin page's object: the first row of the model its route names; app pages: each app."""
    if page.key == "admin:app_list":
        labels = sorted({m._meta.app_label for m in apps.get_models() if admin.site.is_registered(m)})
        return [{"app_label": label} for label in labels]
    parts = page.route.split("/")
    model = apps.get_model(parts[1], parts[2])
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        return []
    return [{name: obj.pk for name in page.names}]


def kwargs_for(page, world):
    if page.key in SKIPPED:
        return None
    if not page.names:
        return [{}]
    if page.route.startswith("admin/") and page.key not in PARAMS:
        return _admin_kwargs(page)
    fill = PARAMS.get(page.key)
    if fill:
        return fill(world)
    if all(name in BY_NAME for name in page.names):
        return [{name: BY_NAME[name](world) for name in page.names}]
    return None


def url_for(page, kwargs):
    """The page's address; a "?" entry of kwargs is its query string."""
    query = f"?{kwargs['?']}" if "?" in kwargs else ""
    if page.key == "admin:app_list":
        return f"/admin/{kwargs['app_label']}/"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), page.route) + query


# ------------------------------------------------------------------ the walk


@pytest.fixture
def world(campaign, agency_a, agency_b, commune, staff_a, leader_a, appraiser, officer, admin_user, settings,
          tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_VIRUS_SCAN = ""
    w = build_world(campaign=campaign, agency_a=agency_a, agency_b=agency_b, commune=commune, staff_a=staff_a,
                    leader_a=leader_a, appraiser=appraiser, officer=officer, admin_user=admin_user)
    _province(w)  # before the walk reads the stored texts
    return w


@pytest.fixture
def clients(staff_a, leader_a, appraiser, officer, admin_user):
    users = {"anonymous": None, "staff": staff_a, "leader": leader_a, "appraiser": appraiser, "officer": officer,
             "admin": admin_user}
    made = {}
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        made[role] = client
    return made


@pytest.fixture
def marked_templates(settings):
    """Templates print MARKER for a variable they print bare that the context lacks."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = Missing("")
    settings.TEMPLATES = templates


class PdfStub:
    """WeasyPrint's place during the walk: the PDF's HTML is rendered and kept for the checks,
    the layout (seconds per PDF) is skipped; the reports' and scoring's own tests make real PDFs."""

    rendered: list = []

    def __init__(self, *, string, **kwargs):
        PdfStub.rendered.append(string)

    def write_pdf(self, *args, **kwargs):
        return b"%PDF-1.4 stub"


@pytest.fixture
def pdf_stub(monkeypatch):
    import weasyprint

    PdfStub.rendered = []
    monkeypatch.setattr(weasyprint, "HTML", PdfStub)
    return PdfStub


def fetch_all(world, clients, *, language=None):
    """GET every walkable page as every role: [(role, url, page, response or exception, html)],
    html being the page's or, for a PDF, the HTML it was made from ("" for other files)."""
    fetched = []
    for page in walk():
        for kwargs in kwargs_for(page, world) or []:
            url = url_for(page, kwargs)
            for role in ROLES:
                client = clients[role]
                if language:
                    client.cookies["django_language"] = language
                PdfStub.rendered = []
                try:
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language or "vi")
                except Exception as exc:  # noqa: BLE001 - a page that raises is what the walk reports
                    fetched.append((role, url, page, exc, ""))
                    continue
                html = response.content.decode() if _is_html(response) else "".join(PdfStub.rendered)
                fetched.append((role, url, page, response, html))
    return fetched


def _is_html(response):
    return response["Content-Type"].startswith("text/html") and not getattr(response, "streaming", False)


def test_every_pattern_is_walked(world):
    unfilled = [page.route for page in walk() if kwargs_for(page, world) is None and page.key not in SKIPPED]
    assert not unfilled, f"add these patterns to PARAMS (how to fill them) or SKIPPED (why not): {unfilled}"
    keys = {page.key for page in walk()}
    stale = [key for key in list(PARAMS) + list(SKIPPED) + list(MARKER_EXEMPT) if key not in keys]
    assert not stale, f"PARAMS/SKIPPED name patterns that no longer exist: {stale}"


def test_every_page_as_every_role(world, clients, marked_templates, pdf_stub):
    problems = []
    seen = {}
    for role, url, page, response, html in fetch_all(world, clients):
        if isinstance(response, Exception):
            problems.append(f"{role} {url}: raised {type(response).__name__}: {response}"[:300])
            continue
        seen.setdefault(page.key, set()).add(response.status_code)
        if response.status_code not in (API_ALLOWED if url.startswith("/api/") else ALLOWED):
            problems.append(f"{role} {url}: {response.status_code}")
        elif page.key not in MARKER_EXEMPT:
            if MARKER in html:
                lines = [ln.strip() for ln in html.splitlines() if MARKER in ln]
                problems.append(f"{role} {url}: empty template variable in {lines[:2]}"[:300])
        if response.status_code in (301, 302) and role == "anonymous":
            location = urlsplit(response["Location"]).path
            if not (location.startswith(("/accounts/login/", "/admin/")) or url.startswith("/i18n/")):
                problems.append(f"anonymous {url}: redirected to {location}, not to a login page")
    assert not problems, "\n".join(problems)
    # a page that is 404 for every role and every world object was walked with the wrong parameters
    nowhere = sorted(key for key, statuses in seen.items() if statuses <= {404})
    assert not nowhere, f"404 for every role (wrong parameters in PARAMS?): {nowhere}"


# ------------------------------------------------------------------ English


# Vietnamese that stays Vietnamese in the English interface: names and formats, not labels.
KNOWN_VIETNAMESE = (
    "Tiếng Việt",  # the language's own name in the switch
    "QĐ-UBND",  # how a decision is numbered (an example of the field's format)
    "Tuyên Quang",  # a province's name, as an example
)


# Stored text the portal writes itself, in Vietnamese, and translates when it shows it.
GENERATED = {"self_reason"}  # the engine's reason for an item's points (scoring.reasons)


def _data_strings():
    """Every Vietnamese text stored in the database (names, titles, labels of the builders and
    migrations): what a page shows from there is data, not interface text."""
    from django.db import models

    found = set()

    def add(value):
        if isinstance(value, str):
            if VIETNAMESE.search(value):
                found.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                add(key)
                add(item)
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)

    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in GENERATED
                  and isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if fields:
            for row in model._default_manager.values_list(*fields):
                add(row)
    return sorted(found, key=len, reverse=True)


def _ui_leftovers(html, data):
    """The texts and attribute values of a page that hold Vietnamese letters once the data is gone."""
    from django.utils.html import escape

    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    for value in data:
        html = html.replace(escape(value), "").replace(value, "")
    for value in KNOWN_VIETNAMESE:
        html = html.replace(value, "")
    pieces = re.split(r"<[^>]*>", html) + re.findall(r'=\s*"([^"]*)"', html)
    return [" ".join(p.split()) for p in pieces if VIETNAMESE.search(p)]


def test_english_pages_have_no_vietnamese_ui_text(world, clients, pdf_stub):
    """Pages, and the 403 and 404 pages they give; PDFs aside: the official reports are
    Vietnamese documents, whatever the reader's language."""
    data = _data_strings()
    leftovers = {}
    for role, url, _page, response, _html in fetch_all(world, clients, language="en"):
        if isinstance(response, Exception) or response.status_code not in (200, 403, 404) or not _is_html(response):
            continue
        for text in _ui_leftovers(response.content.decode(), data):
            leftovers.setdefault(text[:200], f"{role} {url}")
    assert not leftovers, "\n".join(f"{where}: {text}" for text, where in sorted(leftovers.items()))
