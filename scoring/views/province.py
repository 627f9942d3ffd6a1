"""Pages of the province's own index: the officer's assignment of items to departments, a
department's items (score, evidence, notes, the leader's send), and the Sở's board (return
with a comment, accept)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import links
from campaigns.models import Agency, Campaign
from campaigns.selectors import user_is_officer
from cchc_portal.core.excel import WorkbookWriter
from cchc_portal.core.views import run_action
from scoring.models import Criterion, LeadStatus
from scoring.rules.kinds import RuleParamsError, levels_of
from scoring.selectors.assessments import agency_roles_for
from scoring.selectors.criteria import cooperating_codes, criteria_tree
from scoring.selectors.province import (
    province_agencies_of_user,
    province_agency_get_for_user,
    province_board,
    province_campaign_get_for_user,
    province_item_get_for_user,
    province_item_notes,
    responsibility_map,
)
from scoring.services import province as services
from scoring.views import province_results as results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FIELDS = {"bands": ("numerator", "denominator"), "ratio": ("numerator", "denominator"),
                 "deduction": ("count",), "manual": ("score",), "bonus": ("score",), "penalty": ("score",)}


def _officer(request):
    if not user_is_officer(request.user):
        raise PermissionDenied


def _input_from_post(criterion, data) -> dict | None:
    """The item's input from the form's fields (the API takes the same dict as JSON)."""
    if criterion.rule == "levels":
        return {"level": data.get("level", "")} if data.get("level") else {}
    names = NUMBER_FIELDS.get(criterion.rule)
    if names is None:
        return None  # survey, imported: no input
    values = {n: data.get(n, "").strip() for n in names}
    return values if any(values.values()) else {}


@login_required
def board(request, pk):
    """The Sở's aggregation board: every item, who answers for it, status, points, evidence."""
    _officer(request)
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    data = province_board(assessment=assessment)
    status = request.GET.get("status", "")
    rows = [r for r in data.rows if not status or r.item.lead_status == status or (status == "overdue" and r.overdue)]
    return render(request, "scoring/province/board.html", {
        "campaign": campaign, "assessment": assessment, "board": data, "rows": rows, "status": status,
        "statuses": LeadStatus.choices,
    })


# the Ministry's data entry order: the item, its points and explanation, then the evidence
EXCEL_COLUMNS = ["code", "title", "max_points", "self_points", "explanation", "evidence_count", "lead", "status"]


@login_required
def board_excel(request, pk):
    """The board as .xlsx in the Ministry's entry order, so entering it takes copying."""
    _officer(request)
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    data = province_board(assessment=assessment)
    book = WorkbookWriter()
    ws = book.sheet("chi_so_tinh", EXCEL_COLUMNS, widths=[8, 60, 10, 10, 60, 10, 10, 18], wrap=True,
                    labels=[_("Mã"), _("Tiêu chí"), _("Điểm tối đa"), _("Điểm tự chấm"), _("Giải trình"),
                            _("Tài liệu"), _("Chủ trì"), _("Trạng thái")], formats={0: "@", 2: "0.00", 3: "0.00"})
    for row in data.rows:
        ws.append([row.code, row.item.criterion.title, row.item.criterion.max_points, row.item.self_points,
                   row.item.explanation, row.evidence_count, row.lead.code if row.lead else "",
                   row.item.get_lead_status_display()])
    response = HttpResponse(book.to_bytes(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="chi-so-tinh-{campaign.year}.xlsx"'
    return response


@login_required
@require_POST
def item_review(request, pk, code, action):
    _officer(request)
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=code)
    if action == "return":
        run_action(request, lambda: services.province_item_return(
            item=item, user=request.user, comment=request.POST.get("comment", "")),
            success=_("Đã trả lại tiêu chí %(code)s.") % {"code": code})
    else:
        run_action(request, lambda: services.province_item_accept(item=item, user=request.user),
                   success=_("Đã tiếp nhận tiêu chí %(code)s.") % {"code": code})
    return redirect("scoring:province_board", pk=campaign.pk)


@login_required
def assign(request, pk):
    """Each criterion's lead agency and co-operating ones (a parent's go to its items)."""
    _officer(request)
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        criterion = Criterion.objects.filter(criteria_set=assessment.criteria_set,
                                             code=request.POST.get("code", "")).first()
        if criterion is not None:
            def do():
                codes = [c.strip() for c in request.POST.get("responsible", "").replace(";", ",").split(",")
                         if c.strip()]
                agencies = services.agencies_by_codes(codes)
                return services.criterion_assign(criterion=criterion, lead=agencies[0] if agencies else None,
                                                 cooperating=agencies[1:], user=request.user)
            run_action(request, do, success=_("Đã giao tiêu chí %(code)s.") % {"code": criterion.code})
        return redirect("scoring:province_assign", pk=campaign.pk)
    tree = criteria_tree(criteria_set=assessment.criteria_set)
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    cooperating = cooperating_codes(criteria_set=assessment.criteria_set)
    for c in tree:
        own = [c.responsible_agency.code] if c.responsible_agency else []
        c.responsible_text = ", ".join(own + cooperating.get(c.pk, []))
        c.effective = resp.get(c.code)
    return render(request, "scoring/province/assign.html", {
        "campaign": campaign, "criteria": tree,
        "agencies": Agency.objects.filter(active=True).exclude(pk=assessment.agency_id).order_by("code"),
    })


@login_required
def department(request, pk, code):
    """A department's items: the ones it leads (score, explanation, evidence; its leader
    sends them) and the ones it helps with (evidence and notes)."""
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment, code=code)
    data = province_board(assessment=assessment, agency=agency)
    for row in data.rows:
        row.levels = []
        if row.item.criterion.rule == "levels":
            try:
                row.levels = levels_of(row.item.criterion.params or {})
            except RuleParamsError:
                pass
        row.fields = NUMBER_FIELDS.get(row.item.criterion.rule, ())
    roles = agency_roles_for(user=request.user, agency=agency)
    return render(request, "scoring/province/department.html", {
        "campaign": campaign, "assessment": assessment, "agency": agency, "board": data,
        "is_staff": "staff" in roles, "is_leader": "leader" in roles,
        "editable": (LeadStatus.DRAFT, LeadStatus.RETURNED),
    })


