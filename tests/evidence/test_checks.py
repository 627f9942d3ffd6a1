"""The background check of uploaded documents (issue 18): digital signatures (a throwaway CA
made here), text of PDFs/DOCX/XLSX/scans, the proposed metadata, the period flag, the
badges on the pages and the button that accepts a proposal."""
import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from evidence import checks
from evidence.extract import ExtractError, extract_text, ocr_available, safe_zip
from evidence.metadata import propose
from evidence.models import AssessedPeriod, Document, DocumentCheck, TrustRoot
from evidence.signatures import load_certificates, verify_pdf

from . import files, pki

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract with the Vietnamese model not installed")


# ---------------------------------------------------------------- signatures


def test_a_signature_chaining_to_an_uploaded_root_is_intact_and_trusted(authority, signed):
    [result] = verify_pdf(signed, roots=load_certificates([authority.pem]))
    assert (result.signer_name, result.organisation) == ("Nguyễn Văn A", "Sở Tư pháp")
    assert result.intact and not result.modified_after and result.trusted == "yes"
    assert result.coverage == "entire_file" and result.signing_time is not None and result.problem == ""


def test_without_a_trust_root_the_chain_is_not_checked(signed):
    [result] = verify_pdf(signed, roots=[])
    assert result.intact and result.trusted == "not_checked"


def test_a_certificate_of_another_ca_is_not_trusted(authority):
    stranger = pki.sign_pdf(files.pdf(), pki.Authority("CA lạ"))
    [result] = verify_pdf(stranger, roots=load_certificates([authority.pem]))
    assert result.intact and result.trusted == "no" and "chứng thư gốc" in result.problem


def test_a_document_changed_after_signing_is_flagged(authority, signed):
    [result] = verify_pdf(pki.alter_after_signing(signed), roots=load_certificates([authority.pem]))
    assert result.modified_after and result.coverage == "entire_revision"
    assert "sửa sau khi ký" in result.problem


def test_signed_bytes_changed_break_the_integrity(authority, signed):
    [result] = verify_pdf(pki.tamper_signed_bytes(signed), roots=load_certificates([authority.pem]))
    assert not result.intact and "thay đổi" in result.problem


def test_an_unsigned_pdf_has_no_signatures():
    assert verify_pdf(files.pdf()) == []


def test_upload_runs_the_check_after_commit_and_the_library_shows_a_green_badge(
        login, campaign, agency_a, staff_a, authority, signed, upload_checked):
    TrustRoot.objects.create(name="CA thử nghiệm", certificate=authority.pem)
    document = upload_checked("ky-so.pdf", signed)
    analysis = document.analysis
    assert analysis.status == DocumentCheck.Status.DONE and analysis.progress == 100
    [signature] = analysis.signatures.all()
    assert signature.trusted == "yes" and signature.ok
    assert document.text.startswith("Ke hoach cai cach") and analysis.text_source == "layer"
    html = login(staff_a).get(reverse("evidence:library", args=[campaign.pk, agency_a.code])).content.decode()
    day = signature.signing_time.astimezone().strftime("%d/%m/%Y")
    assert f"Đã ký số: Sở Tư pháp, {day} · toàn vẹn" in html
    assert "ev-badge-ok" in html and "<details" in html and "Nguyễn Văn A" in html


def test_an_altered_signed_document_gets_a_red_badge(login, campaign, agency_a, staff_a, signed, upload_checked):
    upload_checked("da-sua.pdf", pki.alter_after_signing(signed))
    html = login(staff_a).get(reverse("evidence:library", args=[campaign.pk, agency_a.code])).content.decode()
    assert "ev-badge-bad" in html and "Chữ ký số không hợp lệ" in html
    assert "chưa kiểm tra với chứng thư gốc" in html.lower()


