"""Results for a province-sized campaign against one raw SQL aggregate over the same rows.

3,400 agencies × 120 items on PostgreSQL (DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/x;
a throwaway database is created next to it and dropped). Without DATABASE_URL it says so
and runs on SQLite with 400 agencies. Goal: `reports.results.campaign_results` takes at
most 2 × the raw aggregate (best of 5 runs each, after one warm-up).
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_data import build_campaign, is_postgres, setup_django, throwaway_database  # noqa: E402

GOAL = 2.0
RUNS = 5

BASELINE_PG = """
SELECT i.assessment_id, split_part(c.code, '.', 1) AS field,
       SUM(COALESCE(i.appraised_points, i.self_points, i.external_points))
FROM scoring_item i
JOIN scoring_criterion c ON c.id = i.criterion_id
JOIN scoring_assessment a ON a.id = i.assessment_id
WHERE a.campaign_id = %s
GROUP BY 1, 2
"""
BASELINE_SQLITE = BASELINE_PG.replace("split_part(c.code, '.', 1)",
                                      "substr(c.code, 1, instr(c.code || '.', '.') - 1)")


def best(fn):
    fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    postgres = is_postgres(os.environ.get("DATABASE_URL", ""))
    agencies = 3400 if postgres else 400
    if not postgres:
        print("DATABASE_URL is not a PostgreSQL URL: running on SQLite with 400 agencies instead of 3,400.")
    with throwaway_database("results") as url:
        setup_django(url)
        from django.db import connection

        from reports.results import campaign_results

        start = time.perf_counter()
        campaign = build_campaign(agencies=agencies)
        print(f"data: {agencies} agencies × 120 items built in {time.perf_counter() - start:.1f} s")
        sql = BASELINE_PG if postgres else BASELINE_SQLITE

        def raw():
            with connection.cursor() as cur:
                cur.execute(sql, [campaign.pk])
                return cur.fetchall()

        rows = {}

        def selector():
            rows["n"] = len(campaign_results(campaign=campaign).rows)

        t_raw = best(raw)
        t_sel = best(selector)
        ratio = t_sel / t_raw
        print(f"raw SQL aggregate: {t_raw * 1000:.0f} ms ({len(raw())} rows)")
        print(f"campaign_results:  {t_sel * 1000:.0f} ms ({rows['n']} agencies)")
        print(f"ratio {ratio:.2f} × (goal ≤ {GOAL:.0f} ×) {'OK' if ratio <= GOAL else 'MISSED'}")
        from campaigns.models import User
        from reports.services import publication_create

        start = time.perf_counter()
        publication_create(campaign=campaign, user=User.objects.get(username="bench.officer"),
                           decision_number="1/QĐ-UBND")
        print(f"(for information) publishing them, every node frozen: {time.perf_counter() - start:.1f} s")
        connection.close()
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
