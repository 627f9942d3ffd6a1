"""Officer pages for criteria sets: the tree and its edits, preview, validation, Excel, the
year-over-year map, the lock and amendments. Agency users may open the preview only."""
import base64
import hashlib
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.links import Link
from campaigns.selectors import campaign_agencies, campaign_get_for_user, user_is_officer
from cchc_portal.core.views import run_action
from scoring import engine
from scoring.criteria_excel import code_key
from scoring.forms_criteria import (
    CapsForm,
    CopySetForm,
    CreateSetForm,
    CriterionForm,
    ImportForm,
    MoveForm,
    ReasonForm,
)
from scoring.models import Criterion, Rule
from scoring.rules.kinds import (
    DEFAULT_STEP,
    DEFAULT_TARGET,
    RuleParamsError,
    bands_of,
    decimal_param,
    decimal_str,
    levels_of,
    over_of,
)
from scoring.selectors import criteria as selectors
from scoring.services import criteria as services
from scoring.services import criteria_copy

SESSION_IMPORT = "criteria-import"


def officer_required(request):
    if not user_is_officer(request.user):
        raise PermissionDenied


def _set_for_officer(request, pk):
    officer_required(request)
    return selectors.criteria_set_get_for_user(user=request.user, pk=pk)


def _criterion_for_officer(request, pk):
    officer_required(request)
    return get_object_or_404(Criterion.objects.select_related("criteria_set", "criteria_set__campaign",
                                                              "criteria_set__group"), pk=pk)


def _posted(request):
    """The POST data of a POST (even an empty one: a form of optional fields), else None."""
    return request.POST if request.method == "POST" else None


def _tree_url(criteria_set, code=None):
    url = reverse("scoring:criteria_set", args=[criteria_set.pk])
    return f"{url}#c-{code}" if code else url


# ---------------------------------------------------------------- links on the campaign page


def criteria_links(campaign, user):
    """Officers: the campaign's sets; agency users: the preview of the sets they may see."""
    if user_is_officer(user):
        return [Link(_("Bộ tiêu chí"), reverse("scoring:criteria_sets", args=[campaign.pk]), 20)]
    return [
        Link(_("Bộ tiêu chí: %(group)s") % {"group": s.group.name},
             reverse("scoring:criteria_preview", args=[s.pk]), 20)
        for s in selectors.criteria_sets_visible_to(user=user, campaign=campaign)
    ]


# ---------------------------------------------------------------- sets of a campaign


@login_required
def criteria_sets(request, campaign_pk):
    officer_required(request)
    campaign = campaign_get_for_user(user=request.user, pk=campaign_pk)
    sets = selectors.criteria_set_list(campaign=campaign)
    for s in sets:
        s.problem_count = len(selectors.criteria_set_problems(criteria_set=s))
    taken = {s.group_id for s in sets}
    groups = campaign.groups.exclude(pk__in=taken)
    return render(request, "scoring/criteria/sets.html", {
        "campaign": campaign, "sets": sets, "missing_groups": groups,
        "create_form": CreateSetForm(groups=groups),
        "copy_form": CopySetForm(sources=selectors.copy_sources_for(campaign=campaign), groups=groups),
    })


@login_required
@require_POST
def criteria_set_create(request, campaign_pk):
    officer_required(request)
    campaign = campaign_get_for_user(user=request.user, pk=campaign_pk)
    form = CreateSetForm(request.POST, groups=campaign.groups.all())
    if form.is_valid():
        outcome = run_action(request, lambda: services.criteria_set_create(
            campaign=campaign, group=form.cleaned_data["group"], user=request.user),
            success=_("Đã tạo bộ tiêu chí. Thêm tiêu chí hoặc nhập từ Excel."))
        if outcome.ok:
            return redirect("scoring:criteria_set", pk=outcome.result.pk)
    else:
        messages.error(request, _("Chọn nhóm cơ quan."))
    return redirect("scoring:criteria_sets", campaign_pk=campaign.pk)


@login_required
def criteria_set_copy(request, campaign_pk):
    officer_required(request)
    campaign = campaign_get_for_user(user=request.user, pk=campaign_pk)
    form = CopySetForm(_posted(request), sources=selectors.copy_sources_for(campaign=campaign),
                       groups=campaign.groups.all())
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: criteria_copy.criteria_set_copy(
            source=form.cleaned_data["source"], campaign=campaign, user=request.user, group=form.cleaned_data["group"]),
            success=lambda copy: _("Đã sao chép %(n)s tiêu chí; mỗi tiêu chí được đối chiếu với tiêu chí cùng mã "
                                   "của năm trước.") % {"n": copy.criteria.count()}, form=form)
        if outcome.ok:
            return redirect("scoring:criteria_mapping", pk=outcome.result.pk)
    return render(request, "scoring/criteria/copy.html", {"campaign": campaign, "form": form})