def test_the_upload_only_queues_the_check(upload_doc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = upload_doc("ke-hoach.pdf", files.pdf())
    assert DocumentCheck.objects.get(document=document).status == DocumentCheck.Status.QUEUED
    assert len(callbacks) == 1 and Document.objects.get(pk=document.pk).text == ""


# ---------------------------------------------------------------- text


def test_docx_and_xlsx_text():
    assert "Báo cáo CCHC" in extract_text(files.docx("Báo cáo CCHC"), kind="docx").text
    result = extract_text(files.xlsx(), kind="xlsx")
    assert result.source == "xlsx" and result.text


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (120 * 1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ExtractError):
        safe_zip(bomb)
    with pytest.raises(ExtractError):
        extract_text(bomb, kind="docx")


def test_a_check_that_cannot_read_the_file_fails_with_a_reason(upload_doc, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(checks, "max_check_bytes", lambda: 10)
    with django_capture_on_commit_callbacks(execute=True):
        document = upload_doc("lon.pdf", files.pdf())
    analysis = DocumentCheck.objects.get(document=document)
    assert analysis.status == DocumentCheck.Status.FAILED and "giới hạn" in analysis.error


def test_without_ocr_a_scan_gets_no_text_and_the_page_says_ocr_is_off(
        settings, login, campaign, agency_a, staff_a, upload_checked):
    settings.EVIDENCE_OCR = False
    document = upload_checked("anh.png", files.png())
    assert document.analysis.status == DocumentCheck.Status.DONE and document.text == ""
    assert "OCR" in document.analysis.note
    html = login(staff_a).get(reverse("evidence:library", args=[campaign.pk, agency_a.code])).content.decode()
    assert "Nhận dạng chữ (OCR) đang tắt" in html


# ---------------------------------------------------------------- metadata on the generated corpus


@pytest.fixture(scope="module")
def corpus_samples():
    from . import corpus

    kinds = ("pdf", "docx", "scan300") if ocr_available() else ("pdf", "docx")
    return corpus.build(2, seed=7, kinds=kinds)


def test_the_proposal_reads_number_date_issuer_and_title(corpus_samples):
    for sample in corpus_samples:
        if sample.kind == "scan300":
            continue
        extracted = extract_text(sample.data, kind="docx" if sample.kind == "docx" else "pdf")
        proposal = propose(extracted.first_page)
        assert (proposal.number, proposal.issued_on, proposal.issuer, proposal.title) == (
            sample.number, sample.issued_on, sample.issuer, sample.title), sample.name


@needs_ocr
def test_a_300_dpi_scan_is_read_by_ocr_with_its_number_and_date(corpus_samples):
    sample = next(s for s in corpus_samples if s.kind == "scan300")
    extracted = extract_text(sample.data, kind="pdf")
    assert extracted.source == "ocr" and extracted.ocr_confidence > 60
    proposal = propose(extracted.first_page)
    assert (proposal.number, proposal.issued_on) == (sample.number, sample.issued_on)


def test_proposal_patterns():
    text = ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "SỞ NỘI VỤ Độc lập - Tự do - Hạnh phúc\n"
            "Số: 12 /KH-SNV Tam Kỳ, ngày 15 tháng 01 năm 2026\n"
            "KẾ HOẠCH\nCải cách hành chính năm 2026\nCăn cứ Luật Tổ chức chính quyền địa phương;")
    proposal = propose(text)
    assert proposal.number == "12/KH-SNV" and proposal.issued_on == date(2026, 1, 15)
    assert proposal.issuer == "SỞ NỘI VỤ" and proposal.title == "KẾ HOẠCH Cải cách hành chính năm 2026"
    assert propose("ngày 31 tháng 02 năm 2026") .issued_on is None
    assert propose("") == propose("   ")


def test_accepting_the_proposal_fills_the_documents_fields(login, campaign, agency_a, staff_a, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx(
        "UBND TỈNH QUẢNG NAM\nSỞ NỘI VỤ\nSố: 12/KH-SNV\nTam Kỳ, ngày 15 tháng 01 năm 2026\nKẾ HOẠCH\n"
        "Cải cách hành chính năm 2026"))
    assert document.analysis.proposed_number == "12/KH-SNV"
    client = login(staff_a)
    library = reverse("evidence:library", args=[campaign.pk, agency_a.code])
    html = client.get(library).content.decode()
    assert "Dùng đề xuất" in html and reverse("evidence:accept_proposal", args=[document.pk]) in html
    response = client.post(reverse("evidence:accept_proposal", args=[document.pk]), {"next": library})
    assert response.status_code == 302 and response["Location"] == library
    document.refresh_from_db()
    assert (document.number, document.issued_on, document.issuer) == ("12/KH-SNV", date(2026, 1, 15), "SỞ NỘI VỤ")
    assert document.summary == "KẾ HOẠCH Cải cách hành chính năm 2026"
    # the button is gone (the upload widget still carries its label for proposals it offers)
    assert reverse("evidence:accept_proposal", args=[document.pk]) not in client.get(library).content.decode()


def test_a_document_without_a_proposal_says_so_and_keeps_its_fields(login, campaign, agency_a, staff_a,
                                                                    upload_checked):
    document = upload_checked("trang.docx", files.docx("   "))
    client = login(staff_a)
    response = client.post(reverse("evidence:accept_proposal", args=[document.pk]), follow=True)
    assert "Tài liệu chưa có thông tin đề xuất." in response.content.decode()
    document.refresh_from_db()
    assert (document.number, document.issuer, document.issued_on) == ("", "", None)


def test_only_the_agencys_members_accept_a_proposal(login, appraiser, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx("Số: 12/KH-SNV"))
    response = login(appraiser).post(reverse("evidence:accept_proposal", args=[document.pk]))
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.number == ""


# ---------------------------------------------------------------- assessed period


def test_a_document_dated_outside_the_campaigns_year_is_flagged(
        login, campaign, agency_a, staff_a, upload_doc):
    upload_doc("cu.pdf", files.pdf("cu"), issued_on=date(2024, 11, 3))
    upload_doc("moi.pdf", files.pdf("moi"), issued_on=date(2026, 3, 1))
    html = login(staff_a).get(reverse("evidence:library", args=[campaign.pk, agency_a.code])).content.decode()
    assert f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {campaign.year}" in html
    assert "tài liệu ngày 01/03/2026" not in html


def test_the_period_is_configurable_per_campaign(campaign, upload_doc):
    document = upload_doc("cuoi-nam.pdf", files.pdf("x"), issued_on=date(campaign.year - 1, 12, 20))
    assert checks.period_flag(document)
    AssessedPeriod.objects.create(campaign=campaign, starts_on=date(campaign.year - 1, 12, 16),
                                  ends_on=date(campaign.year, 12, 15))
    document = Document.objects.get(pk=document.pk)
    assert checks.period_flag(document) == ""


def test_the_proposed_date_is_flagged_until_a_date_is_set(campaign, upload_checked):
    document = upload_checked("cu.docx", files.docx("Hà Nội, ngày 03 tháng 11 năm 2024"))
    assert checks.period_flag(document) == f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {campaign.year}"


def test_the_library_page_reads_checks_in_a_fixed_number_of_queries(
        login, campaign, agency_a, staff_a, upload_checked, client, django_assert_max_num_queries):
    login(staff_a)
    url = reverse("evidence:library", args=[campaign.pk, agency_a.code])
    upload_checked("a.docx", files.docx("Số: 1/KH-SNV"))
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for index in range(2, 6):
        upload_checked(f"{index}.docx", files.docx(f"Số: {index}/KH-SNV ngày 0{index} tháng 01 năm 2024"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


# ---------------------------------------------------------------- admin: trust roots


def test_an_admin_uploads_a_trust_root_file_and_new_uploads_are_checked_against_it(
        admin_client, authority, signed, upload_checked):
    from cryptography.hazmat.primitives import serialization
    from django.core.files.uploadedfile import SimpleUploadedFile

    der = authority.certificate.public_bytes(serialization.Encoding.DER)
    response = admin_client.post(reverse("admin:evidence_trustroot_add"), {
        "name": "CA gốc thử nghiệm", "certificate": "", "active": "on",
        "upload": SimpleUploadedFile("root.cer", der)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert load_certificates([TrustRoot.objects.get().certificate])[0].dump() == der
    document = upload_checked("ky-so.pdf", signed)
    assert document.analysis.signatures.get().trusted == "yes"


def test_the_admin_refuses_a_file_that_is_not_a_certificate(admin_client):
    response = admin_client.post(reverse("admin:evidence_trustroot_add"), {
        "name": "Sai", "certificate": "không phải chứng thư", "active": "on"})
    assert response.status_code == 200 and "Không đọc được chứng thư" in response.content.decode()
    assert not TrustRoot.objects.exists()


# ---------------------------------------------------------------- appraisal page


def test_the_appraisal_page_shows_each_documents_badges(login, campaign, agency_a, staff_a, leader_a, officer,
                                                         appraiser):
    from tests.scoring.appraisal_support import assign, submit, world

    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    assign(campaign, appraiser, ["1"], officer=officer)
    document = Document.objects.get(agency=agency_a)
    DocumentCheck.objects.filter(document=document).update(status=DocumentCheck.Status.DONE, progress=100)
    Document.objects.filter(pk=document.pk).update(issued_on=date(2024, 11, 3))
    html = login(appraiser).get(reverse("scoring:appraisal_page", args=[w.a.pk])).content.decode()
    assert f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {campaign.year}" in html
    assert "Không có chữ ký số" in html


def test_the_command_checks_documents_uploaded_before_the_checks(upload_doc, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    document = upload_doc("cu.docx", files.docx("Số: 7/KH-SNV"))
    DocumentCheck.objects.filter(document=document).delete()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("evidence_check")
    assert DocumentCheck.objects.get(document=document).proposed_number == "7/KH-SNV"


def test_signatures_are_verified_from_a_thread_that_runs_an_event_loop(authority, signed):
    import asyncio

    async def inside_a_loop():
        return verify_pdf(signed, roots=load_certificates([authority.pem]))

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own: the test's may run a loop already
        [result] = pool.submit(asyncio.run, inside_a_loop()).result()
    assert result.intact and result.trusted == "yes"