@login_required
@require_POST
def item_save(request, pk, code, item_code):
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment, code=code)
    item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=item_code)
    run_action(request, lambda: services.province_item_update(
        item=item, input=_input_from_post(item.criterion, request.POST),
        explanation=request.POST.get("explanation", ""), version=request.POST.get("version"), user=request.user),
        success=_("Đã lưu tiêu chí %(code)s.") % {"code": item_code})
    return redirect("scoring:province_department", pk=campaign.pk, code=agency.code)


@login_required
@require_POST
def item_contribute(request, pk, code, item_code):
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment, code=code)
    item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=item_code)
    run_action(request, lambda: services.province_item_contribute(
        item=item, agency=agency, user=request.user, body=request.POST.get("body", ""),
        files=request.FILES.getlist("file")),
        success=_("Đã gửi tài liệu, ý kiến cho tiêu chí %(code)s.") % {"code": item_code})
    return redirect("scoring:province_department", pk=campaign.pk, code=agency.code)


@login_required
@require_POST
def send(request, pk, code):
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment, code=code)
    run_action(request, lambda: services.province_items_send(assessment=assessment, agency=agency, user=request.user),
               success=lambda n: _("Đã gửi %(n)s tiêu chí về Sở Nội vụ.") % {"n": n})
    return redirect("scoring:province_department", pk=campaign.pk, code=agency.code)


@login_required
def item_notes(request, pk, item_code):
    campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
    item, resp = province_item_get_for_user(user=request.user, assessment=assessment, code=item_code)
    return render(request, "scoring/province/notes.html", {
        "campaign": campaign, "item": item, "responsibility": resp, "notes": province_item_notes(item=item)})


def province_links(campaign, user):
    """The campaign page's links: the board and assignment for officers, a department's page."""
    if campaign.kind != Campaign.Kind.PROVINCE or campaign.status == Campaign.Status.DRAFT:
        return []
    if user_is_officer(user):
        return [links.Link(_("Bảng tổng hợp chỉ số tỉnh"), reverse("scoring:province_board", args=[campaign.pk]), 20),
                links.Link(_("Giao tiêu chí cho các sở, ngành"), reverse("scoring:province_assign",
                                                                        args=[campaign.pk]), 21)]
    try:
        _c, assessment = province_campaign_get_for_user(user=user, pk=campaign.pk)
    except Http404:  # not one of the departments: no link
        return []
    return [links.Link(_("Tiêu chí của %(agency)s") % {"agency": a.name},
                       reverse("scoring:province_department", args=[campaign.pk, a.code]), 20)
            for a in province_agencies_of_user(user=user, assessment=assessment)]


urlpatterns = [
    path("campaigns/<int:pk>/province/", board, name="province_board"),
    path("campaigns/<int:pk>/province/assign/", assign, name="province_assign"),
    path("campaigns/<int:pk>/province/board.xlsx", board_excel, name="province_board_excel"),
    path("campaigns/<int:pk>/province/official/", results.official_import, name="province_official"),
    path("campaigns/<int:pk>/province/official/template.xlsx", results.official_template_download,
         name="province_official_template"),
    path("campaigns/<int:pk>/province/official/comparison/", results.comparison, name="province_comparison"),
    path("campaigns/<int:pk>/province/report/", results.report_preview, name="province_report"),
    path("campaigns/<int:pk>/province/report.pdf", results.report_download, {"fmt": "pdf"},
         name="province_report_pdf"),
    path("campaigns/<int:pk>/province/report.docx", results.report_download, {"fmt": "docx"},
         name="province_report_docx"),
    path("campaigns/<int:pk>/province/items/<str:item_code>/notes/", item_notes, name="province_item_notes"),
    path("campaigns/<int:pk>/province/items/<str:code>/return/", item_review, {"action": "return"},
         name="province_item_return"),
    path("campaigns/<int:pk>/province/items/<str:code>/accept/", item_review, {"action": "accept"},
         name="province_item_accept"),
    path("campaigns/<int:pk>/province/agency/<str:code>/", department, name="province_department"),
    path("campaigns/<int:pk>/province/agency/<str:code>/send/", send, name="province_send"),
    path("campaigns/<int:pk>/province/agency/<str:code>/items/<str:item_code>/", item_save,
         name="province_item_save"),
    path("campaigns/<int:pk>/province/agency/<str:code>/items/<str:item_code>/evidence/", item_contribute,
         name="province_item_contribute"),
]
