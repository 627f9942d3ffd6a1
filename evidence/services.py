"""Every write to evidence documents: upload (deduplicated), metadata, delete.

Files go through Django's storage API (`Document.file`, opaque names from
`evidence_path`): local disk by default, S3-compatible storage when configured. A refused
file leaves nothing behind: validation runs before anything is written, and a failed
insert removes the stored file. (A file whose row is rolled back by a caller's outer
transaction is an orphan; `manage.py evidence_cleanup` removes those.)
"""
import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError

from .checks import check_enqueue
from .models import Document
from .selectors import user_can_manage_documents
from .usage import document_usage
from .validation import as_file, check_file

logger = logging.getLogger(__name__)

UNSET = object()
SUMMARY_MAX = 2000
EARLIEST_ISSUE = date(1945, 9, 2)


def _require_manager(*, user, agency):
    if not user_can_manage_documents(user, agency):
        raise ApplicationError(_("Chỉ cán bộ của đơn vị được tải lên, sửa hoặc xóa tài liệu kiểm chứng của đơn vị."),
                               status=403)


def _require_open(campaign):
    if campaign.status != Campaign.Status.OPEN:
        raise ConflictError(
            _("Đợt đánh giá không còn ở trạng thái triển khai; không thể thay đổi tài liệu kiểm chứng."))


