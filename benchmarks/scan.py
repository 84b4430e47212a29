"""Scan throughput on a generated tree: hscale-ls check cold and warm (facts cache), a bare tree-sitter
parse of the same files on the same number of processes (the limit), and ast-grep scan with equivalent
rules. Wall time, files/s, MB/s, peak RSS of the largest process, and the ratios; plus the start-up
cost of `check` on one small file. Two more rows split the gap between the bare parse and `check`:
parsing plus a query that visits every node and matches almost nothing, and parsing plus hscale-ls's
own fact query.

    python benchmarks/scan.py [--files 2000] [--megabytes 20] [--jobs 2] [--output results.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import emit
from benchmarks.astgrep_rules import ast_grep_binary, write_rules
from benchmarks.generate import generate

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"seconds": round(float(out[0]), 3), "peak_rss_mb": round(int(out[1]) / 1024, 1)}


def best(runs: int, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    results = [timed(command, cwd, env) for _ in range(runs)]
    return min(results, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hscale-scan-"))
    try:
        tree = work / "tree"
        count, size = generate(tree, args.files, args.megabytes, seed=1)
        write_rules(tree)
        cache = work / "cache"
        hscale = [sys.executable, "-m", "hscale_ls", "check", str(tree), "--jobs", str(args.jobs)]
        results: dict[str, object] = {"files": count, "megabytes": round(size / 1e6, 1), "jobs": args.jobs}
        rows: dict[str, dict[str, float]] = {}
        bare = [
            sys.executable,
            str(Path(__file__).parent / "bare_parse.py"),
            str(tree),
            "--jobs",
            str(args.jobs),
        ]
        rows["bare_parse"] = best(args.runs, bare, work)
        # where the rest goes: visiting every node through a query, then the fact query's captures
        rows["parse_and_rare_query"] = best(args.runs, [*bare, "--query", "rare"], work)
        rows["parse_and_fact_query"] = best(args.runs, [*bare, "--query", "facts"], work)
        rows["check_cold"] = best(args.runs, [*hscale, "--no-cache"], work)
        timed(hscale, work, {"HSCALE_CACHE_DIR": str(cache)})  # fill the cache
        rows["check_warm"] = best(args.runs, hscale, work, {"HSCALE_CACHE_DIR": str(cache)})
        astgrep = ast_grep_binary()
        if astgrep:
            rows["ast_grep_scan"] = best(args.runs, [astgrep, "scan", "--threads", str(args.jobs)], tree)
        small = work / "small"
        small.mkdir()
        (small / "server.js").write_text(
            'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
        )
        rows["check_one_small_file"] = best(
            5, [sys.executable, "-m", "hscale_ls", "check", str(small / "server.js"), "--no-cache"], small
        )
        for row in rows.values():
            if row is not rows["check_one_small_file"]:
                row["files_per_second"] = round(count / row["seconds"])
                row["mb_per_second"] = round(size / 1e6 / row["seconds"], 1)
        results["runs"] = rows
        ratios = {
            "cold_vs_bare_parse": round(rows["check_cold"]["seconds"] / rows["bare_parse"]["seconds"], 2),
            "warm_speedup": round(rows["check_cold"]["seconds"] / rows["check_warm"]["seconds"], 1),
            "rare_query_vs_bare_parse": round(
                rows["parse_and_rare_query"]["seconds"] / rows["bare_parse"]["seconds"], 2
            ),
            "fact_query_vs_bare_parse": round(
                rows["parse_and_fact_query"]["seconds"] / rows["bare_parse"]["seconds"], 2
            ),
        }
        if "ast_grep_scan" in rows:
            ratios["cold_vs_ast_grep"] = round(
                rows["check_cold"]["seconds"] / rows["ast_grep_scan"]["seconds"], 2
            )
        results["ratios"] = ratios
        emit(results, args.output)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
