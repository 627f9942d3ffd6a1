"""The background check of an uploaded document (evidence.tasks.document_check_job): its
text, its digital signatures, a proposal of its metadata; and what the pages show from it
(badges, the out-of-period flag).

`check_enqueue` runs at upload, inside the upload's transaction: it records a queued
DocumentCheck and sends the job once the transaction commits, so the upload never waits.
"""
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cchc_portal.core.exceptions import ApplicationError

from .extract import ExtractError, extract_text
from .metadata import propose
from .models import AssessedPeriod, Document, DocumentCheck, DocumentSignature, TrustRoot
from .search import plain

logger = logging.getLogger(__name__)
UNSET = object()


def max_check_bytes() -> int:
    return getattr(settings, "EVIDENCE_CHECK_MAX_MB", getattr(settings, "EVIDENCE_MAX_MB", 20)) * 1024 * 1024


def check_enqueue(document: Document) -> DocumentCheck:
    """A queued check of `document`; the job starts after commit (inline in the demo)."""
    from .tasks import document_check_job

    analysis, _created = DocumentCheck.objects.update_or_create(
        document=document, defaults={"status": DocumentCheck.Status.QUEUED, "progress": 0, "error": ""})
    transaction.on_commit(lambda: document_check_job.delay(document.pk), robust=True)
    return analysis


def _progress(analysis, percent, status=DocumentCheck.Status.RUNNING):
    DocumentCheck.objects.filter(pk=analysis.pk).update(progress=max(0, min(100, int(percent))), status=status)


def trust_roots():
    from .signatures import load_certificates

    return load_certificates(list(TrustRoot.objects.filter(active=True).values_list("certificate", flat=True)))


def document_check_run(*, document_id: int) -> str:
    """Read, verify and propose for one document; idempotent (a rerun replaces the results).
    Returns the final status."""
    document = Document.objects.filter(pk=document_id).select_related("campaign").first()
    if document is None:
        return "missing"
    analysis, _created = DocumentCheck.objects.get_or_create(document=document)
    analysis.status, analysis.progress, analysis.error, analysis.note = DocumentCheck.Status.RUNNING, 5, "", ""
    analysis.started_at, analysis.finished_at = timezone.now(), None
    analysis.save()
    try:
        if document.size > max_check_bytes():
            raise ExtractError(_("tệp lớn hơn giới hạn kiểm tra"))
        with document.file.open("rb") as handle:
            data = handle.read(max_check_bytes() + 1)
        kind = next((code for code, k in _kinds().items() if k.content_type == document.content_type), "")
        signatures = []
        if kind == "pdf":
            from .signatures import verify_pdf

            try:
                signatures = verify_pdf(data, roots=trust_roots())
            except Exception:  # noqa: BLE001 - an unreadable signature dictionary does not stop the text
                logger.exception("signature check failed for document %s", document_id)
                analysis.note = _("Không đọc được chữ ký số của tệp.")
        _progress(analysis, 20)
        extracted = extract_text(data, kind=kind,
                                 on_progress=lambda done, total: _progress(analysis, 20 + 60 * done / max(total, 1)))
        proposal = propose(extracted.first_page)
    except ExtractError as exc:
        DocumentCheck.objects.filter(pk=analysis.pk).update(
            status=DocumentCheck.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now())
        return DocumentCheck.Status.FAILED
    notes = [analysis.note] if analysis.note else []
    if "ocr_off" in extracted.notes:
        notes.append(_("Chưa bật nhận dạng chữ (OCR): chưa đọc được nội dung tệp ảnh hoặc bản scan."))
    if "ocr_capped" in extracted.notes or "pages_capped" in extracted.notes:
        notes.append(_("Tài liệu dài: chỉ đọc các trang đầu."))
    with transaction.atomic():
        analysis.signatures.all().delete()
        DocumentSignature.objects.bulk_create([
            DocumentSignature(analysis=analysis, position=index, **vars(result))
            for index, result in enumerate(signatures)])
        analysis.status, analysis.progress, analysis.finished_at = DocumentCheck.Status.DONE, 100, timezone.now()
        analysis.note = " ".join(notes)[:500]
        analysis.text_source = extracted.source
        analysis.ocr_confidence = extracted.ocr_confidence
        analysis.pages = extracted.pages
        analysis.proposed_number = proposal.number[:100]
        analysis.proposed_issued_on = proposal.issued_on
        analysis.proposed_issuer = proposal.issuer[:255]
        analysis.proposed_title = proposal.title[:500]
        text = extracted.text.replace("\x00", "")
        analysis.plain_text = plain(text)
        analysis.save()
        Document.objects.filter(pk=document.pk).update(text=text)
    return DocumentCheck.Status.DONE


