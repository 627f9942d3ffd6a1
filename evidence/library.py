"""The campaign library: reads, writes and the copy into next year's campaign.

Officers (and admins) publish; everyone who sees the campaign (province staff, members of
the agencies it covers or of the agency that runs it) reads the list and downloads the
files; everyone else gets 404.

Criteria codes are plain text here (evidence sits below scoring); scoring registers a
`code map` provider (`register_code_map`) that tells, for a campaign, which of last year's
codes became which of this year's, and calls `guidance_remap_codes` when its map changes.
"""
import logging
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from campaigns.models import Campaign, StepKind
from campaigns.selectors import campaign_get_for_user, user_is_officer
from cchc_portal.core.exceptions import ApplicationError

from .library_models import GuidanceDocument
from .services import EARLIEST_ISSUE, _text
from .validation import as_file, check_file

logger = logging.getLogger(__name__)

UNSET = object()
CODE_RE = re.compile(r"[1-9][0-9]*(?:\.[1-9][0-9]*)*")
MAX_CODES = 50
_http_url = URLValidator(schemes=["http", "https"])

# ---------------------------------------------------------------- the code map registry

_code_maps = []


def register_code_map(provider):
    """`provider(*, source, campaign) -> iterable of (group_id, old_code, new_code)`: each of
    `campaign`'s criteria whose year-over-year link points at a criterion of `source`."""
    if provider not in _code_maps:
        _code_maps.append(provider)
    return provider


def code_pairs(*, source, campaign) -> list[tuple[int, str, str]]:
    pairs = []
    for provider in _code_maps:
        pairs.extend(provider(source=source, campaign=campaign) or [])
    return pairs


def code_key(code: str):
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def map_codes(codes, *, group_id, pairs) -> list[str]:
    """Last year's codes as this year's: each code the map links goes to every code it became
    (within the document's group when it has one); a code the map does not know is kept."""
    by_old = defaultdict(set)
    for pair_group, old, new in pairs:
        if group_id is None or pair_group == group_id:
            by_old[old].add(new)
    result = set()
    for code in codes:
        result |= by_old.get(code) or {code}
    return sorted(result, key=code_key)


# ---------------------------------------------------------------- reads


def user_can_manage_guidance(user) -> bool:
    return user_is_officer(user)


def guidance_campaign_get_for_user(*, user, campaign_id) -> Campaign:
    """The campaign whose library the user may read (404 otherwise)."""
    return campaign_get_for_user(user=user, pk=campaign_id)


def guidance_list(*, campaign, kind="", q="") -> QuerySet[GuidanceDocument]:
    qs = GuidanceDocument.objects.filter(campaign=campaign).select_related("group")
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q) | Q(original_name__icontains=q))
    return qs


def guidance_get_for_user(*, user, pk) -> GuidanceDocument:
    try:
        document = GuidanceDocument.objects.select_related("campaign", "group").get(pk=pk)
    except (GuidanceDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    guidance_campaign_get_for_user(user=user, campaign_id=document.campaign_id)
    return document


def guidance_by_code(*, campaign, group_id=None) -> dict[str, list[GuidanceDocument]]:
    """{criterion code: the documents that concern it} for a scoring page (one query)."""
    by_code = defaultdict(list)
    qs = GuidanceDocument.objects.filter(campaign=campaign).filter(Q(group__isnull=True) | Q(group_id=group_id))
    for document in qs.exclude(criteria_codes=[]).order_by("kind", "-issued_on", "title", "id"):
        for code in document.criteria_codes:
            by_code[code].append(document)
    return dict(by_code)


# ---------------------------------------------------------------- writes


def parse_codes(value) -> list[str]:
    """ "1.2, 3.1; 3.2" or a list → ["1.2", "3.1", "3.2"] (sorted, no repeats); ApplicationError
    naming the codes that are not criteria codes."""
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value]
    else:
        parts = re.split(r"[\s,;]+", str(value or ""))
    parts = [p for p in parts if p]
    wrong = [p for p in parts if not CODE_RE.fullmatch(p)]
    if wrong:
        message = _("Mã tiêu chí không hợp lệ: %(codes)s (ví dụ hợp lệ: 1.2, 3.1.4).") % {"codes": ", ".join(wrong)}
        raise ApplicationError(message, extra={"errors": {"criteria_codes": [message]}})
    codes = sorted(set(parts), key=code_key)
    if len(codes) > MAX_CODES:
        message = _("Tối đa %(n)s mã tiêu chí cho một tài liệu.") % {"n": MAX_CODES}
        raise ApplicationError(message, extra={"errors": {"criteria_codes": [message]}})
    return codes


