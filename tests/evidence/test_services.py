"""Uploads are stored once per agency and campaign through the storage API; refusals store
nothing; metadata rules; deletion only of documents nothing links to."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from evidence import services, usage
from evidence.models import Document

from . import files
from .conftest import scoring_item, stored_files

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("code", sorted(files.ACCEPTED))
def test_each_accepted_kind_is_stored_under_an_opaque_name(code, campaign, agency_a, staff_a, media):
    name, build = files.ACCEPTED[code]
    content = build()
    document, created = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                                 file=files.upload(name, content))
    assert created
    assert document.original_name == name
    assert document.size == len(content)
    assert document.extension == f".{code}"
    assert document.file.name.startswith(f"evidence/{campaign.pk}/{agency_a.pk}/")
    assert name.rsplit(".", 1)[0] not in document.file.name
    assert default_storage.open(document.file.name).read() == content
    assert [p.name for p in stored_files(media)] == [document.file.name.rsplit("/", 1)[1]]


def test_the_row_records_what_the_content_is(campaign, agency_a, staff_a):
    now = datetime(2026, 11, 20, 9, 30, tzinfo=VN)
    document, _ = services.document_upload(
        agency=agency_a, campaign=campaign, user=staff_a, file=files.upload("ke-hoach.docx", files.pdf()),
        number=" 125/KH-UBND ", issued_on=date(2026, 1, 15), issuer="UBND tỉnh  Tuyên Quang",
        summary="Kế hoạch cải cách hành chính năm 2026", now=now)
    document.refresh_from_db()
    assert (document.original_name, document.content_type, document.extension) == (
        "ke-hoach.pdf", "application/pdf", ".pdf")
    assert document.number == "125/KH-UBND"
    assert document.issuer == "UBND tỉnh Tuyên Quang"
    assert document.uploaded_at == now
    assert document.uploaded_by == staff_a
    assert len(document.sha256) == 64


@pytest.mark.parametrize(("name", "content"), [
    ("chuong-trinh.pdf", files.exe()),
    ("bao-cao.pdf", files.html_as_pdf()),
    ("rong.pdf", b""),
    ("ke-hoach.docx", files.random_zip()),
    ("../../x.exe", files.exe()),
])
def test_refused_files_leave_nothing_behind(name, content, campaign, agency_a, staff_a, media):
    with pytest.raises(ApplicationError):
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a, file=files.upload(name, content))
    assert stored_files(media) == []
    assert Document.objects.count() == 0


def test_an_oversized_file_leaves_nothing_behind(settings, campaign, agency_a, staff_a, media):
    settings.EVIDENCE_MAX_MB = 1
    big = files.pdf() + b"%" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(ApplicationError) as exc:
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a, file=files.upload("lon.pdf", big))
    assert "vượt quá giới hạn 1 MB" in exc.value.message
    assert stored_files(media) == [] and Document.objects.count() == 0


def test_a_virus_refusal_leaves_nothing_behind(settings, campaign, agency_a, staff_a, media):
    settings.EVIDENCE_VIRUS_SCAN = "tests.evidence.test_validation.fake_scanner"
    infected = files.pdf() + b"%EICAR-STANDARD-ANTIVIRUS-TEST-FILE\n%%EOF\n"
    with pytest.raises(ApplicationError):
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                 file=files.upload("nhiem.pdf", infected))
    assert stored_files(media) == [] and Document.objects.count() == 0


def test_the_same_file_is_stored_once_per_agency_and_campaign(campaign, agency_a, staff_a, staff_b, agency_b,
                                                              media):
    content = files.pdf()
    first, created = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                              file=files.upload("a.pdf", content), number="01/BC")
    again, created_again = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                                    file=files.upload("ban-sao.pdf", content), number="02/BC")
    assert created and not created_again
    assert again.pk == first.pk and again.number == "01/BC"
    assert len(stored_files(media)) == 1
    other, other_created = services.document_upload(agency=agency_b, campaign=campaign, user=staff_b,
                                                    file=files.upload("a.pdf", content))
    assert other_created and other.pk != first.pk
    assert len(stored_files(media)) == 2


def test_a_concurrent_duplicate_loses_to_the_unique_constraint(monkeypatch, campaign, agency_a, staff_a, media):
    content = files.png()
    first, _ = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                        file=files.upload("a.png", content))
    # the other request checked before the first one committed: it saw nothing
    monkeypatch.setattr(services, "_existing", lambda **kwargs: None)
    second, created = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                               file=files.upload("a.png", content))
    assert (second.pk, created) == (first.pk, False)
    assert len(stored_files(media)) == 1 and Document.objects.count() == 1


def test_a_failed_insert_removes_the_stored_file(monkeypatch, campaign, agency_a, staff_a, media):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(Document, "save", broken_save)
    with pytest.raises(IntegrityError):
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a, file=files.upload("a.pdf",
                                                                                                  files.pdf()))
    assert stored_files(media) == []


def test_only_the_agencys_members_upload(campaign, agency_a, staff_b, officer, leader_a, media):
    for outsider in (staff_b, officer):
        with pytest.raises(ApplicationError) as exc:
            services.document_upload(agency=agency_a, campaign=campaign, user=outsider,
                                     file=files.upload("a.pdf", files.pdf()))
        assert exc.value.status == 403
    _, created = services.document_upload(agency=agency_a, campaign=campaign, user=leader_a,
                                          file=files.upload("a.pdf", files.pdf()))
    assert created
    assert len(stored_files(media)) == 1


def test_uploads_need_an_open_campaign_covering_the_agency(campaign, agency_a, staff_a, media):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    campaign.refresh_from_db()
    with pytest.raises(ConflictError):
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                 file=files.upload("a.pdf", files.pdf()))
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN)
    campaign.refresh_from_db()
    campaign.agencies.remove(agency_a)
    with pytest.raises(ApplicationError, match="không thuộc đợt đánh giá"):
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                 file=files.upload("a.pdf", files.pdf()))
    assert stored_files(media) == []


@pytest.mark.parametrize(("metadata", "field"), [
    ({"issued_on": date(2026, 11, 21)}, "issued_on"),
    ({"issued_on": date(1900, 1, 1)}, "issued_on"),
    ({"number": "1" * 101}, "number"),
    ({"issuer": "x" * 256}, "issuer"),
    ({"summary": "x" * 2001}, "summary"),
])
def test_metadata_is_checked_before_storing(metadata, field, campaign, agency_a, staff_a, media):
    now = datetime(2026, 11, 20, 23, 30, tzinfo=VN)
    with pytest.raises(ApplicationError) as exc:
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                 file=files.upload("a.pdf", files.pdf()), now=now, **metadata)
    assert field in exc.value.extra["errors"]
    assert stored_files(media) == []


def test_today_in_vietnam_is_a_valid_issue_date(campaign, agency_a, staff_a):
    # 20/11 23:30 in Hà Nội is still 20/11 16:30 UTC
    now = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("UTC"))
    document, _ = services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                           file=files.upload("a.pdf", files.pdf()), issued_on=date(2026, 11, 20),
                                           now=now)
    assert document.issued_on == date(2026, 11, 20)


def test_metadata_update_changes_only_what_is_given(upload_doc, staff_a, staff_b):
    document = upload_doc(number="01/KH", issuer="Sở Tài chính", summary="Kế hoạch")
    services.document_update_metadata(document=document, user=staff_a, summary="  Kế hoạch\r\ncải cách  ")
    document.refresh_from_db()
    assert (document.number, document.issuer, document.summary) == ("01/KH", "Sở Tài chính", "Kế hoạch\ncải cách")
    with pytest.raises(ApplicationError) as exc:
        services.document_update_metadata(document=document, user=staff_a,
                                          issued_on=date.today() + timedelta(days=2))
    assert "issued_on" in exc.value.extra["errors"]
    with pytest.raises(ApplicationError) as exc:
        services.document_update_metadata(document=document, user=staff_b, number="x")
    assert exc.value.status == 403
    document.refresh_from_db()
    assert document.number == "01/KH" and document.issued_on is None


def test_delete_removes_the_row_and_then_the_file(upload_doc, staff_a, media, django_capture_on_commit_callbacks):
    document = upload_doc()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, user=staff_a)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert stored_files(media) == []
    services.document_delete(document=document, user=staff_a)  # twice: harmless


def test_a_document_linked_to_an_item_cannot_be_deleted(upload_doc, staff_a, campaign, agency_a, media):
    document = upload_doc()
    scoring_item(campaign, agency_a).documents.add(document)
    with pytest.raises(ConflictError) as exc:
        services.document_delete(document=document, user=staff_a)
    assert "1 tiêu chí chấm" in exc.value.message
    assert Document.objects.filter(pk=document.pk).exists()
    assert len(stored_files(media)) == 1


def test_other_apps_can_register_what_uses_a_document(upload_doc, staff_a):
    document = upload_doc()

    def in_report(doc):
        return "báo cáo tự đánh giá" if doc.pk == document.pk else None

    usage.register(in_report)
    try:
        with pytest.raises(ConflictError, match="báo cáo tự đánh giá"):
            services.document_delete(document=document, user=staff_a)
    finally:
        usage.unregister(in_report)
    assert usage.document_usage(document) == []


def test_outsiders_cannot_delete(upload_doc, staff_b, officer):
    document = upload_doc()
    for user in (staff_b, officer):
        with pytest.raises(ApplicationError) as exc:
            services.document_delete(document=document, user=user)
        assert exc.value.status == 403
    assert Document.objects.filter(pk=document.pk).exists()
