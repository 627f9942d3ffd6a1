"""One agency's PDF score sheet (120 items with explanations and comments), as a full
request through the officer's page: selectors, template, WeasyPrint. Goal: ≤ 2 s (median of
5 after one warm-up that loads the fonts). Runs in a throwaway database (PostgreSQL next to
DATABASE_URL, else SQLite)."""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_data import build_campaign, setup_django, throwaway_database  # noqa: E402

GOAL = 2.0
RUNS = 5


def main():
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO steps, once per PDF
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    with throwaway_database("pdf") as url:
        setup_django(url)
        from django.conf import settings
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.test import Client

        from campaigns.models import User
        from scoring.models import Assessment

        settings.ALLOWED_HOSTS = ["*"]
        campaign = build_campaign(agencies=5, with_text=True)
        officer = User.objects.get(username="bench.officer")
        officer.groups.add(Group.objects.get_or_create(name="officer")[0])
        agency_code = Assessment.objects.filter(campaign=campaign).order_by("agency__code").values_list(
            "agency__code", flat=True).first()
        client = Client()
        client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
        path = f"/reports/{campaign.pk}/agencies/{agency_code}/score-sheet.pdf"

        def once():
            start = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200 and response.content.startswith(b"%PDF"), response.status_code
            return time.perf_counter() - start, len(response.content)

        first, size = once()
        times = [once()[0] for _ in range(RUNS)]
        median = statistics.median(times)
        print(f"first request (fonts loading): {first:.2f} s; PDF {size / 1024:.0f} KB")
        print(f"one agency's PDF score sheet: median {median:.2f} s, best {min(times):.2f} s "
              f"(goal ≤ {GOAL:.0f} s) {'OK' if median <= GOAL else 'MISSED'}")
        connection.close()
    return 0 if median <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
