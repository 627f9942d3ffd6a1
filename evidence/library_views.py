"""The campaign library's pages: the list (everyone of the campaign), the officer's add,
edit, delete and copy from last year, and the file itself (protected like evidence)."""
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import StepKind
from cchc_portal.core.dates import DateField
from cchc_portal.core.views import run_action

from . import library
from .library_models import GuidanceDocument
from .validation import ACCEPT_ATTR, ACCEPTED_LABEL, max_mb_label
from .views import CSP_DOWNLOAD, _file_response

PAGE_SIZE = 20


class GuidanceForm(forms.Form):
    """The fields of a library entry; the rules (a file or an http(s) link, codes) live in
    `evidence.library`."""

    kind = forms.ChoiceField(label=gettext_lazy("Loại tài liệu"), choices=GuidanceDocument.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Tên tài liệu"), max_length=500,
                            widget=forms.TextInput(attrs={"size": 60}))
    number = forms.CharField(label=gettext_lazy("Số hiệu"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"placeholder": gettext_lazy("VD: 125/KH-UBND")}))
    issued_on = DateField(label=gettext_lazy("Ngày ban hành"), required=False)
    file = forms.FileField(label=gettext_lazy("Tệp"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}))
    url = forms.CharField(label=gettext_lazy("hoặc đường liên kết (http/https)"), max_length=500, required=False,
                          widget=forms.URLInput(attrs={"placeholder": "https://", "size": 60}))
    step_kind = forms.ChoiceField(label=gettext_lazy("Liên quan bước kế hoạch"), required=False)
    group = forms.ModelChoiceField(label=gettext_lazy("Nhóm cơ quan"), queryset=None, required=False,
                                   empty_label=gettext_lazy("— mọi nhóm —"))
    criteria_codes = forms.CharField(label=gettext_lazy("Liên quan tiêu chí (mã)"), max_length=500, required=False,
                                     widget=forms.TextInput(attrs={"placeholder": gettext_lazy("VD: 1.2, 3.1")}))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_kind"].choices = [("", _("— không —")), *StepKind.choices]
        self.fields["group"].queryset = campaign.groups.all()
        self.fields["file"].help_text = _("%(kinds)s; tối đa %(mb)s MB. Hệ thống kiểm tra nội dung tệp.") % {
            "kinds": ACCEPTED_LABEL, "mb": max_mb_label()}
        self.fields["criteria_codes"].help_text = _(
            "Các mã cách nhau bởi dấu phẩy; đơn vị thấy tài liệu ở phần hướng dẫn của các tiêu chí này.")


def _officer(request):
    if not library.user_can_manage_guidance(request.user):
        raise PermissionDenied


@login_required
def guidance_list(request, campaign_id):
    """The library of a campaign: filter by kind, search, pages of 20."""
    campaign = library.guidance_campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in GuidanceDocument.Kind.values else ""
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(library.guidance_list(campaign=campaign, kind=kind, q=q), PAGE_SIZE).get_page(
        request.GET.get("page"))
    can_manage = library.user_can_manage_guidance(request.user)
    return render(request, "evidence/guidance_list.html", {
        "campaign": campaign, "page": page, "kind": kind, "q": q, "kinds": GuidanceDocument.Kind.choices,
        "can_manage": can_manage, "previous": campaign.previous if can_manage else None,
        "page_query": urlencode([(name, value) for name, value in (("kind", kind), ("q", q)) if value]),
    })


def _form_values(form) -> dict:
    data = dict(form.cleaned_data)
    data["file"] = data.get("file") or None
    return data


@login_required
@require_http_methods(["GET", "POST"])
def guidance_create(request, campaign_id):
    _officer(request)
    campaign = library.guidance_campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = GuidanceForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, partial(library.guidance_create, campaign=campaign, user=request.user,
                                              **_form_values(form)),
                             success=lambda d: _("Đã thêm “%(title)s” vào thư viện.") % {"title": d.title}, form=form)
        if outcome.ok:
            return redirect("evidence:guidance_list", campaign_id=campaign.pk)
    return render(request, "evidence/guidance_form.html", {"campaign": campaign, "form": form, "document": None})


@login_required
@require_http_methods(["GET", "POST"])
def guidance_edit(request, pk):
    _officer(request)
    document = library.guidance_get_for_user(user=request.user, pk=pk)
    campaign = document.campaign
    form = GuidanceForm(request.POST or None, request.FILES or None, campaign=campaign, initial={
        "kind": document.kind, "title": document.title, "number": document.number, "issued_on": document.issued_on,
        "url": document.url, "step_kind": document.step_kind, "group": document.group,
        "criteria_codes": ", ".join(document.criteria_codes),
    })
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, partial(library.guidance_update, document=document, user=request.user,
                                              **_form_values(form)),
                             success=_("Đã lưu “%(title)s”.") % {"title": form.cleaned_data["title"]}, form=form)
        if outcome.ok:
            return redirect("evidence:guidance_list", campaign_id=campaign.pk)
    return render(request, "evidence/guidance_form.html", {"campaign": campaign, "form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def guidance_delete(request, pk):
    _officer(request)
    document = library.guidance_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        run_action(request, partial(library.guidance_delete, document=document, user=request.user),
                   success=_("Đã xóa “%(title)s” khỏi thư viện.") % {"title": document.title})
        return redirect("evidence:guidance_list", campaign_id=document.campaign_id)
    return render(request, "evidence/guidance_delete.html", {"document": document, "campaign": document.campaign})


@login_required
@require_POST
def guidance_copy(request, campaign_id):
    """Copy last year's library (the campaign's `previous`) into this campaign: what is new."""
    _officer(request)
    campaign = library.guidance_campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    if campaign.previous_id is None:
        messages.error(request, _("Đợt đánh giá này chưa gắn với đợt năm trước."))
    else:
        run_action(request, partial(library.guidance_copy, source=campaign.previous, campaign=campaign,
                                    user=request.user),
                   success=lambda n: _("Đã sao chép %(n)s tài liệu từ đợt năm trước.") % {"n": n})
    return redirect("evidence:guidance_list", campaign_id=campaign.pk)


@login_required
def guidance_file(request, pk):
    """The file as an attachment, only for users who see the campaign (404 otherwise)."""
    document = library.guidance_get_for_user(user=request.user, pk=pk)
    if not document.file:
        raise Http404
    response = _file_response(document, inline=False)
    response["Content-Security-Policy"] = CSP_DOWNLOAD
    return response
