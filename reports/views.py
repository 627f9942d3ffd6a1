"""The home page per role, results and publication pages for officers, the public results
pages (no login) and the reports (Excel, PDF)."""
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaigns import selectors as campaign_selectors
from campaigns.links import links_for
from campaigns.models import Campaign
from cchc_portal.core import confirm
from cchc_portal.core.utils import q2
from cchc_portal.core.views import run_action
from scoring.models import Assessment, Item
from scoring.selectors.progress import stage_rows

from . import charts, exports, selectors, services
from .forms import PublishForm, ResultSettingsForm
from .services import grade_bands_format, publication_row
from .shapes import code_key

PAGE_SIZE = 50
EXPORT_INLINE_ITEMS = 60_000  # about 500 agencies × 120 items: well within a request
SUMMARY_TABLE_MAX = 60

# ---------------------------------------------------------------- home


def _agency_home(user, now):
    """Per campaign and agency of the user: steps open now and coming up, with effective
    deadlines (extensions included)."""
    agencies = list(campaign_selectors.user_agencies(user))
    campaigns = campaign_selectors.campaign_list_for_user(user=user).exclude(status=Campaign.Status.PUBLISHED)
    # an agency that has sent its self-assessment sees where it stands, not that step's countdown
    sent = {(a.campaign_id, a.agency_id): a for a in Assessment.objects.filter(
        agency__in=agencies, campaign__in=campaigns).exclude(status=Assessment.Status.DRAFT).only(
        "id", "campaign_id", "agency_id", "status", "sent_to_leader_at", "submitted_at")}
    cards = []
    for campaign in campaigns:
        covered = set(campaign.agencies.filter(pk__in=[a.pk for a in agencies]).values_list("pk", flat=True))
        mine = [agency for agency in agencies if agency.pk in covered]
        links = links_for(campaign, user) if mine else []  # the campaign's, the same on each of its cards
        for agency in mine:
            windows = campaign_selectors.agency_windows(agency=agency, campaign=campaign)
            open_now = [w for w in windows.values() if w.is_open(now)]
            upcoming = [w for w in windows.values() if w.state(now) == "upcoming"][:3]
            cards.append({"campaign": campaign, "agency": agency, "open": open_now, "upcoming": upcoming,
                          "links": links, "sent": sent.get((campaign.pk, agency.pk))})
    return cards


def _officer_home(user, now):
    campaigns = campaign_selectors.campaign_list_with_counts(user=user).order_by("-year")[:10]
    rows = []
    for campaign in campaigns:
        steps = sorted(campaign.steps.all(), key=lambda s: s.order)
        rows.append({
            "campaign": campaign,
            "open_steps": [s for s in steps if s.opens_at <= now < s.closes_at],
            "next_step": next((s for s in steps if s.opens_at > now), None),
            "links": links_for(campaign, user),
            "counters": campaign_counters(campaign),
        })
    return rows


def campaign_counters(campaign) -> list[tuple[str, int]]:
    """Progress counters shown on the officer's home page (label, number): agencies,
    extensions granted, and agencies by stage with the board's labels and numbers (only
    stages someone is in)."""
    counters = [(_("Đơn vị được đánh giá"), campaign.agency_total), (_("Lượt gia hạn"), campaign.extension_total)]
    counts = selectors.campaign_status_counts(campaign=campaign)
    return counters + [(label, n) for _stage, label, n in stage_rows(counts) if n]


@login_required
def home(request):
    now = timezone.now()
    user = request.user
    context = {"now": now, "roles": campaign_selectors.user_roles(user)}
    if campaign_selectors.user_is_province_staff(user):
        context["officer_rows"] = _officer_home(user, now)
        context["is_officer"] = campaign_selectors.user_is_officer(user)
    context["agency_cards"] = _agency_home(user, now)
    return render(request, "reports/home.html", context)


# ---------------------------------------------------------------- officer: results and publication


