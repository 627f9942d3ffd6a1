"""Helpers shared by the self-assessment tests (tests/scoring/test_assessment_*.py);
their fixtures are in assessment_fixtures.py. `pdf_file(name)`: a small valid PDF upload."""
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Step
from reports.management.demo.evidence import pdf_bytes as demo_pdf_bytes
from scoring.models import Item


def pdf_bytes(text="Ke hoach CCHC") -> bytes:
    """A one-page PDF with a correct xref table (the demo's builder: ASCII text)."""
    return demo_pdf_bytes([text])


def pdf_file(name="ke-hoach.pdf", text="Ke hoach CCHC"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def item(assessment, code) -> Item:
    return Item.objects.select_related("criterion").get(assessment=assessment, criterion__code=code)


def close_self_assessment(campaign, *, hours_ago=1):
    """Move the self-assessment step so that it closed `hours_ago` hours ago."""
    now = timezone.now()
    Step.objects.filter(campaign=campaign, kind="self_assessment").update(
        opens_at=now - timedelta(days=10), closes_at=now - timedelta(hours=hours_ago))
