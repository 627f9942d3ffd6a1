from pathlib import Path

import pytest

from evidence import services
from evidence.models import Document

from . import files, pki


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A fresh storage directory per test, so 'nothing stored' can be checked on disk."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_VIRUS_SCAN = ""
    return Path(settings.MEDIA_ROOT)


def stored_files(media) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def upload_doc(campaign, agency_a, staff_a):
    """`upload_doc(name, content, **metadata)`: a document of agency A through the service."""
    def do(name="bao-cao.pdf", content=None, *, agency=None, user=None, **metadata):
        document, _ = services.document_upload(
            agency=agency or agency_a, campaign=campaign, user=user or staff_a,
            file=files.upload(name, content if content is not None else files.pdf()), **metadata)
        return document
    return do


@pytest.fixture(scope="module")
def authority():
    """A throwaway certificate authority (tests/evidence/pki.py)."""
    return pki.Authority()


@pytest.fixture(scope="module")
def signed(authority):
    return pki.sign_pdf(files.pdf(), authority, signer="Nguyễn Văn A", organisation="Sở Tư pháp")


@pytest.fixture
def upload_checked(upload_doc, django_capture_on_commit_callbacks):
    """Upload through the service and run the job its commit enqueues (inline, as in the demo)."""
    def do(name, content, **metadata):
        with django_capture_on_commit_callbacks(execute=True):
            document = upload_doc(name, content, **metadata)
        return Document.objects.select_related("analysis").get(pk=document.pk)
    return do


def scoring_item(campaign, agency):
    """A scoring Item of the agency's assessment (the relation `document.items` links to)."""
    from decimal import Decimal

    from scoring.models import Assessment, CriteriaSet, Criterion, Item

    criteria_set, _ = CriteriaSet.objects.get_or_create(campaign=campaign, group=agency.group)
    criterion, _ = Criterion.objects.get_or_create(
        criteria_set=criteria_set, code="1.1.1",
        defaults={"title": "Ban hành kế hoạch CCHC năm", "max_points": Decimal("1"), "rule": "manual"})
    assessment, _ = Assessment.objects.get_or_create(campaign=campaign, agency=agency,
                                                     defaults={"criteria_set": criteria_set})
    item, _ = Item.objects.get_or_create(assessment=assessment, criterion=criterion)
    return item
