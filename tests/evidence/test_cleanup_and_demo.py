"""Orphan files (a caller's transaction rolled back after the file was stored) are swept;
the demo evidence is idempotent."""
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from evidence import services
from evidence.models import Document
from reports.management.demo import campaigns as campaigns_demo
from reports.management.demo import evidence as evidence_demo

from . import files
from .conftest import stored_files


class Rollback(Exception):
    pass


def test_a_rolled_back_upload_leaves_an_orphan_that_cleanup_removes(campaign, agency_a, staff_a, upload_doc, media,
                                                                   capsys):
    kept = upload_doc("giu-lai.pdf", files.pdf("giu"))
    with pytest.raises(Rollback), transaction.atomic():
        services.document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                 file=files.upload("huy.pdf", files.pdf("huy")))
        raise Rollback
    assert Document.objects.count() == 1 and len(stored_files(media)) == 2
    call_command("evidence_cleanup")  # younger than 24 hours: an upload may still be running
    assert len(stored_files(media)) == 2
    call_command("evidence_cleanup", "--dry-run", "--older-than-hours", "0")
    assert "Sẽ xóa 1 tệp mồ côi." in capsys.readouterr().out
    assert len(stored_files(media)) == 2
    call_command("evidence_cleanup", "--older-than-hours", "0")
    assert [p.name for p in stored_files(media)] == [kept.file.name.rsplit("/", 1)[1]]


def test_cleanup_only_looks_under_evidence(db, media):
    default_storage.save("khac/tep.txt", ContentFile(b"x"))
    assert services.evidence_orphans_delete(older_than=timedelta(0)) == []
    assert len(stored_files(media)) == 1


def test_the_demo_evidence_is_idempotent(db, media):
    current = campaigns_demo.seed(set_passwords=False)["current"]
    assert evidence_demo.seed(campaign=current) == 6
    assert evidence_demo.seed(campaign=current) == 0
    assert Document.objects.filter(campaign=current).count() == 6 and len(stored_files(media)) == 6
    plan = Document.objects.get(number="15/KH-STC")
    assert plan.agency.code == "STC" and plan.uploaded_by.username == "stc.canbo"
    assert plan.original_name == f"Kế hoạch CCHC năm {current.year}.pdf"