# ---------------------------------------------------------------- the tree


@login_required
def criteria_set_detail(request, pk):
    criteria_set = _set_for_officer(request, pk)
    tree = selectors.criteria_tree(criteria_set=criteria_set)
    problems = selectors.criteria_set_problems(criteria_set=criteria_set, criteria=tree)
    problem_codes = {p.code for p in problems}
    for c in tree:
        c.has_problem = c.code in problem_codes
    locked = services.criteria_set_is_locked(criteria_set)
    return render(request, "scoring/criteria/tree.html", {
        "criteria_set": criteria_set, "campaign": criteria_set.campaign, "tree": tree, "problems": problems,
        "totals": selectors.criteria_totals(criteria=tree), "locked": locked,
        "amendments": selectors.amendment_list(criteria_set=criteria_set)[:10],
        "rules": dict(Rule.choices),
    })


def _next_code(criteria_set, parent_code):
    codes = list(Criterion.objects.filter(criteria_set=criteria_set).values_list("code", flat=True))
    prefix = parent_code + "." if parent_code else ""
    taken = [int(c[len(prefix):]) for c in codes if c.startswith(prefix) and c[len(prefix):].isdigit()]
    return f"{prefix}{max(taken, default=0) + 1}"


@login_required
def criterion_create(request, pk):
    criteria_set = _set_for_officer(request, pk)
    locked = services.criteria_set_is_locked(criteria_set)
    parent_code = request.GET.get("parent", "")
    parent = None
    if parent_code:
        parent = Criterion.objects.filter(criteria_set=criteria_set, code=parent_code).first()
        if parent is None:
            raise Http404
    initial = {"code": _next_code(criteria_set, parent_code), "rule": Rule.SUM if not parent else Rule.MANUAL}
    form = CriterionForm(_posted(request), criteria_set=criteria_set, locked=locked, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_action(request, lambda: services.criterion_create(
            criteria_set=criteria_set, user=request.user, code=data["code"], title=data["title"],
            max_points=data["max_points"], rule=data["rule"], params=data["params"],
            evidence_required=data["evidence_required"], guidance=data["guidance"], capped=data["capped"],
            responsible_agency=data["responsible_agency"], not_applicable_to=data["not_applicable_to"],
            reason=data.get("reason"),
        ), success=lambda created: _("Đã thêm tiêu chí %(code)s.") % {"code": created.code}, form=form)
        if outcome.ok:
            return redirect(_tree_url(criteria_set, outcome.result.code))
    return render(request, "scoring/criteria/criterion_form.html", {
        "criteria_set": criteria_set, "form": form, "parent": parent, "locked": locked, "criterion": None,
    })


@login_required
def criterion_edit(request, pk):
    criterion = _criterion_for_officer(request, pk)
    criteria_set = criterion.criteria_set
    locked = services.criteria_set_is_locked(criteria_set)
    snapshot = services.snapshot(criterion)
    initial = {**snapshot, "max_points": criterion.max_points,
               "responsible_agency": criterion.responsible_agency_id,
               "not_applicable_to": list(criterion.not_applicable_to.values_list("pk", flat=True))}
    form = CriterionForm(_posted(request), criteria_set=criteria_set, locked=locked, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_action(request, lambda: services.criterion_update(
            criterion=criterion, user=request.user, reason=data.get("reason"), code=data["code"],
            title=data["title"], max_points=data["max_points"], rule=data["rule"], params=data["params"],
            evidence_required=data["evidence_required"], guidance=data["guidance"], capped=data["capped"],
            responsible_agency=data["responsible_agency"], not_applicable_to=data["not_applicable_to"],
        ), success=lambda saved: _("Đã lưu tiêu chí %(code)s.") % {"code": saved.code}, form=form)
        if outcome.ok:
            return redirect(_tree_url(criteria_set, outcome.result.code))
    return render(request, "scoring/criteria/criterion_form.html", {
        "criteria_set": criteria_set, "form": form, "criterion": criterion, "locked": locked,
        "parent": criterion.parent,
    })


@login_required
def criterion_move(request, pk):
    """Up or down among its siblings (the codes swap). A locked set asks for a reason first."""
    criterion = _criterion_for_officer(request, pk)
    criteria_set = criterion.criteria_set
    locked = services.criteria_set_is_locked(criteria_set)
    form = MoveForm(_posted(request), locked=locked, initial={"direction": request.GET.get("direction", "up")})
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: services.criterion_reorder(
            criterion=criterion, direction=form.cleaned_data["direction"], user=request.user,
            reason=form.cleaned_data.get("reason")),
            success=lambda moved: _("Đã chuyển tiêu chí, mã mới: %(code)s.") % {"code": moved.code})
        return redirect(_tree_url(criteria_set, outcome.result.code if outcome.ok else criterion.code))
    return render(request, "scoring/criteria/move.html", {
        "criteria_set": criteria_set, "criterion": criterion, "form": form,
        "direction": form["direction"].value(),
    })


@login_required
def criterion_delete(request, pk):
    criterion = _criterion_for_officer(request, pk)
    criteria_set = criterion.criteria_set
    locked = services.criteria_set_is_locked(criteria_set)
    form = ReasonForm(_posted(request), locked=locked)
    subtree = sorted(Criterion.objects.filter(criteria_set=criteria_set, code__startswith=criterion.code + "."),
                     key=lambda c: code_key(c.code))
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: services.criterion_delete(
            criterion=criterion, user=request.user, reason=form.cleaned_data.get("reason")),
            success=lambda codes: _("Đã xóa tiêu chí %(codes)s.") % {"codes": ", ".join(codes)}, form=form)
        if outcome.ok:
            return redirect("scoring:criteria_set", pk=criteria_set.pk)
    return render(request, "scoring/criteria/delete.html", {
        "criteria_set": criteria_set, "criterion": criterion, "subtree": subtree, "form": form,
    })


