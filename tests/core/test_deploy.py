"""Issue #14.2: `check --deploy` is clean with a production environment; a Content-Security-Policy
with no inline script; pages refuse framing except the evidence preview; axe-core is not shipped."""
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.evidence import files
from tests.evidence.conftest import media, upload_doc  # noqa: F401 - the evidence tests' fixtures

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "cchc.example.gov.vn", "SITE_URL": "https://cchc.example.gov.vn",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO", "DATABASE_URL": "sqlite:////tmp/cchc-deploy-check.db",
}


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_with_a_production_environment_is_clean():
    r = run(["manage.py", "check", "--deploy"], PRODUCTION)
    found = [line for line in (r.stdout + r.stderr).splitlines() if re.search(r"\(\w+\.[WE]\d+\)", line)]
    assert found == []


def test_security_settings_come_from_the_environment():
    expr = ("s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, "
            "s.SESSION_COOKIE_SECURE")
    r = run(["-c", f"import cchc_portal.settings as s; print({expr})"], PRODUCTION)
    assert r.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 DENY True"
    # without the proxy's header Django cannot tell https: no redirect (it would loop), HSTS from env
    env = {**PRODUCTION, "DJANGO_SECURE_PROXY_SSL_HEADER": "", "DJANGO_SECURE_HSTS_SECONDS": "60"}
    r = run(["-c", f"import cchc_portal.settings as s; print({expr})"], env)
    assert r.stdout.strip() == "None False 60 DENY True"


def test_pages_send_a_policy_without_inline_script_and_refuse_framing(client, login, staff_a):
    for response in (client.get(reverse("login")), login(staff_a).get("/")):
        assert response.status_code == 200
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_the_evidence_preview_may_still_be_framed_by_the_portal(login, upload_doc, officer):  # noqa: F811
    pdf = upload_doc("bao-cao.pdf", files.pdf())
    response = login(officer).get(reverse("evidence:preview", args=[pdf.pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)


def template_files():
    dirs = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("cchc_portal/*/templates")]
    return [p for d in dirs for p in d.rglob("*.html")]


def test_no_template_has_an_inline_script_or_handler():
    offenders = [str(p.relative_to(ROOT)) for p in template_files()
                 if INLINE_SCRIPT.search(p.read_text()) or HANDLER.search(p.read_text())]
    assert len(template_files()) > 50 and offenders == []


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and not INLINE_SCRIPT.search(page)


def test_axe_core_is_for_the_tests_only():
    assert finders.find("js/vendor/axe.min.js") is None
    assert not any("axe" in p.name for d in settings.STATICFILES_DIRS for p in Path(d).rglob("*.js"))
    assert (ROOT / "tests" / "e2e" / "vendor" / "axe.min.js").exists()