def request_filters(request):
    return (request.GET.get("q") or "").strip()[:100], (request.GET.get("group") or "").strip()[:40]


@login_required
def results_page(request, pk, publish_form=None):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    results = selectors.campaign_results(campaign=campaign)
    q, group = request_filters(request)
    rows = selectors.results_filter(results.rows, q=q, group=group)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    publications = list(selectors.publication_list(campaign=campaign))
    waiting = sum(1 for r in results.rows if not r.is_final)
    groups = [(code, name) for code, name, _rows in results.groups()]
    field_columns = _field_columns(page.object_list)
    return render(request, "reports/results.html", {
        # as on the public page: a search for agencies shows no group charts
        "charts": [] if q else _officer_charts(results, group=group, language=request.LANGUAGE_CODE),
        "field_columns": field_columns,
        "field_table": [(r, _field_cells(r, field_columns)) for r in page.object_list],
        "campaign": campaign, "page": page, "q": q, "group": group, "groups": groups, "results": results,
        "total_rows": len(results.rows), "waiting": waiting, "publications": publications,
        "publish_form": publish_form or PublishForm(), "settings": results.settings,
        "bands_text": grade_bands_format(results.settings.grade_bands),
        "query": urlencode({k: v for k, v in (("q", q), ("group", group)) if v}),
    })


def _field_columns(rows):
    """The fields of the rows shown, in code order: [(code, title)] (one table column each)."""
    found: dict[str, str] = {}
    for row in rows:
        for f in row.fields:
            found.setdefault(f.code, f.title)
    return sorted(found.items(), key=lambda item: code_key(item[0]))


def _field_cells(row, columns):
    by_code = {f.code: f for f in row.fields}
    return [by_code.get(code) for code, _title in columns]


def _officer_charts(results, *, group, language):
    """Per group of the live results: the agencies' indices and the fields' average
    sub-indices, as charts (the public page's, reports/charts.py) and as a table."""
    sections = []
    for code, name, rows in results.groups():
        if group and code != group:
            continue
        indices = [(r.agency_name, r.index) for r in rows]
        sums: dict[str, list] = {}
        titles: dict[str, str] = {}
        for r in rows:
            for f in r.fields:
                if f.index is not None:
                    sums.setdefault(f.code, []).append(f.index)
                    titles.setdefault(f.code, f.title)
        fields = [(c, titles[c], q2(sum(v) / len(v)), len(v))
                  for c, v in sorted(sums.items(), key=lambda item: code_key(item[0]))]
        title = _("Chỉ số CCHC (tạm tính) – %(group)s") % {"group": name}
        field_title = _("Chỉ số thành phần trung bình theo lĩnh vực")  # the section's heading names the group
        sections.append({
            "code": code, "name": name, "fields": fields,
            "chart": charts.cached_by_content("officer-group", lambda indices=indices, title=title, code=code: (
                charts.index_bars(indices, title=title, axis_label=_("Chỉ số (%)"), salt=f"o-{code}")),
                code, language, title, indices),
            "field_chart": charts.cached_by_content(
                "officer-fields", lambda fields=fields, field_title=field_title, code=code: charts.index_bars(
                    [(f"{c}. {t}", avg) for c, t, avg, _n in fields], title=field_title, axis_label="%",
                    salt=f"of-{code}"),
                code, language, field_title, fields) if fields else "",
        })
    return sections


@login_required
@require_POST
def publish(request, pk):
    """Without `confirmed` matching what was shown (the publication's number and how many
    agencies): the confirmation page with the ranking to look at once more."""
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        results = selectors.campaign_results(campaign=campaign)
        number = max((p.number for p in selectors.publication_list(campaign=campaign)), default=0) + 1
        fingerprint = f"{number}:{len(results.rows)}"
        if not confirm.is_confirmed(request, fingerprint):
            return _publish_confirm(request, campaign, form, results, number, fingerprint)
        # a background job: its page shows the progress, then links to the results
        outcome = run_action(request, lambda: services.publication_enqueue(
            campaign=campaign, user=request.user, decision_number=form.cleaned_data["decision_number"],
            note=form.cleaned_data["note"]))
        if outcome.ok:
            return redirect(outcome.result.get_absolute_url())
    return results_page(request, pk, publish_form=form)