@login_required
def criteria_set_settings(request, pk):
    criteria_set = _set_for_officer(request, pk)
    locked = services.criteria_set_is_locked(criteria_set)
    form = CapsForm(_posted(request), locked=locked,
                    initial={"bonus_cap": criteria_set.bonus_cap, "penalty_cap": criteria_set.penalty_cap})
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: services.criteria_set_update_caps(
            criteria_set=criteria_set, user=request.user, bonus_cap=form.cleaned_data["bonus_cap"],
            penalty_cap=form.cleaned_data["penalty_cap"], reason=form.cleaned_data.get("reason")),
            success=_("Đã lưu trần điểm thưởng, điểm trừ."), form=form)
        if outcome.ok:
            return redirect("scoring:criteria_set", pk=criteria_set.pk)
    return render(request, "scoring/criteria/settings.html", {"criteria_set": criteria_set, "form": form})


@login_required
@require_POST
def criteria_set_lock(request, pk):
    criteria_set = _set_for_officer(request, pk)
    outcome = run_action(request, lambda: services.criteria_set_lock(criteria_set=criteria_set, user=request.user),
                         success=lambda locked: _("Đã khóa bộ tiêu chí; từ nay mọi thay đổi là sửa đổi có lý do.")
                         if locked else "")
    if outcome.ok and not outcome.result:
        messages.info(request, _("Bộ tiêu chí đã được khóa trước đó."))
    return redirect("scoring:criteria_set", pk=criteria_set.pk)


@login_required
def criteria_validate(request, pk):
    criteria_set = _set_for_officer(request, pk)
    tree = selectors.criteria_tree(criteria_set=criteria_set)
    problems = selectors.criteria_set_problems(criteria_set=criteria_set, criteria=tree)
    titles = {c.code: c.title for c in tree}
    rows = [{"code": p.code, "message": p.message, "title": titles.get(p.code, "")} for p in problems]
    return render(request, "scoring/criteria/validate.html", {
        "criteria_set": criteria_set, "rows": rows, "totals": selectors.criteria_totals(criteria=tree),
    })


@login_required
def criteria_amendments(request, pk):
    criteria_set = _set_for_officer(request, pk)
    page = Paginator(selectors.amendment_list(criteria_set=criteria_set), 30).get_page(request.GET.get("page"))
    return render(request, "scoring/criteria/amendments.html", {"criteria_set": criteria_set, "page": page})


# ---------------------------------------------------------------- preview


