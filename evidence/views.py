"""Evidence pages: an agency's library, the upload endpoint of the widget, metadata edit
and delete, and the file itself (download, inline preview), only for allowed users."""
import re
import unicodedata
from functools import partial
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.views import error_json, run_action, wants_json

from . import selectors, services
from .forms import DocumentMetadataForm
from .usage import document_usage
from .validation import INLINE_CONTENT_TYPES, file_size, sanitize_filename

PAGE_SIZE = 20
MAX_FILES_PER_REQUEST = 20


def library_url(document) -> str:
    return reverse("evidence:library", args=[document.campaign_id, document.agency.code])


def document_json(document, *, created) -> dict:
    """One file of the widget's answer: {id, name, size, created, error, download_url, preview_url,
    check_url}."""
    return {
        "id": document.pk, "name": document.original_name, "size": document.size, "created": created,
        "error": None, "number": document.number, "summary": document.summary,
        "download_url": reverse("evidence:download", args=[document.pk]),
        "preview_url": reverse("evidence:preview", args=[document.pk])
        if document.content_type in INLINE_CONTENT_TYPES else None,
        "check_url": reverse("evidence:check", args=[document.pk]),  # the background check, polled by the widget
    }


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default


@login_required
def library(request, campaign_id, agency_code):
    """The agency's evidence for a campaign: search, pages of 20, upload, edit, delete."""
    campaign, agency = selectors.library_get_for_user(user=request.user, campaign_id=campaign_id,
                                                      agency_code=agency_code)
    q = request.GET.get("q", "").strip()[:100]
    documents = selectors.document_list_for_user(user=request.user, agency=agency, campaign=campaign,
                                                 with_text=bool(q))  # the text only for the excerpts of a search
    documents = selectors.document_annotate_usage(selectors.document_search(documents, q))
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = selectors.user_can_manage_documents(request.user, agency)
    return render(request, "evidence/library.html", {
        "campaign": campaign, "agency": agency, "page": page, "q": q, "can_manage": can_manage,
        "campaign_open": campaign.status == campaign.Status.OPEN,
        "upload_url": reverse("evidence:upload", args=[campaign.pk, agency.code]),
    })


@login_required
@require_POST
def upload(request, campaign_id, agency_code):
    """POST multipart: `file` (one or several), `number`, `issued_on`, `issuer`, `summary`.

    With `Accept: application/json` (the widget's XMLHttpRequest) the answer is
    `{"files": [{id, name, size, created, error, ...}], "detail", "errors"}`: 200 when at
    least one file is stored (or already there), 400 when none. Without it (no JavaScript)
    one message per file and a redirect to `next` (or the library)."""
    campaign, agency = selectors.library_get_for_user(user=request.user, campaign_id=campaign_id,
                                                      agency_code=agency_code)
    as_json = wants_json(request)
    back = _next_url(request, reverse("evidence:library", args=[campaign.pk, agency.code]))
    if not selectors.user_can_manage_documents(request.user, agency):
        if as_json:
            return error_json(ApplicationError(_("Bạn không có quyền tải tài liệu lên cho đơn vị này."), status=403),
                              files=[])
        raise PermissionDenied
    files = request.FILES.getlist("file")
    form = DocumentMetadataForm(request.POST)
    detail, errors = "", {}
    if not files:
        detail, errors = _("Hãy chọn ít nhất một tệp."), {"file": [_("Hãy chọn ít nhất một tệp.")]}
    elif len(files) > MAX_FILES_PER_REQUEST:
        detail = _("Mỗi lần tải lên tối đa %(n)s tệp.") % {"n": MAX_FILES_PER_REQUEST}
        errors = {"file": [detail]}
    elif not form.is_valid():
        errors = form.errors_dict()
        detail = next(iter(errors.values()))[0]
    if detail:  # nothing is tried: every file carries the same refusal
        results = [_refused(f, detail) for f in files]
        if not as_json:
            for text in [r["error"] for r in results] or [detail]:
                messages.error(request, text)
    else:
        results = []
        for f in files:
            outcome = run_action(request, partial(services.document_upload, agency=agency, campaign=campaign, file=f,
                                                  user=request.user, **form.cleaned_data))
            if not outcome.ok:
                results.append(_refused(f, outcome.error.message))
                errors = errors or outcome.error.extra.get("errors", {})
                continue
            document, created = outcome.result
            results.append(document_json(document, created=created))
            if as_json:
                continue
            if created:
                messages.success(request, _("Đã tải lên “%(name)s”.") % {"name": document.original_name})
            else:
                messages.info(request, _("“%(name)s” trùng nội dung với tài liệu đã có; không lưu thêm bản nữa.")
                              % {"name": document.original_name})
    stored = [r for r in results if r["error"] is None]
    if not as_json:
        return redirect(back)
    if stored:
        return JsonResponse({"files": results, "detail": detail, "errors": errors})
    detail = detail or (results[0]["error"] if results else _("Không có tệp nào được tải lên."))
    return error_json(ApplicationError(detail, extra={"errors": errors}), files=results)


