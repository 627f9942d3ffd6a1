"""Issue #14.5: the database down gives the clean Vietnamese 500 page, for the public and for
someone logged in (whose session the database holds)."""
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db


def database_down():
    """Every statement fails as with PostgreSQL stopped."""
    return mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError(
        'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'))


def test_the_database_down_gives_the_vietnamese_500_page(client, login, staff_a, campaign):
    signed_in = login(staff_a)
    for c in (client, signed_in):
        c.raise_request_exception = False
    with database_down():
        pages = [client.get(reverse("public-results", args=[campaign.pk])), signed_in.get("/"),
                 client.post(reverse("login"), {"username": "x", "password": "y"})]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 500
        assert 'lang="vi"' in html and "Hệ thống đang gặp sự cố" in html and "Sở Nội vụ" in html
        assert "OperationalError" not in html and "10.0.0.5" not in html
    assert signed_in.get("/").status_code == 200  # and back once it answers