def _kinds():
    from .validation import KINDS

    return KINDS


def document_check_failed(*, document_id: int, message: str) -> None:
    DocumentCheck.objects.filter(document_id=document_id).update(
        status=DocumentCheck.Status.FAILED, error=message[:500], finished_at=timezone.now())


# ------------------------------------------------------------------ what pages show


def assessed_period(campaign) -> tuple[date, date]:
    """The campaign's assessed period: its AssessedPeriod row, else 01/01–31/12 of its year."""
    try:
        period = campaign.assessed_period
    except AssessedPeriod.DoesNotExist:
        period = None
    if period is not None:
        return period.starts_on, period.ends_on
    return date(campaign.year, 1, 1), date(campaign.year, 12, 31)


def period_flag(document, *, period=None, year=None, analysis=UNSET) -> str:
    """"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá 2025" when the document's date (its
    issued_on, else the proposed date) is outside the campaign's period; "" otherwise."""
    when = document.issued_on
    if when is None:
        if analysis is UNSET:
            analysis = document.analysis if _has_analysis(document) else None
        when = analysis.proposed_issued_on if analysis else None
    if when is None:
        return ""
    starts, ends = period or assessed_period(document.campaign)
    if starts <= when <= ends:
        return ""
    return _("tài liệu ngày %(date)s ngoài kỳ đánh giá %(year)s") % {
        "date": when.strftime("%d/%m/%Y"), "year": year or document.campaign.year}


def _has_analysis(document) -> bool:
    try:
        return document.analysis is not None
    except DocumentCheck.DoesNotExist:
        return False


@dataclass
class Badge:
    css: str  # ok / warn / bad / info
    text: str


def signature_badge(document, signatures=None) -> Badge | None:
    """"Đã ký số: Sở Tư pháp, 12/01/2026 · toàn vẹn" (green), a red badge for a broken or
    altered signature, "Chưa kiểm tra với chứng thư gốc" noted when no root is set."""
    if signatures is None:
        if not _has_analysis(document):
            return None
        signatures = list(document.analysis.signatures.all())
    if not signatures:
        return None
    first = signatures[0]
    when = date_format(timezone.localtime(first.signing_time), "d/m/Y") if first.signing_time else ""
    who = ", ".join(part for part in (first.label, when) if part)
    if all(s.ok for s in signatures):
        return Badge("ok", _("Đã ký số: %(who)s · toàn vẹn") % {"who": who})
    if any(not s.intact or s.modified_after for s in signatures):
        return Badge("bad", _("Chữ ký số không hợp lệ: %(who)s · bị sửa sau khi ký") % {"who": who})
    return Badge("bad", _("Chữ ký số không tin cậy: %(who)s") % {"who": who})


@dataclass
class CheckInfo:
    document: Document
    analysis: DocumentCheck | None
    signatures: list
    badge: Badge | None
    flag: str
    trusted_checked: bool

    @property
    def proposal_differs(self) -> bool:
        a, d = self.analysis, self.document
        if not a or a.status != DocumentCheck.Status.DONE:
            return False
        return any(value and value != current for value, current in (
            (a.proposed_number, d.number), (a.proposed_issued_on, d.issued_on), (a.proposed_issuer, d.issuer),
            (a.proposed_title, d.summary)))


def document_checks(documents, *, campaign=None) -> dict[int, CheckInfo]:
    """CheckInfo per document pk, in two queries (checks with their signatures) plus one per
    distinct campaign's period. `campaign`: the documents' campaign when known (documents
    loaded with only some fields, or plain records with `pk`, `issued_on`, `number`,
    `issuer`, `summary`, such as the scoring page's)."""
    if not documents:
        return {}
    analyses = {a.document_id: a for a in DocumentCheck.objects.filter(
        document_id__in=[d.pk for d in documents]).defer("plain_text").prefetch_related("signatures")}
    if campaign is not None:
        periods = {campaign.pk: assessed_period(campaign)}
        years = {campaign.pk: campaign.year}
    else:
        periods: dict[int, tuple[date, date]] = {}
        years: dict[int, int] = {}
    out = {}
    for document in documents:
        campaign_id = campaign.pk if campaign is not None else document.campaign_id
        analysis = analyses.get(document.pk)
        if analysis is not None and isinstance(document, Document):
            document.analysis = analysis  # the reverse one-to-one, cached for the helpers below
        if campaign_id not in periods:
            periods[campaign_id] = assessed_period(document.campaign)
            years[campaign_id] = document.campaign.year
        signatures = list(analysis.signatures.all()) if analysis else []
        out[document.pk] = CheckInfo(
            document=document, analysis=analysis, signatures=signatures, badge=signature_badge(document, signatures),
            flag=period_flag(document, period=periods[campaign_id], year=years[campaign_id],
                             analysis=analysis),
            trusted_checked=any(s.trusted != DocumentSignature.Trust.NOT_CHECKED for s in signatures))
    return out