def _text(value, *, field, label, limit, errors, multiline=False):
    text = "" if value is None else str(value)
    if multiline:
        text = "\n".join(" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")).strip()
    else:
        text = " ".join(text.split())
    text = "".join(ch for ch in text if ch == "\n" or ch.isprintable())
    if len(text) > limit:
        errors[field] = [_("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit}]
    return text


def clean_metadata(*, number="", issued_on=None, issuer="", summary="", now=None) -> dict:
    """Metadata as stored: whitespace tidied, lengths checked, issue date not in the future
    (Vietnam time). Raises ApplicationError with `errors` per field."""
    errors: dict[str, list[str]] = {}
    data = {
        "number": _text(number, field="number", label=_("Số, ký hiệu"), limit=100, errors=errors),
        "issuer": _text(issuer, field="issuer", label=_("Cơ quan ban hành"), limit=255, errors=errors),
        "summary": _text(summary, field="summary", label=_("Trích yếu"), limit=SUMMARY_MAX, errors=errors,
                         multiline=True),
        "issued_on": issued_on,
    }
    if issued_on is not None:
        if not isinstance(issued_on, date):
            errors["issued_on"] = [_("Ngày ban hành không hợp lệ (dd/mm/yyyy).")]
        else:
            today = timezone.localdate(now or timezone.now())
            if issued_on > today:
                errors["issued_on"] = [_("Ngày ban hành không được sau ngày hôm nay.")]
            elif issued_on < EARLIEST_ISSUE:
                errors["issued_on"] = [_("Ngày ban hành không hợp lệ.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors})
    return data


def _existing(*, agency, campaign, sha256) -> Document | None:
    return Document.objects.filter(agency=agency, campaign=campaign, sha256=sha256).first()


def document_upload(*, agency, campaign, file, user, number="", issued_on=None, issuer="", summary="",
                    name=None, now=None) -> tuple[Document, bool]:
    """Store one evidence file of `agency` in `campaign`; returns (document, created).

    The same content (SHA-256) uploaded again by the agency in the campaign is stored once:
    the existing document comes back with created=False and its metadata unchanged. `file`
    is an UploadedFile, a Django File or an open binary file; `name` overrides its name.
    Raises ApplicationError (400 refused file or metadata, 403 not the agency's member,
    409 campaign not open); nothing is stored then.
    """
    now = now or timezone.now()
    _require_manager(user=user, agency=agency)
    _require_open(campaign)
    # a province campaign assesses the province; the departments scoring its items keep their evidence
    if campaign.kind != Campaign.Kind.PROVINCE and not campaign.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError(_("Đơn vị không thuộc đợt đánh giá này."))
    metadata = clean_metadata(number=number, issued_on=issued_on, issuer=issuer, summary=summary, now=now)
    content = as_file(file)
    checked = check_file(content, name=name)
    existing = _existing(agency=agency, campaign=campaign, sha256=checked.sha256)
    if existing is not None:
        return existing, False
    document = Document(
        agency=agency, campaign=campaign, original_name=checked.name, extension=checked.kind.extension,
        size=checked.size, sha256=checked.sha256, content_type=checked.kind.content_type,
        uploaded_by=user, uploaded_at=now, **metadata,
    )
    document.full_clean(exclude=["file"], validate_constraints=False)
    content.seek(0)
    document.file.save(checked.name, content, save=False)
    stored = document.file.name
    try:
        with transaction.atomic():
            document.save()
            check_enqueue(document)  # text, signatures, proposed metadata: a job after commit
    except IntegrityError:
        document.file.storage.delete(stored)
        # a concurrent upload of the same content won the unique constraint
        winner = Document.objects.filter(agency=agency, campaign=campaign, sha256=checked.sha256).first()
        if winner is None:
            raise
        return winner, False
    except BaseException:
        document.file.storage.delete(stored)
        raise
    return document, True


def document_update_metadata(*, document, user, number=UNSET, issued_on=UNSET, issuer=UNSET, summary=UNSET,
                             now=None) -> Document:
    """Change the number and symbol, issue date, issuer or summary; arguments left out keep
    their value."""
    _require_manager(user=user, agency=document.agency)
    _require_open(document.campaign)
    given = {"number": number, "issued_on": issued_on, "issuer": issuer, "summary": summary}
    current = {field: getattr(document, field) for field in given}
    merged = {field: current[field] if value is UNSET else value for field, value in given.items()}
    data = clean_metadata(now=now, **merged)
    changed = [field for field, value in data.items() if value != current[field]]
    if changed:
        with transaction.atomic():
            for field in changed:
                setattr(document, field, data[field])
            document.full_clean(exclude=["file"], validate_constraints=False)
            document.save(update_fields=changed)
    return document


def document_delete(*, document, user) -> None:
    """Delete a document that nothing links to (ConflictError naming the links otherwise);
    its file leaves storage once the deletion is committed. Deleting twice is harmless."""
    _require_manager(user=user, agency=document.agency)
    _require_open(document.campaign)
    with transaction.atomic():
        # The row lock makes a concurrent link (an FK insert) wait for us, then fail.
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        uses = document_usage(locked)
        if uses:
            raise ConflictError(
                _("Tài liệu đang được dùng làm minh chứng (%(uses)s); hãy gỡ liên kết trước khi xóa.")
                % {"uses": ", ".join(uses)},
                extra={"usage": uses},
            )
        stored, storage = locked.file.name, locked.file.storage
        locked.delete()
        transaction.on_commit(lambda: _delete_stored(storage, stored))


def _delete_stored(storage, name):
    try:
        storage.delete(name)
    except Exception:  # noqa: BLE001 - the row is gone; a leftover file is swept by evidence_cleanup
        logger.exception("could not delete evidence file %s", name)


def _walk(storage, path):
    try:
        directories, names = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{path}/{name}"
    for directory in directories:
        yield from _walk(storage, f"{path}/{directory}")


def evidence_orphans_delete(*, older_than=None, dry_run=False, now=None) -> list[str]:
    """Stored files under `evidence/` that no document refers to and that are older than
    `older_than` (default 24 hours, so an upload in progress is never touched); deletes
    them unless `dry_run`. Returns their names. Run by `manage.py evidence_cleanup`."""
    from datetime import timedelta

    now = now or timezone.now()
    older_than = timedelta(hours=24) if older_than is None else older_than
    storage = Document._meta.get_field("file").storage
    known = set(Document.objects.values_list("file", flat=True))
    orphans = []
    for name in _walk(storage, "evidence"):
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if now - modified >= older_than:
            orphans.append(name)
            if not dry_run:
                storage.delete(name)
    return sorted(orphans)