def clean_url(value) -> str:
    url = (value or "").strip()
    if not url:
        return ""
    try:
        _http_url(url)
    except ValidationError as exc:
        message = _("Đường liên kết phải là địa chỉ http:// hoặc https:// hợp lệ.")
        raise ApplicationError(message, extra={"errors": {"url": [message]}}) from exc
    if len(url) > 500:
        message = _("Đường liên kết dài quá 500 ký tự.")
        raise ApplicationError(message, extra={"errors": {"url": [message]}})
    return url


def _clean(*, campaign, kind, number, issued_on, title, step_kind, group, criteria_codes) -> dict:
    errors: dict[str, list[str]] = {}
    data = {
        "number": _text(number, field="number", label=_("Số hiệu"), limit=100, errors=errors),
        "title": _text(title, field="title", label=_("Tên tài liệu"), limit=500, errors=errors),
        "issued_on": issued_on, "kind": kind or "", "step_kind": step_kind or "", "group": group,
    }
    if data["kind"] not in GuidanceDocument.Kind.values:
        errors["kind"] = [_("Chọn loại tài liệu.")]
    if not data["title"] and "title" not in errors:
        errors["title"] = [_("Nhập tên tài liệu.")]
    if data["step_kind"] and data["step_kind"] not in StepKind.values:
        errors["step_kind"] = [_("Bước kế hoạch không hợp lệ.")]
    if issued_on is not None and issued_on < EARLIEST_ISSUE:
        errors["issued_on"] = [_("Ngày ban hành không hợp lệ.")]
    if group is not None and not campaign.groups.filter(pk=group.pk).exists():
        errors["group"] = [_("Nhóm cơ quan không thuộc đợt đánh giá này.")]
    try:
        data["criteria_codes"] = parse_codes(criteria_codes)
    except ApplicationError as exc:
        errors.update(exc.extra["errors"])
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})
    return data


def _require_officer(user):
    if not user_can_manage_guidance(user):
        raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được quản lý thư viện hướng dẫn."), status=403)


def _only_one(file, url):
    if file is not None and url:
        message = _("Chọn tải tệp lên hoặc nhập đường liên kết, không chọn cả hai.")
        raise ApplicationError(message, extra={"errors": {"url": [message]}})


def _store(document, file, name=None):
    """Checks the file (evidence/validation.py) and stores it on `document` (not saved)."""
    content = as_file(file)
    checked = check_file(content, name=name)
    document.original_name, document.extension = checked.name, checked.kind.extension
    document.size, document.sha256, document.content_type = checked.size, checked.sha256, checked.kind.content_type
    document.url = ""
    content.seek(0)
    document.file.save(checked.name, content, save=False)
    return document.file.name


def _save(document, stored, *, old_file=None, **save_kwargs):
    try:
        with transaction.atomic():
            document.full_clean(exclude=["file", "campaign", "group", "copied_from", "created_by"])
            document.save(**save_kwargs)
    except BaseException:
        if stored:
            document.file.storage.delete(stored)
        raise
    if old_file:
        storage = document.file.storage
        transaction.on_commit(lambda: _delete_stored(storage, old_file))


def _delete_stored(storage, name):
    try:
        storage.delete(name)
    except Exception:  # noqa: BLE001 - the row no longer points at it
        logger.exception("could not delete guidance file %s", name)


def guidance_create(*, campaign, user, kind, title, number="", issued_on=None, file=None, url="", step_kind="",
                    group=None, criteria_codes=(), name=None) -> GuidanceDocument:
    """One library entry: a file (checked like evidence) or an http(s) link, exactly one."""
    _require_officer(user)
    data = _clean(campaign=campaign, kind=kind, number=number, issued_on=issued_on, title=title,
                  step_kind=step_kind, group=group, criteria_codes=criteria_codes)
    url = clean_url(url)
    _only_one(file, url)
    if file is None and not url:
        message = _("Tải tệp lên hoặc nhập đường liên kết.")
        raise ApplicationError(message, extra={"errors": {"file": [message]}})
    document = GuidanceDocument(campaign=campaign, created_by=user, url=url, **data)
    stored = _store(document, file, name) if file is not None else None
    _save(document, stored)
    return document