def proposal_accept(*, document, user) -> Document:
    """Copy the proposal (number, date, issuer; the title into an empty summary) into the
    document through services.document_update_metadata (same rights and checks)."""
    from .services import UNSET as KEEP
    from .services import document_update_metadata

    analysis = DocumentCheck.objects.filter(document=document, status=DocumentCheck.Status.DONE).first()
    if analysis is None or not analysis.has_proposal:
        raise ApplicationError(_("Tài liệu chưa có thông tin đề xuất."))
    return document_update_metadata(
        document=document, user=user,
        number=analysis.proposed_number or KEEP,
        issued_on=analysis.proposed_issued_on or KEEP,
        issuer=analysis.proposed_issuer or KEEP,
        summary=analysis.proposed_title if analysis.proposed_title and not document.summary else KEEP)


def attach_checks(documents, *, campaign) -> None:
    """Set `document.evidence_check` (a CheckInfo) on each of `documents` of `campaign`, for
    pages that list documents inside other rows (the appraisal page): three queries."""
    documents = list(documents)
    info = document_checks(documents, campaign=campaign)
    for document in documents:
        document.evidence_check = info.get(document.pk)


# ------------------------------------------------------------------ the same, as data for scripts

ACTIVE = (DocumentCheck.Status.QUEUED, DocumentCheck.Status.RUNNING)


def check_badges(info: CheckInfo | None) -> list[Badge]:
    """The badges evidence/_check.html draws, in its order: the signature (or "Không có chữ
    ký số" once a PDF or image is read), the out-of-period flag, the check's state."""
    if info is None:
        return []
    a, out = info.analysis, []
    if info.badge:
        out.append(info.badge)
    elif a and a.status == DocumentCheck.Status.DONE and a.text_source not in ("docx", "xlsx"):
        out.append(Badge("info", _("Không có chữ ký số")))
    if info.flag:
        out.append(Badge("warn", info.flag))
    return out


def check_state_text(info: CheckInfo | None) -> str:
    """"Đang kiểm tra tài liệu… 40%", the failure, or what the OCR read: the fragment's small line."""
    a = info.analysis if info else None
    if a is None:
        return ""
    if a.status in ACTIVE:
        return _("Đang kiểm tra tài liệu…") + f" {a.progress}%"
    if a.status == DocumentCheck.Status.FAILED:
        return f"{_('Không kiểm tra được tài liệu:')} {a.error}"
    if a.text_source == DocumentCheck.Source.OCR:
        text = _("Nội dung nhận dạng (OCR)")
        if a.ocr_confidence is not None:
            text += ", " + _("độ tin cậy %(c)s%%") % {"c": f"{a.ocr_confidence:.0f}"}
        return text
    return ""


def check_data(info: CheckInfo | None) -> dict:
    """What a page's script needs of one document's check (the JSON of `evidence:check`, the
    scoring page's documents): status, progress, badges (text and css), the period flag and
    the proposal (dates as dd/mm/yyyy)."""
    a = info.analysis if info else None
    proposal = None
    if a is not None and a.status == DocumentCheck.Status.DONE and a.has_proposal:
        proposal = {"number": a.proposed_number, "issuer": a.proposed_issuer, "title": a.proposed_title,
                    "issued_on": a.proposed_issued_on.strftime("%d/%m/%Y") if a.proposed_issued_on else ""}
    return {
        "status": a.status if a else "", "progress": a.progress if a else 0,
        "active": bool(a and a.status in ACTIVE),
        "badges": [{"css": b.css, "text": b.text} for b in check_badges(info)],
        "flag": info.flag if info else "", "state": check_state_text(info),
        "error": a.error if a else "", "note": a.note if a and a.status == DocumentCheck.Status.DONE else "",
        "proposal": proposal, "proposal_differs": bool(info and info.proposal_differs),
        # the badge fragment (evidence/_check.html) for `data-check-poll` while the check runs
        "html_url": reverse("evidence:check", args=[info.document.pk]) + "?html=1" if info else "",
    }