def _widget(c):
    """What the agency's input looks like for a leaf (read-only in the preview)."""
    params, rule = c.params or {}, c.rule
    widget = {"kind": rule}
    try:
        if rule in ("manual", "bonus", "penalty", "imported"):
            widget["step"] = decimal_str(decimal_param(params, "step", DEFAULT_STEP))
        elif rule == "levels":
            widget["levels"] = [(level.label, level.points) for level in levels_of(params)]
        elif rule == "bands":
            widget["bands"] = [(band.range_text(), band.points) for band in bands_of(params)]
            widget["over"] = over_of(params)
        elif rule == "ratio":
            widget["target"] = decimal_str(decimal_param(params, "target", DEFAULT_TARGET))
            widget["over"] = over_of(params)
        elif rule == "deduction":
            widget["per"] = decimal_param(params, "per")
    except RuleParamsError as exc:
        widget["error"] = exc.message
    return widget


@login_required
def criteria_preview(request, pk):
    """The scoring form as an agency sees it (inputs read-only), optionally for one agency
    (its not-applicable items and applicable maximum)."""
    criteria_set = selectors.criteria_set_get_for_user(user=request.user, pk=pk)
    tree = selectors.criteria_tree(criteria_set=criteria_set)
    agencies = []
    agency = None
    if user_is_officer(request.user):
        agencies = list(campaign_agencies(criteria_set.campaign).filter(group=criteria_set.group))
        code = request.GET.get("agency")
        agency = next((a for a in agencies if a.code == code), None)
    not_applicable = selectors.not_applicable_codes(criteria_set=criteria_set, agency=agency) if agency else set()
    nodes = [engine.Node(code=c.code, title=c.title, max_points=c.max_points, rule=c.rule, params=c.params or {},
                         evidence_required=c.evidence_required, capped=c.capped) for c in tree]
    result = None
    try:
        result = engine.score(nodes, not_applicable=not_applicable, bonus_cap=criteria_set.bonus_cap,
                              penalty_cap=criteria_set.penalty_cap)
    except engine.TreeError:
        messages.warning(request, _("Bộ tiêu chí còn lỗi cấu trúc; xem trang Kiểm tra."))
    for c in tree:
        points = result.points.get(c.code) if result else None
        c.applicable = points.applicable if points else True
        c.applicable_max = points.max if points else c.max_points
        if not c.has_children:
            c.widget = _widget(c)
    return render(request, "scoring/criteria/preview.html", {
        "criteria_set": criteria_set, "tree": tree, "agencies": agencies, "agency": agency,
        "applicable_max": result.applicable_max if result else None, "is_officer": user_is_officer(request.user),
    })


# ---------------------------------------------------------------- Excel


