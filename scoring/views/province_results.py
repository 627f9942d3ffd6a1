"""Pages of the province's own index after the departments' work, for the Sở's officers: the
Ministry's official result (import, template, self against official per item and per year)
and the Sở's draft report of the province's self-assessment (preview, PDF, .docx).
The URLs sit with the board's, in scoring/views/province.py."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaigns.selectors import user_is_officer
from cchc_portal.core.views import run_action
from scoring.exports import province_report_pdf
from scoring.forms_appraisal import OfficialResultForm
from scoring.province_docx import province_report_docx
from scoring.selectors.province import province_campaign_get_for_user
from scoring.selectors.province_official import official_comparison
from scoring.selectors.province_report import province_report
from scoring.services.province_official import official_result_import, official_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign(request, pk):
    """Officers only (a department gets 403, as on the board); the campaign and its assessment."""
    if not user_is_officer(request.user):
        raise PermissionDenied
    return province_campaign_get_for_user(user=request.user, pk=pk)


@login_required
def official_import(request, pk):
    """Upload the Ministry's official result: every bad row named, nothing stored if any."""
    campaign, assessment = _campaign(request, pk)
    form, report = OfficialResultForm(), None
    if request.method == "POST":
        form = OfficialResultForm(request.POST, request.FILES)
        if form.is_valid():
            outcome = run_action(request, lambda: official_result_import(
                campaign=campaign, assessment=assessment, file=form.cleaned_data["file"], user=request.user),
                success=lambda r: _("Đã nhập kết quả chính thức của %(n)s tiêu chí.") % {"n": len(r.rows)}
                if r.ok else "")
            if outcome.ok and outcome.result.ok:
                return redirect("scoring:province_comparison", pk=campaign.pk)
            report = outcome.result
    return render(request, "scoring/province/official_import.html", {
        "campaign": campaign, "form": form, "report": report})


@login_required
def official_template_download(request, pk):
    campaign, assessment = _campaign(request, pk)
    return FileResponse(official_template(assessment=assessment).to_temp_file(), as_attachment=True,
                        filename=f"ket-qua-chinh-thuc-{campaign.year}.xlsx", content_type=XLSX)


@login_required
def comparison(request, pk):
    """Self against official per item and per field, and the same item in earlier years."""
    campaign, assessment = _campaign(request, pk)
    return render(request, "scoring/province/comparison.html", {
        "campaign": campaign, "comparison": official_comparison(assessment=assessment)})


@login_required
def report_preview(request, pk):
    campaign, assessment = _campaign(request, pk)
    return render(request, "scoring/province/report.html", {
        "campaign": campaign, "report": province_report(campaign=campaign, assessment=assessment)})


@login_required
def report_download(request, pk, fmt):
    campaign, assessment = _campaign(request, pk)
    report = province_report(campaign=campaign, assessment=assessment)
    if fmt == "pdf":
        response = HttpResponse(province_report_pdf(report=report), content_type="application/pdf")
    else:
        response = HttpResponse(province_report_docx(report=report), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-tu-danh-gia-tinh-{campaign.year}.{fmt}"'
    return response