def _publish_confirm(request, campaign, form, results, number, fingerprint):
    waiting = sum(1 for r in results.rows if not r.is_final)
    blocked = ""
    if not results.rows:
        blocked = _("Đợt đánh giá chưa có đơn vị nào được chấm điểm nên chưa thể công bố.")
    elif waiting:
        blocked = ngettext("Còn %(n)s đơn vị chưa chốt điểm; chỉ công bố được khi mọi đơn vị đã chốt điểm.",
                           "Còn %(n)s đơn vị chưa chốt điểm; chỉ công bố được khi mọi đơn vị đã chốt điểm.",
                           waiting) % {"n": waiting}
    elif number > 1 and not form.cleaned_data["note"]:
        blocked = _("Lần công bố đính chính cần ghi chú lý do đính chính.")
    groups = [(name, len(rows)) for _code, name, rows in results.groups()]
    return confirm.confirm_page(request, "reports/publish_confirm.html", campaign=campaign, number=number,
                                results=results, groups=groups, data=form.cleaned_data,
                                confirmation=confirm.Confirmation(
                                    title=_("Xác nhận công bố kết quả"), action=request.path,
                                    fingerprint=fingerprint, fields=confirm.reposted_fields(request),
                                    label=_("Công bố lần %(n)s") % {"n": number}, blocked=blocked,
                                    back=reverse("reports-results", args=[campaign.pk])))


@login_required
def settings_edit(request, pk):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    current = selectors.result_settings_for(campaign)
    initial = {"grade_bands": grade_bands_format(current.grade_bands), "rank_method": current.rank_method,
               **{name: getattr(current, name) for name in ("authority_name", "office_name", "place_name",
                                                            "signer_authority", "signer_title", "signer_name",
                                                            "recipients")}}
    form = ResultSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request, lambda: services.result_settings_update(campaign=campaign, user=request.user,
                                                             **form.cleaned_data),
            success=_("Đã lưu cấu hình kết quả và báo cáo."), form=form)
        if outcome.ok:
            return redirect("reports-results", pk=campaign.pk)
    return render(request, "reports/settings_form.html", {"campaign": campaign, "form": form})


# ---------------------------------------------------------------- officer: progress board


