"""The full-campaign Excel export (3,400 agencies × 120 items: a summary sheet and one row
per item), in a fresh subprocess that reports its peak resident memory (VmHWM; tracemalloc
would slow the export tenfold). A campaign this large is exported by a background job
(`reports.tasks.campaign_export_job`): the child runs that job end to end (rows read in
chunks, a write-only workbook, the file stored), then streams the stored file back as the
download view does. Goal: peak RSS < 300 MB. PostgreSQL next to DATABASE_URL (a throwaway
database); without it, SQLite, same size."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results_data import build_campaign, rss_mb, setup_django, throwaway_database  # noqa: E402

GOAL_MB = 300
AGENCIES = 3400


def child(url, campaign_pk):
    """Runs in the subprocess: the export job, then its download; figures as JSON."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from campaigns.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="cchc-bench-export-")
    from cchc_portal.notifications.models import Job
    from reports.tasks import campaign_export_job

    officer = User.objects.get(username="bench.officer")
    job = Job.objects.create(kind="campaign_export", created_by=officer, args={"campaign_id": campaign_pk})
    baseline = rss_mb()
    start = time.perf_counter()
    campaign_export_job(job_id=job.pk, campaign_id=campaign_pk)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(job.result_url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    print(json.dumps({"status": response.status_code, "job": job.status, "bytes": size, "seconds": seconds,
                      "peak_rss_mb": rss_mb(), "baseline_rss_mb": baseline, "streaming": response.streaming}))
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def main():
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO steps, once per PDF
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL is not a PostgreSQL URL: running on SQLite.")
    with throwaway_database("export") as url:
        setup_django(url)
        from django.contrib.auth.models import Group
        from django.db import connection

        from campaigns.models import User

        start = time.perf_counter()
        campaign = build_campaign(agencies=AGENCIES, with_text=True)
        User.objects.get(username="bench.officer").groups.add(Group.objects.get_or_create(name="officer")[0])
        print(f"data: {AGENCIES} agencies × 120 items built in {time.perf_counter() - start:.1f} s")
        connection.close()
        out = subprocess.run([sys.executable, __file__, "--child", url, str(campaign.pk)], capture_output=True,
                             text=True, cwd=HERE.parent)
        if out.returncode:
            print(out.stdout, out.stderr[-3000:])
            return 1
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    ok = figures["status"] == 200 and figures["job"] == "done" and figures["peak_rss_mb"] < GOAL_MB
    print(f"export job: {figures['bytes'] / 1024 / 1024:.1f} MB .xlsx, {AGENCIES * 120:,} item rows in "
          f"{figures['seconds']:.0f} s; download streamed: {figures['streaming']}")
    print(f"peak RSS {figures['peak_rss_mb']:.0f} MB (Django loaded: {figures['baseline_rss_mb']:.0f} MB) "
          f"(goal < {GOAL_MB} MB) {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
