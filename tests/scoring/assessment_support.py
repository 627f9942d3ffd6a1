"""Helpers shared by the self-assessment tests (tests/scoring/test_assessment_*.py);
their fixtures are in assessment_fixtures.py. `pdf_file(name)`: a small valid PDF upload."""
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Step
from scoring.models import Item


def pdf_bytes(text="Ke hoach CCHC") -> bytes:
    body = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def pdf_file(name="ke-hoach.pdf", text="Ke hoach CCHC"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def item(assessment, code) -> Item:
    return Item.objects.select_related("criterion").get(assessment=assessment, criterion__code=code)


def close_self_assessment(campaign, *, hours_ago=1):
    """Move the self-assessment step so that it closed `hours_ago` hours ago."""
    now = timezone.now()
    Step.objects.filter(campaign=campaign, kind="self_assessment").update(
        opens_at=now - timedelta(days=10), closes_at=now - timedelta(hours=hours_ago))