@login_required
def board(request, pk):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    q, group = request_filters(request)
    status = (request.GET.get("status") or "").strip()
    rows, counts = selectors.assessment_board(campaign=campaign, status=status, group=group, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = stage_rows(counts)
    groups = list(campaign.groups.order_by("order").values_list("code", "name"))
    return render(request, "reports/board.html", {
        "campaign": campaign, "page": page, "statuses": statuses, "status": status, "group": group, "q": q,
        "groups": groups, "total": sum(counts.values()),
        "query": urlencode({k: v for k, v in (("status", status), ("group", group), ("q", q)) if v}),
    })


def xlsx_response(wb, filename):
    return FileResponse(exports.save_to_temp(wb), as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def board_export(request, pk):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    q, group = request_filters(request)
    rows, _counts = selectors.assessment_board(campaign=campaign, status=request.GET.get("status", ""),
                                               group=group, q=q)
    return xlsx_response(exports.board_workbook(rows, campaign=campaign), f"tinh-hinh-cham-diem-{campaign.pk}.xlsx")


# ---------------------------------------------------------------- officer: reports


def _report_rows(campaign):
    """The latest publication's rows when published (frozen), else today's live results."""
    publication = selectors.publication_latest(campaign=campaign)
    if publication is not None:
        return selectors.publication_rows(publication=publication), publication
    results = selectors.campaign_results(campaign=campaign)
    return [publication_row(r) for r in results.rows], None


def report_header_for(campaign, now=None):
    return exports.report_header(selectors.result_settings_for(campaign), now=now)


def grouped_rows(rows):
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row["group"], {"code": row["group"], "name": row["group_name"], "rows": []})
        groups[row["group"]]["rows"].append(row)
    return list(groups.values())


@login_required
def ranking_export(request, pk, fmt):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    rows, publication = _report_rows(campaign)
    if fmt == "xlsx":
        title = exports.report_title("Bảng xếp hạng Chỉ số cải cách hành chính", campaign, publication)
        return xlsx_response(exports.ranking_workbook(rows, title=title), f"xep-hang-{campaign.pk}.xlsx")
    content = exports.render_pdf("reports/pdf/ranking.html", {
        "campaign": campaign, "groups": grouped_rows(rows), "publication": publication,
        "header": report_header_for(campaign)})
    return pdf_response(content, f"xep-hang-{campaign.pk}.pdf")


def _group_stats(group):
    indices = [Decimal(r["index"]) for r in group["rows"] if r["index"] is not None]
    grades: dict[str, int] = {}
    for r in group["rows"]:
        if r["grade"]:
            grades[r["grade"]] = grades.get(r["grade"], 0) + 1
    return {"count": len(group["rows"]), "average": q2(sum(indices) / len(indices)) if indices else None,
            "best": max(indices) if indices else None, "worst": min(indices) if indices else None,
            "grades": grades}


@login_required
def summary_pdf(request, pk):
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    rows, publication = _report_rows(campaign)
    groups = grouped_rows(rows)
    for g in groups:
        g["stats"] = _group_stats(g)
        long = len(g["rows"]) > SUMMARY_TABLE_MAX  # the full ranking is its own report
        g["table_rows"] = g["rows"][:20] + g["rows"][-20:] if long else g["rows"]
        g["truncated"] = long
        averages = field_averages(g["rows"])
        g["fields"] = [{"code": f["code"], "title": f.get("title", ""), "average": averages.get(f["code"])}
                       for f in (g["rows"][0]["fields"] if g["rows"] else []) if f["code"] in averages]

        def bars(g=g):
            return charts.index_bars([(r["agency_name"], as_decimal(r["index"])) for r in g["rows"]],
                                     title=_("Chỉ số CCHC – %(group)s") % {"group": g["name"]},
                                     axis_label=_("Chỉ số (%)"), salt=f"sum-{g['code']}")

        def field_chart(g=g):
            return charts.index_bars([(f"{f['code']}. {f['title']}", f["average"]) for f in g["fields"]],
                                     title=_("Chỉ số thành phần trung bình theo lĩnh vực"), axis_label="%",
                                     salt=f"sumf-{g['code']}")

        if publication is not None:
            g["chart"] = charts.cached(publication, "summary-group", bars, g["code"])
            g["field_chart"] = charts.cached(publication, "summary-fields", field_chart, g["code"])
        else:
            g["chart"], g["field_chart"] = bars(), field_chart()
        g["chart_uri"], g["field_chart_uri"] = charts.data_uri(g["chart"]), charts.data_uri(g["field_chart"])
    content = exports.render_pdf("reports/pdf/summary.html", {
        "campaign": campaign, "groups": groups, "publication": publication, "header": report_header_for(campaign),
        "bands_words": exports.grade_bands_words(selectors.result_settings_for(campaign).grade_bands)})
    return pdf_response(content, f"bao-cao-tong-hop-{campaign.pk}.pdf")


@login_required
def campaign_export(request, pk):
    """Streamed at once for a campaign of up to EXPORT_INLINE_ITEMS items; a larger one is
    written by a background job (a request would outlive the server's timeout)."""
    campaign = selectors.officer_campaign_get(user=request.user, pk=pk)
    if Item.objects.filter(assessment__campaign=campaign).count() <= EXPORT_INLINE_ITEMS:
        return xlsx_response(exports.campaign_workbook(campaign=campaign), f"phieu-cham-diem-{campaign.pk}.xlsx")
    from cchc_portal.notifications.services import job_start

    from .tasks import campaign_export_job

    job = job_start(kind="campaign_export", user=request.user, task=campaign_export_job,
                    args={"campaign_id": campaign.pk}, title=_("Phiếu chấm điểm mọi đơn vị – %(name)s") % {
                        "name": campaign.name})
    messages.info(request, _("Tệp lớn: đang tạo trong nền; tải về khi việc hoàn thành."))
    return redirect(job.get_absolute_url())


@login_required
def export_download(request, job_id):
    """A finished export job's workbook: its officer only (404 for anyone else)."""
    from django.core.files.storage import default_storage

    from cchc_portal.automation.selectors import job_get_for_user

    from .tasks import export_path

    job = job_get_for_user(user=request.user, pk=job_id)
    if (job.kind != "campaign_export" or job.status != job.Status.DONE or not campaign_selectors.user_is_officer(
            request.user) or not default_storage.exists(export_path(job.pk))):
        raise Http404
    return FileResponse(default_storage.open(export_path(job.pk), "rb"), as_attachment=True,
                        filename=f"phieu-cham-diem-{job.args.get('campaign_id', '')}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def score_sheet_context(assessment):
    sheet = selectors.score_sheet(assessment=assessment)
    results = selectors.campaign_results(campaign=assessment.campaign, assessments=[assessment.pk])
    row = results.rows[0] if results.rows else None
    return {"assessment": assessment, "campaign": assessment.campaign, "agency": assessment.agency,
            "sheet": sheet, "grade": row.grade if row else None, "header": report_header_for(assessment.campaign)}


@login_required
def score_sheet(request, pk, code, fmt="html"):
    assessment = selectors.score_sheet_assessment_get_for_user(user=request.user, campaign_pk=pk, agency_code=code)
    if fmt == "xlsx":
        sheet = selectors.score_sheet(assessment=assessment)
        return xlsx_response(exports.score_sheet_workbook(assessment=assessment, sheet=sheet),
                     f"phieu-diem-{assessment.agency.code}-{assessment.campaign_id}.xlsx")
    context = score_sheet_context(assessment)
    if fmt == "pdf":
        return pdf_response(exports.render_pdf("reports/pdf/score_sheet.html", context),
                    f"phieu-diem-{assessment.agency.code}-{assessment.campaign_id}.pdf")
    context["is_officer"] = campaign_selectors.user_is_officer(request.user)
    return render(request, "reports/score_sheet.html", context)


def as_decimal(value):
    return None if value in (None, "") else Decimal(str(value))


def field_averages(rows) -> dict[str, Decimal]:
    """Average sub-index (%) per field over rows where the field applies."""
    sums: dict[str, list] = {}
    for row in rows:
        for f in row["fields"]:
            if f.get("kind", "base") != "base":  # bonus and penalty are outside the maximum
                continue
            if f.get("applicable", True) and f["points"] is not None and as_decimal(f["max_points"]):
                sums.setdefault(f["code"], []).append(as_decimal(f["points"]) * 100 / as_decimal(f["max_points"]))
    return {code: q2(sum(values) / len(values)) for code, values in sums.items()}


def results_links(campaign, user):
    """Links on the campaign and home pages (registered in ReportsConfig.ready())."""
    from campaigns.links import Link

    links = []
    if campaign_selectors.user_is_officer(user):
        links.append(Link(_("Kết quả"), reverse("reports-results", args=[campaign.pk]), 70))
        links.append(Link(_("Tình hình chấm điểm"), reverse("reports-board", args=[campaign.pk]), 60))
    if campaign.status == Campaign.Status.PUBLISHED:
        links.append(Link(_("Kết quả công bố"), reverse("public-results", args=[campaign.pk]), 80))
    return links

