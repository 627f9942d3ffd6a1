"""Evidence checks: metadata proposed from the first page (number, date, issuer, title) on a
generated corpus of Vietnamese administrative documents (tests/evidence/corpus.py: text PDFs
by WeasyPrint with Liberation Serif, scans rendered from them at 150 and 300 dpi, DOCX), and
the time to read and propose for every document (OCR on one core, as one worker does).

Goals: number and date >= 95 % on text PDFs, >= 85 % on 300 dpi scans. CORPUS=n sets the
number of documents per kind (default 30, i.e. 120 documents). Without Tesseract the scans
are skipped and reported as such."""
import logging
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings_test")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract on one core, as one worker

GOALS = {("pdf", "number"): 0.95, ("pdf", "issued_on"): 0.95,
         ("scan300", "number"): 0.85, ("scan300", "issued_on"): 0.85}
FIELDS = ("number", "issued_on", "issuer", "title")


def main():
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from evidence.extract import extract_text, ocr_available
    from evidence.metadata import propose
    from tests.evidence import corpus

    count = int(os.environ.get("CORPUS", "30"))
    kinds = ("pdf", "scan150", "scan300", "docx") if ocr_available() else ("pdf", "docx")
    if "pdf" not in kinds or not ocr_available():
        print("Tesseract (vie) not installed: scans skipped")
    start = time.monotonic()
    samples = corpus.build(count, kinds=kinds)
    print(f"corpus: {len(samples)} documents built in {time.monotonic() - start:.1f} s")
    hits = defaultdict(int)
    totals = defaultdict(int)
    seconds = defaultdict(float)
    misses = []
    for sample in samples:
        started = time.monotonic()
        extracted = extract_text(sample.data, kind="docx" if sample.kind == "docx" else "pdf")
        proposal = propose(extracted.first_page)
        seconds[sample.kind] += time.monotonic() - started
        totals[sample.kind] += 1
        for name in FIELDS:
            got, want = getattr(proposal, name), getattr(sample, name)
            if got == want:
                hits[(sample.kind, name)] += 1
            elif name in ("number", "issued_on"):
                misses.append(f"{sample.name} {name}: {got!r} != {want!r}")
    failed = False
    print(f"{'kind':8} {'n':>4} " + " ".join(f"{f:>10}" for f in FIELDS) + "   s/doc")
    for kind in kinds:
        n = totals[kind]
        cells = []
        for name in FIELDS:
            rate = hits[(kind, name)] / n
            goal = GOALS.get((kind, name))
            if goal is not None and rate < goal:
                failed = True
            cells.append(f"{rate:>9.0%}{'!' if goal is not None and rate < goal else ' '}")
        print(f"{kind:8} {n:>4} " + " ".join(cells) + f"   {seconds[kind] / n:.2f}")
    total = sum(totals.values())
    elapsed = sum(seconds.values())
    print(f"processed {total} documents in {elapsed:.1f} s; per 100 documents of this mix: "
          f"{elapsed / total * 100:.0f} s")
    for miss in misses[:10]:
        print("  miss:", miss)
    print("goals: number/date >= 95 % text PDFs, >= 85 % 300 dpi scans:", "MISSED" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