@login_required
def criteria_export(request, pk):
    criteria_set = _set_for_officer(request, pk)
    response = HttpResponse(
        criteria_copy.criteria_export(criteria_set=criteria_set),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"bo-tieu-chi-{criteria_set.campaign.year}-{criteria_set.group.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def criteria_import(request, campaign_pk, group):
    """Upload → dry run shown (every row error, or what will change) → confirm imports the same
    file (kept in the session between the two steps)."""
    officer_required(request)
    campaign = campaign_get_for_user(user=request.user, pk=campaign_pk)
    group_obj = get_object_or_404(campaign.groups.all(), code=group)
    criteria_set = selectors.criteria_set_for(campaign=campaign, group=group_obj)
    locked = bool(criteria_set and services.criteria_set_is_locked(criteria_set))
    key = f"{SESSION_IMPORT}-{campaign.pk}-{group_obj.code}"
    context = {"campaign": campaign, "group": group_obj, "criteria_set": criteria_set, "locked": locked,
               "rules": dict(Rule.choices)}
    if request.method == "POST" and request.POST.get("step") == "confirm":
        stored = request.session.get(key)
        form = ReasonForm(request.POST, locked=locked)
        if not stored or stored["token"] != request.POST.get("token"):
            messages.error(request, _("Phiên nhập đã hết hạn; hãy tải tệp lên lại."))
            return redirect("scoring:criteria_import", campaign_pk=campaign.pk, group=group_obj.code)
        if form.is_valid():
            data = base64.b64decode(stored["data"])
            outcome = run_action(request, lambda: criteria_copy.criteria_import(
                campaign=campaign, group=group_obj, file=BytesIO(data), user=request.user,
                reason=form.cleaned_data.get("reason")),
                success=lambda report: _("Đã nhập: %(c)s mới, %(u)s cập nhật, %(d)s xóa, %(n)s không đổi.") % {
                    "c": report.created, "u": report.updated, "d": report.deleted, "n": report.unchanged}
                if report.ok else "")
            if not outcome.ok:
                return redirect("scoring:criteria_import", campaign_pk=campaign.pk, group=group_obj.code)
            report = outcome.result
            if report.ok:
                del request.session[key]
                return redirect("scoring:criteria_set", pk=report.criteria_set.pk)
            context.update({"report": report, "form": ImportForm(locked=False)})
            return render(request, "scoring/criteria/import.html", context)
        report = criteria_copy.criteria_import(campaign=campaign, group=group_obj, user=request.user, dry_run=True,
                                          file=BytesIO(base64.b64decode(stored["data"])))
        context.update({"report": report, "confirm_form": form, "token": stored["token"],
                        "file_name": stored["name"], "form": ImportForm()})
        return render(request, "scoring/criteria/import.html", context)
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = criteria_copy.criteria_import(campaign=campaign, group=group_obj, file=BytesIO(data),
                                          user=request.user, dry_run=True)
        context["report"] = report
        if report.ok:
            token = hashlib.sha256(data).hexdigest()[:24]
            request.session[key] = {"token": token, "name": upload.name,
                                    "data": base64.b64encode(data).decode("ascii")}
            context.update({"token": token, "file_name": upload.name, "confirm_form": ReasonForm(locked=locked)})
    context["form"] = form
    return render(request, "scoring/criteria/import.html", context)


# ---------------------------------------------------------------- the year-over-year map


@login_required
def criteria_mapping(request, pk):
    criteria_set = _set_for_officer(request, pk)
    criteria, source, old = selectors.criteria_mapping_rows(criteria_set=criteria_set)
    errors = {}
    if request.method == "POST" and source is not None:
        def save_map():
            if request.POST.get("action") == "by_code":
                return criteria_copy.criteria_set_map_by_code(criteria_set=criteria_set, user=request.user)
            mapping = {c.code: request.POST.get(f"prev-{c.code}", "").strip() or None for c in criteria}
            return criteria_copy.criteria_set_map_previous(criteria_set=criteria_set, mapping=mapping,
                                                           user=request.user)

        outcome = run_action(request, save_map,
                             success=lambda changed: _("Đã lưu đối chiếu (%(n)s thay đổi).") % {"n": changed})
        if outcome.ok:
            return redirect("scoring:criteria_mapping", pk=criteria_set.pk)
        errors = outcome.error.extra.get("errors", {})
    for c in criteria:
        typed = request.POST.get(f"prev-{c.code}") if errors else None
        c.previous_code = typed if typed is not None else (c.previous.code if c.previous else "")
        c.previous_title = old[c.previous_code].title if c.previous_code in old else ""
        c.map_errors = errors.get(c.code, [])
    unmapped_old = sorted(set(old) - {c.previous_code for c in criteria}, key=code_key)
    return render(request, "scoring/criteria/mapping.html", {
        "criteria_set": criteria_set, "criteria": criteria, "source": source,
        "unmapped_old": [old[code] for code in unmapped_old],
        "old_list": [old[code] for code in sorted(old, key=code_key)],
    })


urlpatterns = [
    path("campaigns/<int:campaign_pk>/criteria/", criteria_sets, name="criteria_sets"),
    path("campaigns/<int:campaign_pk>/criteria/new/", criteria_set_create, name="criteria_set_create"),
    path("campaigns/<int:campaign_pk>/criteria/copy/", criteria_set_copy, name="criteria_set_copy"),
    path("campaigns/<int:campaign_pk>/criteria/<slug:group>/import/", criteria_import, name="criteria_import"),
    path("criteria/<int:pk>/", criteria_set_detail, name="criteria_set"),
    path("criteria/<int:pk>/new/", criterion_create, name="criterion_create"),
    path("criteria/<int:pk>/preview/", criteria_preview, name="criteria_preview"),
    path("criteria/<int:pk>/validate/", criteria_validate, name="criteria_validate"),
    path("criteria/<int:pk>/export.xlsx", criteria_export, name="criteria_export"),
    path("criteria/<int:pk>/settings/", criteria_set_settings, name="criteria_set_settings"),
    path("criteria/<int:pk>/lock/", criteria_set_lock, name="criteria_set_lock"),
    path("criteria/<int:pk>/mapping/", criteria_mapping, name="criteria_mapping"),
    path("criteria/<int:pk>/amendments/", criteria_amendments, name="criteria_amendments"),
    path("criteria/item/<int:pk>/edit/", criterion_edit, name="criterion_edit"),
    path("criteria/item/<int:pk>/move/", criterion_move, name="criterion_move"),
    path("criteria/item/<int:pk>/delete/", criterion_delete, name="criterion_delete"),
]
