"""Write docs/samples/criteria_department.xlsx, criteria_commune.xlsx (the demo's rows) and
criteria_province.xlsx (the province's own index, reports/management/demo/province.py).

    .venv/bin/python docs/samples/make_samples.py

The rows live in reports/management/demo/criteria.py (the demo province imports the same
content), so the samples and `seed_demo` never drift apart. tests/scoring/test_criteria_excel.py checks
that both files import cleanly and equal these rows.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from reports.management.demo.criteria import COMMUNE_ROWS, DEPARTMENT_ROWS, workbook_bytes  # noqa: E402
from reports.management.demo.province import PROVINCE_ROWS, province_workbook_bytes  # noqa: E402

SAMPLES = {"criteria_department.xlsx": DEPARTMENT_ROWS, "criteria_commune.xlsx": COMMUNE_ROWS}


def main():
    for name, rows in SAMPLES.items():
        path = Path(__file__).resolve().parent / name
        path.write_bytes(workbook_bytes(rows))
        print(f"{path.relative_to(ROOT)}: {len(rows)} dòng")
    path = Path(__file__).resolve().parent / "criteria_province.xlsx"
    path.write_bytes(province_workbook_bytes())  # the province's own index, with `responsible`
    print(f"{path.relative_to(ROOT)}: {len(PROVINCE_ROWS)} dòng")


if __name__ == "__main__":
    main()