def _refused(file, error) -> dict:
    return {"id": None, "name": sanitize_filename(file.name), "size": file_size(file), "created": False,
            "error": error}


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if not selectors.user_can_manage_documents(request.user, document.agency):
        raise PermissionDenied
    form = DocumentMetadataForm(request.POST or None, initial={
        "number": document.number, "issued_on": document.issued_on, "issuer": document.issuer,
        "summary": document.summary,
    })
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request, partial(services.document_update_metadata, document=document, user=request.user,
                             **form.cleaned_data),
            success=_("Đã lưu thông tin tài liệu “%(name)s”.") % {"name": document.original_name},
            form=form)
        if outcome.ok:
            return redirect(_next_url(request, library_url(document)))
    return render(request, "evidence/edit.html", {"document": document, "form": form,
                                                  "back": _next_url(request, library_url(document))})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if not selectors.user_can_manage_documents(request.user, document.agency):
        raise PermissionDenied
    back = _next_url(request, library_url(document))
    if request.method == "POST":
        run_action(request, partial(services.document_delete, document=document, user=request.user),
                   success=_("Đã xóa tài liệu “%(name)s”.") % {"name": document.original_name})
        return redirect(back)
    return render(request, "evidence/delete.html", {"document": document, "uses": document_usage(document),
                                                    "back": back})


# ---------------------------------------------------------------- the file itself


def _ascii_fallback(name: str) -> str:
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._()\- ]", "_", text).strip(" .")
    return text or "tai-lieu"


def content_disposition(disposition: str, name: str) -> str:
    """`attachment; filename="Bao cao.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o.pdf` (RFC 6266
    and RFC 5987): an ASCII fallback for old clients, the exact Vietnamese name for the rest."""
    return f"{disposition}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_response(document, *, inline):
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition("inline" if inline else "attachment",
                                                          document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Every inline file is sandboxed by its response (`sandbox` without allow-scripts: a unique
# origin, no script of the file runs in the portal's origin). Chromium (checked on 156) renders
# a PDF under a `sandbox` CSP in a normal <iframe>, but refuses it in an <iframe sandbox>, so
# the appraisal page's frame carries no sandbox attribute; `object-src 'self'` lets the viewer load.
CSP_IMAGE = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
CSP_PDF = ("default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; "
           "frame-ancestors 'self'; sandbox")
CSP_DOWNLOAD = "default-src 'none'; frame-ancestors 'none'; sandbox"


@login_required
def download(request, pk):
    """The file as an attachment, through the storage API, for users who may see it."""
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    response = _file_response(document, inline=False)
    response["Content-Security-Policy"] = CSP_DOWNLOAD
    return response


@login_required
def preview(request, pk):
    """PDFs and images inline (the appraisal page embeds this in an <iframe>); other kinds 404."""
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if document.content_type not in INLINE_CONTENT_TYPES:
        raise Http404
    response = _file_response(document, inline=True)
    response["Content-Security-Policy"] = CSP_PDF if document.content_type == "application/pdf" else CSP_IMAGE
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