def guidance_update(*, document, user, file=None, url=UNSET, **fields) -> GuidanceDocument:
    """Change an entry; fields left out keep their value. A new file replaces the old file
    (or the link); a link replaces the file. Edited codes stop following last year's."""
    _require_officer(user)
    current = {"kind": document.kind, "number": document.number, "issued_on": document.issued_on,
               "title": document.title, "step_kind": document.step_kind, "group": document.group,
               "criteria_codes": document.criteria_codes}
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    data = _clean(campaign=document.campaign, **{**current, **fields})
    new_url = None if url is UNSET else clean_url(url)
    _only_one(file, new_url)
    if file is None and new_url == "" and not document.file:
        message = _("Tải tệp lên hoặc nhập đường liên kết.")
        raise ApplicationError(message, extra={"errors": {"url": [message]}})
    if data["criteria_codes"] != document.criteria_codes:
        document.codes_from_previous = False
    for name, value in data.items():
        setattr(document, name, value)
    old_file, stored, replaced = document.file.name or None, None, None
    if file is not None:
        stored, replaced = _store(document, file), old_file
    elif new_url:
        if old_file:
            document.file, document.original_name, document.extension = "", "", ""
            document.size, document.sha256, document.content_type = 0, "", ""
            replaced = old_file
        document.url = new_url
    _save(document, stored, old_file=replaced)
    return document


def guidance_delete(*, document, user) -> None:
    _require_officer(user)
    with transaction.atomic():
        stored, storage = document.file.name, document.file.storage
        deleted, _rows = GuidanceDocument.objects.filter(pk=document.pk).delete()
        if deleted and stored:
            transaction.on_commit(lambda: _delete_stored(storage, stored))


# ---------------------------------------------------------------- next year


def _copy_file(source: GuidanceDocument, copy: GuidanceDocument) -> str | None:
    """Each campaign keeps its own copy of a file, so deleting one never breaks the other."""
    if not source.file:
        return None
    try:
        with source.file.open("rb") as handle:  # streamed in chunks by the storage
            copy.file.save(source.original_name, File(handle), save=False)
    except (FileNotFoundError, OSError):
        logger.warning("guidance file %s is missing; copied without it", source.file.name)
        return None
    return copy.file.name


@transaction.atomic
def guidance_copy(*, source, campaign, user=None) -> int:
    """Copy `source`'s library into `campaign` (next year's): every entry not copied yet, its
    file duplicated, its codes mapped by the year-over-year map (or kept). Returns how many
    entries were copied; running it again copies only what is new."""
    if user is not None:
        _require_officer(user)
    if source.pk == campaign.pk:
        raise ApplicationError(_("Không thể sao chép thư viện vào chính đợt đánh giá này."))
    done = set(GuidanceDocument.objects.filter(campaign=campaign, copied_from__isnull=False)
               .values_list("copied_from_id", flat=True))
    groups = set(campaign.groups.values_list("pk", flat=True))
    pairs = code_pairs(source=source, campaign=campaign)
    copied = 0
    for old in GuidanceDocument.objects.filter(campaign=source).exclude(pk__in=done).order_by("pk"):
        group_id = old.group_id if old.group_id in groups else None
        if old.group_id and group_id is None:
            continue  # a group next year's campaign does not assess
        copy = GuidanceDocument(
            campaign=campaign, kind=old.kind, number=old.number, issued_on=old.issued_on, title=old.title,
            original_name=old.original_name, extension=old.extension, size=old.size, sha256=old.sha256,
            content_type=old.content_type, url=old.url, step_kind=old.step_kind, group_id=group_id,
            criteria_codes=map_codes(old.criteria_codes, group_id=group_id, pairs=pairs), copied_from=old,
            codes_from_previous=True, created_by=user,
        )
        stored = _copy_file(old, copy)
        if not copy.url and not stored:
            continue
        _save(copy, stored)
        copied += 1
    return copied


@transaction.atomic
def guidance_remap_codes(*, campaign) -> int:
    """Re-derive the codes of copied entries whose codes still follow last year's document,
    after the year-over-year map changed. Returns how many entries changed."""
    copies = list(GuidanceDocument.objects.filter(campaign=campaign, codes_from_previous=True,
                                                  copied_from__isnull=False)
                  .select_related("copied_from"))
    if not copies:
        return 0
    by_source = defaultdict(list)
    for copy in copies:
        by_source[copy.copied_from.campaign_id].append(copy)
    dirty = []
    for source_id, entries in by_source.items():
        pairs = code_pairs(source=Campaign(pk=source_id), campaign=campaign)
        for copy in entries:
            codes = map_codes(copy.copied_from.criteria_codes, group_id=copy.group_id, pairs=pairs)
            if codes != copy.criteria_codes:
                copy.criteria_codes = codes
                dirty.append(copy)
    GuidanceDocument.objects.bulk_update(dirty, ["criteria_codes"])
    return len(dirty)


def on_campaign_copied(sender, *, source, campaign, user=None, **kwargs):
    """campaigns.signals.campaign_copied: next year's campaign gets this year's library."""
    guidance_copy(source=source, campaign=campaign)
