"""Fixtures and helpers shared by the self-assessment tests (tests/scoring/test_assessment_*.py).

`sa_set`: the department criteria set of the `campaign` fixture holding SMALL_TREE (one leaf
of each rule kind); `assessment_a` / `assessment_b`: the assessments of agencies A and B
created by `assessments_ensure`. `pdf_file(name)`: a small valid PDF upload.
"""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Step
from scoring.models import Assessment, Item
from scoring.services.assessments import assessments_ensure
from tests.factories import group
from tests.scoring.factories import SMALL_TREE, criteria_set_with_tree


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


@pytest.fixture
def sa_set(campaign):
    return criteria_set_with_tree(SMALL_TREE, campaign=campaign, group=group("department"))


@pytest.fixture
def assessments(sa_set, staff_a, leader_a, staff_b):
    assessments_ensure(campaign=sa_set.campaign)
    return {a.agency.code: a for a in Assessment.objects.select_related(
        "agency", "campaign", "criteria_set").filter(campaign=sa_set.campaign)}


@pytest.fixture
def assessment_a(assessments):
    return assessments["SA"]


@pytest.fixture
def assessment_b(assessments):
    return assessments["SB"]
