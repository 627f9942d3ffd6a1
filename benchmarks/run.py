"""Run every benchmark (benchmarks/bench_*.py) in turn and print what each measured.

Each benchmark is a script of its own: it sets up what it needs (its own database, its own
server process when it measures HTTP), prints its figures and the goal, and exits non-zero
when the goal is missed. `make bench` runs them all; `make bench ONLY=scoring_page` one.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    only = os.environ.get("ONLY", "")
    scripts = sorted(p for p in HERE.glob("bench_*.py") if only in p.stem)
    if not scripts:
        print("no benchmark matched", file=sys.stderr)
        return 2
    failed = []
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        start = time.monotonic()
        r = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"   ({time.monotonic() - start:.1f} s, exit {r.returncode})", flush=True)
        if r.returncode:
            failed.append(script.stem)
    print("all goals met" if not failed else f"goals missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
