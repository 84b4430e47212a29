"""Run every benchmark. `--quick` runs each at a small size (a smoke test for CI: no timing is checked).

python benchmarks/run_all.py            # the sizes reported in benchmarks/README.md
python benchmarks/run_all.py --quick
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL = {
    "scan.py": [],
    "latency.py": [],
    "analysis.py": [],
    "memory.py": [],
}
QUICK = {
    "scan.py": ["--files", "60", "--megabytes", "0.5", "--runs", "1"],
    "latency.py": ["--lines", "300", "--edits", "12"],
    "analysis.py": ["--lines", "500", "--edits", "12", "--repeat", "1", "--project-files", "80"],
    "memory.py": ["--files", "60", "--megabytes", "0.5", "--open", "5"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for script, extra in (QUICK if args.quick else FULL).items():
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *extra], check=True, timeout=1800)


if __name__ == "__main__":
    main()
